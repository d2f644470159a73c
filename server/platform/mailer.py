"""The outbox sender: delivers queued emails through GOV.UK Notify when ``NOTIFY_API_KEY`` is set,
else over SMTP when ``SMTP_HOST`` is.

Domain code returns what to send; the server writes ``OutboxEmail`` rows; this module sends
them. Each row is claimed for a few minutes before sending (an atomic UPDATE), so several
workers or machines can run the sender at once without sending an email twice.

Each email is built and sent on its own: one that cannot be built (an address Python's ``email``
package refuses, a row written before addresses were checked) or that the mail server refuses
counts an attempt on that email alone, waits 1, 2, 4, 8… minutes (``retry_delay``) before the
next, and after ``OUTBOX_MAX_ATTEMPTS`` attempts is marked failed, for an administrator to retry
or discard on the outbox page. The other emails of the pass are sent all the same. When the mail
server cannot be reached at all, no email is to blame: the pass stops, nothing counts an attempt,
and the next pass tries again. With Notify, "cannot be reached" also covers a refused key (403),
its rate limit (429) and its own errors (5xx); a 400 (an address or message Notify refuses) is
that email's failure alone."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid

import anyio
from notifications_python_client.errors import APIError as NotifyAPIError
from notifications_python_client.notifications import NotificationsAPIClient

from common.backoff import retry_delay
from common.emails import is_valid_email
from common.text import one_line
from server.platform.database import contains
from server.settings import Settings
from server.tables import OutboxEmail

logger = logging.getLogger("civicpanel")

CLAIM_MINUTES = 5
SEND_INTERVAL_S = 30
ERROR_LENGTH = 500
"""The longest error text kept on a row."""


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int
    """Emails claimed in this pass and not sent (each will be tried again unless it is now failed)."""
    waiting: int
    """Emails neither sent nor failed, after the pass."""
    given_up: int = 0
    """Emails marked failed in this pass (their last allowed attempt failed)."""



def build_message(*, sender: str, to_address: str, subject: str, body: str, domain: str = "civicpanel",
                  unsubscribe_link: str = "", attachment_name: str = "", attachment_text: str = "") -> EmailMessage:
    """One email. Raises ``ValueError`` when ``to_address`` is not an address the ``email-validator``
    rules accept (Python's ``email`` package would refuse it, or worse, read it as something else);
    the subject is made one line, so a title with a line break in an old row still sends. With
    ``unsubscribe_link`` (a follower's email), the ``List-Unsubscribe`` headers of RFC 2369 and
    RFC 8058, so a mail program offers its own one-click "unsubscribe". With ``attachment_name``,
    ``attachment_text`` is attached as a file of that name (``text/calendar`` for ``.ics``)."""
    if not is_valid_email(to_address):
        raise ValueError(f"not a valid email address: {to_address[:100]!r}")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to_address
    message["Subject"] = one_line(subject, max_length=998)  # RFC 5322's longest line
    message["Message-ID"] = make_msgid(domain=domain)
    if unsubscribe_link:
        message["List-Unsubscribe"] = f"<{one_line(unsubscribe_link, max_length=900)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)
    if attachment_name:
        subtype = "calendar" if attachment_name.endswith(".ics") else "plain"
        message.add_attachment(attachment_text, subtype=subtype, filename=one_line(attachment_name, max_length=100))
    return message


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def _connect(settings: Settings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.smtp_security == "tls":
        connection = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=30, context=context)
    else:
        connection = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    try:
        if settings.smtp_security == "starttls":
            connection.starttls(context=context)
        if settings.smtp_username:
            connection.login(settings.smtp_username, settings.smtp_password)
    except BaseException:
        _close(connection)
        raise
    return connection


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        pass


@dataclass
class Delivery:
    """What one pass over the mail server did: per email id, None (sent) or the error; ids missing
    were not tried because the server could not be reached (``unreachable`` says why)."""

    outcomes: dict[int, str | None] = field(default_factory=dict)
    unreachable: str = ""


def _deliver(settings: Settings, messages: list[tuple[int, EmailMessage]]) -> Delivery:
    """Send each message on its own over one SMTP connection, opening a new one after a message
    whose sending broke it. Runs in a worker thread (smtplib blocks)."""
    delivery = Delivery()
    connection: smtplib.SMTP | None = None
    try:
        for email_id, message in messages:
            if connection is None:
                try:
                    connection = _connect(settings)
                except (OSError, smtplib.SMTPException) as error:
                    delivery.unreachable = _error_text(error)
                    return delivery
            try:
                connection.send_message(message)
                delivery.outcomes[email_id] = None
            except Exception as error:  # this message's failure, whatever it is, must not stop the others
                delivery.outcomes[email_id] = _error_text(error)
                if isinstance(error, (OSError, smtplib.SMTPServerDisconnected)):
                    _close(connection)
                    connection = None
    finally:
        if connection is not None:
            _close(connection)
    return delivery


NOTIFY_PASS_STOPPERS = frozenset({403, 429})
"""Notify answers that are no single email's fault (a refused key, the rate limit), beside 5xx."""


def notify_stops_pass(error: NotifyAPIError) -> bool:
    """True when Notify's answer is no single message's fault: stop the pass, count no attempt."""
    return error.status_code >= 500 or error.status_code in NOTIFY_PASS_STOPPERS


def _deliver_by_notify(settings: Settings, messages: list[tuple[int, EmailMessage | Text]],
                       unsubscribe_links: dict[int, str]) -> Delivery:
    """Send each message through GOV.UK Notify: an email through the email template (``((subject))``
    and ``((body))``) with a follower's one-click unsubscribe link, a text through the text message
    template (``((body))``); the outbox id is Notify's reference. An email's attachment is not
    sent (Notify sends files only as links in templates made for them). Runs in a worker thread
    (the client blocks)."""
    client = NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url, timeout=30)
    delivery = Delivery()
    for email_id, message in messages:
        reference = f"civicpanel-outbox-{email_id}"
        try:
            if isinstance(message, Text):
                client.send_sms_notification(phone_number=message.phone, template_id=settings.notify_sms_template_id,
                                             personalisation={"body": message.body}, reference=reference)
            else:
                body = (message.get_body(("plain",)) or message).get_content().rstrip("\n")
                client.send_email_notification(
                    email_address=str(message["To"]), template_id=settings.notify_email_template_id,
                    personalisation={"subject": str(message["Subject"]), "body": body},
                    reference=reference, one_click_unsubscribe_url=unsubscribe_links.get(email_id) or None)
            delivery.outcomes[email_id] = None
        except NotifyAPIError as error:
            if notify_stops_pass(error):
                delivery.unreachable = _error_text(error)
                return delivery
            delivery.outcomes[email_id] = _error_text(error)
    return delivery


@dataclass(frozen=True)
class Text:
    """A text message ready for Notify."""

    phone: str
    body: str


async def _claim(now: datetime, limit: int, *, texts: bool = False) -> list[dict]:
    """Emails neither sent nor failed whose claim or back-off has passed (texts too, with
    ``texts``: where Notify sends them). (Not "attempts below the limit": with the limit lowered,
    an email past it gets one more attempt and is then marked failed, instead of waiting unseen
    for ever.)"""
    free = (OutboxEmail.claimed_until.is_null()) | (OutboxEmail.claimed_until < now)
    channels = ["email", "sms"] if texts else ["email"]
    candidates = await OutboxEmail.select(OutboxEmail.id).where(
        OutboxEmail.sent_at.is_null(), OutboxEmail.failed_at.is_null(), free, OutboxEmail.channel.is_in(channels),
    ).order_by(OutboxEmail.id).limit(limit).run()
    claimed = []
    for row in candidates:
        # Atomic per row: only one sender's UPDATE matches while the claim is free.
        updated = await OutboxEmail.update({OutboxEmail.claimed_until: now + timedelta(minutes=CLAIM_MINUTES)}).where(
            OutboxEmail.id == row["id"], OutboxEmail.sent_at.is_null(), OutboxEmail.failed_at.is_null(), free,
        ).returning(OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.body,
                    OutboxEmail.attempts, OutboxEmail.unsubscribe_link, OutboxEmail.attachment_name,
                    OutboxEmail.attachment_text, OutboxEmail.channel, OutboxEmail.to_phone).run()
        claimed.extend(updated)
    return claimed


async def _record_failure(row: dict, error: str, *, max_attempts: int) -> bool:
    """Count a failed attempt on one email; True when that was its last and it is now failed."""
    now = datetime.now(timezone.utc)
    attempts = row["attempts"] + 1
    given_up = attempts >= max_attempts
    await OutboxEmail.update({
        OutboxEmail.attempts: attempts, OutboxEmail.last_error: error[:ERROR_LENGTH],
        OutboxEmail.claimed_until: None if given_up else now + retry_delay(attempts),
        OutboxEmail.failed_at: now if given_up else None,
    }).where(OutboxEmail.id == row["id"]).run()
    logger.warning("email %s not sent (attempt %d of %d): %s", row["id"], attempts, max_attempts, error)
    return given_up


async def waiting_count() -> int:
    """Emails neither sent nor failed."""
    return int(await OutboxEmail.count().where(OutboxEmail.sent_at.is_null(), OutboxEmail.failed_at.is_null()).run())


async def send_outbox(settings: Settings, *, limit: int = 100) -> SendReport:
    if not settings.sends_email:
        return SendReport(sent=0, failed=0, waiting=await waiting_count())
    max_attempts = settings.outbox_max_attempts
    rows = await _claim(datetime.now(timezone.utc), limit, texts=settings.sends_texts)
    sent = failed = given_up = 0
    messages: list[tuple[int, EmailMessage | Text]] = []
    for row in rows:
        if row.get("channel") == "sms":
            messages.append((row["id"], Text(phone=row["to_phone"], body=row["body"])))
            continue
        try:
            messages.append((row["id"], build_message(sender=settings.mail_from, to_address=row["to_address"],
                                                      subject=row["subject"], body=row["body"],
                                                      unsubscribe_link=row.get("unsubscribe_link") or "",
                                                      attachment_name=row.get("attachment_name") or "",
                                                      attachment_text=row.get("attachment_text") or "")))
        except Exception as error:  # a row that cannot become an email fails alone
            failed += 1
            given_up += await _record_failure(row, _error_text(error), max_attempts=max_attempts)
    if not messages:
        delivery = Delivery()
    elif settings.mail_route == "notify":
        links = {row["id"]: row.get("unsubscribe_link") or "" for row in rows}
        delivery = await anyio.to_thread.run_sync(_deliver_by_notify, settings, messages, links)
    else:
        delivery = await anyio.to_thread.run_sync(_deliver, settings, messages)  # texts go only through Notify
    if delivery.unreachable:
        logger.warning("mail server not reached, %d emails wait: %s", len(messages) - len(delivery.outcomes),
                       delivery.unreachable)
    by_id = {row["id"]: row for row in rows}
    for email_id, _ in messages:
        if email_id not in delivery.outcomes:  # not tried: free the claim for the next pass, no attempt counted
            failed += 1
            await OutboxEmail.update({OutboxEmail.claimed_until: None, OutboxEmail.last_error: delivery.unreachable}).where(
                OutboxEmail.id == email_id).run()
        elif (error := delivery.outcomes[email_id]) is None:
            sent += 1
            await OutboxEmail.update({OutboxEmail.sent_at: datetime.now(timezone.utc), OutboxEmail.last_error: "",
                                      OutboxEmail.claimed_until: None}).where(OutboxEmail.id == email_id).run()
        else:
            failed += 1
            given_up += await _record_failure(by_id[email_id], error, max_attempts=max_attempts)
    return SendReport(sent=sent, failed=failed, waiting=await waiting_count(), given_up=given_up)


async def retry_failed_email(email_id: int) -> bool:
    """Put a failed email back in the queue with its attempts reset; False when no failed email has that id."""
    updated = await OutboxEmail.update({OutboxEmail.failed_at: None, OutboxEmail.attempts: 0,
                                        OutboxEmail.claimed_until: None}).where(
        OutboxEmail.id == email_id, OutboxEmail.failed_at.is_not_null(), OutboxEmail.sent_at.is_null(),
    ).returning(OutboxEmail.id).run()
    return bool(updated)


async def discard_failed_email(email_id: int) -> bool:
    """Delete a failed email (it holds an address and often a private link); False when no failed email has that id."""
    deleted = await OutboxEmail.delete().where(OutboxEmail.id == email_id, OutboxEmail.failed_at.is_not_null(),
                                               OutboxEmail.sent_at.is_null()).returning(OutboxEmail.id).run()
    return bool(deleted)


def _failed():
    return OutboxEmail.failed_at.is_not_null() & OutboxEmail.sent_at.is_null()


async def failed_emails(limit: int = 100, offset: int = 0) -> list[dict]:
    """Failed emails, newest first, without their bodies (which hold private links): ``limit``
    of them from ``offset``."""
    return await OutboxEmail.select(OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.created_at,
                                    OutboxEmail.attempts, OutboxEmail.last_error, OutboxEmail.failed_at).where(
        _failed()).order_by(OutboxEmail.failed_at, ascending=False).order_by(
        OutboxEmail.id, ascending=False).offset(offset).limit(limit).run()


async def failed_count() -> int:
    return int(await OutboxEmail.count().where(_failed()).run())


async def outbox_emails(*, to: str = "", offset: int = 0, limit: int = 50) -> list[dict]:
    """Queued emails, newest first, ``limit`` from ``offset``; ``to``: addresses containing it."""
    query = OutboxEmail.select().order_by(OutboxEmail.id, ascending=False).offset(offset).limit(limit)
    return await (query.where(contains(OutboxEmail.to_address, to)) if to else query).run()


async def outbox_count(*, to: str = "") -> int:
    query = OutboxEmail.count()
    return int(await (query.where(contains(OutboxEmail.to_address, to)) if to else query).run())


async def run_sender_forever(settings: Settings, interval_s: float = SEND_INTERVAL_S) -> None:
    """The app's background task (started by the lifespan when Notify or SMTP is configured)."""
    while True:
        try:
            await send_outbox(settings)
        except Exception:  # a bad pass must not stop later ones; it is logged with its trace
            logger.exception("outbox sender pass failed")
        await asyncio.sleep(interval_s)
