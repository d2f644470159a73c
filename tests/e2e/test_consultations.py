"""Consultations in a real browser: a resident comments, replies and reports a comment (with htmx
and without JavaScript) and completes a questionnaire; an officer writes a case study, builds a
questionnaire with a condition and moderates, keeping a reported comment. Every page visited is
checked with axe-core; the pages a browser without JavaScript was sent are shown again, exactly
as sent, in a browser that runs JavaScript (axe needs it).

Every browser comes from one address, and the server takes at most five comments from an address
in ten minutes: the tests in this file post four."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CASE_STUDY = "Spotting households at risk of debt early"
CASE_STUDY_URL = "/case-studies/debt-early-help"
REPORTED = "This would have helped me two years ago"
"""A published demo comment on that case study, which the resident reports and a moderator keeps."""


def serve(html: str):
    """A route handler answering with this page, as it was sent to another browser."""
    def handler(route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
    return handler


def report(page, live_server) -> None:
    """Report the demo comment ``REPORTED``: htmx swaps the link for a confirmation, then for a thank-you."""
    page.goto(live_server + CASE_STUDY_URL)
    comment = page.locator("li.app-comment", has=page.get_by_text(REPORTED))
    comment.get_by_role("link", name=re.compile("^Report")).first.click()
    comment.get_by_role("button", name=re.compile("^Report this comment")).first.click()
    comment.get_by_text("Thank you. A moderator will look at this comment.").wait_for()


def test_resident_comments_with_htmx(page, live_server, assert_accessible):
    page.goto(live_server + "/consultations")
    assert_accessible(page)
    page.get_by_role("link", name=CASE_STUDY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CASE_STUDY)
    expect(page.get_by_text("Where the data comes from")).to_have_count(1)
    assert_accessible(page)
    url = page.url
    form = page.locator("#comment-form-area")
    form.get_by_label("Name to show with your comment (optional)").fill("Leila")
    form.get_by_role("button", name="Send comment").click()
    page.get_by_text("Enter your comment").first.wait_for()
    assert form.get_by_label("Name to show with your comment (optional)").input_value() == "Leila"
    assert page.url == url
    assert_accessible(page)
    form.get_by_label("Your comment", exact=True).fill("Please publish how many households were helped.")
    form.get_by_role("button", name="Send comment").click()
    page.get_by_text("Thank you for your comment").wait_for()
    assert page.url == url  # swapped in place by htmx
    private_link = page.locator("a[href^='/my/comments/']")
    assert_accessible(page)
    private_link.click()
    expect(page.get_by_text("Waiting to be checked")).to_have_count(1)
    assert_accessible(page)

    # A reply: the same form, loaded under the comment by htmx, its errors swapped in place, then sent.
    page.goto(live_server + CASE_STUDY_URL)
    thread = page.locator("li.app-comment", has=page.get_by_text(REPORTED))
    thread.get_by_role("link", name=re.compile("^Reply")).first.click()
    reply = thread.locator("[id$='-form-area']").first
    reply.wait_for()
    assert page.url.endswith(CASE_STUDY_URL)
    assert_accessible(page)
    reply.get_by_label("Email address (optional)").fill("not an email")
    reply.get_by_role("button", name="Send reply").click()
    reply.get_by_text("Enter your reply").first.wait_for()
    assert reply.get_by_label("Email address (optional)").input_value() == "not an email"
    assert page.url.endswith(CASE_STUDY_URL)
    assert_accessible(page)
    reply.get_by_label("Email address (optional)").fill("")
    reply.get_by_label("Your reply", exact=True).fill("The payment plan letter came too late for me as well.")
    reply.get_by_role("button", name="Send reply").click()
    page.get_by_text("Thank you for your reply").wait_for()
    expect(page.locator("#comment-form-area").get_by_role("button", name="Send comment")).to_have_count(1)
    assert_accessible(page)

    # A report: the button is swapped for a thank-you.
    report(page, live_server)
    assert_accessible(page)


def test_resident_comments_without_javascript(browser, live_server, assert_accessible):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    seen = []  # (address, page) for every page the browser without JavaScript was sent
    try:
        page.goto(live_server + "/case-studies/food-insecurity-map")
        form = page.locator("#comment-form-area")
        form.get_by_label("Email address (optional)").fill("not an email")
        form.get_by_label("Your comment", exact=True).fill("Could the map show school holidays?")
        form.get_by_role("button", name="Send comment").click()
        expect(page).to_have_title(re.compile("^Error:"))
        assert form.get_by_label("Your comment", exact=True).input_value() == "Could the map show school holidays?"
        seen.append((page.url, page.content()))
        form.get_by_label("Email address (optional)").fill("")
        form.get_by_role("button", name="Send comment").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Comment received")
        expect(page.locator("a[href^='/my/comments/']")).to_have_count(1)
        seen.append((page.url, page.content()))
        # A reply without JavaScript: a page of its own; its error comes back under its comment on the
        # case study, with what was typed kept.
        page.goto(live_server + "/case-studies/food-insecurity-map")
        thread = page.locator("li.app-comment", has=page.get_by_text("Good that it is areas not people."))
        thread.get_by_role("link", name=re.compile("^Reply")).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Reply to a comment")
        seen.append((page.url, page.content()))
        page.get_by_label("Your reply", exact=True).fill("Yes, and it should stay that way.")
        page.get_by_label("Email address (optional)").fill("not an email")
        page.get_by_role("button", name="Send reply").click()
        expect(page).to_have_title(re.compile("^Error:"))
        thread = page.locator("li.app-comment", has=page.get_by_text("Good that it is areas not people."))
        assert thread.get_by_label("Your reply", exact=True).input_value() == "Yes, and it should stay that way."
        assert thread.get_by_label("Email address (optional)").input_value() == "not an email"
        expect(page.get_by_role("alert").get_by_role("link", name=re.compile("^Enter an email address"))).to_have_count(1)
        seen.append((page.url, page.content()))
        # A report without JavaScript: a confirmation page, then back to the case study with a thank-you.
        page.locator("li.app-comment", has=page.get_by_text("Good that it is areas not people.")).get_by_role(
            "link", name=re.compile("^Report")).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Report a comment")
        seen.append((page.url, page.content()))
        page.get_by_role("button", name=re.compile("^Report this comment")).first.click()
        expect(page.get_by_text("Thank you. A moderator will look at the comment you reported.")).to_have_count(1)
        seen.append((page.url, page.content()))
    finally:
        context.close()
    # axe needs JavaScript: show each of those very pages, as sent, in a browser that runs it.
    for address, html in seen:
        checked = browser.new_context(bypass_csp=True, locale="en-GB")
        checked.route(address, serve(html))
        checked_page = checked.new_page()
        checked_page.goto(address)
        assert_accessible(checked_page)
        checked.close()
    checked_page = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    checked_page.goto(live_server + "/house-rules")
    assert_accessible(checked_page)
    checked_page.context.close()


def test_resident_completes_a_questionnaire(page, live_server, assert_accessible):
    page.goto(live_server + "/consultations/resident-panel-priorities")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").or_(page.get_by_role("link", name="Start now")).click()
    expect(page.get_by_text("Section 1 of 3")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.get_by_role("alert").get_by_text("Select an answer to ‘Which topics")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Sharing data with the NHS").check()
    page.get_by_role("group", name="Have you taken part").get_by_label("Yes").check()
    assert page.get_by_role("group", name="Taking part was a good use").count() == 0  # routed, not shown with a hint
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/questionnaire/1\?part=2$"))  # the Yes leads to its follow-up question
    assert_accessible(page)
    page.get_by_role("group", name="Taking part was a good use").get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Section 2 of 3")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Is there anything else the panel should discuss? (optional)").fill("Libraries")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("25-34").check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending them")
    assert_accessible(page)
    page.get_by_role("link", name="Change your answer to ‘Which topics should next year's Resident Panel discuss?’").click()
    assert_accessible(page)
    page.get_by_label("Open data about council spending").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending them")
    expect(page.get_by_text("Sharing data with the NHS, Open data about council spending")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Accept and send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Response sent")
    expect(page.locator(".reference")).to_have_text(re.compile(r"^R-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    assert_accessible(page)
    page.goto(live_server + "/consultations/resident-panel-priorities/paper")
    expect(page.get_by_text("Answer only if you answered ‘Yes’ to question 2.")).to_have_count(1)
    assert_accessible(page)


def test_officer_writes_a_case_study_builds_a_conditional_questionnaire_and_moderates(browser, page, live_server, sign_in,
                                                                                       assert_accessible):
    page.goto(live_server + "/login")
    assert_accessible(page)
    sign_in(page, live_server, "officer")
    assert_accessible(page)
    page.goto(live_server + "/officer/case-studies")
    assert_accessible(page)
    page.get_by_role("button", name="Write a case study").click()  # a GOV.UK button link
    assert_accessible(page)
    page.get_by_label("Summary").fill("Kept when the form comes back")
    page.get_by_role("button", name="Save case study").click()
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.get_by_label("Summary")).to_have_value("Kept when the form comes back")
    assert_accessible(page)
    page.get_by_label("Title").fill("Library visits and data")
    page.get_by_role("button", name="Save case study").click()
    page.get_by_text("Case study saved.").wait_for()
    page.get_by_role("button", name="Publish Library visits and data").click()
    page.get_by_role("button", name="Withdraw Library visits and data").wait_for()
    assert_accessible(page)

    page.goto(live_server + "/officer/consultations/new")
    page.goto(live_server + "/officer/consultations/new")
    assert_accessible(page)
    page.get_by_label("Title").fill("Libraries and data")
    for legend, year in (("Opens on", "2026"), ("Closes on (the last day responses are accepted)", "2030")):
        dates = page.get_by_role("group", name=legend)
        dates.get_by_label("Day").fill("1")
        dates.get_by_label("Month").fill("1")
        dates.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Save consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Libraries and data")
    assert_accessible(page)
    page.get_by_role("link", name="Build the questionnaire").click()
    assert_accessible(page)
    page.get_by_label("Section title").fill("Using libraries")
    page.get_by_role("button", name="Add section").click()
    page.get_by_text("Section 1: Using libraries").wait_for()
    page.get_by_text("Add a question to section 1").click()
    page.locator("#s0-text").fill("Do you use the library?")
    page.locator("#s0-kind").select_option(label="Yes, no or don't know")
    page.locator("#s0-required").check()
    page.get_by_role("button", name="Add question").click()
    page.get_by_text("Question ‘Do you use the library?’ added").wait_for()
    page.get_by_text("Add a question to section 1").click()
    page.locator("#s0-text").fill("How often?")
    page.locator("#s0-kind").select_option(label="Single choice")
    page.locator("#s0-options").fill("Every week\nEvery month\nLess often")
    page.locator("#s0-show_if_key").select_option(label="Only if ‘Do you use the library?’ is answered ‘Yes’")
    page.get_by_role("button", name="Add question").click()
    page.get_by_text("Shown only if ‘Do you use the library?’ is answered ‘Yes’").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Move up ‘How often?’").click()
    page.get_by_text("That move is not possible").first.wait_for()
    assert_accessible(page)

    resident = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    report(resident, live_server)  # reported once (again, if the resident journey ran first: it counts once)
    resident.context.close()
    page.goto(live_server + "/officer/moderation")
    assert_accessible(page)
    item = page.locator("section.app-moderation-item", has_text="never used to chase people harder")
    item.get_by_label("House rule broken (to reject or redact)").select_option("off_topic")
    item.get_by_role("button", name=re.compile("^Reject")).click()
    page.get_by_text("Comment rejected.").wait_for()
    expect(page.locator("section.app-moderation-item", has_text="never used to chase people harder")).to_have_count(0)
    assert_accessible(page)
    reported = page.locator("section.app-moderation-item", has_text=REPORTED)
    assert "Published, reported 1 time" in reported.inner_text()
    reported.get_by_role("button", name=re.compile("^Keep published")).click()
    page.get_by_text("Comment kept.").wait_for()
    expect(page.locator("section.app-moderation-item", has_text=REPORTED)).to_have_count(0)
    assert_accessible(page)


def test_script_in_a_comment_or_a_markdown_body_never_runs(browser, page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(live_server + "/officer/case-studies/new")
    assert_accessible(page)
    page.get_by_label("Title").fill("Script test")
    page.get_by_label("The case study").fill('Hello <script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2"> '
                                            '[click](javascript:window.__xss=3)')
    page.get_by_role("button", name="Save case study").click()
    page.get_by_role("button", name="Publish Script test").click()
    assert_accessible(page)
    resident = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    resident.goto(live_server + "/case-studies/script-test")
    assert_accessible(resident)
    resident.get_by_label("Your comment", exact=True).fill('<img src=x onerror="window.__xss = 4"><script>window.__xss = 5</script>')
    resident.get_by_role("button", name="Send comment").click()
    resident.get_by_text("Thank you for your comment").wait_for()
    assert_accessible(resident)
    page.goto(live_server + "/officer/moderation")
    assert_accessible(page)
    page.locator("section.app-moderation-item", has_text="window.__xss = 4").get_by_role("button", name=re.compile("^Approve")).click()
    page.get_by_text("Comment approved.").wait_for()
    assert_accessible(page)
    resident.goto(live_server + "/case-studies/script-test")
    expect(resident.get_by_text('<img src=x onerror="window.__xss = 4">', exact=False)).to_have_count(1)
    assert resident.evaluate("() => window.__xss") is None
    expect(resident.locator("a[href^='javascript:']")).to_have_count(0)
    assert_accessible(resident)
    resident.context.close()
