"""Chances from letter to panel in a real browser, on the demo's 2021 panel (recruited by 300
letters): an officer opens the page from the panel's overview, reads which residents the whole
process under-represents and the table per census dimension, on a desktop and on a 375 px phone
(nothing wider than the screen); axe-core checks the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PANEL = "Camden Data Charter Resident Panel 2021"


def test_officer_reads_which_residents_the_process_under_represents(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name=PANEL).first.click()
    page.get_by_role("link", name=re.compile("Chances from letter to panel")).click()
    page.wait_for_url(re.compile(r"/officer/panels/\d+/chances$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chances from letter to panel")
    text = page.locator("main").inner_text()
    assert "Aged 25 to 34" in text and "of an equal chance" in text
    assert page.locator("table").count() >= 2  # a table per census dimension the registrants answered
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
