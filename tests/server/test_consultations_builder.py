"""Officers create consultations and build questionnaires over HTTP, with and without htmx."""

from __future__ import annotations

import json
import re

from surveys.consultations import get_questionnaire
from surveys.questionnaire import Questionnaire
from surveys.responses import submit_response
from tests.factories.surveys import make_consultation, sample_questionnaire
from tests.support.database import run
from tests.support.http import post_form

HTMX = {"hx-request": "true"}
BASE = "/officer/consultations/data-charter/questionnaire"


def test_create_and_edit_a_consultation(officer_client):
    bad = post_form(officer_client, "/officer/consultations", {"title": "Data Charter", "opens_on": "2026-02-30",
                                                               "closes_on": "2026-01-01", "audience": "public"})
    assert bad.status_code == 422 and "Enter the date it opens as a real date" in bad.text and 'value="Data Charter"' in bad.text
    backwards = post_form(officer_client, "/officer/consultations", {"title": "Data Charter", "opens_on": "2026-03-01",
                                                                     "closes_on": "2026-01-01", "audience": "public",
                                                                     "contact_email": "nope"})
    assert "on or after the opening date" in backwards.text and "correct format" in backwards.text
    created = post_form(officer_client, "/officer/consultations", {
        "title": "Data Charter", "opens_on": "2026-01-01", "closes_on": "2026-03-01", "audience": "panel",
        "body": "Hello"}, follow_redirects=False)
    assert created.headers["location"] == "/officer/consultations/data-charter"
    assert "Resident Panel members only" in officer_client.get("/officer/consultations/data-charter").text
    edited = post_form(officer_client, "/officer/consultations/data-charter", {
        "title": "Data Charter 2026", "slug": "data-charter", "opens_on": "2026-01-01", "closes_on": "2026-03-01",
        "audience": "public"})
    assert "Data Charter 2026" in edited.text
    assert "Data Charter 2026" in officer_client.get("/officer/consultations").text


def test_consultation_dates_typed_in_day_month_year_boxes(officer_client):
    boxes = {"opens_on-day": "1", "opens_on-month": "3", "opens_on-year": "2026",
             "closes_on-day": "31", "closes_on-month": "2", "closes_on-year": "2026"}
    bad = post_form(officer_client, "/officer/consultations", {"title": "Data Charter", "audience": "public", **boxes})
    assert bad.status_code == 422 and "Enter the date it closes as a real date" in bad.text
    assert 'href="#closes_on"' in bad.text and re.search(r'name="closes_on-day"[^>]*value="31"', bad.text)
    created = post_form(officer_client, "/officer/consultations", {"title": "Data Charter", "audience": "public",
                                                                  **boxes, "closes_on-day": "30", "closes_on-month": "4"},
                        follow_redirects=False)
    assert created.headers["location"] == "/officer/consultations/data-charter"
    assert "1 March 2026 to 30 April 2026" in officer_client.get("/officer/consultations/data-charter").text
    edit = officer_client.get("/officer/consultations/data-charter/edit").text
    assert re.search(r'name="opens_on-month"[^>]*value="3"', edit)


def test_build_a_questionnaire_with_htmx(officer_client):
    run(make_consultation(questionnaire=Questionnaire()))
    section = post_form(officer_client, f"{BASE}/sections", {"section_title": "Your views"}, headers=HTMX)
    assert section.status_code == 200 and "<html" not in section.text and "Section 1: Your views" in section.text
    empty = post_form(officer_client, f"{BASE}/sections", {"section_title": ""}, headers=HTMX)
    assert empty.status_code == 422 and "Enter a title for the section" in empty.text
    first = post_form(officer_client, f"{BASE}/sections/0/questions", {"text": "Have you used our services?", "kind": "yes_no",
                                                                       "required": "1", "key": "used"}, headers=HTMX)
    assert first.status_code == 200 and "used=Yes" in first.text  # now offered as a condition
    bad = post_form(officer_client, f"{BASE}/sections/0/questions", {"text": "Which?", "kind": "multiple", "options": "Only one"},
                    headers=HTMX)
    assert bad.status_code == 422 and "Enter at least two options" in bad.text and 'id="s0-options"' in bad.text
    conditional = post_form(officer_client, f"{BASE}/sections/0/questions", {
        "text": "Which services?", "kind": "multiple", "options": "Library\nWebsite\nPhone", "max_choices": "2",
        "condition": "used=Yes"}, headers=HTMX)
    assert conditional.status_code == 200 and "Shown only if ‘Have you used our services?’ is answered ‘Yes’" in conditional.text
    questionnaire = run(get_questionnaire("data-charter"))
    which = questionnaire.question("which_services")
    assert (which.show_if_key, which.show_if_value, which.max_choices) == ("used", "Yes", 2)
    refused = post_form(officer_client, f"{BASE}/questions/which_services/move", {"direction": "up"}, headers=HTMX)
    assert refused.status_code == 422 and "That move is not possible" in refused.text
    edit_form = officer_client.get(f"{BASE}/questions/used/edit", headers=HTMX)
    assert "<html" not in edit_form.text and 'value="Have you used our services?"' in edit_form.text
    saved = post_form(officer_client, f"{BASE}/questions/used", {"text": "Have you used the council's services?", "kind": "yes_no",
                                                                 "key": "used", "required": "1"}, headers=HTMX)
    assert saved.headers.get("hx-retarget") == "#builder" and "council&#39;s services" in saved.text
    removed = post_form(officer_client, f"{BASE}/questions/used/remove", {}, headers=HTMX)
    assert removed.status_code == 422 and "depend on used" in removed.text


