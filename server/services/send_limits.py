"""How many emails public forms may send: per recipient and per client address, in a window.

Panel registration, a copy of questionnaire answers, a private link by email and a comment's
notice each make the council's mail server write to an address someone typed. Without a limit, anyone could make it
mail a stranger over and over, or flood the queue from one connection. ``claim_send`` counts one
such email against the address that asked and the address it goes to, in the database (so every
worker and machine agrees), and refuses it when either has reached its limit in the window:
``SEND_LIMIT_PER_RECIPIENT`` (5) and ``SEND_LIMIT_PER_ADDRESS`` (20) per
``SEND_LIMIT_WINDOW_MINUTES`` (60).

Rows hold an HMAC of the address under ``SECRET_KEY``, never the address itself, and rows older
than the window are deleted as new ones are written.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from enum import Enum

from piccolo.engine.postgres import PostgresEngine

from common.emails import normalise_email
from common.i18n import gettext
from common.transactions import write_transaction
from server.settings import Settings
from server.tables import SendLimitEvent


class LimitReached(Enum):
    RECIPIENT = "recipient"
    ADDRESS = "address"

    def message(self, settings: Settings) -> str:
        """What the form says (with status 429), in the request's language."""
        minutes = settings.send_limit_window_minutes
        if self is LimitReached.RECIPIENT:
            return gettext("We have sent as many emails to this address as we can for now. Try again in %(minutes)d "
                           "minutes.", minutes=minutes)
        return gettext("Too many emails have been asked for from your connection. Try again in %(minutes)d minutes.",
                       minutes=minutes)


def _key(settings: Settings, kind: str, value: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


async def claim_send(*, settings: Settings, client_address: str, recipient: str,
                     now: datetime | None = None) -> LimitReached | None:
    """Count one email to ``recipient`` asked for from ``client_address``; None when it may be sent,
    else which limit was reached (and nothing is counted: a refused request does not lengthen the wait)."""
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(minutes=settings.send_limit_window_minutes)
    recipient_key = _key(settings, "recipient", normalise_email(recipient))
    address_key = _key(settings, "address", client_address)
    engine = SendLimitEvent._meta.db
    async with write_transaction(engine):
        if isinstance(engine, PostgresEngine):
            # Requests for one recipient or from one address take turns (SQLite's write
            # transaction already does this), so two cannot both count one under the limit.
            for key in sorted({recipient_key, address_key}):
                await SendLimitEvent.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", key).run()
        await SendLimitEvent.delete().where(SendLimitEvent.created_at < since).run()
        for key, limit, reached in ((recipient_key, settings.send_limit_per_recipient, LimitReached.RECIPIENT),
                                    (address_key, settings.send_limit_per_address, LimitReached.ADDRESS)):
            counted = await SendLimitEvent.count().where(SendLimitEvent.key_hash == key,
                                                         SendLimitEvent.created_at >= since).run()
            if int(counted) >= limit:
                return reached
        await SendLimitEvent.insert(SendLimitEvent(key_hash=recipient_key, created_at=now),
                                    SendLimitEvent(key_hash=address_key, created_at=now)).run()
    return None
