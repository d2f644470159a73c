"""In a real browser, axe-core on every page visited: the registration form's inline check of one
field with htmx (no page load), and an officer marking a member of the completed 2021 demo panel
as dropped out (first without a reason), choosing a replacement and drawing it, then adding a
session material (first with a link that is not http or https)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME_2021 = "Camden Data Charter Resident Panel 2021"


def test_postcode_is_checked_inline_when_the_resident_leaves_the_field(page, live_server, assert_accessible):
    page.goto(f"{live_server}/panels")
    page.get_by_role("link", name=re.compile("^Join this panel")).first.click()
    assert_accessible(page)
    page.evaluate("() => { window.noPageLoadMarker = 'still here'; }")
    page.get_by_label("Full name").fill("Sam Inline (e2e)")
    postcode = page.get_by_label("Postcode")
    with page.expect_response(re.compile(r"/register/check/postcode$")) as answer:
        postcode.fill("not a postcode")
        postcode.press("Tab")
    assert answer.value.status == 200
    error = page.locator("#group-postcode .govuk-error-message")
    error.wait_for()
    assert "postcode" in error.inner_text().lower()
    assert page.evaluate("() => window.noPageLoadMarker") == "still here"  # swapped in place, not reloaded
    assert page.get_by_label("Full name").input_value() == "Sam Inline (e2e)"
    assert page.get_by_label("Postcode").input_value() == "not a postcode"
    expect(page.get_by_role("alert")).to_have_count(0)  # no error summary: nothing was submitted
    assert_accessible(page)
    with page.expect_response(re.compile(r"/register/check/postcode$")):
        page.get_by_label("Postcode").fill("NW1 0AB")
        page.get_by_label("Postcode").press("Tab")
    page.locator("#group-postcode:not(.govuk-form-group--error)").wait_for()
    expect(page.locator("#group-postcode .govuk-error-message")).to_have_count(0)
    assert_accessible(page)


def test_officer_marks_a_drop_out_and_draws_a_replacement(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name=NAME_2021).click()
    page.get_by_role("link", name="Members and sessions").click()
    assert_accessible(page)
    assert "Choose replacements" not in page.locator("main").inner_text()
    page.get_by_role("link", name=re.compile("^Mark as dropped out")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"RP-\w+"))
    reference = re.search(r"RP-\w+", page.get_by_role("heading", level=1).inner_text()).group(0)
    assert_accessible(page)
    page.get_by_role("button", name="Mark as dropped out").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason")
    assert_accessible(page)
    page.get_by_label("Reason").fill("Moved away (e2e)")
    page.get_by_role("button", name="Mark as dropped out").click()
    page.wait_for_url(re.compile(r"/members\?withdrawn="))
    main = page.locator("main").inner_text()
    assert f"{reference} no longer holds a seat" in main and "Moved away (e2e)" in main
    assert_accessible(page)

    page.get_by_role("button", name="Choose replacements for 1 seats").click()
    page.get_by_role("button", name=re.compile("^Draw replacements")).wait_for(timeout=120_000)
    assert_accessible(page)
    page.get_by_label("Public seed").fill("e2e drop-out replacement seed 5")
    page.get_by_role("button", name=re.compile("^Draw replacements")).click()
    page.wait_for_url(re.compile(r"/invitations$"))
    assert_accessible(page)
    page.get_by_role("button", name="Send 1 invitation").click()
    page.wait_for_url(re.compile(r"/members\?sent=1"))
    main = page.locator("main").inner_text()
    assert "1 invitation has been sent." in main and "20 of 20 seats filled" in main and "Choose replacements" not in main
    expect(page.locator("#quota-fit td", has_text=re.compile("^No$"))).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Session materials").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Reading for day one (e2e)")
    page.get_by_label("Link (optional)").fill("javascript:alert(1)")
    page.get_by_role("button", name="Add material").click()
    expect(page.get_by_role("alert")).to_contain_text("starting with https://")
    assert page.get_by_label("Title").input_value() == "Reading for day one (e2e)"
    assert_accessible(page)
    page.get_by_label("Link (optional)").fill("https://example.org/day-one.pdf")
    page.get_by_role("button", name="Add material").click()
    page.wait_for_url(re.compile(r"/materials\?added=1$"))
    assert page.get_by_role("link", name="Reading for day one (e2e)").get_attribute("href") == "https://example.org/day-one.pdf"
    assert_accessible(page)

    page.goto(f"{live_server}/cabinet/panels")
    text = page.locator("main").inner_text()
    assert NAME_2021 in text and "RP-" not in text and reference not in text
    assert_accessible(page)
