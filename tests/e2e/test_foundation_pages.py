"""The first pages a newcomer sees, in a real browser, each checked with axe-core."""

from __future__ import annotations

import re
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_shows_the_charter_and_is_accessible(page, live_server, assert_accessible):
    page.goto(live_server + "/")
    assert page.title().startswith("Have your say")
    page.get_by_role("link", name="Camden Data Charter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Camden Data Charter")
    expect(page.locator("ol.principles > li")).to_have_count(7)
    assert_accessible(page)


def test_skip_link_moves_focus_to_the_main_content(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"


def test_login_with_an_error_then_success(page, live_server, assert_accessible):
    page.goto(live_server + "/login")
    assert_accessible(page)
    page.get_by_label("Email address").fill("officer@camden.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Email address")).to_have_value("officer@camden.example")
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page)
    page.get_by_label("Password").fill("officer-demo-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/officer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Officer home")
    assert_accessible(page)


def test_privacy_notice_and_accessibility_statement(page, live_server, assert_accessible):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    assert_accessible(page)
    page.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    assert_accessible(page)


def test_admin_audit_log_search_with_htmx(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "admin")
    page.get_by_role("link", name="Audit log").click()
    assert_accessible(page)
    page.get_by_label("Action").fill("login")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/admin/audit?*action=login*")
    assert page.locator("#audit-results tbody tr").count() >= 1
    assert_accessible(page)


def test_role_navigation_and_forbidden_page(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "cabinet")
    nav = page.get_by_role("navigation", name="Staff")
    expect(nav.get_by_role("link", name="Cabinet reports")).to_have_count(1)
    expect(nav.get_by_role("link", name="Officer home")).to_have_count(0)
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
    response = page.goto(live_server + "/admin")
    assert response.status == 403
    assert "You do not have access to this page" in page.content()
    assert_accessible(page)
