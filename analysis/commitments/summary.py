"""What cabinet reads about the commitments: headline counts, what is overdue and due
soon, a timeline of deadlines against dates met, what changed since the last report,
and the open-data rows behind it all.

Everything here works on the tracker's plain results (``CommitmentStatus``), so the
HTML page, the PDF and the JSON/CSV downloads all tell the same story. Orderings are
total (ties broken by commitment id) so the same inputs always give byte-identical output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from analysis.commitments.model import MET_STATUSES, CommitmentStatus, StatusValue

OPEN_DATA_FIELDS = ("id", "title", "kind", "deadline", "status", "days_late", "met_on", "principles", "evidence")
"""The published fields, in this order, of each commitment in the JSON and CSV downloads."""


@dataclass(frozen=True)
class TimelineEntry:
    """One commitment on the deadlines-versus-dates-met chart."""

    key: str
    title: str
    deadline: date | None
    met_on: date | None
    status: StatusValue


@dataclass(frozen=True)
class StatusChanges:
    """What moved between two reports. A commitment absent from the earlier report
    (made since) counts as newly met or newly overdue if it is so now."""

    newly_met: tuple[CommitmentStatus, ...]
    newly_overdue: tuple[CommitmentStatus, ...]


@dataclass(frozen=True)
class CabinetReport:
    """The commitments section of a cabinet report as of one date.

    ``counts`` lists every status, zeros included, worst news first. ``overdue`` is
    sorted by days overdue, most first; ``due_soon`` by deadline, soonest first;
    ``missed`` holds recurring commitments whose last period was missed. ``changes`` is
    None when there is no previous report to compare with.
    """

    as_of: date
    counts: tuple[tuple[StatusValue, int], ...]
    overdue: tuple[CommitmentStatus, ...]
    due_soon: tuple[CommitmentStatus, ...]
    missed: tuple[CommitmentStatus, ...]
    timeline: tuple[TimelineEntry, ...]
    changes: StatusChanges | None
    previous_as_of: date | None = None

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


def build_cabinet_report(
    current: Sequence[CommitmentStatus],
    previous: Sequence[CommitmentStatus] | None = None,
) -> CabinetReport:
    """The cabinet report for ``current`` (one tracker run), compared with ``previous``
    (the tracker run for the last report's date) when given."""
    if not current:
        raise ValueError("a cabinet report needs the status of at least one commitment")
    as_of = current[0].as_of
    if any(status.as_of != as_of for status in current):
        raise ValueError("all statuses in a report must be as of the same date")
    return CabinetReport(
        as_of=as_of,
        counts=tuple(headline_counts(current).items()),
        overdue=overdue_first(current),
        due_soon=due_soon(current),
        missed=tuple(sorted((s for s in current if s.status is StatusValue.MISSED), key=_by_id)),
        timeline=timeline(current),
        changes=changes_between(previous, current) if previous is not None else None,
        previous_as_of=previous[0].as_of if previous else None,
    )


def headline_counts(statuses: Iterable[CommitmentStatus]) -> dict[StatusValue, int]:
    """How many commitments have each status, every status present (zeros too), in the
    order ``StatusValue`` declares (worst news first)."""
    counts = {value: 0 for value in StatusValue}
    for status in statuses:
        counts[status.status] += 1
    return counts


def overdue_first(statuses: Iterable[CommitmentStatus]) -> tuple[CommitmentStatus, ...]:
    """The overdue commitments, longest overdue first."""
    overdue = [s for s in statuses if s.status is StatusValue.OVERDUE]
    return tuple(sorted(overdue, key=lambda s: (-(s.days_late or 0), natural_key(s.key))))


def due_soon(statuses: Iterable[CommitmentStatus]) -> tuple[CommitmentStatus, ...]:
    """The commitments due soon, nearest deadline first."""
    soon = [s for s in statuses if s.status is StatusValue.DUE_SOON]
    return tuple(sorted(soon, key=lambda s: (s.deadline or date.max, natural_key(s.key))))


def timeline(statuses: Iterable[CommitmentStatus]) -> tuple[TimelineEntry, ...]:
    """Commitments that have a deadline, by deadline, with the day each was met (if it was).

    Ongoing and metric commitments have no deadline and are left out; recurring ones
    show the end of their current period.
    """
    entries = [
        TimelineEntry(key=s.key, title=s.title, deadline=s.deadline, met_on=s.met_on, status=s.status)
        for s in statuses
        if s.deadline is not None
    ]
    return tuple(sorted(entries, key=lambda e: (e.deadline, natural_key(e.key))))


def changes_between(
    previous: Sequence[CommitmentStatus], current: Sequence[CommitmentStatus]
) -> StatusChanges:
    """Commitments met now but not then, and overdue now but not then (each by id)."""
    before = {status.key: status.status for status in previous}
    newly_met = [s for s in current if s.status in MET_STATUSES and before.get(s.key) not in MET_STATUSES]
    newly_overdue = [
        s for s in current if s.status is StatusValue.OVERDUE and before.get(s.key) is not StatusValue.OVERDUE
    ]
    return StatusChanges(
        newly_met=tuple(sorted(newly_met, key=_by_id)),
        newly_overdue=tuple(sorted(newly_overdue, key=_by_id)),
    )


def to_open_data(statuses: Iterable[CommitmentStatus]) -> list[dict[str, object]]:
    """One JSON-ready dict per commitment with exactly ``OPEN_DATA_FIELDS``, ordered by id.

    Dates are ISO 8601 strings; ``kind`` and ``status`` are their enum values;
    ``evidence`` is a list of ``{"date", "description", "url"}`` (url may be null).
    Dumping the result with ``json.dumps(..., ensure_ascii=False)`` gives the same bytes
    for the same inputs.
    """
    return [
        {
            "id": s.key,
            "title": s.title,
            "kind": str(s.kind),
            "deadline": _iso(s.deadline),
            "status": str(s.status),
            "days_late": s.days_late,
            "met_on": _iso(s.met_on),
            "principles": list(s.principles),
            "evidence": [
                {"date": item.on.isoformat(), "description": item.description, "url": item.url}
                for item in s.evidence
            ],
        }
        for s in sorted(statuses, key=_by_id)
    ]


def natural_key(key: str) -> tuple[tuple[int, int | str], ...]:
    """Order ids as people do: ``2`` before ``4a`` before ``4b`` before ``10``."""
    return tuple((0, int(part)) if part.isdecimal() else (1, part) for part in re.findall(r"\d+|\D+", key))


def _by_id(status: CommitmentStatus) -> tuple[tuple[int, int | str], ...]:
    return natural_key(status.key)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None

