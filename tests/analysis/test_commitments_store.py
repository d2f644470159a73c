"""The commitments tracker through the database: the demo load, reproducible reports, saved
snapshots, CSV imports all or nothing, and officers' forms."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from analysis.commitments import tracker_as_of
from analysis.commitments.csv_import import CommitmentCsvError
from analysis.commitments.demo_content import DEMO_AS_OF, DEMO_COMMITMENTS, DEMO_EVIDENCE, DEMO_UPDATES
from analysis.commitments.forms import CommitmentFormError
from analysis.commitments.report import document_csv, document_json
from analysis.commitments.store import (
    get_snapshot,
    import_commitments,
    list_snapshots,
    load_tracker_inputs,
    record_update,
    report_document,
    save_snapshot,
)
from analysis.charter.demo import DEMO_CHARTER_SLUG, load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from analysis.tables import Commitment, CommitmentUpdate
from panels.tables import Panel, PanelSession
from surveys.tables import CaseStudy
from tests.support.database import run

SLUG = DEMO_CHARTER_SLUG
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo(db):
    run(load_demo_charter())
    run(load_demo_commitments())


def outputs(as_of: date) -> tuple[str, str]:
    document = run(report_document(SLUG, as_of))
    return document_json(document), document_csv(document)


def test_demo_loads_once_and_gives_the_pure_trackers_answer(demo):
    again = run(load_demo_commitments())
    assert again == ["panel: Camden Data Charter Resident Panel 2022 already present",
                     "case studies: already present", "commitments: already present"]
    assert run(Commitment.count().run()) == len(DEMO_COMMITMENTS)
    assert run(CommitmentUpdate.count().run()) == len(DEMO_UPDATES)
    assert run(Panel.count().run()) == 1 and run(PanelSession.count().run()) == 1
    assert run(CaseStudy.count().run()) == len(DEMO_EVIDENCE.case_studies_published)
    inputs = run(load_tracker_inputs(SLUG))
    for day in (DEMO_AS_OF, date(2022, 9, 1), date(2023, 2, 1)):
        stored = tracker_as_of(inputs.commitments, inputs.updates, inputs.evidence, day)
        pure = tracker_as_of(DEMO_COMMITMENTS, DEMO_UPDATES, DEMO_EVIDENCE, day)
        assert stored == pure


def test_demo_panel_already_created_by_recruitment_is_left_as_it_is(db):
    run(load_demo_charter())
    run(Panel.insert(Panel(name="Recruitment's panel", slug="camden-data-charter-resident-panel-2022", year=2022,
                           panel_size=30)).run())
    lines = run(load_demo_commitments())
    assert lines[0].endswith("already present")
    assert run(Panel.select(Panel.name).run()) == [{"name": "Recruitment's panel"}]


def test_demo_report_as_of_1_july_2022(demo):
    document = run(report_document(SLUG, DEMO_AS_OF))
    assert document["title"] == "Commitments as of 1 July 2022"
    assert [(o["id"], o["days_late"]) for o in document["overdue"]] == [("3", 1)]
    assert [(o["id"], o["deadline"]) for o in document["due_soon"]] == [("7a", "2022-07-20")]
    by_id = {row["id"]: row for row in document["commitments"]}
    assert by_id["4a"]["status"] == "met_late" and by_id["4a"]["days_late"] == 12
    assert by_id["1"]["deadline"] == "2022-07-20"  # the next panel session, from the database
    assert set(by_id["1"]) >= {"id", "title", "kind", "deadline", "status", "days_late", "met_on", "principles",
                               "evidence"}


def test_a_past_report_is_byte_identical_after_later_updates(demo):
    before = outputs(DEMO_AS_OF)
    run(record_update(slug=SLUG, key="3", values={"effective_on": "2022-06-20", "status": "met",
                                                  "note": "Back-dated: found the register was complete"},
                      recorded_by="officer@test.example", now=NOW))
    run(import_commitments(slug=SLUG, recorded_by="officer@test.example", now=NOW, text=(
        "record,key,title,kind,owner,made_on,deadline_date,principles,effective_on,status\n"
        "commitment,9,Publish an algorithm register,one_off,Chief Data Officer,2022-01-19,2022-06-01,1,,\n"
        "update,7a,,,,,,,2022-06-15,met\n")))
    assert outputs(DEMO_AS_OF) == before
    today = run(report_document(SLUG, NOW.date()))
    by_id = {row["id"]: row for row in today["commitments"]}
    assert by_id["3"]["status"] == "met_on_time" and by_id["9"]["status"] == "overdue"


def test_a_saved_report_never_changes_and_the_next_report_says_what_changed(demo):
    first = run(save_snapshot(slug=SLUG, as_of=DEMO_AS_OF, created_by="officer@test.example",
                              now=datetime(2022, 7, 1, 12, 0, tzinfo=timezone.utc)))
    run(record_update(slug=SLUG, key="3", values={"effective_on": "2022-06-20", "status": "met"},
                      recorded_by="officer@test.example", now=NOW))
    stored = run(get_snapshot(SLUG, first.id))
    assert (stored.document_json, stored.open_data_csv) == (first.document_json, first.open_data_csv)
    assert stored.document["overdue"][0]["id"] == "3"
    later = run(report_document(SLUG, date(2022, 9, 1)))
    assert later["changes"]["previous_as_of"] == "2022-07-01"
    # 3 met late on 15 August; 7c met by the panel session held on 20 July
    assert [c["id"] for c in later["changes"]["newly_met"]] == ["3", "7c"]
    second = run(save_snapshot(slug=SLUG, as_of=date(2022, 9, 1), created_by="officer@test.example", now=NOW))
    assert [s.id for s in run(list_snapshots(SLUG))] == [second.id, first.id]


def test_a_report_saved_later_for_an_earlier_day_does_not_change_a_past_report(demo):
    before = outputs(date(2022, 9, 1))
    run(save_snapshot(slug=SLUG, as_of=DEMO_AS_OF, created_by="officer@test.example", now=NOW))
    assert outputs(date(2022, 9, 1)) == before
    assert run(report_document(SLUG, NOW.date()))["changes"]["previous_as_of"] == "2022-07-01"


def test_an_import_with_bad_rows_stores_nothing_and_names_every_row(demo):
    text = ("record,key,title,kind,owner,made_on,deadline_date,effective_on,status,evidence_url\n"
            "commitment,9,Fine,one_off,Chief Data Officer,2022-01-19,2022-06-01,,,\n"
            "commitment,10,No deadline,one_off,Chief Data Officer,2022-01-19,,,,\n"
            "update,9,,,,,,2022-02-30,met,\n"
            "update,3,,,,,,2022-06-01,done,ftp://x\n"
            "commitment,a/b,Bad key,ongoing,Chief Data Officer,2022-01-19,,,,\n")
    with pytest.raises(CommitmentCsvError) as raised:
        run(import_commitments(slug=SLUG, text=text, recorded_by="officer@test.example", now=NOW))
    assert {(e.row, e.column) for e in raised.value.errors} == {
        (3, "deadline_date"), (4, "effective_on"), (5, "status"), (5, "evidence_url"), (6, "key")}
    assert run(Commitment.count().run()) == len(DEMO_COMMITMENTS)
    assert run(CommitmentUpdate.count().run()) == len(DEMO_UPDATES)


def test_an_update_form_with_problems_says_which_fields(demo):
    with pytest.raises(CommitmentFormError) as raised:
        run(record_update(slug=SLUG, key="4b", values={"effective_on": "2099-01-01", "status": "",
                                                       "metric_value": "12"},
                          recorded_by="officer@test.example", now=NOW))
    assert set(raised.value.errors) == {"effective_on", "status", "metric_period_start", "metric_period_end"}
    assert raised.value.errors["status"] == "Status is required"
    assert run(CommitmentUpdate.count().run()) == len(DEMO_UPDATES)
