"""The cabinet's commitments report opens with a one-page headline: red, amber and green in words,
status changes since a chosen earlier date (a month before by default), overdue longest first and
due soon; the first page of its PDF is that headline."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from analysis.charter.demo import DEMO_CHARTER_SLUG, load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from tests.support.database import run

REPORT = f"/cabinet/commitments/{DEMO_CHARTER_SLUG}"


@pytest.fixture
def demo(db):
    run(load_demo_charter())
    run(load_demo_commitments())


def test_the_headline_comes_first_with_words_for_every_colour(cabinet_client, demo):
    html = cabinet_client.get(f"{REPORT}?as_of=2026-12-05").text
    headline = html[html.index('id="headline"'):html.index("Headline counts")]
    for name, meaning in (("Red", "overdue, missed or getting worse"), ("Amber", "due in the next 30 days"),
                          ("Green", "met, on track, ongoing or improving")):
        assert re.search(rf">\s*{name}\s*</strong>\s*\d+ commitments?: {meaning}", headline), name
    assert "Changes since 5 November 2026" in headline
    assert "Overdue, longest first" in headline and "Due in the next 30 days" in headline
    overdue_days = [int(days.replace(",", "")) for days in re.findall(r"\(([\d,]+) days\)", headline)]
    assert overdue_days == sorted(overdue_days, reverse=True) and overdue_days
    # A chosen earlier date: the demo's commitments moved between 2022 and 2026.
    changed = cabinet_client.get(f"{REPORT}?as_of=2026-12-05&since=2022-03-01").text
    changes = changed[changed.index('id="status-changes"'):changed.index("Overdue, longest first")]
    assert "Changes since 1 March 2022" in changes and re.search(r"was [A-Z][a-z ]+, now [A-Z]", changes)
    assert 'name="since-year" type="text" value="2022"' in changed


def test_an_earlier_date_that_is_not_earlier_is_refused_clearly(cabinet_client, demo):
    response = cabinet_client.get(f"{REPORT}?as_of=2026-12-05&since=2027-01-01")
    assert response.status_code == 422
    assert "The date for the changes must be before the report date" in response.text
    assert cabinet_client.get(f"{REPORT}/report.pdf?as_of=2026-12-05&since=nonsense").status_code == 400


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_first_page_is_the_headline(cabinet_client, demo):
    pdf = cabinet_client.get(f"{REPORT}/report.pdf?as_of=2026-12-05").content
    first = subprocess.run(["pdftotext", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    for words in ("Headline", "Red", "Amber", "Green", "Changes since 5 November 2026", "Overdue, longest first"):
        assert words in first, words
    assert "Every commitment" not in first and "Headline counts" not in first
    rest = subprocess.run(["pdftotext", "-f", "2", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Headline counts" in rest and "Every commitment" in rest


def test_the_pdf_is_drawn_once_per_report_date_and_language(cabinet_client, demo, monkeypatch):
    """The cabinet's PDF was drawn on every request; the same report in the same language is now kept."""
    from server.controllers.commitments import documents

    drawn = []
    real = documents.report_pdf
    monkeypatch.setattr(documents, "report_pdf", lambda *args, **kwargs: drawn.append(1) or real(*args, **kwargs))
    first = cabinet_client.get(f"{REPORT}/report.pdf?as_of=2026-11-05").content
    assert first.startswith(b"%PDF") and cabinet_client.get(f"{REPORT}/report.pdf?as_of=2026-11-05").content == first
    assert len(drawn) == 1
    assert cabinet_client.get(f"{REPORT}/report.pdf?as_of=2026-11-04").content.startswith(b"%PDF") and len(drawn) == 2
