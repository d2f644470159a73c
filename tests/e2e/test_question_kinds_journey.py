"""A routed questionnaire with every newer kind of question (a date, a number with a unit, a grid
and a ranking), in a real browser with axe-core: an officer imports it into a new consultation
and publishes it; one resident answers with JavaScript and is routed to the follow-up questions,
another answers without JavaScript and is routed past them (and is told of a number used twice
in the ranking); an officer types in a paper response and is warned before answers off the route
are dropped. A file-upload question: sent with and without JavaScript, replaced from check your
answers, a file of another type refused by name, and downloaded by the officer."""

from __future__ import annotations

import re
from pathlib import Path
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from surveys.questionnaire import Question, Questionnaire, Section, to_json
from tests.factories.surveys import typed_questionnaire

pytestmark = pytest.mark.browser

SLUG = "library-visits"
REFERENCE = re.compile(r"^R-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def _main(page) -> str:
    return page.locator("main").inner_text()


def _fill_date(page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _answer_hours(page, *, ranks: tuple[str, str, str]) -> None:
    page.get_by_role("group", name="Libraries should open on Sundays").get_by_label("Strongly agree").check()
    page.get_by_role("group", name="Libraries should open later on weekdays").get_by_label("Disagree", exact=True).check()
    for option, rank in zip(("Books", "Computers", "Study space"), ranks):
        page.get_by_label(option, exact=True).select_option(rank)
    page.get_by_role("button", name="Continue").click()


def _send_from_check(plain, seen: list) -> str:
    """On check your answers (without JavaScript): keep the page for axe, send, and give what it listed."""
    plain.wait_for_url(re.compile(r"/check$"))
    check = _main(plain)
    seen.append((plain.url, plain.content()))
    plain.get_by_role("button", name="Accept and send").click()
    expect(plain.locator(".reference")).to_have_count(1)  # waits for the confirmation page to load
    return check


def _publish_the_questionnaire(page, live_server, sign_in, tmp_path, *, title: str = "Library visits", slug: str = SLUG,
                               questionnaire=None) -> None:
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/consultations/new")
    page.get_by_label("Title").fill(title)
    _fill_date(page, "Opens on", date.today())
    _fill_date(page, "Closes on (the last day responses are accepted)", date.today() + timedelta(days=60))
    page.get_by_role("button", name="Save consultation").click()
    page.wait_for_url(re.compile(rf"/officer/consultations/{slug}$"))
    page.get_by_role("link", name="Build the questionnaire").click()
    exported = tmp_path / "questionnaire.json"
    exported.write_text(to_json(questionnaire or typed_questionnaire()), encoding="utf-8")
    page.get_by_label("Questionnaire file (JSON) downloaded from another consultation").set_input_files(str(exported))
    page.get_by_role("button", name="Import questions").click()
    expect(page.locator("main")).to_contain_text((questionnaire or typed_questionnaire()).questions()[-1].text)
    page.goto(f"{live_server}/officer/consultations/{slug}")
    page.get_by_role("button", name="Publish", exact=True).click()
    _fill_date(page, "Opens on", date.today())
    page.get_by_role("button", name="Publish the consultation").click()
    expect(page.locator("main")).to_contain_text("The consultation is published")


def test_routed_questionnaire_with_every_new_kind_with_and_without_javascript_and_on_paper(
        browser, page, live_server, sign_in, assert_accessible, assert_accessible_as_sent, tmp_path):
    _publish_the_questionnaire(page, live_server, sign_in, tmp_path)

    # With JavaScript: "Yes" routes to the section's follow-up page of a date and a number.
    resident = browser.new_context(locale="en-GB", bypass_csp=True).new_page()
    resident.goto(f"{live_server}/consultations/{SLUG}/questionnaire")
    assert "When did you last visit?" not in _main(resident)
    resident.get_by_label("Yes", exact=True).check()
    resident.get_by_role("button", name="Continue").click()
    resident.wait_for_url(re.compile(r"/questionnaire/1\?part=2$"))
    assert_accessible(resident)
    _fill_date(resident, "When did you last visit?", date(2026, 2, 28))
    resident.get_by_label("How long did you stay? (optional)").fill("45")
    assert "minutes" in resident.locator(".govuk-input__suffix").inner_text()
    resident.get_by_role("button", name="Continue").click()
    resident.wait_for_url(re.compile(r"/questionnaire/2$"))
    assert_accessible(resident)
    _answer_hours(resident, ranks=("2", "1", "3"))
    resident.wait_for_url(re.compile(r"/check$"))
    check = _main(resident)
    assert "28 February 2026" in check and "45 minutes" in check and "1. Computers\n2. Books\n3. Study space" in check
    assert "Libraries should open on Sundays: Strongly agree" in check
    assert_accessible(resident)
    resident.get_by_role("button", name="Accept and send").click()
    expect(resident.locator(".reference")).to_have_text(REFERENCE)
    resident.context.close()

    # Without JavaScript: "No" routes past the follow-up page; a rank used twice is named.
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="en-GB")
    plain = context.new_page()
    seen = []  # (address, page as sent): axe needs JavaScript, so they are checked afterwards
    try:
        plain.goto(f"{live_server}/consultations/{SLUG}/questionnaire")
        plain.get_by_label("No", exact=True).check()
        plain.get_by_role("button", name="Continue").click()
        plain.wait_for_url(re.compile(r"/questionnaire/2$"))
        _answer_hours(plain, ranks=("1", "1", "3"))
        expect(plain).to_have_title(re.compile("^Error:"))
        expect(plain.get_by_role("alert").get_by_role("link", name=re.compile("You gave 1 to both ‘Books’ and ‘Computers’"))).to_have_count(1)
        assert plain.get_by_label("Study space", exact=True).input_value() == "3"  # what was chosen is kept
        seen.append((plain.url, plain.content()))
        plain.get_by_label("Computers", exact=True).select_option("2")
        plain.get_by_role("button", name="Continue").click()
        check = _send_from_check(plain, seen)
        assert "When did you last visit?" not in check and "1. Books\n2. Computers" in check
    finally:
        context.close()
    assert_accessible_as_sent(seen)

    # On paper: an answer typed in off the route is named, and dropped only once confirmed.
    page.goto(f"{live_server}/officer/consultations/{SLUG}/responses/new")
    page.get_by_label("No", exact=True).check()
    _fill_date(page, "When did you last visit?", date(2026, 1, 10))
    page.get_by_role("group", name="Libraries should open on Sundays").get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name="Libraries should open later on weekdays").get_by_label("Agree", exact=True).check()
    for option, rank in (("Books", "3"), ("Computers", "2"), ("Study space", "1")):
        page.get_by_label(option, exact=True).select_option(rank)
    page.get_by_role("button", name="Save response").click()
    warning = page.locator("#not-applying")
    expect(warning).to_contain_text("will not be saved")
    expect(warning).to_contain_text("When did you last visit?")
    assert_accessible(page)
    page.get_by_role("button", name="Save without those answers").click()
    page.wait_for_url(re.compile(rf"/officer/consultations/{SLUG}\?entered=R-"))
    assert_accessible(page)


