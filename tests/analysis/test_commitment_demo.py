"""The Camden demo shows what the issue asks for on 1 July 2022."""

from __future__ import annotations

from datetime import date

from analysis.commitments import StatusValue, tracker_as_of
from analysis.commitments.demo_content import (
    CAMDEN_DATA_CHARTER,
    DEMO_AS_OF,
    DEMO_COMMITMENTS,
    DEMO_EVIDENCE,
    DEMO_UPDATES,
)


def statuses_on(day: date) -> dict[str, StatusValue]:
    return {s.key: s.status for s in tracker_as_of(DEMO_COMMITMENTS, DEMO_UPDATES, DEMO_EVIDENCE, day)}


def test_on_1_july_2022_some_met_on_time_one_late_one_overdue_one_due_soon():
    results = {s.key: s for s in tracker_as_of(DEMO_COMMITMENTS, DEMO_UPDATES, DEMO_EVIDENCE, DEMO_AS_OF)}
    by_status: dict[StatusValue, list[str]] = {}
    for key, result in results.items():
        by_status.setdefault(result.status, []).append(key)
    assert by_status[StatusValue.MET_ON_TIME] == ["1", "2", "6"]
    assert by_status[StatusValue.MET_LATE] == ["4a"]
    assert by_status[StatusValue.OVERDUE] == ["3"]
    assert by_status[StatusValue.DUE_SOON] == ["7a"]
    assert results["4a"].label == "Met late by 12 days"
    assert results["3"].days_late == 1
    assert results["7a"].deadline == date(2022, 7, 20)  # the next Resident Panel, an event deadline
    assert results["4b"].status is StatusValue.IMPROVING
    assert statuses_on(DEMO_AS_OF) == {key: result.status for key, result in results.items()}


def test_all_eleven_commitments_and_the_seven_principles():
    assert [c.key for c in DEMO_COMMITMENTS] == ["1", "2", "3", "4a", "4b", "5", "6", "7a", "7b", "7c", "8"]
    assert [p.number for p in CAMDEN_DATA_CHARTER.principles] == [1, 2, 3, 4, 5, 6, 7]
    numbers = {p.number for p in CAMDEN_DATA_CHARTER.principles}
    assert all(set(c.principles) <= numbers and c.principles for c in DEMO_COMMITMENTS)


def test_demo_updates_read_as_council_content_and_link_only_to_reserved_addresses():
    assert DEMO_UPDATES and not any("(demo)" in u.note for u in DEMO_UPDATES)
    assert all(u.evidence_url is None or ".example.org/" in u.evidence_url for u in DEMO_UPDATES)


def test_later_in_2022_the_dpias_are_met_late_and_the_panel_is_held():
    statuses = statuses_on(date(2022, 9, 1))
    assert statuses["3"] is StatusValue.MET_LATE
    assert statuses["7c"] is StatusValue.MET_ON_TIME
    assert statuses["7a"] is StatusValue.OVERDUE


def test_the_partners_commitment_goes_stale_after_a_year_without_news():
    assert statuses_on(date(2023, 1, 18))["8"] is StatusValue.ONGOING
    assert statuses_on(date(2023, 1, 19))["8"] is StatusValue.STALE
