"""Writing the emails domain functions return into the outbox; ``server.platform.mailer`` sends them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from common.text import one_line
from server.tables import OutboxEmail

SUBJECT_LENGTH = 200
"""``OutboxEmail.subject``'s column length."""


class Email(Protocol):
    """What every domain's outgoing email has (``panels.store.OutgoingEmail``, ``surveys.comments.EmailNotice``…)."""

    to_address: str
    subject: str
    body: str


def outbox_row(email: Email) -> OutboxEmail:
    """The row for one email: the subject (often built from a title an officer typed) made one line
    of at most the column's length, so no header ever carries a line break."""
    return OutboxEmail(to_address=email.to_address.strip(), subject=one_line(email.subject, max_length=SUBJECT_LENGTH),
                       channel=getattr(email, "channel", "email"), to_phone=getattr(email, "to_phone", ""),
                       body=email.body,
                       about=getattr(email, "about", ""), unsubscribe_link=getattr(email, "unsubscribe_link", ""),
                       attachment_name=getattr(email, "attachment_name", ""),
                       attachment_text=getattr(email, "attachment_text", ""))


async def write_outbox(emails: Iterable[Email | None]) -> None:
    """Queue the emails (``None`` entries, for a notice not needed, are skipped)."""
    rows = [outbox_row(email) for email in emails if email is not None]
    if rows:
        await OutboxEmail.insert(*rows).run()


async def forget_emails_about_records(abouts: Iterable[str]) -> int:
    """Delete the emails held about these records (``OutgoingEmail.about``), as their erasure requires."""
    wanted = [about for about in abouts if about]
    if not wanted:
        return 0
    return len(await OutboxEmail.delete().where(OutboxEmail.about.is_in(wanted)).returning(OutboxEmail.id).run())