def test_builder_works_without_javascript(officer_client):
    run(make_consultation(questionnaire=Questionnaire()))
    response = post_form(officer_client, f"{BASE}/sections", {"section_title": "About you", "about_you": "1"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == BASE
    post_form(officer_client, f"{BASE}/sections/0/questions", {"text": "What is your age?", "census_dimension": "age_band"})
    page = officer_client.get(BASE).text
    assert "census: age_band" in page and "Prefer not to say" in page
    error = post_form(officer_client, f"{BASE}/sections/0/questions", {"text": "", "kind": "text"})
    assert error.status_code == 422 and "<html" in error.text and "Enter the question" in error.text
    edit = officer_client.get(f"{BASE}/questions/what_is_your_age/edit")
    assert "<html" in edit.text and "Edit a question" in edit.text
    bad_edit = post_form(officer_client, f"{BASE}/questions/what_is_your_age", {"text": "", "kind": "single"})
    assert bad_edit.status_code == 422 and "Enter the question" in bad_edit.text


def test_changes_that_break_answers_are_refused_with_a_reason(officer_client):
    consultation_id = run(make_consultation())
    run(submit_response(consultation_id=consultation_id, answers={"used_services": "No", "open_data": "Agree"}))
    page = officer_client.get(BASE).text
    assert "This questionnaire has 1 responses" in page
    removed = post_form(officer_client, f"{BASE}/questions/visits/remove", {}, headers=HTMX)
    assert removed.status_code == 422 and "cannot be removed: it already has answers in 1 response" in removed.text
    retyped = post_form(officer_client, f"{BASE}/questions/contact", {"text": "How do you contact us?", "kind": "text"}, headers=HTMX)
    assert retyped.status_code == 422 and "cannot change type" in retyped.text
    reworded = post_form(officer_client, f"{BASE}/questions/contact", {"text": "How do you usually contact us?", "kind": "single",
                                                                       "options": "Phone\nEmail\n=Other\nLetter"}, headers=HTMX)
    assert reworded.status_code == 200
    assert run(get_questionnaire("data-charter")).question("contact").options[-1] == "Letter"


def test_questionnaire_json_export_and_import_into_a_new_consultation(officer_client):
    run(make_consultation())
    run(make_consultation("next-year", questionnaire=Questionnaire()))
    exported = officer_client.get("/officer/consultations/data-charter/questionnaire.json")
    assert exported.status_code == 200 and json.loads(exported.text)["format"] == "civicpanel-questionnaire"
    url = "/officer/consultations/next-year/questionnaire/import"
    from tests.support.http import csrf_token

    token = csrf_token(officer_client)
    bad = officer_client.post(url, data={"_csrf_token": token}, files={"file": ("q.json", b"{not json", "application/json")})
    assert bad.status_code == 422 and "The file is not JSON" in bad.text
    good = officer_client.post(url, data={"_csrf_token": token}, files={"file": ("q.json", exported.content, "application/json")},
                               follow_redirects=False)
    assert good.status_code == 303
    assert run(get_questionnaire("next-year")) == sample_questionnaire()
    again = officer_client.post(url, data={"_csrf_token": token}, files={"file": ("q.json", exported.content, "application/json")})
    assert again.status_code == 422 and "already has questions" in again.text


def test_rename_a_section(officer_client):
    run(make_consultation())
    renamed = post_form(officer_client, f"{BASE}/sections/1", {"section_title": "More about you"}, headers=HTMX)
    assert renamed.status_code == 200 and "Section 2: More about you" in renamed.text
    empty = post_form(officer_client, f"{BASE}/sections/1", {"section_title": " "})
    assert empty.status_code == 422 and "Enter a title for the section" in empty.text and 'href="#r1-section_title"' in empty.text
    missing = post_form(officer_client, f"{BASE}/sections/9", {"section_title": "X"}, headers=HTMX)
    assert missing.status_code == 422 and "That section no longer exists" in missing.text
