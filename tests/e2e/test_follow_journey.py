"""Following a consultation by email in a real browser: the folded form on the page, its error
shown GOV.UK style with what was typed kept, and "check your email"; every page checked with
axe-core. (The confirmation, the emails and the stop link are tested over HTTP in
tests/server/test_follows.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CONSULTATION = "/consultations/resident-panel-priorities"


def test_resident_follows_a_consultation_by_email(page, live_server, assert_accessible):
    page.goto(live_server + CONSULTATION)
    page.get_by_text("Follow by email").click()
    form = page.locator("#follow")
    form.get_by_label("Your email address").fill("not an address")
    assert_accessible(page)
    form.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("by email")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address in the correct format")
    assert page.get_by_label("Your email address").input_value() == "not an address"
    assert_accessible(page)
    page.get_by_label("Your email address").fill("follower@example.org")
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text("Check your email")).to_be_visible()
    expect(page.get_by_text("We have sent a link to follower@example.org")).to_be_visible()
    assert_accessible(page)
