"""The council's clock: dates shown to people, deadlines and "today" are London dates.

Instants are stored in UTC; a day that ends at midnight in London ends at 23:00 UTC in summer, so
"today" and any date taken from an instant must go through ``COUNCIL_TIME_ZONE``."""

from __future__ import annotations

from datetime import date, datetime, time, timezone, tzinfo
from zoneinfo import ZoneInfo

COUNCIL_TIME_ZONE: tzinfo = ZoneInfo("Europe/London")


def council_now() -> datetime:
    """The current instant in London time."""
    return datetime.now(COUNCIL_TIME_ZONE)


def council_today() -> date:
    """Today's date in London (not the server's, which may run in UTC)."""
    return council_now().date()


def council_time(moment: datetime) -> datetime:
    """An instant as London time, for display. A naive value is taken to be UTC (how the
    databases give back stored instants)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(COUNCIL_TIME_ZONE)


def council_date(moment: datetime) -> date:
    """The London date of an instant."""
    return council_time(moment).date()


def end_of_council_day(day: date) -> datetime:
    """23:59 London time on ``day``, in UTC: the last minute of a deadline day."""
    return datetime.combine(day, time(23, 59), tzinfo=COUNCIL_TIME_ZONE).astimezone(timezone.utc)
