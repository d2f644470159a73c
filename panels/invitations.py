"""Invitations to the people drawn, and their replies.

The draw marks the people drawn as invited (``selected``) with their invitation *pending*: nothing
is sent in the draw. The officer then reviews who will be invited and the email they will get,
sets the reply-by date, and sends (``send_invitations``). Each invitation carries the session
dates, a calendar file, the reply-by date and how to reply.

A reply comes through the member's private link (``panels.store.respond_to_invitation``), or an
officer records one that came by telephone, letter, in person or email, with a note
(``record_reply``; the server audits it). Emails are composed in the language the volunteer
registered in (``Volunteer.locale``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from common.i18n import format_day, gettext, lazy_gettext
from common.transactions import write_transaction
from panels.invitation_emails import invitation_email
from panels.store import OutgoingEmail, PrivateLink, set_volunteer_token
from panels.tables import Panel, PanelSession, Volunteer

DEFAULT_REPLY_DAYS = 10
"""The reply-by date the review page suggests: this many days after today."""
MAX_REPLY_DAYS = 90
REPLY_CHANNELS = {
    "phone": lazy_gettext("By telephone"),
    "letter": lazy_gettext("By letter"),
    "in_person": lazy_gettext("In person"),
    "email": lazy_gettext("By email"),
}
"""How a reply an officer records came in."""
CHANNEL_LABELS = {"link": lazy_gettext("Private link"), **REPLY_CHANNELS}
MAX_NOTE_LENGTH = 500


class ReplyError(ValueError):
    """The reply cannot be recorded; the message is for the officer."""


def default_reply_by(today: date) -> date:
    return today + timedelta(days=DEFAULT_REPLY_DAYS)


def reply_by_problem(reply_by: date | None, *, today: date, first_session: date | None) -> str:
    """What is wrong with a reply-by date ('' when it is fine): it must be after today, within
    ``MAX_REPLY_DAYS``, and before ``first_session`` (the first session still to come)."""
    if reply_by is None:
        return gettext("Enter the reply-by date")
    if reply_by <= today:
        return gettext("The reply-by date must be in the future")
    if reply_by > today + timedelta(days=MAX_REPLY_DAYS):
        return gettext("The reply-by date must be within %(days)s days of today", days=MAX_REPLY_DAYS)
    if first_session is not None and reply_by >= first_session:
        return gettext("The reply-by date must be before the first session, on %(day)s", day=format_day(first_session))
    return ""


async def pending_invitations(panel_id: int) -> list[Volunteer]:
    """The people drawn whose invitation has not been sent yet, in the order they were drawn."""
    return await Volunteer.objects().where(Volunteer.panel == panel_id, Volunteer.status == "selected",
                                           Volunteer.invitation_pending == True).order_by(Volunteer.id).run()  # noqa: E712


async def send_invitations(*, panel: Panel, reply_by: date, private_link: PrivateLink, sessions: Sequence[PanelSession],
                           postal_address: str, calendar: str, now: datetime | None = None) -> list[OutgoingEmail]:
    """Send every pending invitation of the panel: each gets a fresh private link, the reply-by
    date and ``invited_at``; returns the emails to queue. Someone whose invitation another
    officer sent meanwhile is not sent a second one."""
    now = now or datetime.now(timezone.utc)
    emails = []
    for volunteer in await pending_invitations(panel.id):
        async with write_transaction(Volunteer._meta.db):
            claimed = await Volunteer.update({Volunteer.invitation_pending: False, Volunteer.invited_at: now,
                                              Volunteer.reply_by: reply_by}).where(
                Volunteer.id == volunteer.id, Volunteer.invitation_pending == True,  # noqa: E712
            ).returning(Volunteer.id).run()
        if not claimed:
            continue
        token = await set_volunteer_token(volunteer.id)
        emails.append(invitation_email(panel, volunteer, link=private_link(token), sessions=sessions, reply_by=reply_by,
                                       postal_address=postal_address, calendar=calendar))
    return emails


def preview_email(panel: Panel, *, sessions: Sequence[PanelSession], reply_by: date, postal_address: str) -> OutgoingEmail:
    """The invitation as the review page shows it, for a made-up invitee (no one's personal data)."""
    sample = Volunteer(full_name=gettext("[name]"), email="", reference="RP-XXXXXX", locale="en_GB")
    sample.id = 0
    return invitation_email(panel, sample, link=gettext("[their private link]"), sessions=sessions, reply_by=reply_by,
                            postal_address=postal_address, calendar="")


def check_reply(values: dict[str, str]) -> tuple[tuple[bool, str, str] | None, dict[str, str]]:
    """The officer's recorded reply: (accepted, channel, note), or the errors by field."""
    errors = {}
    answer, channel, note = values.get("answer", ""), values.get("channel", ""), values.get("note", "").strip()
    if answer not in ("accept", "decline"):
        errors["answer"] = gettext("Choose whether they accepted or declined their place")
    if channel not in REPLY_CHANNELS:
        errors["channel"] = gettext("Choose how the reply came")
    if not note:
        errors["note"] = gettext("Enter a note: who took the reply, and what they said")
    elif len(note) > MAX_NOTE_LENGTH:
        errors["note"] = gettext("The note must be %(most)s characters or fewer", most=MAX_NOTE_LENGTH)
    if errors:
        return None, errors
    return (answer == "accept", channel, note), {}


async def record_reply(*, panel_id: int, volunteer_id: int, accepted: bool, channel: str, note: str,
                       now: datetime | None = None) -> Volunteer:
    """Record a reply the officer received another way. Only someone invited and not yet replied
    can be answered for; raises ``ReplyError`` otherwise."""
    status = "confirmed" if accepted else "declined"
    async with write_transaction(Volunteer._meta.db):
        updated = await Volunteer.update({
            Volunteer.status: status, Volunteer.responded_at: now or datetime.now(timezone.utc),
            Volunteer.reply_channel: channel, Volunteer.reply_note: note, Volunteer.invitation_pending: False,
        }).where(Volunteer.panel == panel_id, Volunteer.id == volunteer_id, Volunteer.status == "selected").returning(
            Volunteer.id).run()
    if not updated:
        raise ReplyError(gettext("Only someone invited who has not replied yet can have a reply recorded"))
    return await Volunteer.objects().where(Volunteer.id == volunteer_id).first().run()
