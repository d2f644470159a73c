"""A resident's data rights in a real browser, axe-core on every page visited: a volunteer registers,
follows their private link to "Your information", downloads it, corrects their phone number, is
refused erasure without confirming, then erases it; the officer's pool no longer shows them, the
link no longer works, and the administrator finds the erasure in the audit log."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RECRUITING = re.compile("^Camden Resident Panel on Data")
"""The demo's panel recruiting now (its name carries the year of its sessions)."""


def test_volunteer_downloads_and_erases_their_data_and_the_officer_no_longer_sees_them(
        page, live_server, sign_in, assert_accessible):
    page.goto(f"{live_server}/panels")
    page.get_by_role("link", name=re.compile("^Join this panel")).first.click()
    page.get_by_label("Full name").fill("Morgan Erasure (e2e)")
    page.get_by_label("Email address", exact=True).fill("morgan.erasure.e2e@example.com")
    page.get_by_label("Address", exact=True).fill("3 Hollin Mews")
    page.get_by_label("Postcode").fill("NW5 1TL")
    page.get_by_label("Your age, or your date of birth").fill("52")
    for name in ("sex", "ethnicity", "disability", "tenure"):
        page.locator(f"input[name='{name}']").first.check()
    page.get_by_label(re.compile("I agree that the council")).check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/registered$"))
    reference = page.locator("#reference").inner_text()
    private_link = page.locator("#private-link").get_attribute("href")
    page.goto(private_link)
    assert_accessible(page)

    page.get_by_role("link", name="Your information").first.click()
    page.wait_for_url(re.compile(r"/your-data/"))
    data_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Your information")
    body = page.locator("main").inner_text()
    assert "morgan.erasure.e2e@example.com" in body and "What you agreed to" in body and reference in body
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as JSON").click()
    downloaded = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert downloaded["records"][0]["reference"] == reference
    assert downloaded["records"][0]["email"] == "morgan.erasure.e2e@example.com"

    page.get_by_role("link", name=re.compile("^Correct your details")).click()
    assert_accessible(page)
    page.get_by_label("Telephone number (optional)").fill("not a number")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert page.get_by_label("Telephone number (optional)").input_value() == "not a number"
    assert_accessible(page)
    page.get_by_label("Telephone number (optional)").fill("020 7974 4444")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"done=corrected"))
    expect(page.locator("main")).to_contain_text("020 7974 4444")
    assert_accessible(page)

    page.get_by_role("button", name="Erase my information").click()  # a GOV.UK button drawn as a link
    expect(page.locator("main")).to_contain_text("What stays")
    assert_accessible(page)
    page.get_by_role("button", name="Erase my information").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    assert_accessible(page)
    page.get_by_label(re.compile("I want my information erased")).check()
    page.get_by_role("button", name="Erase my information").click()
    page.wait_for_url(re.compile(r"/your-data/erased$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your information has been erased")
    assert_accessible(page)
    assert page.goto(data_url).status == 404
    assert page.goto(private_link).status == 404

    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="Resident panels").click()
    page.get_by_role("link", name=RECRUITING).click()
    page.get_by_role("link", name="Pool", exact=True).click()
    page.wait_for_load_state()  # the whole pool, so that the reference is missing, not yet to come
    assert reference not in page.locator("main").inner_text()
    page.get_by_role("link", name="Data requests").click()
    assert_accessible(page)
    page.get_by_label("Resident's email address").fill("morgan.erasure.e2e@example.com")
    page.get_by_label("Reason").fill("e2e check after erasure")
    page.get_by_role("button", name="Find their information").click()
    expect(page.locator("main")).to_contain_text("0 records held")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/audit?action=personal_data_erased")
    rows = page.locator("#audit-results tbody tr")
    assert rows.count() >= 1
    assert reference in rows.first.inner_text() and "morgan" not in rows.first.inner_text().lower()
    assert_accessible(page)
    page.get_by_role("link", name="Retention").click()
    expect(page.locator("main")).to_contain_text("Due for deletion now")
    assert_accessible(page)
