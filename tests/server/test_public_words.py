"""Words people read follow GOV.UK style: the demo's published report, the commitments tracker,
a commitment's page and the cabinet's pages show dates as "3 February 2027" (never ISO in the
visible text), no internal key, no "None", and no question text running into the words after it."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

from analysis.charter.demo import DEMO_CHARTER_SLUG
from analysis.reports.demo import DEMO_EASY_READ
from surveys.tables import SurveyResponse
from tests.support.database import run
from tests.support.http import send

CONSULTATION = "data-charter-questionnaire"
DRAFT = f"/officer/consultations/{CONSULTATION}/report"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
INTERNAL_KEYS = ("age_band", "trust_personal_data", "share_with_partners", "more_open_data", "chi_square",
                 "fisher_exact", "rao_scott", "met_on_time", "met_late", "on_track", "due_soon", "not_enough_data",
                 "question suggestions", "ethnicity_detailed", "economic_activity")


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles (and, with ``skip_code``, no
    ``<code>``: a file format's column names, shown as code on purpose)."""

    def __init__(self, skip_code: bool = False) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._skipped = ("script", "style", "template", "code") if skip_code else ("script", "style", "template")

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._skipped:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipped and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str, *, skip_code: bool = False) -> list[str]:
    parser = VisibleText(skip_code)
    parser.feed(html)
    return parser.parts


def assert_plain_words(url: str, html: str) -> None:
    texts = visible_text(html, skip_code=True)  # a file format's column names are shown as code on purpose
    joined = "\n".join(texts)
    assert ISO_DATE.findall(joined) == [], url
    assert [key for key in INTERNAL_KEYS if key in joined] == [], url
    assert "None" not in texts, url
    assert not re.search(r"[.?!]\s*[,.]\s*by\b", joined), url
    assert not re.search(r"\bon \d{1,2} \w+ \d{4} on \d{1,2} \w+ \d{4}", joined), url


async def _a_free_text_answer() -> int:
    import json

    rows = await SurveyResponse.select(SurveyResponse.id, SurveyResponse.answers_json).order_by(SurveyResponse.id).run()
    return next(row["id"] for row in rows if json.loads(row["answers_json"]).get("suggestions", "").strip())


def publish_demo_report(officer_client) -> str:
    """The demo's Data Charter questionnaire report, with an action citing a commitment and a quote."""
    assert send(officer_client, DRAFT, [("purpose", "To write our Data Charter with residents."),
                                        ("census_file", "camden-2021.csv")]).status_code == 303
    assert send(officer_client, f"{DRAFT}/actions", [
        ("action", "Publish every Data Privacy Impact Assessment"), ("due_on-day", "31"), ("due_on-month", "3"),
        ("due_on-year", "2027"), ("owner", "Data Protection Officer"),
        ("commitments", f"{DEMO_CHARTER_SLUG}/3"), ("commitments", f"{DEMO_CHARTER_SLUG}/4a")]).status_code == 303
    answer = run(_a_free_text_answer())
    text = run(SurveyResponse.select(SurveyResponse.answers_json).where(SurveyResponse.id == answer).first().run())
    import json

    words = json.loads(text["answers_json"])["suggestions"].strip()
    quoted = send(officer_client, f"{DRAFT}/quotes", [("response_id", answer), ("question_key", "suggestions"),
                                                     ("text", words), ("checked", "yes")])
    assert quoted.status_code == 303
    published = send(officer_client, f"{DRAFT}/publish", [])
    assert published.status_code == 303
    return published.headers["location"]


