"""One bad address or title never stops the email outbox (issue 15, item 1).

An address that passed the site's old check but breaks Python's ``email`` package (``a@[b.cd``)
or a line break in a title once made building the whole batch raise, so every pass claimed and
failed the same emails and nothing was ever sent again. Now such an address is refused where it
enters, a subject is one line, each email is built and sent on its own, and an administrator sees
the emails that failed and retries or discards each."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from server.platform.mailer import send_outbox
from server.tables import AuditEntry, OutboxEmail
from surveys.tables import CaseStudy, Comment
from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form, send
from tests.support.smtp import fake_smtp  # noqa: F401  (a fixture)

BAD_ADDRESS = "a@[b.cd"
FORMAT_MESSAGE = "Enter an email address in the correct format"


def test_the_address_is_refused_where_it_enters_and_the_form_keeps_it(client, officer_client):
    run(make_case_study())
    comment = post_form(client, "/case-studies/debt-early-help/comments",
                        {"body": "Say who sees the data", "display_name": "Amina", "email": BAD_ADDRESS})
    assert comment.status_code == 422 and FORMAT_MESSAGE in comment.text and 'value="a@[b.cd"' in comment.text
    assert run(Comment.count().run()) == 0

    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    registered = post_form(client, f"/panels/{slug_of(panel_id)}/register", {**registration(1, "Female", 40), "email": BAD_ADDRESS})
    assert registered.status_code == 422 and FORMAT_MESSAGE in registered.text and 'value="a@[b.cd"' in registered.text

    link = post_form(client, "/your-data", {"email": BAD_ADDRESS})
    assert link.status_code == 422 and FORMAT_MESSAGE in link.text
    assert run(OutboxEmail.count().run()) == 0


def test_the_answers_copy_refuses_the_address_and_keeps_it(client):
    run(make_consultation())
    base = "/consultations/data-charter"
    client.get(f"{base}/questionnaire")
    send(client, f"{base}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(f"{base}/check").text).group(1)
    refused = send(client, f"{base}/submit", [("idempotency_key", key), ("contact_email", BAD_ADDRESS)])
    assert refused.status_code == 422 and FORMAT_MESSAGE in refused.text and 'value="a@[b.cd"' in refused.text
    assert run(OutboxEmail.count().run()) == 0


def _insert_old_comment_email() -> None:
    """What a comment posted before addresses were checked left behind: its row and its notice."""
    now = datetime.now(timezone.utc)
    study_id = run(CaseStudy.select(CaseStudy.id).first().run())["id"]
    run(Comment.raw("INSERT INTO case_study_comment (case_study, display_name, email, body, state, reason, original_body, "
                    "created_at, ip_hash, report_count) VALUES ({}, 'Old', {}, 'Old comment', 'pending', '', '', {}, '', 0)",
                    study_id, BAD_ADDRESS, now).run())
    run(OutboxEmail.raw("INSERT INTO outbox_email (to_address, subject, body, created_at, attempts, last_error) "
                        "VALUES ({}, 'Your comment', 'Your private link: …', {}, 0, '')", BAD_ADDRESS, now).run())


def test_an_old_bad_address_and_a_title_with_a_line_break_do_not_stop_other_emails(client, officer_client, settings,
                                                                                   fake_smtp):
    run(make_case_study())
    run(CaseStudy.update({CaseStudy.title: "Bins\r\nBcc: everyone@example.org"}, force=True).run())
    _insert_old_comment_email()
    posted = post_form(client, "/case-studies/debt-early-help/comments",
                       {"body": "Say who sees the data", "display_name": "Amina", "email": "amina@example.org"})
    assert posted.status_code == 200
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    registered = post_form(client, f"/panels/{slug_of(panel_id)}/register", registration(2, "Male", 50),
                           follow_redirects=False)
    assert registered.status_code == 303

    report = run(send_outbox(replace(settings, smtp_host="mail.council.example")))
    assert (report.sent, report.failed) == (2, 1)
    delivered = {message["To"]: message for message in fake_smtp.delivered}
    assert set(delivered) == {"amina@example.org", "resident2@example.com"}
    assert delivered["amina@example.org"]["Subject"] == "Your comment on ‘Bins Bcc: everyone@example.org’"
    assert delivered["amina@example.org"]["Bcc"] is None
    bad = run(OutboxEmail.select().where(OutboxEmail.to_address == BAD_ADDRESS).first().run())
    assert bad["attempts"] == 1 and bad["sent_at"] is None and "not a valid email address" in bad["last_error"]


def _failed_email(to_address: str = BAD_ADDRESS) -> int:
    now = datetime.now(timezone.utc)
    row = OutboxEmail(to_address=to_address, subject="You have been chosen", body="Your private link: …", attempts=5,
                      last_error="ValueError: not a valid email address: 'a@[b.cd'", failed_at=now)
    run(row.save().run())
    return int(row.id)


def _audit(action: str) -> list[dict]:
    return run(AuditEntry.select().where(AuditEntry.action == action).run())


def test_administrators_see_failed_emails_and_retry_one(admin_client, settings, fake_smtp):
    email_id = _failed_email("refused.once@example.org")
    page = admin_client.get("/admin/outbox")
    assert page.status_code == 200
    assert "refused.once@example.org" in page.text and "not a valid email address" in page.text
    assert 'href="/admin/outbox"' in page.text  # in the administrators' menu
    smtp_settings = replace(settings, smtp_host="mail.council.example")
    assert run(send_outbox(smtp_settings)).sent == 0  # failed: the sender leaves it alone

    retried = post_form(admin_client, f"/admin/outbox/{email_id}/retry", follow_redirects=False)
    assert retried.status_code == 303 and retried.headers["location"] == "/admin/outbox?done=retried"
    row = run(OutboxEmail.select().where(OutboxEmail.id == email_id).first().run())
    assert row["failed_at"] is None and row["attempts"] == 0
    assert [entry["object_id"] for entry in _audit("outbox_email_retried")] == [str(email_id)]
    assert "back in the queue" in admin_client.get("/admin/outbox?done=retried").text
    assert run(send_outbox(smtp_settings)).sent == 1
    assert [message["To"] for message in fake_smtp.delivered] == ["refused.once@example.org"]
    assert post_form(admin_client, f"/admin/outbox/{email_id}/retry").status_code == 404  # sent, no longer failed


def test_administrators_discard_a_failed_email(admin_client):
    email_id = _failed_email()
    discarded = post_form(admin_client, f"/admin/outbox/{email_id}/discard", follow_redirects=False)
    assert discarded.status_code == 303
    assert run(OutboxEmail.count().where(OutboxEmail.id == email_id).run()) == 0
    entries = _audit("outbox_email_discarded")
    assert [entry["object_id"] for entry in entries] == [str(email_id)] and BAD_ADDRESS not in entries[0]["detail"]
    assert "No email has failed" in admin_client.get("/admin/outbox").text
    assert post_form(admin_client, f"/admin/outbox/{email_id}/discard").status_code == 404


@pytest.mark.parametrize("action", ["retry", "discard"])
def test_only_administrators_act_and_only_with_the_form_token(officer_client, admin_client, action):
    email_id = _failed_email()
    assert officer_client.get("/admin/outbox").status_code == 403
    assert post_form(officer_client, f"/admin/outbox/{email_id}/{action}").status_code == 403
    assert admin_client.post(f"/admin/outbox/{email_id}/{action}").status_code == 403  # no CSRF token
    assert run(OutboxEmail.select(OutboxEmail.failed_at).where(OutboxEmail.id == email_id).first().run())["failed_at"]