REPAIRS = "repair-evidence"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_a_file_is_sent_with_and_without_javascript_and_only_officers_download_it(
        browser, page, live_server, sign_in, assert_accessible, assert_accessible_as_sent, tmp_path):
    questionnaire = Questionnaire(sections=[
        Section(title="Your repair", questions=[
            Question(key="what", text="What needs repairing?", kind="text", required=True),
            Question(key="evidence", text="A photo or letter about the repair", kind="file", required=True)]),
        Section(title="Anything else", questions=[Question(key="more", text="Anything else to tell us?", kind="text")]),
    ])
    _publish_the_questionnaire(page, live_server, sign_in, tmp_path, title="Repair evidence", slug=REPAIRS,
                               questionnaire=questionnaire)
    (tmp_path / "damp.pdf").write_bytes(PDF)
    (tmp_path / "mould.png").write_bytes(PNG)
    (tmp_path / "notes.pdf").write_bytes(b"only some text")

    # With JavaScript: a PDF, then replaced from check your answers by a PNG.
    resident = browser.new_context(locale="en-GB", bypass_csp=True).new_page()
    resident.goto(f"{live_server}/consultations/{REPAIRS}/questionnaire")
    assert_accessible(resident)
    resident.get_by_label("What needs repairing?").fill("Damp in the bedroom")
    resident.get_by_label("A photo or letter about the repair").set_input_files(str(tmp_path / "damp.pdf"))
    resident.get_by_role("button", name="Continue").click()
    resident.wait_for_url(re.compile(r"/questionnaire/2$"))
    resident.get_by_role("button", name="Continue").click()
    resident.wait_for_url(re.compile(r"/check$"))
    assert "damp.pdf" in _main(resident)
    assert_accessible(resident)
    resident.get_by_role("link", name=re.compile("Change.*A photo or letter")).click()
    expect(resident.locator("main")).to_contain_text("You have sent damp.pdf.")
    resident.get_by_label("A photo or letter about the repair").set_input_files(str(tmp_path / "mould.png"))
    resident.get_by_role("button", name="Continue").click()
    resident.wait_for_url(re.compile(r"/check$"))
    assert "mould.png" in _main(resident) and "damp.pdf" not in _main(resident)
    resident.get_by_role("button", name="Accept and send").click()
    expect(resident.locator(".reference")).to_have_text(REFERENCE)
    resident.wait_for_load_state()  # the whole page, so that an address missing is missing, not yet to come
    reference = resident.locator(".reference").inner_text()
    assert "/officer/response-search/files/" not in resident.content()  # residents get no address of the file
    resident.context.close()

    # Without JavaScript: a file that is not a PDF or image is refused by name, then sent.
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="en-GB")
    plain = context.new_page()
    seen = []
    try:
        plain.goto(f"{live_server}/consultations/{REPAIRS}/questionnaire")
        plain.get_by_label("What needs repairing?").fill("Leaking tap")
        plain.get_by_label("A photo or letter about the repair").set_input_files(str(tmp_path / "notes.pdf"))
        plain.get_by_role("button", name="Continue").click()
        expect(plain).to_have_title(re.compile("^Error:"))
        expect(plain.get_by_role("alert").get_by_role("link", name="The selected file must be a PDF, PNG or JPEG")).to_have_count(1)
        assert plain.get_by_label("What needs repairing?").input_value() == "Leaking tap"
        seen.append((plain.url, plain.content()))
        plain.get_by_label("A photo or letter about the repair").set_input_files(str(tmp_path / "damp.pdf"))
        plain.get_by_role("button", name="Continue").click()
        plain.wait_for_url(re.compile(r"/questionnaire/2$"))
        plain.get_by_role("button", name="Continue").click()
        assert "damp.pdf" in _send_from_check(plain, seen)
    finally:
        context.close()
    assert_accessible_as_sent(seen)

    # The officer finds the response and downloads its file.
    page.goto(f"{live_server}/officer/response-search/?reference={reference}")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download mould.png").click()
    assert download.value.suggested_filename == "mould.png"
    assert Path(download.value.path()).read_bytes() == PNG
