"""Invitations and thank-you payments in a real browser, axe-core on every page visited: the
officer creates a small panel (a session today, one in three weeks), residents register, the
officer draws, reviews the invitations and sends them; a member opens their link, accepts,
downloads the calendar, sends apologies for the later session and states an access need; the
officer records a decline taken by telephone, marks attendance at today's session and issues the
vouchers. The review page, the member's page and the members page fit a 375 px phone."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "Invitation Journey Panel (e2e)"


def fill_date(page, name: str, day: date) -> None:
    page.locator(f"input[name='{name}-day']").fill(str(day.day))
    page.locator(f"input[name='{name}-month']").fill(str(day.month))
    page.locator(f"input[name='{name}-year']").fill(str(day.year))


def test_draw_review_send_reply_apologise_record_a_phone_decline_attend_and_pay(
        page, live_server, sign_in, assert_accessible):
    today = date.today()
    later = today + timedelta(days=21)
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/panels/new")
    page.get_by_label("Panel name").fill(NAME)
    page.get_by_label("Panel size (seats)").fill("4")
    page.get_by_label("Thank-you voucher per member, in pounds").fill("25")
    fill_date(page, "deadline", today + timedelta(days=5))
    for number, (title, day, start, end) in enumerate(
            [("Opening evening", today, "00:00", "00:30"), ("Final day", later, "10:00", "16:00")], start=1):
        page.locator(f"input[name='session_{number}_title']").fill(title)
        fill_date(page, f"session_{number}_date", day)
        page.locator(f"input[name='session_{number}_start']").fill(start)
        page.locator(f"input[name='session_{number}_end']").fill(end)
        page.locator(f"input[name='session_{number}_place']").fill("Crowndale Centre")
    page.get_by_role("button", name="Create the panel").click()
    page.wait_for_url(re.compile(r"/quotas$"))
    page.get_by_label("Census file", exact=True).select_option("camden-2011.csv")
    for box in page.locator("input[name='dimensions']").all():
        box.set_checked(box.get_attribute("value") == "sex")
    page.locator("#tolerance").fill("100")
    page.get_by_role("button", name="Compute the quotas").click()
    page.wait_for_url(re.compile(r"/quotas$"))
    panel_url = page.url.rsplit("/quotas", 1)[0]

    resident = page.context.browser.new_context(locale="en-GB", bypass_csp=True).new_page()
    slug = None
    for number in range(8):
        if slug is None:
            resident.goto(f"{live_server}/panels")
            resident.get_by_role("link", name=NAME).click()
            slug = resident.url.rsplit("/panels/", 1)[1]
        else:
            resident.goto(f"{live_server}/panels/{slug}")
        resident.get_by_label("Full name").fill(f"Invitee {number} (e2e)")
        resident.get_by_label("Email address", exact=True).fill(f"invitee{number}.e2e@example.com")
        resident.get_by_label("Address", exact=True).fill(f"{number + 1} Plender Street")
        resident.get_by_label("Postcode").fill("NW1 0JT")
        resident.get_by_label("Your age, or your date of birth").fill(str(25 + 7 * number))
        resident.locator("input[name='sex']").nth(number % 2).check()
        resident.get_by_label(re.compile("I agree that the council")).check()
        resident.get_by_role("button", name="Register").click()
        resident.wait_for_url(re.compile(r"/registered$"))

    page.goto(f"{panel_url}/pool")
    page.get_by_role("button", name="Compute selection probabilities").click()
    page.get_by_role("button", name="Draw the panel").wait_for(timeout=120_000)
    expect(page.locator("main")).to_contain_text("Nothing is sent when you draw")
    page.get_by_label("Public seed").fill("e2e invitation seed 2 7 1 8")
    page.get_by_label("Number of alternates").fill("0")
    page.get_by_role("button", name="Draw the panel").click()
    page.wait_for_url(re.compile(r"/invitations$"))
    review = page.locator("main").inner_text()
    assert "Review the invitations" in review and "Opening evening" in review and "panel-sessions.ics" in review
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/officer/outbox")
    expect(page.locator(".outbox-email", has_text=re.compile("You have been chosen for")).filter(has_text=NAME)).to_have_count(0)
    page.goto(f"{panel_url}/invitations")
    page.get_by_role("button", name="Send 4 invitations").click()
    page.wait_for_url(re.compile(r"/members\?sent=4"))
    expect(page.get_by_role("alert")).to_contain_text("4 invitations have been sent.")
    assert_accessible(page)

    page.goto(f"{live_server}/officer/outbox")
    emails = page.locator(".outbox-email", has_text=re.compile("You have been chosen for")).filter(has_text=NAME)
    expect(emails).to_have_count(4)
    links = [re.search(r"(http://\S+/my-panel/\S+)", emails.nth(index).inner_text()).group(1) for index in range(2)]

    resident.goto(links[0])
    expect(resident.locator("main")).to_contain_text("Please tell us by")
    assert_accessible(resident)
    resident.set_viewport_size({"width": 375, "height": 800})  # a phone: nothing wider than the screen
    assert resident.evaluate("() => document.documentElement.scrollWidth") <= 375
    resident.get_by_role("button", name="Confirm my place").click()
    expect(resident.get_by_role("alert")).to_contain_text("Thank you for confirming your place.")
    with resident.expect_download() as download:
        resident.get_by_role("link", name=re.compile("Add the sessions to your calendar")).click()
    calendar = download.value.path().read_text(encoding="utf-8")
    assert download.value.suggested_filename == "panel-sessions.ics"
    assert calendar.count("BEGIN:VEVENT") == 2 and "Final day" in calendar
    resident.get_by_role("button", name=re.compile(r"^I cannot come\W*Final day")).click()
    expect(resident.get_by_role("alert")).to_contain_text("Your apologies have been sent.")
    assert_accessible(resident)
    resident.get_by_label("What do you need to take part?").fill("A hearing loop, please")
    resident.get_by_role("button", name="Save access needs").click()
    expect(resident.get_by_role("alert")).to_contain_text("Your access needs have been saved.")
    assert_accessible(resident)
    resident.context.close()

    page.goto(f"{panel_url}/members")
    page.get_by_role("link", name=re.compile("^Record a reply")).first.click()
    assert_accessible(page)
    page.get_by_label("They decline their place").check()
    page.get_by_label("By telephone").check()
    page.get_by_label("Note").fill("Phoned this morning: caring for a relative on those dates")
    page.get_by_role("button", name="Record the reply").click()
    page.wait_for_url(re.compile(r"/members\?replied=RP-"))
    text = page.locator("main").inner_text()
    assert "has been recorded" in text and "By telephone" in text
    assert "A hearing loop, please" in text and "Sent apologies" in text
    expect(page.locator("input[name^='attended_']")).to_have_count(1)  # one confirmed member, one started session
    page.locator("input[name^='attended_']").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("alert")).to_contain_text("Attendance saved: 1 mark recorded.")
    page.get_by_role("button", name="Issue the vouchers due").click()
    expect(page.get_by_role("alert")).to_contain_text("1 voucher issued.")
    assert re.search(r"TV-[A-Z0-9]{6}", page.locator("#voucher-list").inner_text())
    assert_accessible(page)
    page.get_by_role("button", name="Issue the vouchers due").click()
    expect(page.get_by_role("alert")).to_contain_text("already had its voucher")
    page.get_by_role("button", name=re.compile("^Mark collected")).click()
    expect(page.get_by_role("alert")).to_contain_text("is marked as collected")
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
