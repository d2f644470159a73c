"""The Resident Panel journey in a real browser, axe-core on every page visited: a resident
finds the panel that is recruiting from the menu and registers (first with errors), the officer reviews quotas and the pool, selects, draws, a member
declines through their private link, the officer replaces and marks attendance."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SLUG = "camden-data-charter-resident-panel-2022"


def test_resident_registers_then_officer_selects_invites_replaces_and_marks_attendance(
        page, live_server, sign_in, assert_accessible):
    page.goto(live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join the Resident Panel").click()
    expect(page.locator("main")).to_contain_text("Register your interest")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Robin Example (e2e)")
    page.get_by_label("Email address", exact=True).fill("not an email")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert page.get_by_label("Full name").input_value() == "Robin Example (e2e)"
    assert_accessible(page)
    page.get_by_label("Email address", exact=True).fill("robin.e2e@example.com")
    page.get_by_label("Address", exact=True).fill("12 Larch Road")
    page.get_by_label("Postcode").fill("nw1 0ab")
    page.get_by_label("Your age, or your date of birth").fill("37")
    for name in ("sex", "ethnicity", "disability", "tenure"):
        page.locator(f"input[name='{name}']").first.check()
    page.get_by_label(re.compile("I agree that the council")).check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/registered$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registration complete")
    assert_accessible(page)
    page.goto(f"{live_server}/panels")
    expect(page.get_by_text("Recruiting now")).to_have_count(1)
    assert_accessible(page)
    page.goto(f"{live_server}/panels/{SLUG}")  # the 2022 panel met in 2022: registration has closed
    expect(page.locator("main")).to_contain_text("Registration has closed")
    expect(page.get_by_role("button", name="Register")).to_have_count(0)

    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="Resident panels").click()
    assert_accessible(page)
    page.get_by_role("link", name="Camden Data Charter Resident Panel 2022").click()
    assert_accessible(page)
    page.get_by_role("link", name="Census and quotas").click()
    expect(page.locator("img.chart")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="Pool", exact=True).click()
    expect(page.locator("#feasibility")).to_contain_text("Yes.")
    assert_accessible(page)
    page.get_by_role("button", name="Compute selection probabilities").click()
    page.get_by_role("button", name=re.compile("^Draw")).wait_for(timeout=120_000)
    assert_accessible(page)
    run_url = page.url
    page.get_by_label("Public seed").fill("e2e public seed 3 14 15 92")
    # The alternates field left empty: as many as the 99% target needs, chosen after the draw in
    # the background, so the draw answers at once.
    expect(page.get_by_label("Number of alternates")).to_have_value("")
    page.get_by_role("button", name=re.compile("^Draw")).click()
    page.wait_for_url(re.compile(r"/invitations$"))  # nothing is sent before the officer reviews it
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Send \d+ invitations")).click()
    page.wait_for_url(re.compile(r"/members\?sent="))
    assert_accessible(page)

    # The run page says the alternates are being chosen, polls, and shows them once ready
    # (replacements wait for them: they take the alternates first).
    page.goto(run_url)
    expect(page.locator("#alternates-choosing").or_(page.locator("#alternates-check"))).to_be_visible()
    assert_accessible(page)
    expect(page.locator("#alternates-check")).to_be_visible(timeout=300_000)
    expect(page.locator("#alternates-choosing")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Chances of ending on the final panel")
    assert_accessible(page)

    page.goto(f"{live_server}/officer/outbox")
    assert_accessible(page)
    body = page.locator(".outbox-email", has_text=re.compile("You have been chosen for")).first.inner_text()
    link = re.search(r"(http://\S+/my-panel/\S+)", body).group(1)
    resident = page.context.browser.new_context(locale="en-GB", bypass_csp=True).new_page()
    resident.goto(link)
    assert_accessible(resident)
    resident.get_by_role("button", name="Decline my place").click()
    expect(resident.locator("main")).to_contain_text("we have recorded that you cannot take part")
    resident.context.close()

    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name="Camden Data Charter Resident Panel 2022").click()
    page.get_by_role("link", name="Members and sessions").click()
    page.get_by_role("button", name=re.compile("Choose replacements for 1 seats")).click()
    page.get_by_role("button", name=re.compile("^Draw replacements")).wait_for(timeout=120_000)
    page.get_by_label("Public seed").fill("e2e replacement seed 27")
    page.get_by_role("button", name=re.compile("^Draw replacements")).click()
    page.wait_for_url(re.compile(r"/invitations$"))
    page.get_by_role("button", name="Send 1 invitation").click()
    page.wait_for_url(re.compile(r"/members\?sent=1"))
    expect(page.locator("main")).to_contain_text("1 declined")
    assert_accessible(page)

    page.goto(f"{live_server}/panels/{SLUG}/how-we-chose")
    text = page.locator("main").inner_text()
    assert "e2e public seed 3 14 15 92" in text and "Robin Example" not in text and "RP-" not in text
    assert_accessible(page)
