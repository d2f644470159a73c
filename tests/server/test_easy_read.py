"""The Easy Read version of a report over HTTP: the officer's form (good and bad input), published
with a version or added once to a version published without, its public page linked from the
report, and its large-type PDF read back as text (the demo's is checked in test_public_words)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from server.tables import AuditEntry
from tests.factories.reports import BASE, SLUG, publish, seed
from tests.support.database import run
from tests.support.http import send

FORM = f"{BASE}/easy-read"
POINTS = [("question", "We asked you about open data."), ("people", "60 people answered."),
          ("tick", "Thank you for telling us.")]


def point_fields(points) -> list[tuple[str, str]]:
    fields = []
    for number, (icon, text) in enumerate(points, start=1):
        fields += [(f"icon_{number}", icon), (f"text_{number}", text)]
    return fields


def audit_actions() -> list[str]:
    return [row["action"] for row in run(AuditEntry.select(AuditEntry.action).run())]


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_form_refuses_long_lines_in_plain_words_and_keeps_what_was_typed(officer_client):
    run(seed())
    page = officer_client.get(FORM)
    assert page.status_code == 200 and "Easy Read version of the summary" in page.text
    assert page.text.count('name="text_') == 3 and "Keeping information safe" in page.text
    assert re.search(f'href="{FORM}/?"', officer_client.get(BASE).text)  # linked from the draft report
    long_line = "The council will look at every answer that people gave to the questions and then write a report about it soon"
    bad = send(officer_client, FORM, point_fields([("people", long_line), ("", "No picture."),
                                                   ("tick", "One idea. Then another.")]))
    assert bad.status_code == 422 and "There is a problem" in bad.text
    assert "Point 1 has 21 words. Easy Read sentences are short: use 20 words or fewer" in bad.text
    assert "Choose a picture for point 2" in bad.text
    assert "Point 3 has 2 sentences. Put one idea on each line" in bad.text
    assert f'value="{long_line}"' in bad.text and '<option value="tick" selected' in bad.text
    assert 'href="#text_1"' in bad.text and 'href="#icon_2"' in bad.text
    good = send(officer_client, FORM, point_fields(POINTS))
    assert good.status_code == 303
    saved = officer_client.get(good.headers["location"])
    assert "Easy Read version saved" in saved.text and "How residents will see it" in saved.text
    assert 'value="60 people answered."' in saved.text and saved.text.count('name="text_') == 6
    assert "report_easy_read_saved" in audit_actions()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_published_beside_the_report_with_its_own_pdf_and_kept_with_the_version(officer_client, client):
    run(seed())
    assert send(officer_client, FORM, point_fields(POINTS)).status_code == 303
    report_url = publish(officer_client)
    report = client.get(report_url)
    easy_read_url = f"/consultations/{SLUG}/report/v/1/easy-read"
    assert f'href="{easy_read_url}"' in report.text and f'href="{easy_read_url}.pdf"' in report.text
    page = client.get(easy_read_url)
    assert page.status_code == 200
    assert [text in page.text for _, text in POINTS] == [True] * 3
    assert page.text.count('class="app-easy-read__picture"') == 3
    pdf = client.get(f"{easy_read_url}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    lines = [line.strip() for line in pdf_text(pdf.content).splitlines()]
    assert all(text in lines for _, text in POINTS) and "Version 1, published" in pdf_text(pdf.content)
    info = subprocess.run(["pdfinfo", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    # The version keeps what was published: later changes to the draft wait for the next version.
    assert send(officer_client, FORM, point_fields([("lock", "Something new.")])).status_code == 303
    assert "Something new." not in client.get(easy_read_url).text
    again = send(officer_client, f"{FORM}/publish", [])
    assert again.status_code == 409 and "a published version never changes" in again.text


def test_added_once_to_a_version_published_without_one(officer_client, client):
    run(seed())
    publish(officer_client)
    easy_read_url = f"/consultations/{SLUG}/report/v/1/easy-read"
    assert "Easy Read" not in client.get(f"/consultations/{SLUG}/report/").text
    assert client.get(easy_read_url).status_code == 404
    assert client.get(f"{easy_read_url}.pdf").status_code == 404
    nothing = send(officer_client, f"{FORM}/publish", [])
    assert nothing.status_code == 409 and "Write and save the Easy Read points" in nothing.text
    assert send(officer_client, FORM, point_fields(POINTS)).status_code == 303
    assert "Add it to version 1" in officer_client.get(FORM).text
    added = send(officer_client, f"{FORM}/publish", [])
    assert added.status_code == 303 and added.headers["location"] == easy_read_url
    assert "60 people answered." in client.get(easy_read_url).text
    assert f'href="{easy_read_url}"' in client.get(f"/consultations/{SLUG}/report/").text
    assert "report_easy_read_published" in audit_actions()
    assert send(officer_client, f"{FORM}/publish", []).status_code == 409

