"""The cabinet's one-page headline of the commitments report: red, amber and green with the words
for each (never colour alone), the status changes since an earlier date (by default a month
before the report's), the overdue commitments longest first and those due soon.

The changes compare the tracker's answer for two dates, each reproducible (a date's answer never
changes once it has passed), so the headline needs no saved report. Pure functions over the report
document's rows (``analysis.commitments.report``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from analysis.commitments.model import StatusValue
from analysis.commitments.status import STATUS_NAMES
from common.i18n import lazy_gettext

RATINGS = (
    ("red", lazy_gettext("Red"), lazy_gettext("overdue, missed or getting worse"),
     (StatusValue.OVERDUE, StatusValue.MISSED, StatusValue.WORSENING)),
    ("amber", lazy_gettext("Amber"), lazy_gettext("due in the next 30 days, not updated for a year, or no change yet"),
     (StatusValue.DUE_SOON, StatusValue.STALE, StatusValue.NO_CHANGE, StatusValue.NOT_ENOUGH_DATA)),
    ("green", lazy_gettext("Green"), lazy_gettext("met, on track, ongoing or improving"),
     (StatusValue.MET_ON_TIME, StatusValue.MET_LATE, StatusValue.ON_TRACK, StatusValue.ONGOING, StatusValue.IMPROVING)),
)
"""Each rating: its value, its name, what it means in words, and the tracker statuses it covers."""

RATING_OF = {status: value for value, _, _, statuses in RATINGS for status in statuses}
HEADLINE_ITEMS = 6
"""Overdue and due-soon commitments named on the headline page; the rest follow in the report."""


def default_since(as_of: date) -> date:
    """The same day of the previous month (the last day of that month when it is shorter)."""
    first_of_month = as_of.replace(day=1)
    last_of_previous = first_of_month - timedelta(days=1)
    return last_of_previous.replace(day=min(as_of.day, last_of_previous.day))


def rating_counts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``[{rating, name, meaning, count}]`` in the order red, amber, green."""
    counts = {value: 0 for value, *_ in RATINGS}
    for row in rows:
        counts[RATING_OF[StatusValue(row["status"])]] += 1
    return [{"rating": value, "name": str(name), "meaning": str(meaning), "count": counts[value]}
            for value, name, meaning, _ in RATINGS]


def status_changes(rows: Sequence[Mapping[str, Any]], earlier: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The commitments whose status differs from ``earlier``'s (a commitment made since counts as
    new), worst news first: ``{id, title, status, status_name, rating, previous, previous_name}``."""
    before = {str(row["id"]): row["status"] for row in earlier}
    order = {value: position for position, value in enumerate(StatusValue)}
    changes = []
    for row in rows:
        previous = before.get(str(row["id"]))
        if previous == row["status"]:
            continue
        status = StatusValue(row["status"])
        changes.append({"id": row["id"], "title": row["title"], "status": str(status),
                        "status_name": str(STATUS_NAMES[status]), "rating": RATING_OF[status],
                        "previous": previous, "previous_name": str(STATUS_NAMES[StatusValue(previous)]) if previous else None})
    return sorted(changes, key=lambda change: order[StatusValue(change["status"])])


def headline(document: Mapping[str, Any], earlier_rows: Sequence[Mapping[str, Any]], since: date) -> dict[str, Any]:
    """The headline part of the report document (``document["headline"]``)."""
    return {"since": since.isoformat(), "ratings": rating_counts(document["commitments"]),
            "changes": status_changes(document["commitments"], earlier_rows),
            "overdue": list(document["overdue"][:HEADLINE_ITEMS]),
            "more_overdue": max(0, len(document["overdue"]) - HEADLINE_ITEMS),
            "due_soon": list(document["due_soon"][:HEADLINE_ITEMS]),
            "more_due_soon": max(0, len(document["due_soon"]) - HEADLINE_ITEMS)}