def test_public_and_cabinet_pages_read_in_plain_words(demo_loaded, officer_client, cabinet_client, client):
    # The demo publishes the questionnaire's report, its actions linked to the commitments they serve.
    demo_report = client.get(f"/consultations/{CONSULTATION}/report/")
    assert demo_report.status_code == 200 and "Version 1" in demo_report.text
    assert f'href="/charter/{DEMO_CHARTER_SLUG}/commitments/7c"' in demo_report.text
    # with its Easy Read version beside it, one point a line with its picture
    demo_easy_read = f"/consultations/{CONSULTATION}/report/v/1/easy-read"
    assert f'href="{demo_easy_read}"' in demo_report.text
    easy_read = client.get(demo_easy_read).text
    assert all(text in easy_read for _, text in DEMO_EASY_READ)
    assert_plain_words(demo_easy_read, easy_read)
    report_url = publish_demo_report(officer_client)
    report = client.get(report_url)
    assert report.status_code == 200
    assert "Answers to ‘I trust the council to use my personal data safely and fairly’ by" in report.text
    assert "(as of " in report.text  # a cited commitment's status says when it was read, once
    # Summary first: We asked, You said (findings drafted from the statistics), We did (linked to
    # each commitment's own page), before the questions and the statistics annex.
    summary = report.text[:report.text.index('id="results"')]
    assert [summary.index(f'id="{anchor}"') for anchor in ("we-asked", "you-said", "we-did")] == sorted(
        summary.index(f'id="{anchor}"') for anchor in ("we-asked", "you-said", "we-did"))
    assert re.search(r"‘[^’]+’: \d+% chose ‘[^’]+’ \([\d,]+ of [\d,]+ people\)\.", summary)
    assert f'href="/charter/{DEMO_CHARTER_SLUG}/commitments/3"' in summary and "95% CI" not in summary
    assert report.text.index('id="results"') < report.text.index('id="annex"')
    assert "An answer to ‘" in report.text
    draft = officer_client.get(DRAFT)
    assert "An answer to ‘" in draft.text and "An answer to question" not in draft.text
    pages = {report_url: report.text}
    for url in ("/case-studies/debt-early-help",  # the 2021 panel's review and the council's reply
                f"/charter/{DEMO_CHARTER_SLUG}/commitments", f"/charter/{DEMO_CHARTER_SLUG}/commitments?status=overdue",
                *(f"/charter/{DEMO_CHARTER_SLUG}/commitments/{key}" for key in ("1", "2", "3", "4a", "5", "7a", "7c"))):
        pages[url] = client.get(url).text
    for url in (f"/cabinet/commitments/{DEMO_CHARTER_SLUG}", f"/cabinet/commitments/{DEMO_CHARTER_SLUG}?as_of=2026-12-05",
                "/cabinet/panels", "/cabinet"):
        pages[url] = cabinet_client.get(url).text
    for url in (DRAFT, f"/officer/commitments/{DEMO_CHARTER_SLUG}", f"/officer/commitments/{DEMO_CHARTER_SLUG}/items/7c"):
        pages[url] = officer_client.get(url).text
    for url, html in pages.items():
        assert_plain_words(url, html)
    long_overdue = cabinet_client.get(f"/cabinet/commitments/{DEMO_CHARTER_SLUG}?as_of=2026-12-05").text
    assert re.search(r"More than \d+ years? overdue \([\d,]+ days\)", long_overdue)
    panels = "\n".join(visible_text(pages["/cabinet/panels"]))
    assert "Age band (adults)" in panels and "Sex" in panels
    if shutil.which("pdftotext"):
        pdf = client.get(f"{report_url}/report.pdf").content
        assert pdf.startswith(b"%PDF")
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert ISO_DATE.findall(text) == [] and "gettext(" not in text
        assert [key for key in INTERNAL_KEYS if key in text] == []
        assert "(as of " in text
        first_page = subprocess.run(["pdftotext", "-l", "1", "-", "-"], input=pdf, capture_output=True,
                                    check=True).stdout.decode()
        assert all(heading in first_page for heading in ("We asked", "You said", "We did")), first_page
        assert "London Borough of Camden" in first_page and "published" in first_page
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
        assert re.search(r"^Pages:\s+\d+$", info, re.MULTILINE) and "2000" not in info, info


OFFICER_PANEL_KEYS = re.compile(r"(?m)^(?:sex|age_band|ethnicity|disability|tenure)\b|[a-z_]=\w|\b\d+-\d+\b|\b75\+")
"""Census keys as the files and the engine write them: ``age_band=75+``, ``sex: Female``, "18-24"."""


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.text


def test_officer_panel_pages_show_census_groups_in_words(demo_loaded, officer_client, client):
    from panels.tables import Panel, PanelSession
    from tests.factories.panels import create_panel, registration, set_quotas, slug_of
    from tests.support.http import post_form

    # A pool all in their forties: the feasibility answer explains, in sentences, which groups are missing.
    small = create_panel(officer_client, panel_size="12")
    set_quotas(officer_client, small, tolerance="10")
    for number in range(14):
        assert post_form(client, f"/panels/{slug_of(small)}/register",
                         registration(number, ("Female", "Male")[number % 2], 40 + number % 5),
                         follow_redirects=False).status_code == 303
    feasibility = officer_client.get(f"/officer/panels/{small}/pool/feasibility").text
    assert re.search(r"Aged 18 to 24: the quota needs at least \d+ members?, but only 0 volunteers are in this group\.",
                     feasibility)
    assert "Aged 18 to 24: from 1 to 3 seats to 0 to 3 seats" in feasibility
    pages = {f"/officer/panels/{small}/pool/feasibility": feasibility}
    for panel in run(Panel.select(Panel.id).run()):
        base = f"/officer/panels/{panel['id']}"
        for url in (base, f"{base}/details", f"{base}/quotas", f"{base}/pool", f"{base}/members", f"{base}/sessions",
                    f"{base}/chances"):
            pages[url] = page_text(officer_client, url)
        for session in run(PanelSession.select(PanelSession.id).where(PanelSession.panel == panel["id"]).run()):
            url = f"{base}/sessions/{session['id']}"
            pages[url] = page_text(officer_client, url)
    pages["/officer/panels"] = page_text(officer_client, "/officer/panels")
    for url, html in pages.items():
        assert_plain_words(url, html)
        joined = "\n".join(visible_text(html, skip_code=True))
        assert OFFICER_PANEL_KEYS.findall(joined) == [], url
    quotas = "\n".join(visible_text(next(html for url, html in pages.items() if url.endswith("/quotas")
                                         and "Aged 75 and over" in html)))
    assert "Aged 18 to 24" in quotas and "Age band (adults)" in quotas
