"""Reminders, found by the server's hourly check (``server.services.reminders``):

- to everyone invited who has not replied, ``REPLY_REMINDER_DAYS`` days before their reply-by
  date (with a fresh private link, since they may have lost the invitation);
- to every confirmed member, ``SESSION_REMINDER_DAYS`` days before each session they have not sent
  apologies for (and a text message too, where the council sends texts and they gave a number).

Each reminder is claimed once by a unique marker (``PanelReminder``) before it is composed, so two
workers, or the check running every hour, never send one twice. Emails are in the language the
volunteer registered in."""

from __future__ import annotations

from datetime import date, timedelta

from common.clock import council_date
from common.transactions import is_unique_violation
from panels.apologies import apologies_for_panel
from panels.invitation_emails import reply_reminder_email, session_reminder_email, session_reminder_text
from panels.store import OutgoingEmail, OutgoingText, PrivateLink, set_volunteer_token
from panels.tables import Panel, PanelReminder, PanelSession, Volunteer

REPLY_REMINDER_DAYS = 3
"""Remind people who have not replied this many days before their reply-by date (or later, up to it)."""
SESSION_REMINDER_DAYS = 2
"""Remind confirmed members this many days before a session (or later, up to the day before)."""


async def claim_reminder(volunteer_id: int, marker: str) -> bool:
    """True the first time this reminder is claimed, on any worker; False after that."""
    try:
        await PanelReminder.insert(PanelReminder(volunteer=volunteer_id, marker=marker[:80])).run()
    except Exception as error:
        if is_unique_violation(error):
            return False
        raise
    return True


async def due_reminders(*, today: date, private_link: PrivateLink, postal_address: str,
                        texts: bool = False) -> list[OutgoingEmail | OutgoingText]:
    """The reminders due today that have not been sent, each claimed as it is composed. With
    ``texts`` (the council sends text messages), a confirmed member who gave a telephone number
    also gets a text before each session."""
    emails: list[OutgoingEmail | OutgoingText] = []
    panels: dict[int, Panel] = {}

    async def panel_of(panel_id: int) -> Panel:
        if panel_id not in panels:
            panels[panel_id] = await Panel.objects().where(Panel.id == panel_id).first().run()
        return panels[panel_id]

    waiting = await Volunteer.objects().where(
        Volunteer.status == "selected", Volunteer.invitation_pending == False,  # noqa: E712
        Volunteer.reply_by.is_not_null(), Volunteer.reply_by > today,
        Volunteer.reply_by <= today + timedelta(days=REPLY_REMINDER_DAYS)).order_by(Volunteer.id).run()
    for volunteer in waiting:
        if volunteer.invited_at is not None and council_date(volunteer.invited_at) >= today:
            continue  # invited today: the invitation itself is the reminder
        if not volunteer.email or not await claim_reminder(volunteer.id, f"reply:{volunteer.id}:{volunteer.reply_by.isoformat()}"):
            continue
        token = await set_volunteer_token(volunteer.id)
        emails.append(reply_reminder_email(await panel_of(volunteer.panel), volunteer, link=private_link(token),
                                           postal_address=postal_address))

    sessions = await PanelSession.objects().where(
        PanelSession.held_on > today, PanelSession.held_on <= today + timedelta(days=SESSION_REMINDER_DAYS)).order_by(
        PanelSession.held_on).run()
    for session in sessions:
        sorry = {volunteer for volunteer, session_id in await apologies_for_panel(session.panel) if session_id == session.id}
        members = await Volunteer.objects().where(Volunteer.panel == session.panel,
                                                  Volunteer.status == "confirmed").order_by(Volunteer.id).run()
        for volunteer in members:
            if volunteer.id in sorry:
                continue
            if volunteer.email and await claim_reminder(volunteer.id, f"session:{session.id}:{volunteer.id}"):
                emails.append(session_reminder_email(await panel_of(session.panel), session, volunteer,
                                                     postal_address=postal_address))
            if texts and volunteer.phone and await claim_reminder(volunteer.id, f"session-text:{session.id}:{volunteer.id}"):
                emails.append(session_reminder_text(await panel_of(session.panel), session, volunteer))
    return emails
