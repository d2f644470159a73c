"""A resident in Welsh and in Arabic (right to left), in a real browser: they choose the language
with the switcher, comment on a case study and answer a questionnaire; every page is checked with
axe-core in that language.

Each language's browser comes from an address of its own (``X-Forwarded-For``, trusted from the
local server), so its comments do not count against the comment limit of the other browser tests."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WORDS = {
    "cy": {"name": "Cymraeg", "dir": "ltr", "skip": "Neidio i'r prif gynnwys", "comment": "Eich sylw",
           "send_comment": "Anfon sylw", "empty": "Rhowch eich sylw", "thanks": "Diolch am eich sylw",
           "start": "Dechrau nawr", "section": "Adran 1 o 3", "continue": "Parhau", "problem": "Mae problem",
           "check": "Gwiriwch eich atebion cyn eu hanfon", "send": "Derbyn ac anfon", "sent": "Anfonwyd yr ymateb",
           "address": "203.0.113.31",
           # the demo's Welsh translation of the questionnaire (analysis/translations/demo.py)
           "nhs": "Rhannu data gyda'r GIG", "taken_part": "Ydych chi wedi cymryd rhan", "good_use": "Roedd cymryd rhan yn ddefnydd da",
           "yes": "Ie", "agree": "Cytuno"},
    "ar": {"name": "العربية", "dir": "rtl", "skip": "انتقل إلى المحتوى الرئيسي", "comment": "تعليقك",
           "send_comment": "أرسل التعليق", "empty": "أدخل تعليقك", "thanks": "شكرًا على تعليقك",
           "start": "ابدأ الآن", "section": "القسم 1 من 3", "continue": "متابعة", "problem": "هناك مشكلة",
           "check": "راجع إجاباتك قبل إرسالها", "send": "موافقة وإرسال", "sent": "أُرسل الرد",
           "address": "203.0.113.32",
           # not translated into Arabic: the questionnaire's own words are shown in English
           "nhs": "Sharing data with the NHS", "taken_part": "Have you taken part", "good_use": "Taking part was a good use",
           "yes": "نعم", "agree": "أوافق"},  # the shared scales are interface words, in the catalogue
}


@pytest.mark.parametrize("locale", ["cy", "ar"])
def test_a_resident_comments_and_answers_in_their_language(browser, live_server, assert_accessible, locale):
    words = WORDS[locale]
    context = browser.new_context(bypass_csp=True, locale="en-GB", extra_http_headers={"X-Forwarded-For": words["address"]})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(live_server + "/case-studies/debt-early-help")
        page.get_by_role("navigation", name="Language").get_by_role("link", name=words["name"]).click()
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(page.locator("html")).to_have_attribute("dir", words["dir"])
        assert page.url.endswith("/case-studies/debt-early-help")  # back on the page it was chosen from
        expect(page.get_by_role("link", name=words["skip"])).to_have_count(1)
        assert_accessible(page)

        form = page.locator("#comment-form-area")
        form.get_by_role("button", name=words["send_comment"]).click()
        expect(form.get_by_text(words["empty"]).first).to_be_visible()
        assert_accessible(page)
        form.get_by_label(words["comment"], exact=True).fill("Dylai'r cyngor ddweud faint o aelwydydd a gafodd help."
                                                             if locale == "cy" else "أرجو أن ينشر المجلس عدد الأسر التي تلقت المساعدة.")
        form.get_by_role("button", name=words["send_comment"]).click()
        expect(page.get_by_text(words["thanks"])).to_have_count(1)
        assert_accessible(page)

        page.goto(live_server + "/consultations/resident-panel-priorities")
        expect(page.locator("html")).to_have_attribute("dir", words["dir"])  # the choice is kept
        assert_accessible(page)
        page.get_by_role("button", name=words["start"]).or_(page.get_by_role("link", name=words["start"])).click()
        expect(page.get_by_text(words["section"])).to_have_count(1)
        page.get_by_role("button", name=words["continue"]).click()
        expect(page.get_by_role("alert").get_by_text(words["problem"])).to_have_count(1)
        assert_accessible(page)
        page.get_by_label(words["nhs"]).check()
        page.get_by_role("group", name=words["taken_part"]).get_by_label(words["yes"], exact=True).check()
        page.get_by_role("button", name=words["continue"]).click()  # the Yes routes to its follow-up page
        page.get_by_role("group", name=words["good_use"]).get_by_label(words["agree"], exact=True).check()
        assert_accessible(page)
        page.get_by_role("button", name=words["continue"]).click()
        page.get_by_role("button", name=words["continue"]).click()
        page.get_by_label("25-34").check()
        assert_accessible(page)
        page.get_by_role("button", name=words["continue"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["check"])
        assert_accessible(page)
        page.get_by_role("button", name=words["send"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["sent"])
        assert re.fullmatch(r"R-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".reference").inner_text())
        assert_accessible(page)
    finally:
        context.close()


def test_an_officer_translates_a_question_into_welsh_and_a_resident_answers_it_in_welsh(
        browser, live_server, assert_accessible, sign_in):
    """The officer's Translations pages (English beside each box), then the resident's Welsh
    questionnaire with the officer's words, the English labels kept as the answers' keys."""
    officer = browser.new_context(bypass_csp=True, locale="en-GB", extra_http_headers={"X-Forwarded-For": "203.0.113.33"})
    page = officer.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, live_server, "officer")
        page.goto(live_server + "/officer/consultations/resident-panel-priorities")
        page.get_by_role("link", name="Translations of the consultation and its questionnaire").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Translations")
        assert_accessible(page)
        expect(page.get_by_role("main").get_by_role("link", name="Cymraeg")).to_have_accessible_description("Complete")
        page.get_by_role("main").get_by_role("link", name="Cymraeg").click()
        question = page.get_by_label("Question 4", exact=True)
        expect(question).to_have_attribute("lang", "cy")
        expect(page.get_by_text("Is there anything else the panel should discuss?")).to_have_count(1)  # the English beside it
        assert_accessible(page)
        question.fill("Oes unrhyw beth arall yr hoffech i'r panel ei drafod?")
        page.get_by_role("button", name="Save translation").click()
        expect(page.get_by_text("The translation is saved.")).to_have_count(1)
        assert_accessible(page)
    finally:
        officer.close()

    resident = browser.new_context(bypass_csp=True, locale="cy", extra_http_headers={"X-Forwarded-For": "203.0.113.34"})
    page = resident.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(live_server + "/consultations/resident-panel-priorities")
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        expect(page.get_by_role("heading", level=1)).to_have_text("Beth ddylai'r Panel Preswylwyr ei drafod nesaf?")
        assert_accessible(page)
        page.get_by_role("button", name="Dechrau nawr").or_(page.get_by_role("link", name="Dechrau nawr")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Beth ddylai'r panel edrych arno")
        page.get_by_label("Data agored am wariant y cyngor").check()
        page.get_by_role("group", name="Ydych chi wedi cymryd rhan").get_by_label("Na", exact=True).check()
        assert_accessible(page)
        page.get_by_role("button", name="Parhau").click()
        box = page.get_by_label("Oes unrhyw beth arall yr hoffech i'r panel ei drafod?")
        box.fill("Sut mae'r cyngor yn defnyddio camerâu ar y stryd fawr.")
        assert_accessible(page)
        page.get_by_role("button", name="Parhau").click()
        page.get_by_label("25-34").check()
        page.get_by_role("button", name="Parhau").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Gwiriwch eich atebion cyn eu hanfon")
        expect(page.get_by_text("Data agored am wariant y cyngor")).to_have_count(1)  # the answer in Welsh words
        assert_accessible(page)
        page.get_by_role("button", name="Derbyn ac anfon").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Anfonwyd yr ymateb")
        assert_accessible(page)
    finally:
        resident.close()
