"""The commitments pages over HTTP: the public tracker, the cabinet report and its downloads,
saved reports, and officers' forms and CSV upload (GOV.UK errors, 422, nothing lost)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from analysis.charter.demo import DEMO_CHARTER_SLUG, load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from analysis.tables import Commitment, CommitmentUpdate
from server.audit import search_audit
from tests.support.database import run
from tests.support.http import csrf_token, post_form

SLUG = DEMO_CHARTER_SLUG
REPORT = f"/cabinet/commitments/{SLUG}"
OFFICER = f"/officer/commitments/{SLUG}"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture
def demo(db):
    run(load_demo_charter())
    run(load_demo_commitments())


def no_email_addresses(html: str) -> list[str]:
    return EMAIL.findall(html)


def test_public_tracker_lists_each_commitment_once_with_filters_and_definitions(client, demo):
    response = client.get("/commitments", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/charter/{SLUG}/commitments"
    page = client.get(f"/charter/{SLUG}/commitments")
    assert page.status_code == 200
    html = page.text
    assert 'id="principle-1"' in html and 'id="principle-7"' in html
    assert html.count('id="commitment-3"') == 1 and "commitment-3-principle" not in html  # once, not per principle
    assert f'href="/charter/{SLUG}/commitments/3"' in html and "Showing 11 of 11 commitments." in html
    assert "Met late" in html and "Publish all Data Privacy Impact Assessments" in html
    statuses = html.split('id="statuses"')[1]
    for name in ("Stale", "Missed last period", "Improving", "Overdue", "Due soon", "Met on time", "Met late", "On track"):
        assert re.search(rf">\s*{name}\s*<", statuses), name
    assert "has had no news for 365 days or more" in statuses
    assert f'src="/charter/{SLUG}/commitments/timeline.png"' in html
    assert no_email_addresses(html) == []
    data = client.get(f"/charter/{SLUG}/commitments.json?as_of=2022-07-01").json()
    assert {row["id"] for row in data["commitments"]} >= {"1", "4a", "7c"}


def test_public_tracker_filters_by_status_and_principle_without_javascript(client, demo):
    by_principle = client.get(f"/charter/{SLUG}/commitments?principle=1").text
    assert "Showing 5 of 11 commitments." in by_principle
    assert '<option value="1" selected>' in by_principle
    overdue = client.get(f"/charter/{SLUG}/commitments?status=overdue").text
    shown = overdue.split("<table")[1].split("</table>")[0]
    assert "Overdue" in shown and "Met on time" not in shown and "On track" not in shown
    nonsense = client.get(f"/charter/{SLUG}/commitments?status=%3Cscript%3E&principle=x")
    assert nonsense.status_code == 200 and "Showing 11 of 11 commitments." in nonsense.text
    png = client.get(f"/charter/{SLUG}/commitments/timeline.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_a_commitment_has_its_own_public_page_with_history_and_evidence(client, demo):
    page = client.get(f"/charter/{SLUG}/commitments/2")
    assert page.status_code == 200
    html = page.text
    assert "Data Sharing Register" in html and "https://evidence.example.org/camden-demo/data-sharing-register" in html
    assert "History" in html and "Evidence" in html and "What the statuses mean" in html
    assert f'href="/charter/{SLUG}/commitments?principle=1#commitments"' in html
    assert no_email_addresses(html) == []  # who recorded an update is not shown
    assert client.get(f"/charter/{SLUG}/commitments/99").status_code == 404
    assert client.get(f"/charter/no-such-charter/commitments/2").status_code == 404


def test_cabinet_report_as_of_a_date_with_downloads(cabinet_client, demo):
    page = cabinet_client.get(f"{REPORT}?as_of=2022-07-01")
    assert page.status_code == 200
    html = page.text
    assert "Commitments as of 1 July 2022" in html
    overdue = html.split("<h2 class=\"govuk-heading-l\" id=\"overdue\">Overdue</h2>")[1].split("<h2")[0]
    assert "Publish all Data Privacy Impact Assessments" in overdue and ">1<" in overdue
    assert 'alt="Timeline of 8 commitment deadlines' in html
    assert no_email_addresses(html) == []
    pdf = cabinet_client.get(f"{REPORT}/report.pdf?as_of=2022-07-01")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    png = cabinet_client.get(f"{REPORT}/timeline.png?as_of=2022-07-01")
    assert png.content.startswith(b"\x89PNG")
    data = json.loads(cabinet_client.get(f"{REPORT}/report.json?as_of=2022-07-01").text)
    assert data["as_of"] == "2022-07-01" and [o["id"] for o in data["overdue"]] == ["3"]
    rows = list(csv.DictReader(io.StringIO(cabinet_client.get(f"{REPORT}/report.csv?as_of=2022-07-01").text)))
    assert {row["id"]: row["status"] for row in rows}["4a"] == "met_late"


def test_htmx_date_picker_swaps_only_the_report_body(cabinet_client, demo):
    response = cabinet_client.get(f"{REPORT}?as_of=2022-09-01", headers={"hx-request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<div id=\"report-body\">")
    assert "<html" not in response.text and "Commitments as of 1 September 2022" in response.text


def test_a_bad_report_date_is_a_gov_uk_error(cabinet_client, demo):
    response = cabinet_client.get(f"{REPORT}?as_of=2022-02-30")
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#as_of"' in response.text
    assert 'name="as_of-day" type="text" value="30"' in response.text
    assert 'name="as_of-month" type="text" value="2"' in response.text
    assert cabinet_client.get(f"{REPORT}/report.csv?as_of=nonsense").status_code == 400


def test_the_report_date_typed_in_three_boxes_gives_the_short_address_to_htmx(cabinet_client, demo):
    response = cabinet_client.get(f"{REPORT}?as_of-day=1&as_of-month=9&as_of-year=2022", headers={"hx-request": "true"})
    assert response.status_code == 200 and "Commitments as of 1 September 2022" in response.text
    assert response.headers["hx-push-url"] == f"{REPORT}?as_of=2022-09-01"
    wrong = cabinet_client.get(f"{REPORT}?as_of-day=31&as_of-month=2&as_of-year=2022")
    assert wrong.status_code == 422 and 'href="#as_of"' in wrong.text
    assert 'name="as_of-day" type="text" value="31"' in wrong.text  # what was typed is kept


def test_report_downloads_for_a_past_date_are_byte_identical_after_a_new_update(officer_client, demo):
    urls = [f"{REPORT}/report.json?as_of=2022-07-01", f"{REPORT}/report.csv?as_of=2022-07-01",
            f"{REPORT}/report.pdf?as_of=2022-07-01"]
    before = [officer_client.get(url).content for url in urls]
    response = post_form(officer_client, f"{OFFICER}/items/3/updates",
                         {"status": "met", "effective_on": "2022-06-01", "note": "Back-dated correction"})
    assert response.status_code == 200 and "Update posted" in response.text
    assert [officer_client.get(url).content for url in urls] == before
    assert "Met on time" in officer_client.get(f"{OFFICER}/items/3").text


def test_saving_a_report_keeps_it_readable_and_unchanged(officer_client, cabinet_client, demo):
    response = post_form(officer_client, f"{OFFICER}/snapshots", {"as_of": "2022-07-01"}, follow_redirects=False)
    assert response.status_code == 303
    saved_url = response.headers["location"]
    saved_json = cabinet_client.get(f"{saved_url}/report.json").text
    post_form(officer_client, f"{OFFICER}/items/3/updates", {"status": "met", "effective_on": "2022-06-01"})
    page = cabinet_client.get(saved_url)
    assert page.status_code == 200 and "Saved report" in page.text and "Overdue by 1 day" in page.text
    assert no_email_addresses(page.text) == []
    assert cabinet_client.get(f"{saved_url}/report.json").text == saved_json
    assert cabinet_client.get(f"{saved_url}/report.pdf").content.startswith(b"%PDF")
    assert "Commitments as of 1 July 2022" in cabinet_client.get(REPORT).text  # listed under saved reports
    assert run(search_audit(action="commitments_report_saved"))[0].detail == f"{SLUG} as of 2022-07-01"


def test_cabinet_cannot_change_anything(cabinet_client, demo):
    assert post_form(cabinet_client, f"{OFFICER}/snapshots", {"as_of": "2022-07-01"}).status_code == 403
    assert post_form(cabinet_client, f"{OFFICER}/items/3/updates", {"status": "met"}).status_code == 403
    assert "Save this report" not in cabinet_client.get(REPORT).text


def test_officer_adds_and_edits_a_commitment(officer_client, demo):
    values = {"key": "9", "title": "Publish an algorithm register", "kind": "one_off", "owner": "Chief Data Officer",
              "principles": "1;6", "made_on": "2022-01-19", "deadline_date": "2022-12-31"}
    response = post_form(officer_client, f"{OFFICER}/new", values, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{OFFICER}/items/9"
    response = post_form(officer_client, f"{OFFICER}/items/9/edit", {**values, "title": "Publish the algorithm register"},
                         follow_redirects=False)
    assert response.status_code == 303
    assert run(Commitment.select(Commitment.title).where(Commitment.key == "9").first().run())["title"] == \
        "Publish the algorithm register"
    [edit] = run(search_audit(action="commitment_edited"))
    assert "title: 'Publish an algorithm register' -> 'Publish the algorithm register'" in edit.detail


def test_commitment_dates_typed_in_day_month_year_boxes(officer_client, demo):
    values = {"key": "9", "title": "Publish an algorithm register", "kind": "one_off", "owner": "Chief Data Officer",
              "principles": "1", "made_on-day": "19", "made_on-month": "1", "made_on-year": "2022",
              "deadline_date-day": "31", "deadline_date-month": "12", "deadline_date-year": "2022"}
    response = post_form(officer_client, f"{OFFICER}/new", values, follow_redirects=False)
    assert response.status_code == 303
    assert "31 December 2022" in officer_client.get(response.headers["location"]).text
    edit = officer_client.get(f"{OFFICER}/items/9/edit").text
    assert re.search(r'name="deadline_date-day"[^>]*value="31"', edit)
    wrong = post_form(officer_client, f"{OFFICER}/new", {**values, "key": "10", "deadline_date-day": "31",
                                                          "deadline_date-month": "2"})
    assert wrong.status_code == 422 and 'href="#deadline_date"' in wrong.text
    assert re.search(r'name="deadline_date-month"[^>]*value="2"', wrong.text)


def test_commitment_form_errors_keep_the_input(officer_client, demo):
    response = post_form(officer_client, f"{OFFICER}/new",
                         {"key": "3", "title": "Kept title", "kind": "one_off", "owner": "", "made_on": "2022-01-19",
                          "principles": "9"})
    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html
    assert re.findall(r'<li>\s*<a href="#(\w+)">', html) == ["owner", "principles", "deadline_date"]  # page order
    for field in ("owner", "principles", "deadline_date"):
        assert f'id="{field}-error"' in html
    assert 'value="Kept title"' in html
    taken = post_form(officer_client, f"{OFFICER}/new",
                      {"key": "3", "title": "Kept title", "kind": "ongoing", "owner": "Chief Data Officer",
                       "made_on": "2022-01-19"})
    assert taken.status_code == 422 and "Id: commitment &#39;3&#39; is already defined" in taken.text
    assert run(Commitment.count().run()) == 11


def test_update_form_errors_inline_with_htmx(officer_client, demo):
    response = officer_client.post(f"{OFFICER}/items/3/updates", data={"status": "", "effective_on-day": "1",
                                                                       "effective_on-month": "1",
                                                                       "effective_on-year": "2099", "note": "Kept note"},
                                   headers={"hx-request": "true", "x-csrftoken": csrf_token(officer_client)})
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="commitment-updates">')
    assert "Status is required" in response.text and "Kept note" in response.text
    assert 'name="effective_on-year" type="text" value="2099"' in response.text
    assert run(CommitmentUpdate.count().run()) == 12


def upload(client, text: str | bytes, name: str = "commitments.csv"):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(f"{OFFICER}/import", files={"file": (name, content, "text/csv")},
                       data={"_csrf_token": csrf_token(client)}, follow_redirects=False)


def test_upload_with_bad_rows_imports_nothing_and_lists_every_row(officer_client, demo):
    response = upload(officer_client, "record,key,title,kind,owner,made_on,deadline_date,status,effective_on\n"
                                      "commitment,9,Fine,one_off,Chief Data Officer,2022-01-19,2022-06-01,,\n"
                                      "commitment,10,,one_off,Chief Data Officer,2022-01-19,2022-06-01,,\n"
                                      "update,3,,,,,,finished,2022-06-01\n")
    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html and "nothing was imported" in html
    assert re.search(r">3</td>\s*<td class=\"govuk-table__cell\">title</td>", html)
    assert re.search(r">4</td>\s*<td class=\"govuk-table__cell\">status</td>", html)
    assert run(Commitment.count().run()) == 11


def test_upload_of_a_good_file(officer_client, demo):
    response = upload(officer_client, "record,key,title,kind,owner,made_on,deadline_date,status,effective_on\n"
                                      "commitment,9,Fine,one_off,Chief Data Officer,2022-01-19,2022-06-01,,\n"
                                      "update,9,,,,,,met,2022-05-01\n")
    assert response.status_code == 303 and response.headers["location"].endswith("?imported=1-1")
    assert "Imported 1 commitments and 1 updates" in officer_client.get(response.headers["location"]).text
    assert run(search_audit(action="commitments_imported"))[0].detail.startswith("1 commitments, 1 updates")


@pytest.mark.parametrize("content, message", [
    (b"", "Select a CSV file"),
    (b"\xff\xfe\x00b\x00a\x00d", "must be a CSV saved as UTF-8"),
])
def test_upload_of_no_file_or_a_non_utf8_file(officer_client, demo, content, message):
    response = upload(officer_client, content, name="" if not content else "x.csv")
    assert response.status_code == 422 and message in response.text


def test_officer_history_shows_who_but_cabinet_pages_never_do(officer_client, cabinet_client, demo):
    post_form(officer_client, f"{OFFICER}/items/7a/updates", {"status": "progress", "effective_on": "2022-05-04"})
    history = officer_client.get(f"{OFFICER}/items/7a").text
    assert "officer-0@test.example" in history
    for url in (REPORT, f"{REPORT}?as_of=2022-07-01", f"/charter/{SLUG}/commitments", "/cabinet"):
        assert no_email_addresses(cabinet_client.get(url).text) == [], url
    for url in (f"{REPORT}/report.json", f"{REPORT}/report.csv"):
        assert "@" not in cabinet_client.get(url).text.replace("evidence.example.org", ""), url


def test_unknown_charter_or_commitment_is_404(officer_client, demo):
    assert officer_client.get("/charter/nope/commitments").status_code == 404
    assert officer_client.get(f"{OFFICER}/items/nope").status_code == 404
    assert officer_client.get(f"{REPORT}/saved/999").status_code == 404


def test_cabinet_home_opens_with_the_state_of_the_commitments(cabinet_client, demo):
    html = cabinet_client.get("/cabinet").text
    commitments = html.index('id="charter-camden-data-charter"')
    assert commitments < html.index("Emails waiting to be sent")
    section = html[commitments:html.index("Engagement in figures")]
    assert re.search(r">\s*Overdue\s*<", section) and re.search(r">\s*1 commitment\s*<", section)
    assert re.search(r">\s*Met on time\s*<", section) and "met_on_time" not in section
    overdue = section.split("Overdue, longest first")[1]
    assert f'href="/charter/{SLUG}/commitments/7a"' in overdue and re.search(r"More than \d+ years? overdue", overdue)
    assert f'href="{REPORT}"' in section
