"""The whole report built from plain inputs: "We asked" with people reached per channel, quotes
only from live sources and without names, the open-data CSV's sections, the HTML (true
suppression labels, Holm count of tested breakdowns only, anchors to commitments) and the PDF's
question list and cross-tables."""

from __future__ import annotations

import copy
import csv
import io
import random
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest

from analysis.reports.build import build_report, census_counts
from analysis.reports.render import report_csv, report_pdf, render_html, holm_test_count
from analysis.reports.store import ReportInputs
from surveys.questionnaire import Question, Questionnaire, Section
from surveys.response_csv import ResponseRecord

QUESTIONNAIRE = Questionnaire(sections=[
    Section(title="Views", questions=[
        Question(key="open_data", text="Publish more open data", kind="likert"),
        Question(key="contact", text="How do you contact us?", kind="single", options=["Phone", "Email"]),
        Question(key="topics", text="Which topics?", kind="multiple", options=["Parks", "Roads"]),
        Question(key="ideas", text="Any ideas?", kind="text"),
    ]),
    Section(title="About you", about_you=True, questions=[
        Question(key="sex", text="What is your sex?", kind="single", options=["Female", "Male", "Prefer not to say"],
                 census_dimension="sex"),
    ]),
])


def records(n: int = 80) -> list[ResponseRecord]:
    rng = random.Random(6)
    start = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    result = []
    for number in range(n):
        answers: dict[str, object] = {"open_data": rng.choice(["Agree", "Strongly agree", "Disagree"]),
                                      "contact": rng.choice(["Phone", "Email"]),
                                      "topics": [t for t in ("Parks", "Roads") if rng.random() < 0.5] or ["Parks"],
                                      "sex": rng.choice(["Female", "Male", "Prefer not to say"])}
        if number % 4 == 0:
            answers["ideas"] = "More open data on parking"
        result.append(ResponseRecord(reference=f"R-{number:04d}", channel=rng.choice(["online", "paper"]),
                                     submitted_at=start + timedelta(days=number % 20), answers=answers))
    return result


def inputs(**changes) -> ReportInputs:
    values = dict(
        consultation={"slug": "c", "title": "Charter", "summary": "", "opens_on": date(2026, 1, 5),
                      "closes_on": date(2026, 2, 1)},
        questionnaire=QUESTIONNAIRE, records=records(),
        draft={"purpose": "To write a charter", "channels_note": "", "census_file": "camden-2021.csv",
               "reach_json": '{"focus_group": {"reached": 22, "how": "two groups"}, '
                             '"panel_session": {"reached": 35, "how": "Resident Panel, March"}, '
                             '"paper": {"reached": 4000, "how": "leaflets to 4,000 homes"}}'},
        actions=[{"action": "Publish the register", "due_on": date(2026, 6, 30), "owner": "Data team", "done": False,
                  "commitments": "camden-data-charter/3"}],
        themes=[{"name": "Parking", "description": "", "count": 5}],
        quotes=[{"id": 1, "question_key": "ideas", "text": "More open data … parking", "source": "answer",
                 "usable": True, "case_study": None},
                {"id": 2, "question_key": "", "text": "Good that it is areas not people.", "source": "comment",
                 "usable": True, "case_study": {"slug": "food-map", "title": "Mapping food insecurity"}},
                {"id": 3, "question_key": "ideas", "text": "A quote whose answer was erased", "source": "answer",
                 "usable": False, "case_study": None}],
        commitments={"camden-data-charter/3": {"charter": "camden-data-charter", "key": "3",
                                               "title": "Data Sharing Register live", "status": "overdue",
                                               "status_label": "Overdue by 10 days", "as_of": "2026-01-20"}})
    values.update(changes)
    return ReportInputs(**values)


@pytest.fixture(scope="module")
def built():
    return build_report(inputs(), census=census_counts("camden-2021.csv"))


def test_we_asked_shows_people_reached_beside_responses(built):
    asked = built.document["we_asked"]
    channels = {channel["channel"]: channel for channel in asked["channels"]}
    assert list(channels) == ["online", "paper", "focus_group", "panel_session"]  # the form's order
    assert channels["paper"]["reached"] == 4000 and channels["paper"]["reach_how"] == "leaflets to 4,000 homes"
    assert channels["paper"]["responses"] == built.document["by_channel"]["paper"] > 0
    assert channels["online"]["reached"] is None  # not counted
    assert channels["panel_session"] == {"channel": "panel_session", "name": "Resident Panel sessions", "responses": 0,
                                         "reached": 35, "reach_how": "Resident Panel, March"}
    assert asked["reached_total"] == 4000 + 22 + 35
    assert built.document["by_channel"]["panel_session"] == 0


