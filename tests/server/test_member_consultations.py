"""Panel-only consultations over HTTP: a confirmed member answers through their private link, once;
anyone else is refused with a clear page; the public page offers no form but keeps the paper copy."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

from common.tokens import hash_token
from panels.tables import Panel, Volunteer
from server.tables import OutboxEmail
from surveys.tables import Consultation, SurveyResponse
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import send

BASE = "/consultations/data-charter"
ANSWERS = {1: [("used_services", "No"), ("open_data", "Agree")], 2: [], 3: [("sex", "Female")]}


async def make_volunteer(token: str, *, status: str = "confirmed", reference: str = "RP-AAAAAA") -> None:
    panel = await Panel.objects().where(Panel.slug == "panel-2026").first().run()
    if panel is None:
        panel = Panel(name="Resident Panel 2026", slug="panel-2026", year=2026, panel_size=6)
        await panel.save().run()
    await Volunteer.insert(Volunteer(panel=panel.id, reference=reference, full_name=f"Member {reference}",
                                     email=f"{reference.lower()}@example.com", token_hash=hash_token(token), status=status,
                                     consent_at=datetime.now(timezone.utc))).run()


def answer_every_page(client) -> None:
    for number, pairs in ANSWERS.items():
        response = send(client, f"{BASE}/questionnaire/{number}", pairs)
        assert response.status_code == 303, response.text[-1500:]


def submit(client, key: str = "") -> None:
    check = client.get(f"{BASE}/check")
    assert check.status_code == 200 and "Check your answers" in check.text
    done = send(client, f"{BASE}/submit", [("idempotency_key", key or "made-up")])
    assert done.headers["location"] == f"{BASE}/confirmation"


def test_a_member_answers_from_their_panel_page_once(client):
    run(make_consultation(audience="panel"))
    run(make_volunteer("member-token-1"))
    page = client.get("/my-panel/member-token-1").text
    assert "Consultations for panel members" in page
    link = f"{BASE}/questionnaire?member=member-token-1"
    assert f'href="{link}"' in page

    start = client.get(link, follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"] == f"{BASE}/questionnaire/1"
    answer_every_page(client)
    submit(client)
    reference = re.search(r'class="reference">([A-Z0-9-]+)<', client.get(f"{BASE}/confirmation").text).group(1)

    rows = run(SurveyResponse.select().run())
    assert len(rows) == 1 and rows[0]["reference"] == reference and rows[0]["channel"] == "online"
    assert json.loads(rows[0]["answers_json"]) == {"used_services": "No", "open_data": "Agree", "sex": "Female"}
    assert rows[0]["idempotency_key"] != "made-up" and len(rows[0]["idempotency_key"]) == 64

    done = client.get(f"{BASE}/confirmation").text
    assert "You can change your answers until the consultation closes" in done
    assert "Change your answers to" in client.get("/my-panel/member-token-1").text

    # The same member again, in a new session: their answers are filled in, they change one, and
    # the stored response is replaced (same reference), never a second response nor lost answers.
    client.cookies.clear()
    again = client.get(link)
    assert again.status_code == 200 and "You have already answered" in again.text and reference in again.text
    assert "You can change them until the consultation closes" in again.text
    assert re.search(r'value="No"\s+checked', again.text) or 'value="No" checked' in again.text
    check = client.get(f"{BASE}/check").text
    assert "Agree" in check and "Female" in check
    changed = send(client, f"{BASE}/questionnaire/1", [("used_services", "No"), ("open_data", "Disagree")])
    assert changed.status_code == 303
    assert "Check your answers" in client.get(f"{BASE}/check").text
    sent = send(client, f"{BASE}/submit", [("idempotency_key", "made-up"), ("contact_email", "member@example.com")])
    assert sent.headers["location"] == f"{BASE}/confirmation"
    email = run(OutboxEmail.select().first().run())  # the copy of the changed answers, with the reference
    assert reference in email["subject"] and f"Your reference is {reference}" in email["body"] and "Disagree" in email["body"]
    confirmation = client.get(f"{BASE}/confirmation").text
    assert "Your answers have been changed" in confirmation and reference in confirmation
    rows = run(SurveyResponse.select().run())
    assert len(rows) == 1 and rows[0]["reference"] == reference
    assert json.loads(rows[0]["answers_json"]) == {"used_services": "No", "open_data": "Disagree", "sex": "Female"}
    # Pressing the button twice changes nothing more.
    send(client, f"{BASE}/submit", [("idempotency_key", "another-made-up-key")])
    assert run(SurveyResponse.count().run()) == 1
    assert f"you answered (reference {reference})" in client.get("/my-panel/member-token-1").text


def test_once_closed_a_member_can_no_longer_change_their_answers(client):
    run(make_consultation(audience="panel"))
    run(make_volunteer("member-token-1"))
    client.get(f"{BASE}/questionnaire?member=member-token-1")
    answer_every_page(client)
    submit(client)
    run(Consultation.update({Consultation.closes_on: date.today() - timedelta(days=1),
                             Consultation.opens_on: date.today() - timedelta(days=30)}, force=True).run())
    closed = client.get(f"{BASE}/questionnaire?member=member-token-1")
    assert "This consultation has closed" in closed.text
    refused = send(client, f"{BASE}/questionnaire/1", [("used_services", "Yes")])
    assert refused.status_code == 409
    assert json.loads(run(SurveyResponse.select().run())[0]["answers_json"])["used_services"] == "No"


def test_two_members_each_answer(client):
    run(make_consultation(audience="panel"))
    run(make_volunteer("member-token-1"))
    run(make_volunteer("member-token-2", reference="RP-BBBBBB"))
    for token in ("member-token-1", "member-token-2"):
        client.cookies.clear()
        client.get(f"{BASE}/questionnaire?member={token}")
        answer_every_page(client)
        submit(client)
    assert run(SurveyResponse.count().run()) == 2


def test_anonymous_visitors_and_non_members_are_refused_with_a_clear_page(client):
    run(make_consultation(audience="panel"))
    run(make_volunteer("pool-token", status="pool", reference="RP-CCCCCC"))
    run(make_volunteer("dropped-token", status="dropped_out", reference="RP-DDDDDD"))

    anonymous = client.get(f"{BASE}/questionnaire")
    assert anonymous.status_code == 403 and "This questionnaire is for Resident Panel members" in anonymous.text
    assert client.get(f"{BASE}/questionnaire/1").status_code == 403
    assert client.get(f"{BASE}/check").status_code == 403
    posted = send(client, f"{BASE}/questionnaire/1", ANSWERS[1])
    assert posted.status_code == 403 and "for Resident Panel members" in posted.text
    assert send(client, f"{BASE}/submit", [("idempotency_key", "x")]).status_code == 403

    for token in ("pool-token", "dropped-token", "no-such-token", "x" * 500):
        refused = client.get(f"{BASE}/questionnaire?member={token}")
        assert refused.status_code == 403 and "This link cannot be used to answer" in refused.text
        assert client.get(f"{BASE}/questionnaire/1").status_code == 403
    assert "Consultations for panel members" not in client.get("/my-panel/pool-token").text
    assert run(SurveyResponse.count().run()) == 0


def test_a_member_who_leaves_before_submitting_is_refused(client):
    run(make_consultation(audience="panel"))
    run(make_volunteer("member-token-1"))
    client.get(f"{BASE}/questionnaire?member=member-token-1")
    answer_every_page(client)
    run(Volunteer.update({Volunteer.status: "dropped_out"}).where(Volunteer.reference == "RP-AAAAAA").run())
    refused = send(client, f"{BASE}/submit", [])
    assert refused.status_code == 403 and "This link cannot be used to answer" in refused.text
    assert run(SurveyResponse.count().run()) == 0


def test_public_page_of_a_panel_consultation_offers_no_form_and_no_paper_copy(client):
    run(make_consultation(audience="panel"))
    run(make_consultation("later", audience="panel", status="closed"))
    page = client.get(BASE).text
    assert "This consultation is for members of the Resident Panel" in page and "Members answer it from their private panel page" in page
    assert "Start now" not in page and f'href="{BASE}/paper"' not in page
    assert client.get(f"{BASE}/paper").status_code == 404  # the questions are the panel's until published
    closed = client.get("/consultations/later/questionnaire?member=anything")
    assert closed.status_code == 200 and "This consultation has closed" in closed.text


def test_member_page_lists_only_open_panel_consultations(client):
    run(make_consultation("for-everyone"))
    run(make_consultation("members-soon", audience="panel", status="upcoming"))
    run(make_consultation("members-now", audience="panel"))
    run(make_volunteer("member-token-1"))
    page = client.get("/my-panel/member-token-1").text
    assert "/consultations/members-now/questionnaire?member=member-token-1" in page
    assert "members-soon" not in page and "for-everyone" not in page


def test_members_of_an_earlier_panel_are_not_asked(client):
    run(make_consultation(audience="panel"))
    run(make_volunteer("current-member-token", reference="RP-CCCCCC"))
    old_panel = Panel(name="Resident Panel 2021", slug="panel-2021", year=2021, panel_size=6)
    run(old_panel.save().run())
    run(Volunteer.insert(Volunteer(panel=old_panel.id, reference="RP-OOOOOO", full_name="Old member",
                                   email="old@example.com", token_hash=hash_token("old-member-token"),
                                   status="confirmed", consent_at=datetime.now(timezone.utc))).run())
    refused = client.get(f"{BASE}/questionnaire?member=old-member-token", follow_redirects=False)
    assert refused.status_code == 403
    assert "Consultation data-charter" not in client.get("/my-panel/old-member-token").text
    assert "Consultation data-charter" in client.get("/my-panel/current-member-token").text
    allowed = client.get(f"{BASE}/questionnaire?member=current-member-token", follow_redirects=False)
    assert allowed.status_code == 303
