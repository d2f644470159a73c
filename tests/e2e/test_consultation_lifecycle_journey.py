"""A consultation from draft to a resident's reference, in a real browser, axe-core on the new
pages: an officer creates a draft, builds it from the question library, previews it, schedules it
to open today; a resident saves part-way, follows the emailed link in another browser, finishes
and is given their reference."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^R-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def _fill_date(page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_draft_preview_schedule_save_and_return(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/consultations/new")
    page.get_by_label("Title").fill("Library opening hours")
    _fill_date(page, "Opens on", date.today() + timedelta(days=14))
    _fill_date(page, "Closes on (the last day responses are accepted)", date.today() + timedelta(days=40))
    page.get_by_role("button", name="Save consultation").click()
    page.wait_for_url(re.compile(r"/officer/consultations/library-opening-hours$"))
    expect_text(page, "This is a draft")
    resident = page.context.browser.new_context(locale="en-GB", bypass_csp=True).new_page()
    assert resident.goto(f"{live_server}/consultations/library-opening-hours").status == 404  # the public does not

    page.get_by_role("link", name="Build the questionnaire").click()
    for title in ("Opening hours", "Study space"):
        page.get_by_label("Section title").fill(title)
        page.get_by_role("button", name="Add section").click()
        expect_text(page, f"Section ‘{title}’ added")
    for index, statement in ((0, "Libraries should open on Sunday mornings"), (1, "There is enough study space")):
        page.get_by_label("Agree or disagree", exact=True).check()
        page.get_by_label("Section (for an agree or disagree question)").select_option(str(index))
        page.get_by_label("Statement (for an agree or disagree question)").fill(statement)
        page.get_by_role("button", name="Add from the library").click()
        expect_text(page, "Added from the library")
    assert_accessible(page)

    page.goto(f"{live_server}/officer/consultations/library-opening-hours")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect_text(page, "Preview — not public")
    assert_accessible(page)
    page.get_by_role("link", name="Preview the questionnaire").click()
    expect_text(page, "Libraries should open on Sunday mornings")
    page.wait_for_load_state()  # the whole page, so that a button missing is missing, not yet to come
    assert page.get_by_role("button", name="Save and come back later").count() == 0
    assert_accessible(page)

    page.goto(f"{live_server}/officer/consultations/library-opening-hours")
    page.get_by_role("button", name="Publish", exact=True).click()
    assert_accessible(page)
    _fill_date(page, "Opens on", date.today())  # scheduled to open now
    page.get_by_role("button", name="Publish the consultation").click()
    expect_text(page, "The consultation is published")

    resident.goto(f"{live_server}/consultations/library-opening-hours")
    resident.get_by_role("button", name="Start now").click()
    resident.get_by_label("Agree", exact=True).check()
    resident.get_by_role("button", name="Save and come back later").click()
    assert_accessible(resident)
    resident.get_by_label("Email address").fill("reader.e2e@example.com")
    resident.get_by_role("button", name="Send me the link").click()
    expect_text(resident, "Your answers have been saved")
    resident.context.close()

    page.goto(f"{live_server}/officer/outbox")
    body = page.locator(".outbox-email", has_text="Carry on with").first.inner_text()
    link = re.search(r"(http://\S+/resume/\S+)", body).group(1)

    elsewhere = page.context.browser.new_context(locale="en-GB", bypass_csp=True).new_page()
    elsewhere.goto(link)
    elsewhere.wait_for_url(re.compile(r"/questionnaire/2$"))
    elsewhere.get_by_label("Strongly disagree").check()
    elsewhere.get_by_role("button", name="Continue").click()
    elsewhere.wait_for_url(re.compile(r"/check$"))  # and its load: the whole page is there to read
    check = elsewhere.locator("main").inner_text()
    assert "Agree" in check and "Strongly disagree" in check  # the answers saved in the first browser
    elsewhere.get_by_role("button", name="Accept and send").click()
    expect(elsewhere.locator(".reference")).to_have_text(REFERENCE)
    assert_accessible(elsewhere)
    elsewhere.context.close()


def expect_text(page, text: str) -> None:
    expect(page.locator("main")).to_contain_text(text)
