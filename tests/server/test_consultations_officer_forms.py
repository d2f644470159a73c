"""Officer forms over HTTP with bad input: importing a wrongly shaped questionnaire file, About-you
questions in the builder, and editing a consultation onto another one's web address."""

from __future__ import annotations

import json

import pytest

from surveys.consultations import get_questionnaire
from surveys.questionnaire import PREFER_NOT_TO_SAY, Questionnaire, to_json
from surveys.tables import Consultation
from tests.factories.surveys import make_consultation, sample_questionnaire
from tests.support.database import run
from tests.support.http import csrf_token, post_form

HTMX = {"hx-request": "true"}
IMPORT = "/officer/consultations/next-year/questionnaire/import"


def upload(client, content: bytes, **kwargs):
    return client.post(IMPORT, data={"_csrf_token": csrf_token(client)},
                       files={"file": ("q.json", content, "application/json")}, **kwargs)


def sample_document() -> dict:
    return json.loads(to_json(sample_questionnaire()))


def changed(section: int, position: int, **fields) -> bytes:
    doc = sample_document()
    doc["sections"][section]["questions"][position].update(fields)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(("content", "message"), [
    (changed(0, 1, key=5), "Section 1, question 2: ‘key’ must be text, not 5"),
    (changed(0, 0, text=None), "Section 1, question 1: ‘text’ must be text, not null"),
    (changed(1, 2, min_value="abc"), "Section 2, question 3: ‘min_value’ must be a number, not &#34;abc&#34;"),
    (changed(1, 1, max_length="zzz"), "‘max_length’ must be a whole number from 1 to 2000"),
    (changed(1, 0, options=["Phone", 2]), "Section 2, question 1: ‘options’ must be a list of texts"),
    (changed(2, 0, options=["Man", "Woman", PREFER_NOT_TO_SAY]), "exactly the census categories (Male; Female)"),
    (json.dumps({**sample_document(), "version": 7}).encode(), "The file is version 7 of the questionnaire format"),
    (b"\xff\xfe not text", "The file must be text saved as UTF-8"),
    (b"[]", "not a Civic Panel questionnaire export"),
])
def test_a_wrongly_shaped_file_is_refused_by_name_and_nothing_is_saved(officer_client, content, message):
    run(make_consultation("next-year", questionnaire=Questionnaire()))
    refused = upload(officer_client, content)
    assert refused.status_code == 422 and "There is a problem" in refused.text
    assert message in refused.text
    htmx = upload(officer_client, content, headers=HTMX)
    assert htmx.status_code == 422 and "<html" not in htmx.text and message in htmx.text
    assert run(get_questionnaire("next-year")) == Questionnaire()


def test_a_good_file_is_imported(officer_client):
    run(make_consultation("next-year", questionnaire=Questionnaire()))
    done = upload(officer_client, to_json(sample_questionnaire()).encode(), follow_redirects=False)
    assert done.status_code == 303
    assert run(get_questionnaire("next-year")) == sample_questionnaire()


def test_about_you_questions_in_the_builder_keep_census_categories_and_prefer_not_to_say(officer_client):
    run(make_consultation(questionnaire=Questionnaire()))
    base = "/officer/consultations/data-charter/questionnaire"
    post_form(officer_client, f"{base}/sections", {"section_title": "About you", "about_you": "1"})
    post_form(officer_client, f"{base}/sections/0/questions", {"text": "What is your sex?", "census_dimension": "sex",
                                                              "options": "Man\nWoman", "key": "sex"})
    post_form(officer_client, f"{base}/sections/0/questions", {"text": "Are you a carer?", "kind": "single",
                                                              "options": "Yes\nNo", "key": "carer"})
    questionnaire = run(get_questionnaire("data-charter"))
    assert questionnaire.question("sex").options == ["Male", "Female", PREFER_NOT_TO_SAY]
    assert questionnaire.question("carer").options == ["Yes", "No", PREFER_NOT_TO_SAY]
    free_text = post_form(officer_client, f"{base}/sections/0/questions", {"text": "Your postcode?", "kind": "text"},
                          headers=HTMX)
    assert free_text.status_code == 422 and "About-you questions are single or multiple choice" in free_text.text
    assert 'value="Your postcode?"' in free_text.text
    edited = post_form(officer_client, f"{base}/questions/sex", {"text": "What is your sex?", "census_dimension": "sex",
                                                                 "options": "Other", "key": "sex"}, headers=HTMX)
    assert edited.status_code == 200
    assert run(get_questionnaire("data-charter")).question("sex").options == ["Male", "Female", PREFER_NOT_TO_SAY]


def test_editing_a_consultation_onto_another_ones_web_address_is_refused(officer_client):
    run(make_consultation("first"))
    run(make_consultation("second"))
    clash = post_form(officer_client, "/officer/consultations/second", {
        "title": "Renamed second", "slug": "first", "opens_on": "2026-01-01", "closes_on": "2026-03-01", "audience": "public"})
    assert clash.status_code == 422 and "There is a problem" in clash.text
    assert "Another consultation already uses the web address name first" in clash.text
    assert 'value="Renamed second"' in clash.text
    titles = {row["slug"]: row["title"] for row in run(Consultation.select(Consultation.slug, Consultation.title).run())}
    assert titles == {"first": "Consultation first", "second": "Consultation second"}
    kept = post_form(officer_client, "/officer/consultations/second", {
        "title": "Renamed second", "slug": "second", "opens_on": "2026-01-01", "closes_on": "2026-03-01",
        "audience": "public"}, follow_redirects=False)
    assert kept.status_code == 303 and kept.headers["location"] == "/officer/consultations/second"


def test_officers_say_when_results_are_due_on_or_after_the_closing_date(officer_client):
    run(make_consultation("second"))
    details = {"title": "Second", "slug": "second", "opens_on-day": "1", "opens_on-month": "1", "opens_on-year": "2026",
               "closes_on-day": "1", "closes_on-month": "3", "closes_on-year": "2026", "audience": "public"}
    early = post_form(officer_client, "/officer/consultations/second", {
        **details, "results_due_on-day": "28", "results_due_on-month": "2", "results_due_on-year": "2026"})
    assert early.status_code == 422 and "must be on or after the closing date" in early.text
    assert 'name="results_due_on-day" type="text" value="28"' in early.text or 'value="28"' in early.text
    saved = post_form(officer_client, "/officer/consultations/second", {
        **details, "results_due_on-day": "30", "results_due_on-month": "5", "results_due_on-year": "2026"},
        follow_redirects=False)
    assert saved.status_code == 303
    due = run(Consultation.select(Consultation.results_due_on).where(Consultation.slug == "second").first().run())
    assert str(due["results_due_on"]) == "2026-05-30"
    edit = officer_client.get("/officer/consultations/second/edit").text
    assert 'value="30"' in edit
    cleared = post_form(officer_client, "/officer/consultations/second", details, follow_redirects=False)
    assert cleared.status_code == 303
    assert run(Consultation.select(Consultation.results_due_on).where(
        Consultation.slug == "second").first().run())["results_due_on"] is None
