"""A recommendation from a table to a follower's inbox, in a real browser with axe-core on every
page: a facilitator records a table's point at day three of the 2021 panel; the officer turns it
into a recommendation and opens a vote; a member (a replacement for a drop-out, who confirms
through their private link) votes online; the officer closes the vote; a resident follows the
recommendation on the public page and confirms through the emailed link; the officer records the
council's response; the public page shows it, and the follower is emailed about it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from common.clock import council_today

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # 20 to 45 s: mostly the replacement draw

NAME_2021 = "Camden Data Charter Resident Panel 2021"
PUBLIC_PAGE = "/panels/camden-data-charter-resident-panel-2021/recommendations"
POINT = "Tell every resident once a year which of their records were shared, and with whom (journey)."
TITLE = "A yearly letter on data sharing (journey)"
VOTE = "Vote on the yearly letter (journey)"
FOLLOWER = "follower-journey@example.org"


def _email(page, base_url: str, subject: str, to: str = "") -> str:
    """The newest email in the outbox that contains ``subject`` and ``to``."""
    page.goto(f"{base_url}/officer/outbox")
    return page.locator(".outbox-email", has_text=subject).filter(has_text=to).first.inner_text()


def test_a_table_point_becomes_a_recommendation_voted_answered_and_told(browser, page, live_server, sign_in,
                                                                        assert_accessible, replacement_member_link):
    facilitator = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    sign_in(facilitator, live_server, "facilitator")
    facilitator.wait_for_url(re.compile(r"/facilitator$"))
    facilitator.get_by_role("link", name="Day three: writing the charter").first.click()
    assert_accessible(facilitator)
    facilitator.get_by_role("link", name="Table 1").click()
    facilitator.get_by_label("In the table's words").fill(POINT)
    facilitator.get_by_role("button", name="Record it").click()
    expect(facilitator.locator("#table-points")).to_contain_text(POINT)
    assert_accessible(facilitator)
    facilitator.context.close()

    # The officer drafts the recommendation from the table's point and puts it to a vote.
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/panels")
    page.get_by_role("link", name=NAME_2021).click()
    page.get_by_role("link", name="Sessions and tables").click()
    page.get_by_role("link", name="Day three: writing the charter").click()
    assert_accessible(page)
    point = page.locator(".govuk-inset-text", has_text=POINT)
    point.get_by_label("Title of a draft recommendation from this point").fill(TITLE)
    point.get_by_role("button", name="Draft a recommendation").click()
    page.wait_for_url(re.compile(r"/recommendations/\d+$"))
    label = re.search(r"R\d+", page.get_by_role("heading", level=1).inner_text()).group(0)
    assert_accessible(page)
    page.get_by_role("link", name="Recommendations").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Put recommendations to a vote").click()
    page.get_by_label("Name of the vote").fill(VOTE)
    page.get_by_label(f"{label} {TITLE}").check()
    page.get_by_label("Support needed to adopt a recommendation (%)").fill("80")
    closes = council_today() + timedelta(days=7)
    page.get_by_label("Day", exact=True).fill(str(closes.day))
    page.get_by_label("Month", exact=True).fill(str(closes.month))
    page.get_by_label("Year", exact=True).fill(str(closes.year))
    assert_accessible(page)
    page.get_by_role("button", name="Open the vote").click()
    page.wait_for_url(re.compile(r"/votes/\d+$"))
    vote_page = page.url
    assert_accessible(page)

    # A member with a private link: a replacement for a drop-out, drawn now.
    link = replacement_member_link(page, live_server, NAME_2021, "e2e recommendation journey seed 11")

    member = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    member.goto(link)
    member.get_by_role("button", name="Confirm my place").click()
    assert_accessible(member)
    member.get_by_role("link", name=VOTE).click()
    assert_accessible(member)
    member.get_by_role("button", name="Cast my vote").click()
    expect(member.get_by_role("alert")).to_be_visible()  # no grade chosen: the error summary
    assert_accessible(member)
    member.get_by_label("Strongly support").check()
    member.get_by_role("button", name="Cast my vote").click()
    expect(member.locator("#already-voted")).to_be_visible()
    assert_accessible(member)
    member.context.close()

    # The vote ends; a resident follows the recommendation and confirms by email.
    page.goto(vote_page)
    page.get_by_role("button", name="Close the vote now").click()
    expect(page.locator("main")).to_contain_text("1 of 1 ballots in support (100%); 80% needed.")
    assert_accessible(page)

    resident = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    resident.goto(live_server + PUBLIC_PAGE)
    follow = resident.locator("details", has_text=f"Follow ‘{label} {TITLE}’ by email")
    follow.locator("summary").click()
    follow.get_by_label("Your email address").fill(FOLLOWER)
    follow.get_by_role("button", name="Follow").click()
    expect(resident.get_by_text("Check your email")).to_be_visible()
    assert_accessible(resident)
    confirm = _email(page, live_server, "Confirm you want to follow", FOLLOWER)
    resident.goto(re.search(r"(http://\S+/follow/confirm/\S+)", confirm).group(1))
    expect(resident.get_by_role("heading", level=1)).to_contain_text("You are following")
    assert_accessible(resident)

    # The officer records the council's response; the public page shows it; the follower is told.
    page.goto(vote_page)
    page.get_by_role("link", name=re.compile(f"^The council's response to {label}")).click()
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("Reasons", exact=True).fill("We will write to every household each April (journey).")
    page.get_by_label("Decision", exact=True).fill("Cabinet, 3 March 2027")
    page.get_by_label("Owner", exact=True).fill("Information Governance")
    assert_accessible(page)
    page.get_by_role("button", name="Save the response").click()
    page.wait_for_load_state("load")
    assert_accessible(page)

    resident.goto(live_server + PUBLIC_PAGE)
    section = resident.locator("section", has_text=TITLE)
    expect(section).to_contain_text("We will write to every household each April (journey).")
    expect(section).to_contain_text("Cabinet, 3 March 2027")
    assert_accessible(resident)
    told = _email(page, live_server, f"The council has responded: {TITLE}", FOLLOWER)
    assert PUBLIC_PAGE in told and "/follow/stop/" in told
    resident.context.close()
