"""A resident answers a questionnaire over HTTP: pages, errors, check your answers, submit once."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from server.settings import Settings
from surveys.tables import SurveyResponse
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import send

BASE = "/consultations/data-charter"


def test_a_resident_completes_the_questionnaire(client):
    run(make_consultation())
    start = client.get(f"{BASE}/questionnaire", follow_redirects=False)
    assert start.headers["location"] == f"{BASE}/questionnaire/1"
    first = client.get(f"{BASE}/questionnaire/1").text
    assert "Section 1 of 3" in first and "Which services?" not in first  # asked only after a Yes: routed, not hinted
    assert "Answer this only if" not in first and "Asked only of those" not in first

    empty = send(client, f"{BASE}/questionnaire/1", [])
    assert empty.status_code == 422 and "There is a problem" in empty.text
    assert 'href="#used_services"' in empty.text and "Select an answer to ‘Have you used" in empty.text

    yes = send(client, f"{BASE}/questionnaire/1", [("used_services", "Yes"), ("which_services", "Library"), ("open_data", "Agree")])
    assert yes.headers["location"] == f"{BASE}/questionnaire/1?part=2"  # the follow-up page of the section
    follow_up = client.get(f"{BASE}/questionnaire/1?part=2").text
    assert "Which services?" in follow_up and "Section 1 of 3" in follow_up and 'name="part" value="2"' in follow_up
    assert "The council should publish more open data" not in follow_up

    too_many = send(client, f"{BASE}/questionnaire/1", [("part", "2"), ("which_services", "Library"),
                                                        ("which_services", "Website"), ("which_services", "Phone")])
    assert too_many.status_code == 422 and "Select no more than 2 options" in too_many.text
    assert too_many.text.count("checked") >= 3  # what was ticked is kept

    ok = send(client, f"{BASE}/questionnaire/1", [("part", "2"), ("which_services", "Library")])
    assert ok.headers["location"] == f"{BASE}/questionnaire/2"
    bad_number = send(client, f"{BASE}/questionnaire/2", [("visits", "500"), ("suggestions", "More <maps>")])
    assert bad_number.status_code == 422 and "Enter a number between 0 and 100" in bad_number.text
    assert 'value="500"' in bad_number.text and "More &lt;maps&gt;" in bad_number.text
    assert send(client, f"{BASE}/questionnaire/2", [("visits", "5")]).headers["location"] == f"{BASE}/questionnaire/3"
    assert "Prefer not to say" in client.get(f"{BASE}/questionnaire/3").text
    assert send(client, f"{BASE}/questionnaire/3", [("sex", "Prefer not to say")]).headers["location"] == f"{BASE}/check"

    check = client.get(f"{BASE}/check").text
    assert "Library" in check and "Prefer not to say" in check and f"{BASE}/questionnaire/1?from=check" in check
    assert f"{BASE}/questionnaire/1?part=2&amp;from=check#which_services" in check
    changed = send(client, f"{BASE}/questionnaire/1", [("used_services", "No"), ("open_data", "Disagree"), ("from", "check")])
    assert changed.headers["location"] == f"{BASE}/check"
    check = client.get(f"{BASE}/check").text
    assert "Disagree" in check and "Library" not in check and "Which services?" not in check  # only the route taken
    assert client.get(f"{BASE}/questionnaire/1?part=2", follow_redirects=False).headers["location"] == f"{BASE}/questionnaire/2"
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check).group(1)

    done = send(client, f"{BASE}/submit", [("idempotency_key", key)])
    assert done.headers["location"] == f"{BASE}/confirmation"
    confirmation = client.get(f"{BASE}/confirmation").text
    reference = re.search(r'class="reference">([A-Z0-9-]+)<', confirmation).group(1)
    again = send(client, f"{BASE}/submit", [("idempotency_key", key)])  # the button pressed twice
    assert again.headers["location"] == f"{BASE}/confirmation" and reference in client.get(f"{BASE}/confirmation").text
    rows = run(SurveyResponse.select().run())
    assert len(rows) == 1 and rows[0]["channel"] == "online" and rows[0]["reference"] == reference
    assert json.loads(rows[0]["answers_json"]) == {"used_services": "No", "open_data": "Disagree", "visits": 5,
                                                   "sex": "Prefer not to say"}


def test_skipping_ahead_to_check_sends_you_back_to_a_missing_answer(client):
    run(make_consultation())
    client.get(f"{BASE}/questionnaire")
    response = client.get(f"{BASE}/check", follow_redirects=False)
    assert response.headers["location"] == f"{BASE}/questionnaire/1"
    assert send(client, f"{BASE}/submit", []).headers["location"] == f"{BASE}/check"
    assert run(SurveyResponse.count().run()) == 0


def test_closed_and_upcoming_consultations_take_no_responses(client):
    run(make_consultation("data-charter", status="closed"))
    run(make_consultation("later", status="upcoming"))
    assert "This consultation has closed" in client.get(f"{BASE}/questionnaire").text
    assert "has not opened yet" in client.get("/consultations/later/questionnaire/1").text
    refused = send(client, f"{BASE}/submit", [("idempotency_key", "x")])
    assert refused.status_code == 409 and "no longer accepts responses" in refused.text
    assert send(client, f"{BASE}/questionnaire/1", [("used_services", "No")]).status_code == 409
    assert run(SurveyResponse.count().run()) == 0


def test_panel_only_consultation_is_not_open_to_the_public(client):
    run(make_consultation(audience="panel"))
    assert "for Resident Panel members" in client.get(f"{BASE}/questionnaire").text


def test_paper_copy_numbers_questions_and_explains_conditions(client):
    run(make_consultation(status="closed"))
    page = client.get(f"{BASE}/paper").text
    assert "1. Have you used the council" in page and "Answer only if you answered ‘Yes’ to question 1." in page
    assert "Write a number from 0 to 100" in page
    assert client.get("/consultations/missing/paper").status_code == 404
    assert client.get(f"{BASE}/questionnaire/9").status_code == 200  # closed page before the range check


def test_paper_copy_starts_with_the_postal_return_address_and_a_reference_box(client):
    """The printed copy gave only an email address to return it to, at the very end."""
    run(make_consultation())
    page = client.get(f"{BASE}/paper").text
    address, reference, title = (page.index('id="return-address"'), page.index('id="reference-box"'),
                                 page.index("<h1"))
    assert address < title and reference < title and page.index("1. Have you used the council") > title
    assert "Freepost CAMDEN COUNCIL CONSULTATIONS" in page and "No stamp is needed." in page
    assert "Reference (for office use)" in page

    client.app.state.settings = replace(client.app.state.settings,
                                        council_postal_address="Engagement Team, 5 Pancras Square, London N1C 4AG")
    posted = client.get(f"{BASE}/paper").text
    assert "Engagement Team<br>5 Pancras Square<br>London N1C 4AG" in posted and "No stamp is needed." not in posted


def test_council_postal_address_setting():
    assert Settings.from_env({}).council_postal_address == "Freepost CAMDEN COUNCIL CONSULTATIONS"
    assert Settings.from_env({"COUNCIL_POSTAL_ADDRESS": " Freepost RTKE-ABCD "}).council_postal_address == "Freepost RTKE-ABCD"


def test_confirmation_without_a_response_goes_back(client):
    run(make_consultation())
    assert client.get(f"{BASE}/confirmation", follow_redirects=False).headers["location"] == BASE


def _answer_everything(client) -> None:
    client.get(f"{BASE}/questionnaire")
    send(client, f"{BASE}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")])
    send(client, f"{BASE}/questionnaire/2", [("visits", "5")])
    send(client, f"{BASE}/questionnaire/3", [("sex", "Prefer not to say")])


@pytest.mark.parametrize("sent_key", ["k" * 65, "x" * 200_000, "short", "ключ" * 10, "a b" * 20])
def test_an_idempotency_key_not_of_our_making_is_ignored_not_stored(client, sent_key):
    """The key from the check page's form was stored as sent: 5 MB per submission, and a 500 on
    PostgreSQL past the column's 64 characters."""
    run(make_consultation())
    _answer_everything(client)
    check = client.get(f"{BASE}/check").text
    own_key = re.search(r'name="idempotency_key" value="([^"]+)"', check).group(1)
    done = send(client, f"{BASE}/submit", [("idempotency_key", sent_key)])
    assert done.status_code == 303 and done.headers["location"] == f"{BASE}/confirmation"
    rows = run(SurveyResponse.select(SurveyResponse.idempotency_key).run())
    assert [row["idempotency_key"] for row in rows] == [own_key]


@pytest.mark.parametrize("status, audience", [("upcoming", "public"), ("open", "panel"), ("closed", "panel"),
                                              ("upcoming", "panel")])
def test_a_paper_copy_not_yet_public_is_not_found_for_the_public_but_officers_print_it(client, officer_client,
                                                                                       status, audience):
    """Panel-only and not-yet-open questionnaires were readable by anyone at /paper."""
    run(make_consultation(status=status, audience=audience))
    assert client.get(f"{BASE}/paper").status_code == 404
    assert "/paper" not in client.get(BASE).text
    officer_copy = officer_client.get(f"{BASE}/paper")
    assert officer_copy.status_code == 200 and "1. Have you used the council" in officer_copy.text


def test_a_public_questionnaire_open_or_closed_can_be_printed_by_anyone(client):
    run(make_consultation(status="open"))
    assert f"{BASE}/paper" in client.get(BASE).text
    assert client.get(f"{BASE}/paper").status_code == 200
