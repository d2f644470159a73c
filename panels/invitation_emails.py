"""The emails a panel volunteer receives after the draw: the invitation (with the session dates
and a calendar file), the reminder before the reply-by date, and the reminder before a session.
Each is written in the language the volunteer registered in (``Volunteer.locale``), and says only
what has happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from common.i18n import format_day, gettext, speaking
from panels.calendar import CALENDAR_FILE_NAME
from panels.store import OutgoingEmail, OutgoingText, about_volunteer
from panels.tables import Panel, PanelSession, Volunteer


def session_lines(sessions: Sequence[PanelSession]) -> str:
    """The sessions, one line each, in the active language: "- Session 1: 3 March 2027, 10:00 to 13:00, Town Hall"."""
    lines = []
    for session in sessions:
        when = gettext("%(day)s, %(starts)s to %(ends)s", day=format_day(session.held_on),
                       starts=session.starts_at.strftime("%H:%M"), ends=session.ends_at.strftime("%H:%M"))
        lines.append(f"- {session.title}: {when}" + (f", {session.place}" if session.place else ""))
    return "\n".join(lines)


def voucher_words(panel: Panel) -> str:
    return f"£{panel.voucher_pence / 100:.2f}".replace(".00", "")


def invitation_email(panel: Panel, volunteer: Volunteer, *, link: str, sessions: Sequence[PanelSession],
                     reply_by: date, postal_address: str, calendar: str) -> OutgoingEmail:
    """The invitation, in the volunteer's language, with the calendar file attached (over SMTP;
    GOV.UK Notify sends no such file, so the words point to the private page's). ``link`` is
    the absolute address of their private page; ``postal_address`` where a reply by letter goes."""
    with speaking(volunteer.locale):
        parts = [gettext("Dear %(name)s,", name=volunteer.full_name),
                 gettext("You have been chosen by lottery for the %(panel)s (reference %(reference)s).",
                         panel=panel.name, reference=volunteer.reference)]
        if sessions:
            parts.append(gettext("The panel meets on these dates (your private link below also gives them as a calendar file):")
                         + "\n" + session_lines(sessions))
        if panel.voucher_pence:
            parts.append(gettext("Members receive a %(voucher)s thank-you voucher for each session they attend.",
                                 voucher=voucher_words(panel)))
        parts.append(gettext("Please tell us by %(day)s whether you can take part. Reply with your private link "
                             "(keep it to yourself; it replaces any earlier link):", day=format_day(reply_by))
                     + "\n" + link)
        parts.append(gettext("If you cannot use the link, write to us at %(address)s quoting your reference "
                             "%(reference)s.", address=postal_address, reference=volunteer.reference))
        return OutgoingEmail(
            to_address=volunteer.email, about=about_volunteer(volunteer.id),
            subject=gettext("You have been chosen for the %(panel)s: please reply by %(day)s", panel=panel.name,
                            day=format_day(reply_by)),
            body="\n\n".join(parts) + "\n",
            attachment_name=CALENDAR_FILE_NAME if sessions else "", attachment_text=calendar if sessions else "")


def reply_reminder_email(panel: Panel, volunteer: Volunteer, *, link: str, postal_address: str) -> OutgoingEmail:
    with speaking(volunteer.locale):
        day = format_day(volunteer.reply_by)
        body = "\n\n".join([
            gettext("Dear %(name)s,", name=volunteer.full_name),
            gettext("We invited you to the %(panel)s (reference %(reference)s) and have not had your reply yet. "
                    "Please tell us by %(day)s whether you can take part. Reply with your private link (it replaces "
                    "the link in our earlier email):", panel=panel.name, reference=volunteer.reference, day=day)
            + "\n" + link,
            gettext("If you cannot use the link, write to us at %(address)s quoting your reference %(reference)s.",
                    address=postal_address, reference=volunteer.reference),
        ]) + "\n"
        return OutgoingEmail(to_address=volunteer.email, about=about_volunteer(volunteer.id), body=body,
                             subject=gettext("Please reply by %(day)s: %(panel)s", day=day, panel=panel.name))


def session_reminder_email(panel: Panel, session: PanelSession, volunteer: Volunteer, *,
                           postal_address: str) -> OutgoingEmail:
    with speaking(volunteer.locale):
        day = format_day(session.held_on)
        when = gettext("%(day)s, %(starts)s to %(ends)s", day=day, starts=session.starts_at.strftime("%H:%M"),
                       ends=session.ends_at.strftime("%H:%M"))
        body = "\n\n".join([
            gettext("Dear %(name)s,", name=volunteer.full_name),
            gettext("A reminder that the %(panel)s meets for “%(session)s” on %(when)s.", panel=panel.name,
                    session=session.title, when=when + (f", {session.place}" if session.place else "")),
            gettext("If you cannot come, please send your apologies with your private link, or write to us at "
                    "%(address)s quoting your reference %(reference)s.", address=postal_address,
                    reference=volunteer.reference),
        ]) + "\n"
        return OutgoingEmail(to_address=volunteer.email, about=about_volunteer(volunteer.id), body=body,
                             subject=gettext("Reminder: %(panel)s on %(day)s", panel=panel.name, day=day))


def session_reminder_text(panel: Panel, session: PanelSession, volunteer: Volunteer) -> OutgoingText:
    """The text a confirmed member with a telephone number gets before a session (two text
    messages at most), in the language they registered in."""
    with speaking(volunteer.locale):
        day = format_day(session.held_on)
        when = gettext("%(day)s, %(starts)s to %(ends)s", day=day, starts=session.starts_at.strftime("%H:%M"),
                       ends=session.ends_at.strftime("%H:%M"))
        body = gettext("%(panel)s: a reminder that we meet on %(when)s. If you cannot come, send your apologies "
                       "with the private link in our emails.", panel=panel.name,
                       when=when + (f", {session.place}" if session.place else ""))
        return OutgoingText(to_phone=volunteer.phone, about=about_volunteer(volunteer.id), body=body,
                            subject=gettext("Text: reminder of %(day)s", day=day))