def test_quotes_come_only_from_live_sources_and_carry_no_names(built):
    quotes = built.document["quotes"]
    assert [quote["text"] for quote in quotes] == ["More open data … parking", "Good that it is areas not people."]
    assert quotes[0] == {"source": "answer", "question_key": "ideas", "case_study": None, "case_study_title": None,
                         "text": "More open data … parking"}
    assert quotes[1]["source"] == "comment" and quotes[1]["case_study"] == "food-map"
    assert all(set(quote) == {"source", "question_key", "case_study", "case_study_title", "text"} for quote in quotes)


def test_open_data_csv_holds_weighting_weeks_reach_and_actions(built):
    document = built.document
    rows = list(csv.DictReader(io.StringIO(report_csv(document))))
    by_section: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)
    weighting = {row["option"]: row["value"] for row in by_section["weighting"]}
    assert float(weighting["design_effect"]) == document["design_effect"]
    assert float(weighting["effective_sample_size"]) == document["effective_sample_size"]
    assert weighting["converged"] == "True"
    assert any(row["section"] == "weighting:sex" and row["option"] == "Female" for row in rows)
    weeks = by_section["responses_by_week"]
    assert [row["option"] for row in weeks] == [week["week_start"] for week in document["responses_by_week"]]
    assert sum(int(row["count"]) for row in weeks) == document["n_responses"] == 80
    reached = {row["option"]: int(row["count"]) for row in by_section["people_reached"]}
    assert reached == {"paper": 4000, "focus_group": 22, "panel_session": 35}
    assert by_section["action"] == [{**by_section["action"][0], "option": "Publish the register", "group": "Data team",
                                     "value": "2026-06-30", "display": "not done yet"}]
    cited = by_section["action_commitment"][0]
    assert cited["value"] == "camden-data-charter/3" and "Overdue by 10 days" in cited["display"]
    assert [row["display"] for row in by_section["quote"]] == [q["text"] for q in document["quotes"]]
    hidden = [row for row in rows if row["section"].startswith("breakdown:") and row["suppressed"] == "True"]
    assert hidden and all(row["suppression"] == "hidden" and row["count"] == "" for row in hidden)


def _html(document) -> str:
    return render_html(document, {}, lambda name: f"/images/{name}.png")


def test_html_counts_only_holm_test_count_for_holm(built):
    document = built.document
    tested = holm_test_count(document)
    assert 0 < tested < len(document["breakdowns"])  # the multiple-choice breakdown has no test
    # A test withheld (its table has hidden figures) still counts in Holm's family.
    assert tested == sum(1 for b in document["breakdowns"] if b["p_value"] is not None or b["withheld"])
    shown = copy.deepcopy(document)
    for breakdown in shown["breakdowns"]:
        if breakdown["withheld"]:
            breakdown.update(test="chi_square", p_value=0.5, p_value_holm=1.0, withheld=False)
    html = _html(shown)
    assert f"Holm correction for {tested} tests" in html
    assert f"Holm correction for {len(document['breakdowns'])} tests" not in html
    if any(breakdown["withheld"] for breakdown in document["breakdowns"]):
        assert "Test not shown: it would reveal hidden figures." in _html(document)


