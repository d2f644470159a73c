"""The panel's report as files, from outcomes built in memory: one guarded CSV row per
recommendation with hidden counts left blank, and the PDF printed from the page's own body
(tagged, with the title, council and date in its metadata)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest

from analysis.commitments.panel_report import CSV_HEADER, panel_report_body, panel_report_csv, panel_report_pdf
from analysis.commitments.responses import LinkedCommitment, PanelViewFigure, RecommendationOutcome, ResponseView
from panels import ballots
from panels.recommendations import RecommendationView

OUTCOMES = [
    RecommendationOutcome(
        recommendation=RecommendationView(id=7, number=1, title="=HYPERLINK(\"http://x\")", text="Publish every DPIA.",
                                          vote_id=3, merged_into=None),
        vote_title="Day three", result=ballots.result_of({"strongly_support": 9, "support": 5, "oppose": 1}, 80),
        response=ResponseView(outcome="accepted", reasons="We will.", decision="Cabinet, 19 January 2022",
                              decided_on=date(2022, 1, 19), owner="Information Governance"),
        commitments=[LinkedCommitment(charter_slug="data-charter", key="2", title="Publish DPIAs", status="met_late",
                                      status_label="Met late")],
        panel_view=[PanelViewFigure("satisfied", "Satisfied", 11), PanelViewFigure("partly", "Partly satisfied", None, "[x]"),
                    PanelViewFigure("not_satisfied", "Not satisfied", None, "[x]")],
        panel_view_total=14),
    RecommendationOutcome(
        recommendation=RecommendationView(id=8, number=2, title="Tell residents", text="-1 letter a year",
                                          vote_id=3, merged_into=None),
        vote_title="Day three", result=ballots.result_of({"support": 2, "strongly_oppose": 8}, 80), response=None),
]


def test_one_guarded_row_per_recommendation_with_hidden_counts_blank():
    rows = list(csv.reader(io.StringIO(panel_report_csv(OUTCOMES))))
    assert rows[0] == CSV_HEADER
    first, second = (dict(zip(CSV_HEADER, row)) for row in rows[1:])
    assert first["title"] == "'=HYPERLINK(\"http://x\")" and second["text"] == "'-1 letter a year"
    assert (first["votes_strongly_support"], first["votes_oppose"], first["ballots"], first["supporting"]) == ("9", "1", "15", "14")
    assert first["support_percent"] == "93.3" and first["adopted"] == "yes" and second["adopted"] == "no"
    assert first["decided_on"] == "2022-01-19" and first["commitments"] == "data-charter/2: met_late"
    assert (first["panel_view_total"], first["panel_view_satisfied"], first["panel_view_partly"]) == ("14", "11", "")
    assert second["response"] == "" and second["panel_view_total"] == ""


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) is not installed")
def test_the_pdf_is_the_page_body_tagged_with_title_council_and_date():
    body = panel_report_body(OUTCOMES)
    assert "Publish every DPIA." in body and "<form" not in body and "href=" not in body
    pdf = panel_report_pdf(body, title="What the Resident Panel recommended", council="Camden Council",
                           as_of=date(2026, 12, 5))
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "What the Resident Panel recommended" in info and "Camden Council" in info
    assert "Tagged:          yes" in info and "2026" in info
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "14 of 15 ballots in support" in text and "Met late" in text and "[x]" in text
