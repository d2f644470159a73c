"""A consultation's lifecycle over HTTP: a draft is not there for the public, officers preview it
and publish it with its dates after a confirmation; save and come back later with the emailed
link; copying; finding a response by reference; a report is published only after confirmation."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from server.tables import OutboxEmail
from surveys.tables import Consultation, SavedAnswers, SurveyResponse
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import post_form, send

BASE = "/consultations/data-charter"
OFFICER = "/officer/consultations/data-charter"


def _boxes(name: str, day: date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def test_a_draft_is_previewed_then_published_after_confirmation(client, officer_client):
    run(make_consultation(status="draft"))
    for path in (BASE, f"{BASE}/questionnaire", f"{BASE}/questionnaire/1", f"{BASE}/paper"):
        assert client.get(path).status_code == 404, path
    assert "Consultation data-charter" not in client.get("/consultations").text

    preview = officer_client.get(f"{OFFICER}/preview").text
    assert "Preview — not public" in preview and f"{OFFICER}/preview/questionnaire/1" in preview
    page = officer_client.get(f"{OFFICER}/preview/questionnaire/1").text
    assert "Preview — not public" in page and f'<form method="get" action="{OFFICER}/preview/questionnaire/2"' in page
    assert f'action="{BASE}/questionnaire/1"' not in page  # nothing is posted to the residents' questionnaire
    assert 'name="save_later"' not in page
    assert officer_client.get(f"{BASE}/paper").status_code == 200  # officers print a draft

    confirm = officer_client.get(f"{OFFICER}/publish").text
    assert "Publish this consultation" in confirm and 'name="opens_on-day"' in confirm
    today = date.today()
    refused = post_form(officer_client, f"{OFFICER}/publish", {**_boxes("opens_on", today), **_boxes("closes_on", today - timedelta(days=1))})
    assert refused.status_code == 422 and "The closing date must be on or after the opening date" in refused.text
    assert client.get(BASE).status_code == 404  # still a draft
    published = post_form(officer_client, f"{OFFICER}/publish",
                          {**_boxes("opens_on", today), **_boxes("closes_on", today + timedelta(days=20))},
                          follow_redirects=False)
    assert published.status_code == 303
    assert "Start now" in client.get(BASE).text and "Consultation data-charter" in client.get("/consultations").text
    again = post_form(officer_client, f"{OFFICER}/publish", {**_boxes("opens_on", today), **_boxes("closes_on", today)})
    assert again.status_code == 409 and "already been published" in again.text


def test_a_new_consultation_starts_as_a_draft_and_its_report_waits(client, officer_client):
    created = post_form(officer_client, "/officer/consultations/", {
        "title": "Parking permits", "slug": "parking", "audience": "public",
        **_boxes("opens_on", date.today()), **_boxes("closes_on", date.today() + timedelta(days=9))},
        follow_redirects=False)
    assert created.status_code == 303
    assert "This is a draft" in officer_client.get("/officer/consultations/parking").text
    assert client.get("/consultations/parking").status_code == 404
    refused = post_form(officer_client, "/officer/consultations/parking/publish",
                        {**_boxes("opens_on", date.today()), **_boxes("closes_on", date.today())})
    assert refused.status_code == 409 and "Add at least one question" in refused.text
    report = post_form(officer_client, "/officer/consultations/parking/report/publish")
    assert report.status_code == 409 and "Publish the consultation first" in report.text


def test_report_publishing_asks_first(officer_client):
    run(make_consultation())
    draft = officer_client.get(f"{OFFICER}/report").text
    assert f"{OFFICER}/report/publish" in draft and 'action="/officer/consultations/data-charter/report/publish"' not in draft
    confirm = officer_client.get(f"{OFFICER}/report/publish").text
    assert "Publish version 1 of the report" in confirm and "cannot be withdrawn" in confirm


def test_save_and_come_back_later(client, app, settings):
    from litestar.testing import TestClient

    run(make_consultation())
    client.get(f"{BASE}/questionnaire")
    saving = send(client, f"{BASE}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree"), ("save_later", "1")])
    assert saving.headers["location"] == f"{BASE}/questionnaire/save"
    assert "We will email you a private link" in client.get(f"{BASE}/questionnaire/save").text
    bad = send(client, f"{BASE}/questionnaire/save", [("email", "not an email")])
    assert bad.status_code == 422 and "correct format" in bad.text and 'value="not an email"' in bad.text
    saved = send(client, f"{BASE}/questionnaire/save", [("email", "Sam@Example.org")])
    assert saved.status_code == 200 and "Your answers have been saved" in saved.text
    email = run(OutboxEmail.select().first().run())
    assert email["to_address"] == "Sam@Example.org" and email["about"].startswith("consultation_saved_answers:")
    link = re.search(r"(\S+/resume/\S+)", email["body"]).group(1)
    assert link.startswith(settings.site_url + BASE + "/resume/")

    with TestClient(app=app) as other_device:  # another browser, no session
        carried_on = other_device.get(link.removeprefix(settings.site_url), follow_redirects=False)
        assert carried_on.headers["location"] == f"{BASE}/questionnaire/2"
        send(other_device, f"{BASE}/questionnaire/2", [("visits", "3")])
        send(other_device, f"{BASE}/questionnaire/3", [("sex", "Prefer not to say")])
        check = other_device.get(f"{BASE}/check").text
        assert "Agree" in check  # the answers saved on the first device
        key = re.search(r'name="idempotency_key" value="([^"]+)"', check).group(1)
        send(other_device, f"{BASE}/submit", [("idempotency_key", key)])
        reference = re.search(r'class="reference">([A-Z0-9-]+)<', other_device.get(f"{BASE}/confirmation").text).group(1)
        assert run(SurveyResponse.count().where(SurveyResponse.reference == reference).run()) == 1
        assert run(SavedAnswers.count().run()) == 0  # sent: the saved copy and its email address are gone
        used = other_device.get(link.removeprefix(settings.site_url))
        assert used.status_code == 404 and "This link no longer works" in used.text


def test_saved_answers_are_in_your_information_erased_and_purged(client, settings):
    from server.services.personal_data import bundle_for_email, erase_bundle
    from server.services.retention import purge_personal_data
    from surveys.saved_answers import save_for_later

    consultation_id = run(make_consultation())
    now = datetime.now(timezone.utc)

    def save(email: str, key: str, when: datetime):
        return run(save_for_later(consultation_id=consultation_id, consultation_title="Data", email=email,
                                  idempotency_key=key, answers={"open_data": "Agree"}, furthest_section=1,
                                  keep_days=settings.saved_answers_days, now=when, resume_link=lambda token: token))

    save("ann@example.org", "a" * 32, now)
    bundle = run(bundle_for_email("ANN@example.org"))
    assert [item.answers for item in bundle.saved] == [{"The council should publish more open data": "Agree"}]
    assert bundle.records()[-1]["kind"] == "answers saved to carry on later"
    summary = run(erase_bundle(bundle))
    assert summary.saved_answers == 1 and run(SavedAnswers.count().run()) == 0

    save("bob@example.org", "b" * 32, now - timedelta(days=settings.saved_answers_days + 1))
    save("cat@example.org", "c" * 32, now)
    purged = run(purge_personal_data(settings=settings, now=now))
    assert purged.saved_answers == 1
    assert [row["email"] for row in run(SavedAnswers.select(SavedAnswers.email).run())] == ["cat@example.org"]


def test_a_builder_edit_that_would_break_saved_answers_is_refused(officer_client, settings):
    from surveys.saved_answers import save_for_later

    consultation_id = run(make_consultation())
    run(save_for_later(consultation_id=consultation_id, consultation_title="Data", email="d@example.org",
                       idempotency_key="d" * 32, answers={"visits": 3}, furthest_section=2, keep_days=30,
                       now=datetime.now(timezone.utc), resume_link=lambda token: token))
    refused = post_form(officer_client, f"{OFFICER}/questionnaire/questions/visits/remove")
    assert refused.status_code == 422 and "cannot be removed: residents have saved answers to it" in refused.text


def test_copy_and_find_a_response(officer_client):
    run(make_consultation())
    form = officer_client.get(f"{OFFICER}/copy").text
    assert 'value="Copy of Consultation data-charter"' in form
    copied = post_form(officer_client, f"{OFFICER}/copy", {"title": "Data charter 2027", "slug": ""}, follow_redirects=False)
    assert copied.headers["location"].startswith("/officer/consultations/data-charter-2027")
    rows = run(Consultation.select(Consultation.slug, Consultation.is_draft, Consultation.questionnaire_json)
               .order_by(Consultation.id).run())
    assert rows[1]["slug"] == "data-charter-2027" and rows[1]["is_draft"] and rows[1]["questionnaire_json"] == rows[0]["questionnaire_json"]
    clash = post_form(officer_client, f"{OFFICER}/copy", {"title": "Again", "slug": "data-charter"})
    assert clash.status_code == 422 and 'value="Again"' in clash.text

    entered = post_form(officer_client, f"{OFFICER}/responses", {"channel": "paper", "used_services": "No",
                                                                  "open_data": "Agree"}, follow_redirects=False)
    reference = entered.headers["location"].split("entered=")[1]
    found = officer_client.get("/officer/response-search/", params={"reference": reference.lower().replace("-", " ")})
    assert found.status_code == 200 and f"Response {reference}" in found.text and "Agree" in found.text
    missing = officer_client.get("/officer/response-search/", params={"reference": "R-2222-2222"})
    assert missing.status_code == 422 and "No response has the reference" in missing.text
