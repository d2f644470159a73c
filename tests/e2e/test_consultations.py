"""Consultations in a real browser: a resident comments (with htmx and without JavaScript) and
completes a questionnaire; an officer builds a questionnaire with a condition and moderates.
Every page visited is checked with axe-core."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

CASE_STUDY = "Spotting households at risk of debt early"


def test_resident_comments_with_htmx(page, live_server, assert_accessible):
    page.goto(live_server + "/consultations")
    assert_accessible(page)
    page.get_by_role("link", name=CASE_STUDY).click()
    assert page.get_by_role("heading", level=1).inner_text() == CASE_STUDY
    assert page.get_by_text("Where the data comes from").count() == 1
    assert_accessible(page)
    url = page.url
    page.get_by_label("Name to show with your comment (optional)").fill("Leila")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("Enter your comment").first.wait_for()
    assert page.get_by_label("Name to show with your comment (optional)").input_value() == "Leila"
    assert page.url == url
    assert_accessible(page)
    page.get_by_label("Your comment", exact=True).fill("Please publish how many households were helped.")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("Thank you for your comment").wait_for()
    assert page.url == url  # swapped in place by htmx
    private_link = page.locator("a[href^='/my/comments/']")
    assert_accessible(page)
    private_link.click()
    assert page.get_by_text("Waiting to be checked").count() == 1
    assert_accessible(page)


def test_resident_comments_without_javascript(browser, live_server, assert_accessible):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server + "/case-studies/food-insecurity-map")
        page.get_by_label("Email address (optional)").fill("not an email")
        page.get_by_label("Your comment", exact=True).fill("Could the map show school holidays?")
        page.get_by_role("button", name="Send comment").click()
        assert page.title().startswith("Error:")
        assert page.get_by_label("Your comment", exact=True).input_value() == "Could the map show school holidays?"
        page.get_by_label("Email address (optional)").fill("")
        page.get_by_role("button", name="Send comment").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Comment received"
        assert page.locator("a[href^='/my/comments/']").count() == 1
    finally:
        context.close()
    # axe needs JavaScript: check the same two pages again with it on, as a resident would see them.
    checked = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    checked.goto(live_server + "/case-studies/food-insecurity-map")
    assert_accessible(checked)
    checked.goto(live_server + "/house-rules")
    assert_accessible(checked)
    checked.context.close()


def test_resident_completes_a_questionnaire(page, live_server, assert_accessible):
    page.goto(live_server + "/consultations/resident-panel-priorities")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").or_(page.get_by_role("link", name="Start now")).click()
    assert page.get_by_text("Section 1 of 3").count() == 1
    page.get_by_role("button", name="Continue").click()
    assert page.title().startswith("Error:")
    assert page.get_by_role("alert").get_by_text("Select an answer to ‘Which topics").count() == 1
    assert_accessible(page)
    page.get_by_label("Sharing data with the NHS").check()
    page.get_by_role("group", name="Have you taken part").get_by_label("Yes").check()
    page.get_by_role("group", name="Taking part was a good use").get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("Section 2 of 3").count() == 1
    assert_accessible(page)
    page.get_by_label("Is there anything else the panel should discuss? (optional)").fill("Libraries")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("25-34").check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before sending them"
    assert_accessible(page)
    page.get_by_role("link", name="Change your answer to ‘Which topics should next year's Resident Panel discuss?’").click()
    page.get_by_label("Open data about council spending").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before sending them"
    assert page.get_by_text("Sharing data with the NHS, Open data about council spending").count() == 1
    page.get_by_role("button", name="Accept and send").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Response sent"
    assert re.fullmatch(r"R-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".reference").inner_text())
    assert_accessible(page)
    page.goto(live_server + "/consultations/resident-panel-priorities/paper")
    assert page.get_by_text("Answer only if you answered ‘Yes’ to question 2.").count() == 1
    assert_accessible(page)


def test_officer_builds_a_conditional_questionnaire_and_moderates(page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(live_server + "/officer/consultations/new")
    assert_accessible(page)
    page.get_by_label("Title").fill("Libraries and data")
    page.get_by_label("Opens on").fill("2026-01-01")
    page.get_by_label("Closes on (the last day responses are accepted)").fill("2030-01-01")
    page.get_by_role("button", name="Save consultation").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Libraries and data"
    assert_accessible(page)
    page.get_by_role("link", name="Build the questionnaire").click()
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

    page.goto(live_server + "/officer/moderation")
    assert_accessible(page)
    item = page.locator("section.moderation-item", has_text="never used to chase people harder")
    item.get_by_label("House rule broken (to reject or redact)").select_option("off_topic")
    item.get_by_role("button", name=re.compile("^Reject")).click()
    page.get_by_text("Comment rejected.").wait_for()
    assert page.locator("section.moderation-item", has_text="never used to chase people harder").count() == 0
    assert_accessible(page)


def test_script_in_a_comment_or_a_markdown_body_never_runs(browser, page, live_server, sign_in, assert_accessible):
    sign_in(page, live_server, "officer")
    page.goto(live_server + "/officer/case-studies/new")
    page.get_by_label("Title").fill("Script test")
    page.get_by_label("The case study").fill('Hello <script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2"> '
                                            '[click](javascript:window.__xss=3)')
    page.get_by_role("button", name="Save case study").click()
    page.get_by_role("button", name="Publish Script test").click()
    resident = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    resident.goto(live_server + "/case-studies/script-test")
    resident.get_by_label("Your comment", exact=True).fill('<img src=x onerror="window.__xss = 4"><script>window.__xss = 5</script>')
    resident.get_by_role("button", name="Send comment").click()
    resident.get_by_text("Thank you for your comment").wait_for()
    page.goto(live_server + "/officer/moderation")
    page.locator("section.moderation-item", has_text="window.__xss = 4").get_by_role("button", name=re.compile("^Approve")).click()
    page.get_by_text("Comment approved.").wait_for()
    resident.goto(live_server + "/case-studies/script-test")
    assert resident.get_by_text('<img src=x onerror="window.__xss = 4">', exact=False).count() == 1
    assert resident.evaluate("() => window.__xss") is None
    assert resident.locator("a[href^='javascript:']").count() == 0
    assert_accessible(resident)
    resident.context.close()
