"""The "We asked, You said, We did" report in a real browser, on the demo's closed Data Charter
questionnaire: an officer writes the draft (purpose, census, people reached), makes a theme, tags
a comment into it with htmx, chooses a quote (first with a word added, which is refused), writes a
"We did" action citing a commitment, and publishes two versions; then a resident, signed out,
reads the public report on a 375 px phone (its first screen shows We asked, You said and We did),
follows the action to the commitment's own page, reads the older version, and downloads the JSON,
CSV and PDF; then the officer codes many answers at once, takes up a suggested theme and draws a
sample for the double-coding check. axe-core checks every page visited, and the comments page
again after each htmx swap."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SLUG = "data-charter-questionnaire"
ANSWER = "Tell people in plain English what data you hold about them."
THEME = "Plain English"
ACTION = "Publish a plain-English guide to the data the council holds (e2e)"


def _publish(page, live_server, number: int, assert_accessible=None) -> None:
    """Publishing asks first: the confirmation page says what becomes public, then publishes."""
    page.get_by_role("button", name=f"Publish version {number}").click()
    page.wait_for_url(f"{live_server}/officer/consultations/{SLUG}/report/publish")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish version {number} of the report")
    if assert_accessible is not None:
        assert_accessible(page)
    page.get_by_role("button", name="Publish the report").click()
    page.wait_for_url(f"{live_server}/consultations/{SLUG}/report/v/{number}")


def _summary_on_the_first_screen(page) -> None:
    """Summary first: a 375 × 812 phone's first screen shows We asked, You said and We did, and
    nothing is wider than the phone."""
    for heading in ("We asked", "You said", "We did"):
        box = page.get_by_role("heading", name=heading, exact=True).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 812, f"{heading} is below the first screen: {box}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


def _officer_writes_and_publishes(page, live_server, assert_accessible) -> None:
    page.goto(f"{live_server}/officer/consultations/{SLUG}")
    page.get_by_role("link", name='Write the "We asked, you said, we did" report').click()
    page.wait_for_url(f"{live_server}/officer/consultations/{SLUG}/report")
    expect(page.get_by_role("heading", level=1)).to_have_text("We asked, you said, we did: Data Charter questionnaire")
    assert_accessible(page)

    # Your words, with people reached per channel (a bad number first: errors GOV.UK-style).
    page.get_by_label("Why the council consulted (We asked)").fill("To hear residents before writing our Data Charter.")
    page.get_by_label("Weight the results to").select_option(label="Camden 2021")
    page.get_by_label("Resident Panel sessions: people reached").fill("about forty")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "People reached by Resident Panel sessions must be a whole number" in summary.inner_text()
    assert page.get_by_label("Resident Panel sessions: people reached").input_value() == "about forty"
    assert_accessible(page)
    page.get_by_label("Resident Panel sessions: people reached").fill("38")
    page.get_by_label("Resident Panel sessions: how (optional)").fill("two panel sessions")
    page.get_by_label("Focus groups: people reached").fill("22")
    page.get_by_role("button", name="Save", exact=True).click()
    # A census chosen: every figure changes, so htmx loads the whole page again.
    reach = page.locator("table", has=page.get_by_text("People reached and responses, by channel"))
    expect(reach).to_contain_text(re.compile(r"Resident Panel sessions\s+38 \(two panel sessions\)\s+0"))
    expect(page.locator(".app-report-preview")).to_contain_text("Design effect")
    assert_accessible(page)
    # The words alone: saved in place, and only the preview's summary and reach change with them.
    page.evaluate("() => { window.__stayed = true; }")  # survives only if there is no page load
    page.get_by_label("Why the council consulted (We asked)").fill("To hear residents before our Data Charter.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#report-summary")).to_contain_text("To hear residents before our Data Charter.")
    expect(page.locator("#report-words")).to_contain_text("Report words saved")
    assert page.evaluate("() => window.__stayed === true"), "saving the words swapped them in place"
    assert_accessible(page)

    # A theme, then tag an answer with it on the comments page (htmx swaps only that answer).
    page.get_by_label("New theme").fill(THEME)
    page.get_by_role("button", name="Add theme").click()
    page.wait_for_url(re.compile(r".*/report#themes$"))
    assert f"{THEME}: 0 comments" in page.locator("#themes + ul").inner_text()
    page.get_by_role("link", name="Tag comments with themes and choose quotes").click()
    page.wait_for_url(re.compile(r".*/report/comments$"))
    assert_accessible(page)
    answer = page.locator(".app-answer", has=page.get_by_text(ANSWER, exact=True)).first
    answer_id = answer.get_attribute("id")
    page.evaluate("() => { window.__stayed = true; }")  # survives only if there is no page load
    answer.get_by_role("button", name=re.compile(f"^Tag as {THEME}")).click()
    swapped = page.locator(f"#{answer_id}")
    swapped.get_by_text(f"Tagged: {THEME}").wait_for()
    assert page.evaluate("() => window.__stayed === true"), "tagging swapped the answer in place"
    assert swapped.get_by_role("button", name=re.compile(f"^Remove {THEME}")).evaluate(
        "button => document.activeElement === button"), "focus stays on the button pressed"
    assert_accessible(page)

    # A quote: an added word is refused; the answer's own words, shortened with an ellipsis, are kept.
    swapped.get_by_text("Quote this comment").click()
    swapped.get_by_label("Words to publish").fill("Always tell people in plain English what data you hold")
    swapped.get_by_label(re.compile("I have checked this quote")).check()
    swapped.get_by_role("button", name="Choose this quote").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "must use the resident's own words" in summary.inner_text()
    assert_accessible(page)
    form = page.locator(f"#{answer_id}")
    form.get_by_label("Words to publish").fill("Tell people in plain English … about them.")
    form.get_by_label(re.compile("I have checked this quote")).check()
    form.get_by_role("button", name="Choose this quote").click()
    page.locator(f"#{answer_id}").get_by_text("Quote chosen").wait_for()  # that answer only, in place
    assert page.evaluate("() => window.__stayed === true"), "choosing a quote swapped the answer in place"
    assert_accessible(page)
    page.goto(f"{live_server}/officer/consultations/{SLUG}/report")
    assert "“Tell people in plain English … about them.”" in page.locator("#quotes ~ .govuk-inset-text").first.inner_text()
    assert f"{THEME}: 1 comment" in page.locator("#themes + ul").inner_text()
    assert_accessible(page)

    # "We did", citing a commitment; then publish twice (the second adds an action).
    page.get_by_label("What the council did or will do").fill(ACTION)
    due = page.get_by_role("group", name="By when (optional)")
    due.get_by_label("Day").fill("30")
    due.get_by_label("Month").fill("9")
    due.get_by_label("Year").fill("2026")
    page.get_by_label("Who is responsible").fill("Information Governance")
    page.get_by_label("2: Create a Data Sharing Register").check()
    page.get_by_role("button", name="Add action").click()
    # In place: the actions table, and "We did" in the preview's summary.
    expect(page.locator("table", has=page.get_by_text("Actions", exact=True))).to_contain_text(ACTION)
    expect(page.locator("#report-summary")).to_contain_text(ACTION)
    assert_accessible(page)
    # The demo published version 1 when it was loaded: the officer's are versions 2 and 3.
    _publish(page, live_server, 2, assert_accessible)
    assert_accessible(page)
    page.goto(f"{live_server}/officer/consultations/{SLUG}/report")
    page.get_by_label("What the council did or will do").fill("Review the guide with the Resident Panel (e2e)")
    page.get_by_label("Who is responsible").fill("Participation team")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator("#report-summary")).to_contain_text("Review the guide with the Resident Panel (e2e)")
    _publish(page, live_server, 3)


def _resident_reads(page, live_server, assert_accessible) -> None:
    page.set_viewport_size({"width": 375, "height": 812})  # a phone 375 px wide
    page.goto(f"{live_server}/consultations/{SLUG}")
    page.locator(f'a[href="/consultations/{SLUG}/report"]').first.click()
    page.wait_for_url(f"{live_server}/consultations/{SLUG}/report")
    assert "Version 3" in page.locator(".app-report-version").inner_text()
    _summary_on_the_first_screen(page)
    main = page.locator("main")
    text = main.inner_text()
    assert "“Tell people in plain English … about them.”" in text
    assert re.search(rf"{THEME}\s+1", page.locator("table", has=page.get_by_text("Comments by theme")).inner_text())
    assert "Review the guide with the Resident Panel (e2e)" in text and ACTION in text
    assert "officer@" not in text and "D-0" not in text  # no staff emails, no response references
    assert_accessible(page)

    # Downloads answer with the right kind of content.
    for name, check in (("Open data as JSON", lambda body: b'"version": 3' in body and b'"format": "civicpanel-you-said"' in body),
                        ("Open data as CSV", lambda body: body.startswith(b"section,question_key")),
                        ("PDF (for printing and cabinet papers)", lambda body: body.startswith(b"%PDF"))):
        href = main.get_by_role("link", name=name, exact=True).get_attribute("href")
        response = page.request.get(live_server + href, timeout=120_000)  # the PDF is printed on first request
        assert response.status == 200, f"{name} download: {response.status}"
        assert check(response.body()), f"{name} download has unexpected content"

    # The action's commitment link lands on that commitment's own page.
    page.get_by_role("link", name="Create a Data Sharing Register").first.click()
    page.wait_for_url(f"{live_server}/charter/camden-data-charter/commitments/2")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Create a Data Sharing Register")
    assert_accessible(page)

    # The older version is listed and still reads as published.
    page.go_back()
    page.wait_for_url(f"{live_server}/consultations/{SLUG}/report")
    versions = page.locator("h2", has_text="Every version").locator("xpath=following-sibling::ul[1]")
    expect(versions.get_by_role("link")).to_have_count(3)
    versions.get_by_role("link", name="Version 2").click()
    page.wait_for_url(f"{live_server}/consultations/{SLUG}/report/v/2")
    assert "This is an older version." in page.locator(".govuk-notification-banner").inner_text()
    assert "Review the guide with the Resident Panel (e2e)" not in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_demo_report_opens_with_its_summary_on_a_phone(page, live_server, assert_accessible):
    """The report the demo publishes (a purpose of three sentences, two findings, three actions):
    its first sentence opens "We asked" and the whole purpose follows the summary."""
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server}/consultations/{SLUG}/report")
    _summary_on_the_first_screen(page)
    summary = page.locator("section", has=page.get_by_role("heading", name="We asked", exact=True))
    assert summary.inner_text().count(".") == 2  # the purpose's first sentence and the dates
    why = page.locator("section", has=page.get_by_role("heading", name="Why we asked", exact=True))
    assert "We are writing a Data Charter" in why.inner_text()
    assert_accessible(page)


def _officer_codes_many_answers(page, live_server, assert_accessible) -> None:
    """After publishing: answers coded many at a time, a suggested theme taken up, and a sample
    drawn for the double-coding check (which the officer who coded may not do)."""
    page.goto(f"{live_server}/officer/consultations/{SLUG}/report")
    page.get_by_role("link", name="Code many answers at once, start from suggested themes, and check the coding").click()
    page.wait_for_url(re.compile(r".*/report/coding$"))
    assert_accessible(page)
    page.get_by_label("Containing the words (optional)").fill("named contact")
    page.get_by_role("button", name="Filter answers").click()
    page.wait_for_url(re.compile(r".*/report/coding\?.*words=named\+contact"))
    matching = page.get_by_role("heading", name=re.compile(r"answers? match")).inner_text()
    count = int(matching.split()[0])
    assert count > 1
    page.get_by_role("button", name=re.compile(r"^Tag (all|the) \d+ answers? that match")).click()  # no theme chosen
    page.get_by_role("alert").wait_for()
    expect(page.get_by_role("alert")).to_contain_text("Select a theme")
    assert page.get_by_label("Containing the words (optional)").input_value() == "named contact"
    assert_accessible(page)
    page.get_by_label("Theme", exact=True).select_option(label=THEME)
    page.get_by_role("button", name=re.compile(r"^Tag (all|the) \d+ answers? that match")).click()
    page.wait_for_url(re.compile(r".*changed=\d+.*"))
    assert f"answers tagged as ‘{THEME}’" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Suggested themes, found by grouping similar answers").click()
    page.wait_for_url(re.compile(r".*/report/coding/suggestions.*"))
    assert_accessible(page)
    first = page.locator("#suggestion-1")
    first.get_by_label("Name for this theme").fill("Records kept too long")
    first.get_by_role("button", name=re.compile("^Add the theme and tag its")).click()
    page.wait_for_url(re.compile(r".*/report/coding\?.*action=created.*"))
    assert "Theme ‘Records kept too long’ added" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name="Check the coding: a second officer codes a sample").click()
    page.wait_for_url(re.compile(r".*/report/coding/check.*"))
    page.get_by_label("How many answers to draw").fill("20")
    page.get_by_role("button", name="Draw the sample").click()
    page.wait_for_url(re.compile(r".*/report/coding/check.*"))
    expect(page.get_by_role("heading", name="Answer 1 of 20")).to_be_visible()
    expect(page.locator("main")).to_contain_text("your coding would not be a check")
    assert_accessible(page)


def test_officer_drafts_tags_quotes_acts_publishes_and_a_resident_reads(browser, page, live_server, sign_in,
                                                                          assert_accessible):
    sign_in(page, live_server, "officer")
    _officer_writes_and_publishes(page, live_server, assert_accessible)
    resident = browser.new_context(bypass_csp=True, locale="en-GB")  # signed out: a fresh context
    try:
        resident_page = resident.new_page()
        resident_page.set_default_timeout(15_000)
        _resident_reads(resident_page, live_server, assert_accessible)
    finally:
        resident.close()
    _officer_codes_many_answers(page, live_server, assert_accessible)
