"""The report document and its renderings, without a database: same input, same bytes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest

from analysis.commitments import tracker_as_of
from analysis.commitments.demo_content import CAMDEN_DATA_CHARTER, DEMO_AS_OF, DEMO_COMMITMENTS, DEMO_EVIDENCE, DEMO_UPDATES
from analysis.commitments.render import report_pdf, timeline_description, timeline_png
from analysis.commitments.report import (
    ROW_FIELDS,
    build_report_document,
    tracker_view,
    document_csv,
    document_json,
)

OWNERS = {c.key: c.owner for c in DEMO_COMMITMENTS}


def demo_document(as_of: date = DEMO_AS_OF, commitments=DEMO_COMMITMENTS, previous=None) -> dict:
    statuses = tracker_as_of(commitments, DEMO_UPDATES, DEMO_EVIDENCE, as_of)
    return build_report_document(charter=CAMDEN_DATA_CHARTER, charter_slug="camden", statuses=statuses,
                                 owners=OWNERS, previous=previous)


def test_document_is_plain_json_and_lists_every_status():
    document = demo_document()
    assert json.loads(document_json(document)) == document
    assert [c["status"] for c in document["counts"]][:2] == ["overdue", "missed"]
    assert sum(c["count"] for c in document["counts"]) == document["total"] == 11
    assert document["changes"] is None


def test_changes_are_measured_against_the_previous_document():
    earlier = json.loads(document_json(demo_document()))
    later = demo_document(date(2022, 9, 1), previous=earlier)
    assert later["changes"]["previous_as_of"] == "2022-07-01"
    assert [c["id"] for c in later["changes"]["newly_met"]] == ["3", "7c"]
    assert [c["id"] for c in later["changes"]["newly_overdue"]] == ["7a"]  # the 20 July panel passed


def test_csv_has_one_row_per_commitment_and_neutralises_formulas():
    hostile = tuple(replace(c, title="=HYPERLINK(\"http://x\")") if c.key == "1" else c for c in DEMO_COMMITMENTS)
    rows = list(csv.DictReader(io.StringIO(document_csv(demo_document(commitments=hostile)))))
    assert tuple(rows[0]) == ROW_FIELDS
    assert [row["id"] for row in rows] == ["1", "2", "3", "4a", "4b", "5", "6", "7a", "7b", "7c", "8"]
    assert rows[0]["title"].startswith("'=")
    assert rows[1]["principles"] == "1;6"


def test_tracker_lists_each_commitment_once_and_filters_by_principle_and_status():
    document = demo_document()
    everything = tracker_view(document)
    ids = [row["id"] for row in everything.rows]
    assert len(ids) == len(set(ids)) == everything.total == 11  # once, however many principles it serves
    first = tracker_view(document, principle="1")
    assert [row["id"] for row in first.rows] == ["2", "3", "4a", "7a", "7b"] and first.principle == 1
    overdue = tracker_view(document, status="overdue")
    assert overdue.rows and all(row["status"] == "overdue" for row in overdue.rows)
    both = tracker_view(document, status="overdue", principle="7")
    assert {row["id"] for row in both.rows} == {row["id"] for row in overdue.rows if 7 in row["principles"]}
    assert {c["value"] for c in everything.statuses} == {row["status"] for row in everything.rows}
    assert next(p for p in everything.principles if p["number"] == 1)["count"] == 5


def test_a_filter_naming_nothing_applies_no_filter():
    view = tracker_view(demo_document(), status="<script>", principle="99")
    assert view.status is None and view.principle is None and len(view.rows) == 11


def test_every_status_has_a_name_and_a_plain_definition():
    from analysis.commitments.model import StatusValue
    from analysis.commitments.status import DUE_SOON_DAYS, status_definitions

    definitions = {value: (name, words) for value, name, words in status_definitions()}
    assert set(definitions) == {str(value) for value in StatusValue}
    assert definitions["stale"][0] == "Stale" and "365 days" in definitions["stale"][1]
    assert definitions["missed"][0] == "Missed last period" and f"{DUE_SOON_DAYS} days" in definitions["due_soon"][1]
    assert all(words.endswith(".") and "_" not in words for _, words in definitions.values())


def test_a_day_before_any_commitment_gives_an_empty_report():
    document = demo_document(date(2021, 1, 1))
    assert document["commitments"] == [] and document["title"] == "" and document["timeline"] == []
    assert timeline_description(document).startswith("No commitment has a deadline")
    assert report_pdf(document).startswith(b"%PDF")


def test_the_chart_is_the_same_bytes_for_the_same_document():
    """(The PDF printed from HTML is too: tests/common/test_charts_and_pdf.py.)"""
    document = demo_document()
    png = timeline_png(document)
    assert png.startswith(b"\x89PNG") and png == timeline_png(document)
    assert "8 commitment deadlines" in timeline_description(document)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_holds_the_headline_overdue_and_full_tables(tmp_path):
    document = demo_document()
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(document, chart_png=timeline_png(document)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("Commitments as of 1 July 2022", "Headline counts", "Overdue",
                     "Due in the next 30 days", "Deadlines against dates met", "Every commitment",
                     "Publish all Data Privacy Impact Assessments", "Met late by 12 days"):
        assert expected in text, expected
