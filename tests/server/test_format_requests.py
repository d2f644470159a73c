""""Ask for another language or format": on every consultation, case study and panel page, stored
and audited, a task officers mark done, and erased with the rest of a resident's information."""

from __future__ import annotations

from server.tables import AuditEntry, FormatRequest
from tests.factories.panels import create_panel, slug_of
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form

REQUEST = {"wanted": "translation", "language": "Bengali", "email": "Rina@Example.org",
           "purpose": "To answer the questionnaire with my mother"}


def test_the_form_is_on_every_consultation_case_study_and_panel_page(client, officer_client):
    run(make_consultation("bins"))
    run(make_case_study("parking"))
    panel = slug_of(create_panel(officer_client))
    for path, action in (("/consultations/bins", "/ask-for-format/consultation/bins"),
                         ("/case-studies/parking", "/ask-for-format/case_study/parking"),
                         (f"/panels/{panel}", f"/ask-for-format/panel/{panel}")):
        page = client.get(path).text
        assert f'action="{action}"' in page and "Ask for another language or format" in page, path
    assert client.get("/ask-for-format/case_study/no-such-page").status_code == 404
    assert client.get("/ask-for-format/elsewhere/parking").status_code == 404


def test_a_request_is_checked_stored_audited_and_done_by_an_officer(client, officer_client):
    from server.services.personal_data import bundle_for_email, erase_bundle

    run(make_case_study("parking"))
    refused = post_form(client, "/ask-for-format/case_study/parking", {"wanted": "translation", "email": "not an address",
                                                                      "purpose": "x" * 1001})
    assert refused.status_code == 422
    assert "There is a problem" in refused.text and "Enter the language you would like it in" in refused.text
    assert "1000 characters or fewer (it has 1001)" in refused.text and 'value="not an address"' in refused.text
    client.cookies.set("lang", "cy")
    sent = post_form(client, "/ask-for-format/case_study/parking", REQUEST)
    assert sent.status_code == 200 and "Anfonwyd y cais" in sent.text and "rina@example.org" in sent.text
    assert 'href="/language/ar?next="' in sent.text  # a page answering a POST: the switcher goes home
    rows = run(FormatRequest.select().run())
    assert [(row["page_title"], row["wanted"], row["language"], row["email"], row["locale"]) for row in rows] == [
        ("Case study parking", "translation", "Bengali", "rina@example.org", "cy")]

    tasks = officer_client.get("/officer/format-requests").text
    assert "1 request to do." in tasks and "rina@example.org" in tasks and "To answer the questionnaire" in tasks
    done = post_form(officer_client, f"/officer/format-requests/{rows[0]['id']}", {"done": "1"}, follow_redirects=False)
    assert done.status_code == 303
    tasks = officer_client.get(done.headers["location"]).text
    assert "The request is marked done." in tasks and "0 requests to do." in tasks and "Mark as to do" in tasks
    actions = [row["action"] for row in run(AuditEntry.select(AuditEntry.action).where(
        AuditEntry.object_type == "format_request").order_by(AuditEntry.id).run())]
    assert actions == ["format_request_made", "format_requests_viewed", "format_request_done", "format_requests_viewed"]
    assert "rina@example.org" not in str(run(AuditEntry.select().run()))

    bundle = run(bundle_for_email("RINA@example.org"))
    assert [record["kind"] for record in bundle.records()] == ["format_request"]
    summary = run(erase_bundle(bundle))
    assert summary.format_requests == 1 and summary.total == 1
    assert run(FormatRequest.count().run()) == 0


def test_the_retention_purge_deletes_old_requests(db, settings):
    from datetime import datetime, timedelta, timezone

    from server.services.retention import purge_personal_data

    old, recent = (FormatRequest(page_kind="panel", page_slug="p", page_title="P", wanted="audio", email="a@example.org",
                                 email_key="a@example.org", created_at=datetime.now(timezone.utc) - timedelta(days=days))
                   for days in (settings.personal_data_retention_months * 31, 3))
    run(FormatRequest.insert(old, recent).run())
    assert run(purge_personal_data(settings=settings, dry_run=True)).format_requests == 1
    assert run(purge_personal_data(settings=settings)).format_requests == 1
    assert [row["created_at"] > datetime.now(timezone.utc) - timedelta(days=4) for row in run(FormatRequest.select().run())] == [True]
