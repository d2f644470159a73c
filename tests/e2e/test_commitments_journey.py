"""The commitments tracker in a real browser: the public tracker, cabinet reading the report for a
date and downloading the PDF, an officer posting an update and uploading a bad CSV. axe-core
checks every page (and every htmx swap) against WCAG 2.2 A/AA."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SLUG = "camden-data-charter"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_public_tracker_from_the_navigation(page, live_server, assert_accessible):
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Commitments").click()
    page.wait_for_url(f"{live_server}/charter/{SLUG}/commitments")
    expect(page.get_by_role("heading", level=1)).to_have_text("Camden Data Charter: commitments tracker")
    expect(page.get_by_role("status")).to_have_text("Showing 11 of 11 commitments.")
    assert page.get_by_role("link", name="1. Build trust through transparency").first.is_visible()
    assert page.get_by_role("heading", name="What the statuses mean").is_visible()
    assert_accessible(page)
    page.get_by_label("Principle", exact=True).select_option("1")
    page.get_by_role("button", name="Show commitments").click()
    expect(page.get_by_role("status")).to_have_text("Showing 5 of 11 commitments.")
    assert page.url.endswith("?status=&principle=1#commitments")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Create a Data Sharing Register")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a Data Sharing Register")
    assert page.get_by_role("link", name=re.compile("Data Sharing Register live")).first.is_visible()
    assert EMAIL.findall(page.locator("main").inner_text()) == []
    assert_accessible(page)


def test_cabinet_reads_the_report_for_a_date_and_downloads_the_pdf(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "cabinet")
    page.goto(live_server + "/cabinet")
    page.get_by_role("link", name="Commitments report for Camden Data Charter").click()
    assert_accessible(page)
    report_date = page.get_by_role("group", name="Report date")
    report_date.get_by_label("Day").fill("1")
    report_date.get_by_label("Month").fill("7")
    report_date.get_by_label("Year").fill("2022")
    page.get_by_role("button", name="Show report").click()
    heading = page.get_by_role("heading", level=1)
    heading.filter(has_text="Commitments as of 1 July 2022").wait_for()
    assert page.url.endswith("?as_of=2022-07-01")  # htmx pushed the address, so it can be shared
    overdue = page.locator("table", has=page.get_by_text("Overdue commitments, longest overdue first"))
    assert "Publish all Data Privacy Impact Assessments" in overdue.inner_text()
    chart = page.get_by_role("img", name=re.compile("^Timeline of 8 commitment deadlines"))
    chart.wait_for()
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    assert_accessible(page)
    assert EMAIL.findall(page.locator("main").inner_text()) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF for the cabinet papers").click()
    download = download_info.value
    assert download.suggested_filename == f"{SLUG}-commitments-2022-07-01.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_officer_posts_an_update_inline_and_sees_errors_first(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/commitments/{SLUG}")
    assert_accessible(page)
    page.get_by_role("link", name="Publish accessible materials on data use").click()
    assert_accessible(page)
    page.get_by_label("Note").fill("Easy-read guide tested with residents (e2e)")
    page.get_by_role("button", name="Post update").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Status is required" in summary.inner_text()
    assert page.get_by_label("Note").input_value() == "Easy-read guide tested with residents (e2e)"
    assert_accessible(page)
    page.get_by_label("Status").select_option("progress")
    page.get_by_label("Evidence link").fill("https://evidence.example.org/easy-read-guide")
    page.get_by_role("button", name="Post update").click()
    page.get_by_text("Update posted.").wait_for()
    history = page.locator("table", has=page.get_by_text("Updates on this commitment, newest first"))
    assert "Easy-read guide tested with residents (e2e)" in history.inner_text()
    assert_accessible(page)


def test_officer_uploads_a_csv_with_bad_rows(page, live_server, sign_in, assert_accessible, tmp_path):
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/commitments/{SLUG}/import")
    assert_accessible(page)
    bad = tmp_path / "bad.csv"
    bad.write_text("record,key,title,kind,owner,made_on\ncommitment,99,No kind,,Chief Data Officer,2022-01-19\n",
                   encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was imported")
    expect(page.locator("table")).to_contain_text(re.compile(r"2\s+kind"))
    assert_accessible(page)
