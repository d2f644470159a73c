"""Residents' data rights over HTTP: the "Your information" page from each kind of private link,
downloads, correction, withdrawal, erasure, asking for a new link by email; and officers answering
a subject access request."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone

from panels.tables import Volunteer
from server.audit import email_audit_key
from server.tables import AuditEntry, PersonalDataLink
from surveys.tables import Comment, SurveyResponse
from tests.factories.panels import registration, slug_of
from tests.factories.residents import answer_questionnaire, outbox_for, post_comment, register_volunteer
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form, send


def _audit(action: str) -> list[dict]:
    return run(AuditEntry.select().where(AuditEntry.action == action).run())


def test_a_volunteer_sees_downloads_corrects_and_withdraws(client, officer_client):
    panel_id, token = register_volunteer(client, officer_client, full_name="=HYPERLINK(\"http://x\")")
    assert f'href="/your-data/{token}"' in client.get(f"/my-panel/{token}").text

    page = client.get(f"/your-data/{token}")
    assert page.status_code == 200
    for text in ("resident1@example.com", "1 Test Street", "NW1 2RU", "Female", "What you agreed to",
                 "consent text version", "choose a Resident Panel", "365 days after the panel"):
        assert text in page.text, text

    downloaded = client.get(f"/your-data/{token}/download.json")
    assert downloaded.headers["content-disposition"].startswith("attachment")
    record = json.loads(downloaded.text)["records"][0]
    assert record["email"] == "resident1@example.com" and record["answers_about_you"]["Sex"] == "Female"
    assert record["consent_at"] and "consent text version" in record["consent_text"]
    rows = list(csv.reader(io.StringIO(client.get(f"/your-data/{token}/download.csv").text)))
    assert rows[0] == ["record", "kind", "field", "value"]
    assert ["1", "panel volunteer", "full_name", "'=HYPERLINK(\"http://x\")"] in rows  # no formula runs
    assert len(_audit("personal_data_downloaded")) == 2

    volunteer_id = run(Volunteer.select(Volunteer.id).first().run())["id"]
    correct_url = f"/your-data/{token}/correct/volunteer/{volunteer_id}"
    bad = post_form(client, correct_url, {"full_name": "Ann Other", "email": "not an email", "phone": "",
                                          "address": "2 New Road", "postcode": "NW1 2RU"})
    assert bad.status_code == 422 and "Enter an email address in the correct format" in bad.text
    assert 'value="not an email"' in bad.text and 'value="2 New Road"' in bad.text
    assert run(Volunteer.select(Volunteer.address).first().run())["address"] == "1 Test Street"
    good = post_form(client, correct_url, {"full_name": "Ann Other", "email": "ann@example.com", "phone": "",
                                           "address": "2 New Road", "postcode": "nw12ru"}, follow_redirects=False)
    assert good.status_code == 303
    stored = run(Volunteer.select().first().run())
    assert (stored["full_name"], stored["email"], stored["postcode"]) == ("Ann Other", "ann@example.com", "NW1 2RU")
    assert stored["household_key"] == "2newroad|nw12ru"
    assert _audit("personal_data_corrected")

    assert "leave the pool" in client.get(f"/your-data/{token}/withdraw/{volunteer_id}").text
    post_form(client, f"/your-data/{token}/withdraw/{volunteer_id}", {})
    assert run(Volunteer.select(Volunteer.status).first().run())["status"] == "withdrawn"
    assert "Withdraw from the panel" not in client.get(f"/your-data/{token}").text.split("</h1>", 1)[1].split("Erase")[0]
    assert _audit("panel_withdrawn")


def test_a_link_reaches_only_its_own_records(client, officer_client):
    panel_id, token = register_volunteer(client, officer_client)
    other = post_form(client, f"/panels/{slug_of(panel_id)}/register", registration(2, "Male", 30), follow_redirects=False)
    assert other.status_code == 303
    other_id = run(Volunteer.select(Volunteer.id).where(Volunteer.email == "resident2@example.com").first().run())["id"]
    assert client.get(f"/your-data/{token}/correct/volunteer/{other_id}").status_code == 404
    assert post_form(client, f"/your-data/{token}/withdraw/{other_id}", {}).status_code == 404
    assert client.get("/your-data/not-a-real-token").status_code == 404
    assert client.get(f"/your-data/{'x' * 500}").status_code == 404


def test_erasure_deletes_personal_fields_and_the_officer_no_longer_sees_them(client, officer_client):
    panel_id, token = register_volunteer(client, officer_client)
    confirm_page = client.get(f"/your-data/{token}/erase").text
    assert "What stays" in confirm_page and "panel lottery was published" in confirm_page
    assert "Your answers about yourself" in confirm_page
    assert "A record that you served on" not in confirm_page  # in the pool only: no record of service
    run(Volunteer.update({Volunteer.status: "confirmed"}, force=True).run())
    member_page = client.get(f"/your-data/{token}/erase").text
    assert "A record that you served on" in member_page and "It is deleted 10 years after the panel’s year" in member_page
    run(Volunteer.update({Volunteer.status: "pool"}, force=True).run())

    unconfirmed = post_form(client, f"/your-data/{token}/erase", {})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    assert run(Volunteer.select(Volunteer.status).first().run())["status"] == "pool"

    erased = post_form(client, f"/your-data/{token}/erase", {"confirm": "yes"}, follow_redirects=False)
    assert erased.headers["location"] == "/your-data/erased"
    row = run(Volunteer.select().first().run())
    assert row["status"] == "erased" and row["token_hash"] is None and row["age"] is None
    assert not any(row[name] for name in ("full_name", "email", "phone", "address", "postcode", "household_key"))
    assert json.loads(row["answers"])["sex"] == "Female"  # anonymous demographics stay, as the page said
    assert client.get(f"/your-data/{token}").status_code == 404
    assert client.get(f"/my-panel/{token}").status_code == 404
    assert outbox_for("resident1@example.com") == []  # the confirmation email (name, link) is gone too

    pool = officer_client.get(f"/officer/panels/{panel_id}/pool").text
    assert row["reference"] not in pool and "Test Resident 1" not in pool
    entry = _audit("personal_data_erased")[0]
    assert entry["actor"] == "resident" and "1 panel registration(s)" in entry["detail"]
    assert "Test Resident" not in entry["detail"] and "resident1@example.com" not in entry["detail"]


def test_a_commenter_erases_their_comment_and_replies_keep_their_place(client):
    run(make_case_study(premoderated=False))
    token = post_comment(client, email="amina@example.com", body="My original words")
    assert f'href="/your-data/{token}"' in client.get(f"/my/comments/{token}").text
    parent_id = run(Comment.select(Comment.id).first().run())["id"]
    reply = post_form(client, "/case-studies/debt-early-help/comments",
                      {"body": "A reply by someone else", "display_name": "Ben", "email": "", "parent_id": str(parent_id)},
                      follow_redirects=False)
    assert reply.status_code in (200, 303)

    page = client.get(f"/your-data/{token}").text
    assert "My original words" in page and "amina@example.com" in page
    post_form(client, f"/your-data/{token}/erase", {"confirm": "yes"})
    stored = run(Comment.select().where(Comment.id == parent_id).first().run())
    assert stored["state"] == "erased" and not (stored["body"] or stored["email"] or stored["display_name"])
    study = client.get("/case-studies/debt-early-help").text
    assert "My original words" not in study and "removed by the person who wrote it" in study
    assert "A reply by someone else" in study
    assert client.get(f"/my/comments/{token}").status_code == 404


def test_a_respondent_gets_a_copy_and_a_link_and_can_remove_their_email(client):
    run(make_consultation())
    base = "/consultations/data-charter"
    client.get(f"{base}/questionnaire")
    send(client, f"{base}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")])
    send(client, f"{base}/questionnaire/2", [("visits", "3")])
    send(client, f"{base}/questionnaire/3", [("sex", "Female")])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(f"{base}/check").text).group(1)
    bad = send(client, f"{base}/submit", [("idempotency_key", key), ("contact_email", "nope@")])
    assert bad.status_code == 422 and "There is a problem" in bad.text and 'value="nope@"' in bad.text
    assert run(SurveyResponse.count().run()) == 0

    page, token = answer_questionnaire(client, email="rose@example.com")
    assert token and "shown only once" in page
    assert "/your-data/" not in client.get(f"{base}/confirmation").text  # shown once
    copy = outbox_for("rose@example.com")[0]
    assert "Agree" in copy["body"] and f"/your-data/{token}" in copy["body"]

    mine = client.get(f"/your-data/{token}").text
    assert "The council should publish more open data" in mine and "rose@example.com" in mine
    post_form(client, f"/your-data/{token}/erase", {"confirm": "yes"})
    stored = run(SurveyResponse.select().first().run())
    assert stored["contact_email"] == "" and stored["contact_token_hash"] is None
    assert json.loads(stored["answers_json"])["open_data"] == "Agree"  # the anonymous answers stay


def test_an_anonymous_response_stores_no_contact(client):
    run(make_consultation())
    page, token = answer_questionnaire(client, email="")
    assert token == "" and "Response sent" in page
    stored = run(SurveyResponse.select().first().run())
    assert stored["contact_email"] == "" and stored["contact_token_hash"] is None and stored["consent_at"] is None


def test_asking_for_a_link_never_reveals_whether_an_email_is_known(client, officer_client):
    register_volunteer(client, officer_client)
    run(make_case_study(premoderated=False))
    post_comment(client, email="Resident1@Example.com")

    empty = post_form(client, "/your-data", {"email": ""})
    assert empty.status_code == 422 and "Enter your email address" in empty.text
    known = post_form(client, "/your-data", {"email": "RESIDENT1@example.com"}, follow_redirects=False)
    unknown = post_form(client, "/your-data", {"email": "stranger@example.com"}, follow_redirects=False)
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/your-data/link-sent"
    assert outbox_for("stranger@example.com") == []
    assert outbox_for("RESIDENT1@example.com") == []  # never to the address as typed: to the one held
    mail = [item for item in outbox_for("resident1@example.com") if item["about"].startswith("personal_data_link:")]
    assert len(mail) == 1
    token = re.search(r"/your-data/(\S+)", mail[0]["body"]).group(1)
    page = client.get(f"/your-data/{token}").text
    assert "Resident Panel" in page and "Say who sees the data" in page  # both records under that email
    assert all("stranger" not in entry["detail"] + entry["object_id"] for entry in _audit("data_link_requested"))

    run(PersonalDataLink.update({PersonalDataLink.expires_at: datetime.now(timezone.utc) - timedelta(minutes=1)},
                                force=True).run())
    assert client.get(f"/your-data/{token}").status_code == 404


def test_link_requests_are_rate_limited_per_address(client):
    for _ in range(5):
        assert post_form(client, "/your-data", {"email": "someone@example.com"}, follow_redirects=False).status_code == 303
    limited = post_form(client, "/your-data", {"email": "someone@example.com"})
    assert limited.status_code == 429 and "Wait an hour" in limited.text and 'value="someone@example.com"' in limited.text


def test_an_officer_answers_a_subject_access_request_and_it_is_audited(client, officer_client, cabinet_client):
    register_volunteer(client, officer_client)
    no_reason = post_form(officer_client, "/officer/personal-data", {"email": "resident1@example.com", "reason": ""})
    assert no_reason.status_code == 422 and "Enter why you are looking" in no_reason.text
    assert 'value="resident1@example.com"' in no_reason.text
    found = post_form(officer_client, "/officer/personal-data", {"email": "resident1@example.com", "reason": "SAR-41"})
    assert "1 record held" in found.text and "Test Resident 1" in found.text
    search = _audit("subject_access_search")[0]
    assert search["reason"] == "SAR-41" and search["object_id"] == email_audit_key("resident1@example.com")
    assert "resident1" not in search["object_id"]  # the log outlives erasure: never the address itself

    exported = post_form(officer_client, "/officer/personal-data/export",
                         {"email": "resident1@example.com", "reason": "SAR-41", "format": "json"})
    assert json.loads(exported.text)["records"][0]["full_name"] == "Test Resident 1"
    assert _audit("subject_access_exported")[0]["reason"] == "SAR-41"

    assert cabinet_client.get("/officer/personal-data", follow_redirects=False).status_code == 403
    assert post_form(cabinet_client, "/officer/personal-data/export",
                     {"email": "resident1@example.com", "reason": "x"}).status_code == 403

    unconfirmed = post_form(officer_client, "/officer/personal-data/erase", {"email": "resident1@example.com", "reason": "phone call"})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    erased = post_form(officer_client, "/officer/personal-data/erase",
                       {"email": "resident1@example.com", "reason": "phone call", "confirm": "yes"})
    assert "Erased. Panel registrations: 1." in erased.text
    assert run(Volunteer.select(Volunteer.status).first().run())["status"] == "erased"
    assert _audit("personal_data_erased")[0]["reason"] == "phone call"


def test_changing_the_email_through_an_email_link_explains_that_the_link_now_reaches_nothing(client, officer_client):
    register_volunteer(client, officer_client)
    post_form(client, "/your-data", {"email": "resident1@example.com"})
    mail = [row for row in outbox_for("resident1@example.com") if "/your-data/" in row["body"]][0]
    token = re.search(r"/your-data/(\S+)", mail["body"]).group(1)
    volunteer_id = run(Volunteer.select(Volunteer.id).first().run())["id"]
    changed = post_form(client, f"/your-data/{token}/correct/volunteer/{volunteer_id}",
                        {"full_name": "Test Resident 1", "email": "new.address@example.com", "phone": "",
                         "address": "1 Test Street", "postcode": "NW1 2RU"})
    assert changed.status_code == 200 and "Ask for a new link" in changed.text
    assert run(Volunteer.select(Volunteer.email).first().run())["email"] == "new.address@example.com"
