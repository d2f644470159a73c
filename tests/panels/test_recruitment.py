"""When a panel takes registrations, and its status in words: pure rules over its dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from panels.demo import recruiting_dates
from panels.recruitment import SessionDates, panel_status, registration_open

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
DAY = SessionDates(date(2027, 2, 6), time(10, 0), time(16, 0))
SESSIONS_2022 = (SessionDates(date(2022, 7, 20), time(10, 0), time(16, 0)),
                 SessionDates(date(2022, 8, 3), time(10, 0), time(16, 0)))


def test_open_before_the_deadline_and_closed_after():
    assert registration_open(deadline=NOW + timedelta(hours=1), drawn=False, sessions=(DAY,), now=NOW)
    assert not registration_open(deadline=NOW - timedelta(minutes=1), drawn=False, sessions=(DAY,), now=NOW)


def test_never_open_after_the_draw_even_before_the_deadline():
    assert not registration_open(deadline=NOW + timedelta(days=10), drawn=True, sessions=(DAY,), now=NOW)
    assert not registration_open(deadline=None, drawn=True, sessions=(), now=NOW)


def test_a_panel_without_deadline_closes_when_its_first_session_starts():
    """The 2022 panel had no deadline and still took registrations in December 2026 for sessions
    held in July 2022."""
    assert not registration_open(deadline=None, drawn=False, sessions=SESSIONS_2022, now=NOW)
    assert registration_open(deadline=None, drawn=False, sessions=(DAY,), now=NOW)


def test_a_naive_deadline_is_read_as_utc():
    naive = (NOW + timedelta(hours=1)).replace(tzinfo=None)
    assert registration_open(deadline=naive, drawn=False, sessions=(), now=NOW)


def test_status_in_words_follows_the_dates():
    assert panel_status(deadline=NOW + timedelta(days=1), drawn=False, sessions=(DAY,), now=NOW) == "recruiting"
    assert panel_status(deadline=NOW + timedelta(days=1), drawn=False, sessions=(DAY,), now=NOW,
                        has_quotas=False) == "upcoming"
    assert panel_status(deadline=NOW - timedelta(days=1), drawn=False, sessions=(DAY,), now=NOW) == "closed"
    assert panel_status(deadline=NOW - timedelta(days=1), drawn=True, sessions=(DAY,), now=NOW) == "chosen"
    assert panel_status(deadline=None, drawn=False, sessions=SESSIONS_2022, now=NOW) == "finished"
    during = datetime(2022, 7, 27, 12, 0, tzinfo=timezone.utc)
    assert panel_status(deadline=None, drawn=True, sessions=SESSIONS_2022, now=during) == "meeting"


def test_the_recruiting_demo_panel_dates_are_relative_to_today():
    today = date(2026, 12, 5)
    deadline, days = recruiting_dates(today)
    assert deadline.date() == today + timedelta(weeks=5)
    assert len(days) == 3 and all(day.weekday() == 5 for day in days)
    assert days[0] >= today + timedelta(weeks=7) and days[1] - days[0] == timedelta(weeks=1)
