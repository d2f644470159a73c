"""Deliberation in a real browser, axe-core on every page visited: an officer puts a case study
under review for the 2021 panel; a facilitator records a table's point at day three; a member
(a replacement drawn for a drop-out, who confirms through their private link) rates the case study
against every principle, first leaving one out; the officer turns the table's point into a draft
recommendation; the demo's published review shows on the case study with the council's reply."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from common.clock import council_today

pytestmark = pytest.mark.browser

NAME_2021 = "Camden Data Charter Resident Panel 2021"
POINT = "Publish a map of which services share data with which, updated every year (e2e)."


def test_facilitator_records_a_point_and_a_member_rates_a_data_use(browser, page, live_server, sign_in,
                                                                   assert_accessible, replacement_member_link):
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name=NAME_2021).click()
    page.get_by_role("link", name="Reviews against the charter").click()
    assert_accessible(page)
    page.get_by_label("Case study").select_option(label="Mapping food insecurity with voluntary groups")
    page.get_by_role("button", name="Put it under review").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the last day of the review")
    assert_accessible(page)
    closes = council_today() + timedelta(days=7)
    page.get_by_label("Day").fill(str(closes.day))
    page.get_by_label("Month").fill(str(closes.month))
    page.get_by_label("Year").fill(str(closes.year))
    page.get_by_role("button", name="Put it under review").click()
    page.wait_for_url(re.compile(r"/reviews/\d+$"))
    expect(page.locator("main")).to_contain_text("0 members have rated it.")
    assert_accessible(page)

    # A confirmed member with a private link: a replacement for a drop-out, who confirms.
    link = replacement_member_link(page, live_server, NAME_2021, "e2e deliberation replacement seed 8")

    facilitator = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    sign_in(facilitator, live_server, "facilitator")
    facilitator.wait_for_url(re.compile(r"/facilitator$"))
    assert_accessible(facilitator)
    facilitator.get_by_role("link", name="Day three: writing the charter").first.click()
    expect(facilitator.locator("main")).to_contain_text("Tables swap drafts")  # the day's agenda
    assert_accessible(facilitator)
    facilitator.get_by_role("link", name="Table 2").click()
    assert_accessible(facilitator)
    facilitator.get_by_role("button", name="Record it").click()
    expect(facilitator.get_by_role("alert")).to_contain_text("Enter what the table said")
    assert_accessible(facilitator)
    facilitator.get_by_label("In the table's words").fill(POINT)
    facilitator.get_by_role("button", name="Record it").click()
    expect(facilitator.locator("#table-points")).to_contain_text(POINT)
    expect(facilitator.locator("main")).to_contain_text("The table's point was recorded.")
    assert_accessible(facilitator)
    facilitator.goto(f"{live_server}/officer/panels")
    expect(facilitator.locator("main")).to_contain_text("Your account does not have access")
    facilitator.context.close()

    member = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    member.goto(link)
    member.get_by_role("button", name="Confirm my place").click()
    member.get_by_role("link", name="Mapping food insecurity with voluntary groups").click()
    assert_accessible(member)
    radios = member.locator("input[type=radio][value='partly']")
    count = radios.count()
    assert count == 7  # the charter's seven principles
    for index in range(count - 1):
        radios.nth(index).check()
    member.get_by_label("Why? (optional)").first.fill("Area counts only, but the map's areas are small.")
    member.get_by_role("button", name="Send my ratings").click()
    expect(member.get_by_role("alert")).to_contain_text("Choose how well it meets this principle")
    expect(member.get_by_label("Why? (optional)").first).to_have_value("Area counts only, but the map's areas are small.")
    assert_accessible(member)
    member.locator("input[type=radio][value='cant_tell']").last.check()
    member.get_by_role("button", name="Send my ratings").click()
    expect(member.locator("#already-rated")).to_be_visible()
    expect(member.locator("main")).to_contain_text("Thank you, your ratings have been counted.")
    assert_accessible(member)
    member.context.close()

    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name=NAME_2021).click()
    page.get_by_role("link", name="Sessions and tables").click()
    page.get_by_role("link", name="Day three: writing the charter").click()
    assert_accessible(page)
    point = page.locator(".govuk-inset-text", has_text=POINT)
    point.get_by_label("Title of a draft recommendation from this point").fill("A yearly map of data sharing")
    point.get_by_role("button", name="Draft a recommendation").click()
    page.wait_for_url(re.compile(r"/recommendations/\d+$"))
    assert POINT in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(f"{live_server}/case-studies/debt-early-help")
    main = page.locator("main").inner_text()
    assert "The Resident Panel's view" in main and "The council's reply" in main and "Agreed by Cabinet" in main
    assert_accessible(page)
