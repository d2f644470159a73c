"""A report's summary on a phone's first screen (analysis.reports.first_screen): the lead sentence
of "We asked", and the estimate of where "We did" starts, checked against the page measured in
Chromium at 375 × 812 (the browser journey measures the real page)."""

from __future__ import annotations

import pytest

from analysis.reports.first_screen import (SCREEN_HEIGHT, first_screen_problem, has_more_than_lead, lead_sentence,
                                           report_problem, we_did_top)

DEMO_TITLE = "We asked, you said, we did: Data Charter questionnaire"
DEMO_LEAD = "We asked how you want the council to collect, use and share information about residents."
DEMO_DATES = "Open from 1 September 2025 to 30 November 2025: 320 responses."
DEMO_FINDINGS = ["‘Which services did you use’: 82% chose ‘Council website’ (175 of 214 people).",
                 "‘Have you ever made a Freedom of Information request to the council’: 83% chose ‘No’ (265 of 320 people)."]


@pytest.mark.parametrize(("purpose", "lead", "more"), [
    ("To hear residents. We then wrote the charter.", "To hear residents.", True),
    ("One sentence only, no more", "One sentence only, no more", False),
    ("Why? Because  the law\nasks us to.", "Why?", True),
    ("Dr. Patel asked e.g. this", "Dr.", True),  # a full stop and a space end a sentence: keep leads plain
    ("  ", "", False),
])
def test_the_lead_is_the_first_sentence(purpose, lead, more):
    assert lead_sentence(purpose) == lead
    assert has_more_than_lead(purpose) is more


def test_the_estimate_matches_the_demo_report_measured_in_chromium():
    # Measured with Playwright in Debian's Chromium at 375 × 812: "We did" starts at y = 752.
    assert we_did_top(title=DEMO_TITLE, lead=DEMO_LEAD, dates=DEMO_DATES, findings=DEMO_FINDINGS) == 752
    assert first_screen_problem(title=DEMO_TITLE, lead=DEMO_LEAD, dates=DEMO_DATES, findings=DEMO_FINDINGS) is None


def test_a_longer_summary_is_refused_with_how_much_to_cut():
    long_lead = DEMO_LEAD + " " + "It also asked about the council's plans for sharing data with the NHS and the police"
    problem = first_screen_problem(title=DEMO_TITLE, lead=long_lead, dates=DEMO_DATES, findings=[*DEMO_FINDINGS, DEMO_FINDINGS[0]])
    assert problem is not None and "too long for the first screen of a phone" in problem
    assert "by about 30 words" in problem  # 130 px over: six lines of about five words
    assert first_screen_problem(title=DEMO_TITLE, lead=DEMO_LEAD, dates=DEMO_DATES, findings=[]) is None


def test_each_line_of_title_and_findings_moves_we_did_down():
    base = we_did_top(title="Short", lead="Why.", dates="Open.", findings=["One."])
    assert we_did_top(title="A title long enough to take two lines", lead="Why.", dates="Open.", findings=["One."]) == base + 30
    assert we_did_top(title="Short", lead="Why.", dates="Open.", findings=["One.", "Two."]) == base + 30
    assert base < SCREEN_HEIGHT


def test_a_report_document_is_measured_with_its_dates_and_findings():
    document = {"n_responses": 320, "summary": {"findings": DEMO_FINDINGS},
                "we_asked": {"purpose": DEMO_LEAD + " More words that follow the summary.",
                             "opens_on": "2025-09-01", "closes_on": "2025-11-30"}}
    assert report_problem(document, DEMO_TITLE) is None
    document["summary"]["findings"] = DEMO_FINDINGS * 3
    assert "too long for the first screen" in report_problem(document, DEMO_TITLE)
