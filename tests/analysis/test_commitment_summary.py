"""The cabinet report and the open-data rows built from tracker results."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from analysis.commitments import (
    OPEN_DATA_FIELDS,
    CommitmentKind,
    CommitmentStatus,
    EvidenceItem,
    StatusValue,
    build_cabinet_report,
    changes_between,
    headline_counts,
    to_open_data,
    tracker_as_of,
)
from analysis.commitments.demo_content import DEMO_AS_OF, DEMO_COMMITMENTS, DEMO_EVIDENCE, DEMO_UPDATES
from analysis.commitments.summary import due_soon, natural_key, overdue_first, timeline

AS_OF = date(2022, 7, 1)


def status(
    key: str,
    value: StatusValue,
    *,
    days_late: int | None = None,
    deadline: date | None = None,
    met_on: date | None = None,
    as_of: date = AS_OF,
    evidence: tuple[EvidenceItem, ...] = (),
) -> CommitmentStatus:
    return CommitmentStatus(key=key, title=f"Commitment {key}", kind=CommitmentKind.ONE_OFF, principles=(1, 3),
                            as_of=as_of, status=value, label=str(value), deadline=deadline, days_late=days_late,
                            met_on=met_on, evidence=evidence)


def test_headline_counts_list_every_status_worst_news_first():
    counts = headline_counts([status("1", StatusValue.OVERDUE, days_late=3), status("2", StatusValue.MET_ON_TIME),
                              status("3", StatusValue.MET_ON_TIME)])
    assert list(counts) == list(StatusValue)
    assert list(counts)[0] is StatusValue.OVERDUE
    assert counts[StatusValue.MET_ON_TIME] == 2
    assert counts[StatusValue.OVERDUE] == 1
    assert counts[StatusValue.DUE_SOON] == 0


def test_overdue_first_by_days_overdue_then_id():
    statuses = [status("10", StatusValue.OVERDUE, days_late=5), status("2", StatusValue.OVERDUE, days_late=40),
                status("3", StatusValue.MET_LATE, days_late=90), status("9", StatusValue.OVERDUE, days_late=5)]
    assert [s.key for s in overdue_first(statuses)] == ["2", "9", "10"]


def test_due_soon_nearest_deadline_first():
    statuses = [status("a", StatusValue.DUE_SOON, deadline=date(2022, 7, 20)),
                status("b", StatusValue.DUE_SOON, deadline=date(2022, 7, 5)),
                status("c", StatusValue.ON_TRACK, deadline=date(2022, 7, 2))]
    assert [s.key for s in due_soon(statuses)] == ["b", "a"]


def test_changes_between_reports():
    previous = [status("1", StatusValue.OVERDUE, days_late=1), status("2", StatusValue.MET_ON_TIME),
                status("3", StatusValue.DUE_SOON), status("4", StatusValue.OVERDUE, days_late=9)]
    current = [status("1", StatusValue.MET_LATE, days_late=20), status("2", StatusValue.MET_ON_TIME),
               status("3", StatusValue.OVERDUE, days_late=2), status("4", StatusValue.OVERDUE, days_late=70),
               status("5", StatusValue.MET_ON_TIME), status("6", StatusValue.OVERDUE, days_late=1)]
    changes = changes_between(previous, current)
    assert [s.key for s in changes.newly_met] == ["1", "5"]
    assert [s.key for s in changes.newly_overdue] == ["3", "6"]


def test_open_data_has_exactly_the_published_fields():
    evidence = (EvidenceItem(on=date(2022, 5, 12), description="Portal live", url="https://example.org/x"),)
    rows = to_open_data([status("4a", StatusValue.MET_LATE, days_late=12, deadline=date(2022, 4, 30),
                                met_on=date(2022, 5, 12), evidence=evidence)])
    assert rows == [{
        "id": "4a", "title": "Commitment 4a", "kind": "one_off", "deadline": "2022-04-30", "status": "met_late",
        "days_late": 12, "met_on": "2022-05-12", "principles": [1, 3],
        "evidence": [{"date": "2022-05-12", "description": "Portal live", "url": "https://example.org/x"}],
    }]
    assert tuple(rows[0]) == OPEN_DATA_FIELDS


def test_open_data_nulls_for_missing_dates():
    (row,) = to_open_data([status("5", StatusValue.ONGOING)])
    assert row["deadline"] is None and row["met_on"] is None and row["days_late"] is None


def test_open_data_is_byte_identical_whatever_the_input_order():
    statuses = tracker_as_of(DEMO_COMMITMENTS, DEMO_UPDATES, DEMO_EVIDENCE, DEMO_AS_OF)
    shuffled = statuses[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled != statuses
    first = json.dumps(to_open_data(statuses), ensure_ascii=False)
    assert json.dumps(to_open_data(shuffled), ensure_ascii=False) == first
    again = tracker_as_of(DEMO_COMMITMENTS, reversed(DEMO_UPDATES), DEMO_EVIDENCE, DEMO_AS_OF)
    assert json.dumps(to_open_data(again), ensure_ascii=False) == first
    assert [row["id"] for row in json.loads(first)] == ["1", "2", "3", "4a", "4b", "5", "6", "7a", "7b", "7c", "8"]


def test_natural_order_of_ids():
    assert sorted(["10", "4b", "2", "4a", "1", "x"], key=natural_key) == ["1", "2", "4a", "4b", "10", "x"]


def test_cabinet_report_from_the_demo():
    previous = tracker_as_of(DEMO_COMMITMENTS, DEMO_UPDATES, DEMO_EVIDENCE, DEMO_AS_OF)
    current = tracker_as_of(DEMO_COMMITMENTS, DEMO_UPDATES, DEMO_EVIDENCE, date(2022, 9, 1))
    report = build_cabinet_report(current, previous)
    assert report.as_of == date(2022, 9, 1) and report.previous_as_of == DEMO_AS_OF
    assert report.total == len(DEMO_COMMITMENTS)
    assert [(s.key, s.days_late) for s in report.overdue] == [("7a", 43)]
    assert report.changes is not None
    assert [s.key for s in report.changes.newly_met] == ["3", "7c"]  # DPIAs late; the panel was held
    assert [s.key for s in report.changes.newly_overdue] == ["7a"]
    deadlines = [entry.deadline for entry in report.timeline]
    assert deadlines == sorted(deadlines)
    assert {entry.key for entry in report.timeline} == {"1", "2", "3", "4a", "6", "7a", "7b", "7c"}


def test_cabinet_report_without_a_previous_report_has_no_changes():
    report = build_cabinet_report([status("1", StatusValue.DUE_SOON, deadline=date(2022, 7, 9))])
    assert report.changes is None and report.previous_as_of is None
    assert [s.key for s in report.due_soon] == ["1"]


def test_timeline_leaves_out_commitments_without_deadlines():
    met = status("2", StatusValue.MET_ON_TIME, deadline=date(2022, 4, 30), met_on=date(2022, 4, 8))
    entries = timeline([status("1", StatusValue.ONGOING), met])
    assert [(e.key, e.deadline, e.met_on) for e in entries] == [("2", date(2022, 4, 30), date(2022, 4, 8))]


@pytest.mark.parametrize("statuses", [[], [status("1", StatusValue.ONGOING),
                                           status("2", StatusValue.ONGOING, as_of=date(2022, 7, 2))]])
def test_cabinet_report_needs_one_date(statuses):
    with pytest.raises(ValueError):
        build_cabinet_report(statuses)
