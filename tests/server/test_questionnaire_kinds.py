"""Dates, numbers with a unit, grids and rankings over HTTP, routed: a resident answers them
online, an officer builds them and types them in from paper, and the paper copy prints them."""

from __future__ import annotations

import json
import re

from surveys.consultations import get_questionnaire
from surveys.questionnaire import Questionnaire
from surveys.responses import submit_response
from surveys.tables import SurveyResponse
from tests.factories.surveys import make_consultation, typed_questionnaire
from tests.support.database import run
from tests.support.http import post_form, send

BASE = "/consultations/libraries"
OFFICER = "/officer/consultations/libraries"
VIEWS = [("hours_views-1", "Agree"), ("hours_views-2", "Strongly disagree")]


def test_a_resident_is_routed_past_questions_that_do_not_apply_and_answers_every_new_kind(client):
    run(make_consultation("libraries", questionnaire=typed_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    first = client.get(f"{BASE}/questionnaire/1").text
    assert "When did you last visit?" not in first
    assert send(client, f"{BASE}/questionnaire/1", [("used_library", "Yes")]).headers["location"] == f"{BASE}/questionnaire/1?part=2"

    follow_up = client.get(f"{BASE}/questionnaire/1?part=2").text
    assert 'name="last_visit-day"' in follow_up and "For example, 27 3 2026" in follow_up
    assert "minutes</div>" in follow_up and "Enter a number from 1 to 600." in follow_up  # the unit and the range
    bad = send(client, f"{BASE}/questionnaire/1", [("part", "2"), ("last_visit-day", "31"), ("last_visit-month", "2"),
                                                   ("last_visit-year", "2026"), ("minutes", "900")])
    assert bad.status_code == 422 and "Enter a real date, like 27 3 2026" in bad.text and 'href="#last_visit"' in bad.text
    assert "Enter a number between 1 and 600" in bad.text and re.search(r'name="last_visit-day"[^>]*value="31"', bad.text)
    good = send(client, f"{BASE}/questionnaire/1", [("part", "2"), ("last_visit-day", "5"), ("last_visit-month", "11"),
                                                    ("last_visit-year", "2025"), ("minutes", "45")])
    assert good.headers["location"] == f"{BASE}/questionnaire/2"

    hours = client.get(f"{BASE}/questionnaire/2").text
    assert hours.count('type="radio"') == 10 and 'name="priorities-3"' in hours
    refused = send(client, f"{BASE}/questionnaire/2", [VIEWS[0], ("priorities-1", "1"), ("priorities-2", "1"),
                                                       ("priorities-3", "2")])
    assert refused.status_code == 422
    assert "Select an answer for ‘Libraries should open later on weekdays’" in refused.text
    assert "You gave 1 to both ‘Books’ and ‘Computers’: use each number once" in refused.text
    assert 'href="#hours_views"' in refused.text and 'id="hours_views"' in refused.text and 'id="priorities"' in refused.text
    sent = send(client, f"{BASE}/questionnaire/2", [*VIEWS, ("priorities-1", "3"), ("priorities-2", "1"), ("priorities-3", "2")])
    assert sent.headers["location"] == f"{BASE}/check"

    check = client.get(f"{BASE}/check").text
    assert "5 November 2025" in check and "45 minutes" in check and "1. Computers" in check
    assert "Libraries should open on Sundays: Agree" in check
    changed = send(client, f"{BASE}/questionnaire/1", [("used_library", "No"), ("from", "check")])
    assert changed.headers["location"] == f"{BASE}/check"
    check = client.get(f"{BASE}/check").text
    assert "When did you last visit?" not in check and "5 November 2025" not in check  # only the route taken
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check).group(1)
    send(client, f"{BASE}/submit", [("idempotency_key", key)])
    row = run(SurveyResponse.select(SurveyResponse.answers_json).first().run())
    assert json.loads(row["answers_json"]) == {
        "used_library": "No", "hours_views": {"Libraries should open on Sundays": "Agree",
                                              "Libraries should open later on weekdays": "Strongly disagree"},
        "priorities": ["Computers", "Study space", "Books"]}


def test_paper_entry_of_the_new_kinds_warns_before_dropping_answers_off_the_route(officer_client):
    run(make_consultation("libraries", questionnaire=typed_questionnaire()))
    form = officer_client.get(f"{OFFICER}/responses/new").text
    assert 'name="last_visit-year"' in form and 'name="hours_views-2"' in form and 'name="priorities-3"' in form
    typed = [("channel", "paper"), ("used_library", "No"), ("last_visit-day", "1"), ("last_visit-month", "3"),
             ("last_visit-year", "2026"), *VIEWS, ("priorities-1", "1"), ("priorities-2", "2"), ("priorities-3", "3")]
    warned = send(officer_client, f"{OFFICER}/responses", typed)
    assert warned.status_code == 409 and "‘When did you last visit?’" in warned.text
    assert re.search(r'name="last_visit-day"[^>]*value="1"', warned.text)  # kept, to correct it instead
    duplicate = send(officer_client, f"{OFFICER}/responses", [*typed[:-1], ("priorities-3", "2")])
    assert duplicate.status_code == 422 and "You gave 2 to both ‘Computers’ and ‘Study space’" in duplicate.text
    confirmed = send(officer_client, f"{OFFICER}/responses", [*typed, ("drop_confirmed", "last_visit")])
    assert confirmed.status_code == 303
    row = run(SurveyResponse.select(SurveyResponse.answers_json).first().run())
    assert json.loads(row["answers_json"])["priorities"] == ["Books", "Computers", "Study space"]
    assert "last_visit" not in json.loads(row["answers_json"])


def test_the_paper_copy_prints_a_grid_a_ranking_a_date_and_a_unit(client):
    run(make_consultation("libraries", questionnaire=typed_questionnaire()))
    paper = client.get(f"{BASE}/paper").text
    assert "Tick one box on each line." in paper and '<th scope="row" class="govuk-table__header">Libraries should open on Sundays' in paper
    assert "1 for the one that matters most, 3 for the one that matters least" in paper
    assert "for example 27 3 2026" in paper and "In minutes." in paper
    assert "Answer only if you answered ‘Yes’ to question 1." in paper  # routing, as paper gives it


def test_officer_builds_the_new_kinds_and_edits_are_limited_once_answered(officer_client):
    consultation_id = run(make_consultation("libraries", questionnaire=Questionnaire()))
    post_form(officer_client, f"{OFFICER}/questionnaire/sections", {"section_title": "Libraries"})
    for form in ({"text": "When did you last visit?", "kind": "date", "earliest": "1 1 2020", "key": "last_visit"},
                 {"text": "How long?", "kind": "number", "unit": "minutes", "min_value": "1", "key": "minutes"},
                 {"text": "How far do you agree?", "kind": "grid", "options": "Open Sundays\nOpen later", "key": "views"},
                 {"text": "Put these in order", "kind": "ranking", "options": "Books\nComputers", "key": "priorities"}):
        assert post_form(officer_client, f"{OFFICER}/questionnaire/sections/0/questions", form).status_code == 200
    bad = post_form(officer_client, f"{OFFICER}/questionnaire/sections/0/questions",
                    {"text": "Since?", "kind": "date", "earliest": "31 2 2026"})
    assert bad.status_code == 422 and "Enter a real date, like 27 3 2026" in bad.text
    questionnaire = run(get_questionnaire("libraries"))
    assert questionnaire.question("last_visit").earliest == "2020-01-01" and questionnaire.question("minutes").unit == "minutes"
    assert questionnaire.question("views").options == ["Open Sundays", "Open later"]
    edit = officer_client.get(f"{OFFICER}/questionnaire/questions/minutes/edit").text
    assert 'name="unit"' in edit and 'value="minutes"' in edit
    exported = officer_client.get(f"{OFFICER}/questionnaire.json")
    assert exported.status_code == 200 and '"kind": "ranking"' in exported.text

    run(submit_response(consultation_id=consultation_id, answers={"priorities": ["Books", "Computers"]}, channel="paper"))
    refused = post_form(officer_client, f"{OFFICER}/questionnaire/questions/priorities",
                        {"text": "Put these in order", "kind": "ranking", "options": "Books\nComputers\nCafe", "key": "priorities"})
    assert refused.status_code == 422 and "cannot have options added" in refused.text


def test_an_answer_changed_from_check_your_answers_asks_the_follow_up_it_now_leads_to(client):
    run(make_consultation("libraries", questionnaire=typed_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    assert send(client, f"{BASE}/questionnaire/1", [("used_library", "No")]).headers["location"] == f"{BASE}/questionnaire/2"
    send(client, f"{BASE}/questionnaire/2", VIEWS)
    changed = send(client, f"{BASE}/questionnaire/1", [("used_library", "Yes"), ("from", "check")])
    assert changed.headers["location"] == f"{BASE}/questionnaire/1?part=2&from=check"
    answered = send(client, f"{BASE}/questionnaire/1", [("part", "2"), ("from", "check"), ("last_visit-day", "2"),
                                                        ("last_visit-month", "1"), ("last_visit-year", "2026")])
    assert answered.headers["location"] == f"{BASE}/check"
    assert "2 January 2026" in client.get(f"{BASE}/check").text


def test_a_script_answered_after_the_first_continue_does_not_put_back_the_answers_of_before(client):
    """A page's JavaScript is fetched while the resident answers (govuk-init.js imports GOV.UK
    Frontend after the page's load event), carrying the session cookie of before their answer. A
    static file's response must not set that session again: it would drop the answer given
    meanwhile, and the follow-up page it leads to (a browser on a slow connection, or a loaded
    server, answers the script last)."""
    run(make_consultation("libraries", questionnaire=typed_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    page = client.get(f"{BASE}/questionnaire/1").text
    cookies_before = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    script = re.search(r'data-govuk-frontend="([^"]+)"', page).group(1)
    assert send(client, f"{BASE}/questionnaire/1", [("used_library", "Yes")]).headers["location"] == f"{BASE}/questionnaire/1?part=2"

    late = client.get(script, headers={"cookie": cookies_before})
    assert late.status_code == 200 and "civicpanel_session" not in " ".join(late.headers.get_list("set-cookie"))
    follow_up = client.get(f"{BASE}/questionnaire/1?part=2", follow_redirects=False)
    assert follow_up.status_code == 200 and "When did you last visit?" in follow_up.text


def test_a_page_read_in_another_tab_does_not_put_back_the_answers_of_before(client):
    """Two tabs: the consultation's page, asked with the session cookie of before an answer and
    answered after it, must not set that session again (the cookie is written only when a
    request changes the session); the answer stays, and a request that changes the session still
    sets the cookie."""
    run(make_consultation("libraries", questionnaire=typed_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    client.get(f"{BASE}/questionnaire/1")
    cookies_before = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    answered = send(client, f"{BASE}/questionnaire/1", [("used_library", "Yes")])
    assert "civicpanel_session" in " ".join(answered.headers.get_list("set-cookie"))

    for path in (BASE, f"{BASE}/questionnaire/1"):
        other_tab = client.get(path, headers={"cookie": cookies_before})
        assert other_tab.status_code == 200
        assert "civicpanel_session" not in " ".join(other_tab.headers.get_list("set-cookie")), path
    follow_up = client.get(f"{BASE}/questionnaire/1?part=2", follow_redirects=False)
    assert follow_up.status_code == 200 and "When did you last visit?" in follow_up.text
