"""The civic lottery by post in a real browser, axe-core on every page visited: the officer draws
letters from the council's address file and downloads the mailing file; a resident follows the
QR code's link with the code filled in and registers."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from panels.demo import DEMO_ADDRESS_FILE

pytestmark = pytest.mark.browser


def test_officer_draws_letters_and_a_resident_registers_with_a_code(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name=re.compile(r"^Camden Resident Panel on Data")).click()
    expect(page.get_by_role("table", name="Response by ward")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Invitation letters").click()
    assert_accessible(page)
    slug = re.search(r"/panels/([^/\s]+)", page.get_by_role("link", name="Public page").get_attribute("href")).group(1)
    page.get_by_role("button", name="Draw addresses").click()  # nothing filled in: every problem at once
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(page)
    page.get_by_label("Address file (CSV)").set_input_files(str(DEMO_ADDRESS_FILE))
    page.get_by_label("Number of letters").fill("10")
    page.get_by_label("Seed of the draw").fill("e2e letters 5 9 21 33 40")
    page.get_by_label("Wards to weight more (optional)").fill("Gospel Oak = 3")
    page.get_by_role("button", name="Draw addresses").click()
    expect(page.get_by_text("10 addresses drawn.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the mailing file (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    assert len(rows) == 10
    code = rows[0]["code"]

    resident = page.context.browser.new_context(locale="en-GB", bypass_csp=True).new_page()
    resident.goto(f"{live_server}/panels/{slug}?code={code}")
    assert resident.get_by_label("Code from your letter (if you have one)").input_value() == code
    assert_accessible(resident)
    resident.get_by_label("Full name").fill("Letter Reader (e2e)")
    resident.get_by_label("Email address", exact=True).fill("letter.reader.e2e@example.com")
    resident.get_by_label("Address", exact=True).fill(rows[0]["address_1"])
    resident.get_by_label("Postcode").fill(rows[0]["postcode"])
    resident.get_by_label("Your age, or your date of birth").fill("52")
    for name in ("sex", "ethnicity", "disability", "tenure"):
        resident.locator(f"input[name='{name}']").first.check()
    resident.get_by_label(re.compile("I agree that the council")).check()
    resident.get_by_role("button", name="Register").click()
    resident.wait_for_url(re.compile(r"/registered$"))
    assert_accessible(resident)
    resident.context.close()
