"""A panel's sessions as a calendar file (iCalendar, RFC 5545), for the invitation email and the
member's private page: one event per session (London times, written in UTC), that any calendar program imports.

Each event's UID is fixed by the session (``panel-session-<id>@<domain>``), so importing the file
again after a session moved updates the event instead of adding a second one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timezone

from icalendar import Calendar, Event

from common.clock import COUNCIL_TIME_ZONE
from panels.tables import Panel, PanelSession

CALENDAR_FILE_NAME = "panel-sessions.ics"
CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"


def _utc(day: date, moment: time) -> datetime:
    """A London wall-clock time as UTC: written with ``Z``, every calendar program shows it in its
    own time zone, with no time-zone table in the file to go out of date."""
    return datetime.combine(day, moment, tzinfo=COUNCIL_TIME_ZONE).astimezone(timezone.utc)


def sessions_calendar(panel: Panel, sessions: Sequence[PanelSession], *, domain: str,
                      now: datetime | None = None) -> str:
    """The iCalendar text of the panel's sessions. ``domain`` names the council's site in the UIDs
    (``panels.example.gov.uk``)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Civic Panel//Resident Panel sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", panel.name)
    stamp = now or datetime.now(timezone.utc)
    for session in sessions:
        event = Event()
        event.add("uid", f"panel-session-{int(session.id)}@{domain}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{panel.name}: {session.title}")
        event.add("dtstart", _utc(session.held_on, session.starts_at))
        event.add("dtend", _utc(session.held_on, session.ends_at))
        if session.place:
            event.add("location", session.place)
        if session.agenda:
            event.add("description", session.agenda)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
