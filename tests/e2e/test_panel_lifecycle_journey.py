"""A panel's life in a real browser, axe-core on every page visited: the officer creates a panel,
reads its task list, changes its details (a refusal first, in words), adds a fourth session and
removes it after the confirmation page, closes and reopens registration, archives the panel (it
moves to the past panels on /panels) and deletes it, nobody having registered."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "Kentish Town Panel on Data (journey)"


def fill_date(page, name: str, day: date) -> None:
    page.locator(f"input[name='{name}-day']").fill(str(day.day))
    page.locator(f"input[name='{name}-month']").fill(str(day.month))
    page.locator(f"input[name='{name}-year']").fill(str(day.year))


def test_officer_runs_a_panel_s_life_from_creation_to_deletion(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    first = date.today() + timedelta(days=70)
    page.goto(f"{live_server}/officer/panels/new")
    page.get_by_label("Panel name").fill(NAME)
    page.get_by_label("Panel size (seats)").fill("24")
    fill_date(page, "deadline", date.today() + timedelta(days=40))
    for number, day in ((1, first), (2, first + timedelta(days=7))):
        page.locator(f"input[name='session_{number}_title']").fill(f"Day {number}")
        fill_date(page, f"session_{number}_date", day)
        page.locator(f"input[name='session_{number}_start']").fill("10:00")
        page.locator(f"input[name='session_{number}_end']").fill("16:00")
        page.locator(f"input[name='session_{number}_place']").fill("Kentish Town Community Centre")
    page.get_by_role("button", name="Create the panel").click()
    page.wait_for_url(re.compile(r"/quotas$"))

    page.get_by_role("link", name="Overview").click()
    expect(page.locator(".govuk-task-list__item")).to_have_count(8)
    steps = page.locator(".govuk-task-list")
    expect(steps.locator(".govuk-task-list__item", has_text="Set the census quotas")).to_contain_text("Not started")
    expect(steps.locator(".govuk-task-list__item", has_text="Recruit")).to_contain_text("Cannot start yet")
    expect(page.locator("main")).to_contain_text("Draft")
    assert_accessible(page)

    # Details: a refusal in a sentence first (registration cannot open after its deadline), then a change.
    page.get_by_role("link", name=re.compile("^Change")).first.click()
    fill_date(page, "opens", date.today() + timedelta(days=50))
    page.get_by_role("button", name="Save the details").click()
    expect(page.get_by_role("alert")).to_contain_text("Registration must open before its deadline")
    assert_accessible(page)
    fill_date(page, "opens", date.today() + timedelta(days=2))
    page.get_by_label("Panel size (seats)").fill("30")
    page.get_by_label("What the panel is for").fill("Thirty residents look at how the council uses data.")
    page.get_by_role("button", name="Save the details").click()
    expect(page.get_by_text("The panel's details were saved.")).to_be_visible()
    expect(page.locator(".govuk-task-list__item", has_text="Set up the panel's details")).to_contain_text("Completed")
    assert_accessible(page)

    # Sessions: any number; one removed after its confirmation page.
    page.get_by_role("link", name="Sessions and tables").first.click()
    page.get_by_role("button", name="Add a session").click()
    page.get_by_label("Title").fill("Day 3")
    fill_date(page, "date", first + timedelta(days=14))
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("09:00")
    page.get_by_label("Place").fill("Kentish Town Community Centre")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_role("alert")).to_contain_text("The session must end after it starts")
    assert_accessible(page)
    page.get_by_label("Ends").fill("16:00")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_text("The session was added.")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(4)
    assert_accessible(page)
    page.get_by_role("row", name=re.compile("Day 3")).get_by_role("link", name=re.compile("^Remove")).click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove the session").click()
    expect(page.get_by_text("The session was removed.")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(3)

    # Registration cannot open without quotas: the reason, in words.
    page.get_by_role("link", name="Overview").click()
    expect(page.locator("main")).to_contain_text("set the quotas first")
    page.get_by_role("button", name="Archive the panel").click()
    expect(page.get_by_text("The panel was archived.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/panels")
    past = page.locator("main").inner_text().partition("Past panels")[2]
    assert NAME in past
    assert_accessible(page)

    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name=NAME).click()
    page.get_by_role("link", name="Delete the panel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to delete this panel?")
    assert_accessible(page)
    page.get_by_role("button", name="Delete the panel").click()
    expect(page.get_by_text("The panel was deleted.")).to_be_visible()
    expect(page.get_by_role("link", name=NAME)).to_have_count(0)
    assert_accessible(page)
