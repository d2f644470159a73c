"""The cabinet headline's parts as pure functions: red, amber and green cover every status, the
default earlier date is a month before, and status changes are listed worst news first."""

from __future__ import annotations

from datetime import date

from analysis.commitments.headline import RATING_OF, default_since, headline, rating_counts, status_changes
from analysis.commitments.model import StatusValue


def test_every_status_has_a_rating():
    assert set(RATING_OF) == set(StatusValue)
    assert RATING_OF[StatusValue.OVERDUE] == "red" and RATING_OF[StatusValue.DUE_SOON] == "amber"
    assert RATING_OF[StatusValue.MET_LATE] == "green"


def test_the_default_earlier_date_is_the_same_day_a_month_before():
    assert default_since(date(2026, 12, 5)) == date(2026, 11, 5)
    assert default_since(date(2027, 1, 15)) == date(2026, 12, 15)
    assert default_since(date(2027, 3, 31)) == date(2027, 2, 28)
    assert default_since(date(2028, 3, 30)) == date(2028, 2, 29)


def row(key: str, status: str, title: str = "") -> dict:
    return {"id": key, "title": title or f"Commitment {key}", "status": status}


def test_ratings_count_with_words_in_order_red_amber_green():
    counts = rating_counts([row("1", "overdue"), row("2", "missed"), row("3", "due_soon"), row("4", "met_on_time")])
    assert [(c["rating"], c["name"], c["count"]) for c in counts] == [("red", "Red", 2), ("amber", "Amber", 1),
                                                                       ("green", "Green", 1)]
    assert counts[0]["meaning"] == "overdue, missed or getting worse"


def test_status_changes_worst_news_first_and_new_commitments_marked():
    now = [row("1", "met_on_time"), row("2", "overdue"), row("3", "on_track"), row("4", "due_soon")]
    before = [row("1", "on_track"), row("2", "due_soon"), row("3", "on_track")]
    changes = status_changes(now, before)
    assert [(c["id"], c["previous_name"], c["status_name"]) for c in changes] == [
        ("2", "Due soon", "Overdue"), ("4", None, "Due soon"), ("1", "On track", "Met on time")]
    document = {"commitments": now, "overdue": [{"id": str(n)} for n in range(8)], "due_soon": []}
    top = headline(document, before, date(2026, 11, 5))
    assert top["since"] == "2026-11-05" and len(top["overdue"]) == 6 and top["more_overdue"] == 2
