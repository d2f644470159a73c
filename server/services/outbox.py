"""Writing the emails domain functions return into the outbox; ``server.platform.mailer`` sends them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from server.tables import OutboxEmail


class Email(Protocol):
    """What every domain's outgoing email has (``panels.store.OutgoingEmail``, ``surveys.comments.EmailNotice``…)."""

    to_address: str
    subject: str
    body: str


async def write_outbox(emails: Iterable[Email]) -> None:
    """Queue the emails (subjects cut to the column's 200 characters)."""
    rows = [OutboxEmail(to_address=email.to_address, subject=email.subject[:200], body=email.body,
                        about=getattr(email, "about", "")) for email in emails]
    if rows:
        await OutboxEmail.insert(*rows).run()
