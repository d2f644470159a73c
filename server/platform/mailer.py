"""The outbox sender: delivers queued emails over SMTP when ``SMTP_HOST`` is configured.

Domain code returns what to send; the server writes ``OutboxEmail`` rows; this module sends
them. Each row is claimed for a few minutes before sending (an atomic UPDATE), so several
workers or machines can run the sender at once without sending an email twice. A failure is
recorded on the row and retried on the next pass, up to ``MAX_ATTEMPTS`` times."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid

import anyio

from server.settings import Settings
from server.tables import OutboxEmail

logger = logging.getLogger("civicpanel")

MAX_ATTEMPTS = 5
CLAIM_MINUTES = 5
SEND_INTERVAL_S = 30


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int
    waiting: int


def build_message(*, sender: str, to_address: str, subject: str, body: str, domain: str = "civicpanel") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to_address
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    return message


def _deliver(settings: Settings, messages: list[EmailMessage]) -> list[str | None]:
    """Send over one SMTP connection; for each message, None on success or the error text."""
    context = ssl.create_default_context()
    if settings.smtp_security == "tls":
        connection = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=30, context=context)
    else:
        connection = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    outcomes: list[str | None] = []
    try:
        if settings.smtp_security == "starttls":
            connection.starttls(context=context)
        if settings.smtp_username:
            connection.login(settings.smtp_username, settings.smtp_password)
        for message in messages:
            try:
                connection.send_message(message)
                outcomes.append(None)
            except smtplib.SMTPException as error:
                outcomes.append(f"{type(error).__name__}: {error}")
    finally:
        try:
            connection.quit()
        except smtplib.SMTPException:
            pass
    return outcomes


async def _claim(now: datetime, limit: int) -> list[dict]:
    candidates = await OutboxEmail.select(OutboxEmail.id).where(
        OutboxEmail.sent_at.is_null(),
        OutboxEmail.attempts < MAX_ATTEMPTS,
        (OutboxEmail.claimed_until.is_null()) | (OutboxEmail.claimed_until < now),
    ).order_by(OutboxEmail.id).limit(limit).run()
    claimed = []
    for row in candidates:
        # Atomic per row: only one sender's UPDATE matches while the claim is free.
        updated = await OutboxEmail.update({OutboxEmail.claimed_until: now + timedelta(minutes=CLAIM_MINUTES)}).where(
            OutboxEmail.id == row["id"],
            OutboxEmail.sent_at.is_null(),
            (OutboxEmail.claimed_until.is_null()) | (OutboxEmail.claimed_until < now),
        ).returning(OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.body,
                    OutboxEmail.attempts).run()
        claimed.extend(updated)
    return claimed


async def send_outbox(settings: Settings, *, limit: int = 100) -> SendReport:
    if not settings.sends_email:
        waiting = await OutboxEmail.count().where(OutboxEmail.sent_at.is_null()).run()
        return SendReport(sent=0, failed=0, waiting=int(waiting))
    now = datetime.now(timezone.utc)
    rows = await _claim(now, limit)
    sent = failed = 0
    if rows:
        messages = [build_message(sender=settings.mail_from, to_address=row["to_address"], subject=row["subject"],
                                  body=row["body"]) for row in rows]
        try:
            outcomes = await anyio.to_thread.run_sync(_deliver, settings, messages)
        except (OSError, smtplib.SMTPException) as error:
            outcomes = [f"{type(error).__name__}: {error}"] * len(rows)
        for row, error in zip(rows, outcomes, strict=True):
            if error is None:
                await OutboxEmail.update({OutboxEmail.sent_at: datetime.now(timezone.utc), OutboxEmail.last_error: "",
                                          OutboxEmail.claimed_until: None}).where(OutboxEmail.id == row["id"]).run()
                sent += 1
            else:
                await OutboxEmail.update({OutboxEmail.attempts: row["attempts"] + 1, OutboxEmail.last_error: error[:500],
                                          OutboxEmail.claimed_until: None}).where(OutboxEmail.id == row["id"]).run()
                failed += 1
                logger.warning("email %s not sent: %s", row["id"], error)
    waiting = await OutboxEmail.count().where(OutboxEmail.sent_at.is_null(), OutboxEmail.attempts < MAX_ATTEMPTS).run()
    return SendReport(sent=sent, failed=failed, waiting=int(waiting))


async def run_sender_forever(settings: Settings, interval_s: float = SEND_INTERVAL_S) -> None:
    """The app's background task (started by the lifespan when SMTP is configured)."""
    while True:
        try:
            await send_outbox(settings)
        except Exception:  # a bad pass must not stop later ones; it is logged with its trace
            logger.exception("outbox sender pass failed")
        await asyncio.sleep(interval_s)