def test_html_labels_secondary_suppression_truthfully(built):
    document = {**built.document, "breakdowns": [{
        "question_key": "contact", "group_key": "sex", "dimension": "sex", "test": None, "statistic": None,
        "degrees_of_freedom": None, "p_value": None, "p_value_holm": None, "cramers_v": None, "significant": False,
        "sparse": False, "note": "",
        "groups": [{"label": "Female", "n_answered": None, "suppressed": True, "suppression": "secondary",
                    "cells": [{"label": "Phone", "count": 17, "percent": None, "suppressed": False, "suppression": None,
                               "display": "17"},
                              {"label": "Email", "count": None, "percent": None, "suppressed": True,
                               "suppression": "secondary", "display": "[c] hidden so that other hidden figures cannot be worked out"}]},
                   {"label": "Male", "n_answered": None, "suppressed": True, "suppression": "primary",
                    "cells": [{"label": "Phone", "count": None, "percent": None, "suppressed": True, "suppression": "primary",
                               "display": "fewer than 10"},
                              {"label": "Email", "count": None, "percent": None, "suppressed": True,
                               "suppression": "primary", "display": "fewer than 10"}]}]}]}
    html = _html(document)
    table = html[html.index("by sex"):]
    female = re.search(r"<th scope=\"row\"[^>]*>Female</th>(.*?)</tr>", table, re.S).group(1)
    assert "fewer than" not in female and female.count("[c]") == 2
    male = re.search(r"<th scope=\"row\"[^>]*>Male</th>(.*?)</tr>", table, re.S).group(1)
    assert male.count("fewer than 10") == 3
    assert "[c] marks figures hidden so that other hidden figures cannot be worked out" in table


def test_html_links_actions_to_the_commitment_row_and_shows_reach(built):
    html = render_html(built.document, {}, lambda name: f"/images/{name}.png",
                       commitment_link=lambda charter, key: f"/charter/{charter}/commitments/{key}")
    we_did = html[html.index('id="we-did"'):html.index('id="results"')]
    assert 'href="/charter/camden-data-charter/commitments/3"' in we_did  # the commitment's own page
    assert "href=\"/charter/" not in _html(built.document)  # without a link builder, cited commitments are text
    assert "4,000" in html and "leaflets to 4,000 homes" in html and "Resident Panel sessions" in html
    assert "A comment on the case study ‘Mapping food insecurity’" in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_is_the_html_printed_summary_first_with_the_questions_and_where_the_cross_tables_are(built):
    html = render_html(built.document, {}, lambda name: f"/images/{name}.png")
    pdf = report_pdf(html, {}, title="We asked, you said, we did: Test", council="Test Council",
                     note="Version 1, published 5 March 2026.", published=datetime(2026, 3, 5, 12, tzinfo=timezone.utc))
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    first = text.split("\f")[0]
    assert "Test Council" in first and "We asked" in first and "You said" in first and "We did" in first
    assert "How do you contact us?" in text and "Any ideas?" in text and "People reached" in text
    # The tables by group stay on the web page and in the CSV; the print says where they are.
    assert "The tables by group" in text and "fewer than 10" not in text and "[c]" not in text
    assert "Statistics annex" not in first  # the annex starts on a page of its own


def test_html_of_a_version_published_before_these_keys_existed(built):
    """The command line draws a published version's HTML from its stored JSON: an older document
    without ``suppression``, ``reached``, a quote's ``source`` or ``summary`` still renders, as it
    was then worded."""
    import copy

    legacy = copy.deepcopy(built.document)
    for breakdown in legacy["breakdowns"]:
        for group in breakdown["groups"]:
            group.pop("suppression")
            for cell in group["cells"]:
                cell.pop("suppression")
                if cell["suppressed"]:
                    cell["display"] = "fewer than 10"
    for channel in legacy["we_asked"]["channels"]:
        channel.pop("reached"), channel.pop("reach_how")
    legacy["we_asked"].pop("reached_total")
    legacy["quotes"] = [{"question_key": "ideas", "text": "More open data … parking"}]
    legacy.pop("summary")
    html = _html(legacy)
    assert "Not counted" in html and "An answer to" in html and 'id="we-did"' in html
    assert "[c] hidden" not in html and "fewer than 10" in html


def test_no_weighted_percentage_sits_beside_a_table_that_hides_figures(built):
    # Raked on several About-you questions, a weighted percentage is a function of the joint table,
    # which the audit does not model: wherever a question's tables by group hide anything, its
    # weighted figures are withheld (issue #18, item 1); the others keep theirs.
    document = built.document
    hides = {b["question_key"] for b in document["breakdowns"]
             if any(cell["suppressed"] for group in b["groups"] for cell in group["cells"])
             or any(group["suppressed"] for group in b["groups"])}
    for question in document["questions"]:
        weighted = [option["weighted_percent"] for option in question["options"]]
        if question["key"] in hides:
            assert weighted == [None] * len(weighted) and question["key"] in document["weighting"]["weighted_withheld"]
    assert set(document["weighting"]["weighted_withheld"]) >= hides
