"""Retention: personal data is deleted when its period ends (clock moved past it), a dry run only
counts, the command prints counts, the daily task runs, the privacy notice states the real
periods, and administrators set a consultation's period."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from panels.tables import Volunteer
from server.cli.main import cli
from server.services.retention import purge_personal_data, run_purge_forever
from server.tables import AuditEntry, OutboxEmail
from surveys.tables import Comment, Consultation, SurveyResponse
from tests.factories.residents import answer_questionnaire, post_comment, register_volunteer
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form

PANEL_DATA_ENDS = datetime(2027, 5, 24, tzinfo=timezone.utc)
"""The test panel's last session is 23 May 2026 and it keeps data 365 days: deleted from 24 May 2027."""


def _snapshot() -> dict[str, object]:
    volunteer = run(Volunteer.select().first().run())
    return {"volunteer": volunteer["status"], "response_email": run(SurveyResponse.select().first().run())["contact_email"],
            "comment_email": run(Comment.select().first().run())["email"], "outbox": run(OutboxEmail.count().run())}


def _resident_data(client, officer_client) -> None:
    register_volunteer(client, officer_client)
    run(make_consultation())
    answer_questionnaire(client, email="rose@example.com")
    run(make_case_study(premoderated=False))
    post_comment(client, email="amina@example.com", body="Keep this comment")


def test_nothing_is_deleted_before_retention_ends_and_everything_due_after(client, officer_client, settings):
    _resident_data(client, officer_client)
    before = _snapshot()
    just_before = PANEL_DATA_ENDS - timedelta(seconds=1)
    quiet = run(purge_personal_data(settings=settings, now=just_before))
    assert quiet.volunteers == 0 and _snapshot()["volunteer"] == "pool"

    consultation = run(Consultation.select(Consultation.closes_on).first().run())
    far_future = datetime.combine(consultation["closes_on"] + timedelta(days=31 * 13), datetime.min.time(),
                                  tzinfo=timezone.utc) + timedelta(days=400)
    dry = run(purge_personal_data(settings=settings, now=far_future, dry_run=True))
    assert (dry.volunteers, dry.response_contacts, dry.comment_contacts) == (1, 1, 1)
    assert dry.emails == before["outbox"]  # every email is older than the retention period by then
    assert _snapshot() == before  # a dry run deletes nothing

    done = run(purge_personal_data(settings=settings, now=far_future))
    assert (done.volunteers, done.response_contacts, done.comment_contacts, done.emails) == (1, 1, 1, before["outbox"])
    volunteer = run(Volunteer.select().first().run())
    assert volunteer["status"] == "erased" and volunteer["full_name"] == "" and volunteer["email"] == ""
    assert json.loads(volunteer["answers"])["sex"] == "Female"
    response = run(SurveyResponse.select().first().run())
    assert response["contact_email"] == "" and json.loads(response["answers_json"])["open_data"] == "Agree"
    comment = run(Comment.select().first().run())
    assert comment["email"] == "" and comment["body"] == "Keep this comment" and comment["state"] == "published"
    again = run(purge_personal_data(settings=settings, now=far_future))
    assert again.total == 0  # idempotent: two workers purging at once delete nothing twice


def test_a_panel_is_purged_by_its_own_period(client, officer_client, settings):
    register_volunteer(client, officer_client)
    assert run(purge_personal_data(settings=settings, now=PANEL_DATA_ENDS - timedelta(minutes=1))).volunteers == 0
    assert run(purge_personal_data(settings=settings, now=PANEL_DATA_ENDS)).volunteers == 1


def test_a_consultation_keeps_contacts_for_its_own_number_of_months(client, settings):
    run(make_consultation())
    answer_questionnaire(client, email="rose@example.com")
    closes = run(Consultation.select(Consultation.closes_on).first().run())["closes_on"]
    run(Consultation.update({Consultation.retention_months: 2}, force=True).run())
    in_month_two = datetime.combine(closes + timedelta(days=50), datetime.min.time(), tzinfo=timezone.utc)
    assert run(purge_personal_data(settings=settings, now=in_month_two)).response_contacts == 0
    after_month_three = datetime.combine(closes + timedelta(days=95), datetime.min.time(), tzinfo=timezone.utc)
    assert run(purge_personal_data(settings=settings, now=after_month_three)).response_contacts == 1


def test_sent_emails_go_after_thirty_days(db, settings):
    now = datetime.now(timezone.utc)
    run(OutboxEmail.insert(
        OutboxEmail(to_address="a@example.com", subject="old", body="x", created_at=now - timedelta(days=40),
                    sent_at=now - timedelta(days=31)),
        OutboxEmail(to_address="b@example.com", subject="recent", body="x", created_at=now - timedelta(days=10),
                    sent_at=now - timedelta(days=10)),
        OutboxEmail(to_address="c@example.com", subject="waiting", body="x", created_at=now - timedelta(days=40)),
    ).run())
    assert run(purge_personal_data(settings=settings, now=now)).emails == 1
    assert sorted(row["subject"] for row in run(OutboxEmail.select(OutboxEmail.subject).run())) == ["recent", "waiting"]


def test_the_purge_command_prints_counts_and_a_dry_run_deletes_nothing(client, officer_client):
    run(make_case_study(premoderated=False))
    post_comment(client, email="amina@example.com")
    old = datetime.now(timezone.utc) - timedelta(days=400)
    run(Comment.update({Comment.created_at: old}, force=True).run())
    dry = CliRunner().invoke(cli, ["purge", "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0 and "Dry run: nothing deleted" in dry.output
    assert "comment emails and address hashes removed: 1" in dry.output
    assert run(Comment.select(Comment.email).first().run())["email"] == "amina@example.com"
    real = CliRunner().invoke(cli, ["purge"], catch_exceptions=False)
    assert real.exit_code == 0 and "comment emails and address hashes removed: 1" in real.output
    assert "amina" not in real.output
    assert run(Comment.select(Comment.email).first().run())["email"] == ""
    entry = run(AuditEntry.select().where(AuditEntry.action == "retention_purge").first().run())
    assert entry["actor"] == "command line" and "comment emails and address hashes removed: 1" in entry["detail"]


def test_the_daily_task_purges_and_records_it(client, settings):
    run(make_case_study(premoderated=False))
    post_comment(client, email="amina@example.com")
    run(Comment.update({Comment.created_at: datetime.now(timezone.utc) - timedelta(days=400)}, force=True).run())

    async def one_pass() -> None:
        task = asyncio.create_task(run_purge_forever(settings, first_delay_s=0, interval_s=3600))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await AuditEntry.exists().where(AuditEntry.action == "retention_purge").run():
                break
        task.cancel()

    run(one_pass())
    assert run(Comment.select(Comment.email).first().run())["email"] == ""
    assert run(AuditEntry.select(AuditEntry.actor).where(AuditEntry.action == "retention_purge").first().run())["actor"] == "system"


def test_the_privacy_notice_states_the_real_periods(client, officer_client):
    register_volunteer(client, officer_client)
    run(make_consultation())
    run(Consultation.update({Consultation.retention_months: 18}, force=True).run())
    page = client.get("/privacy").text
    assert "Test Resident Panel" in page and "365 days after 23 May 2026" in page and "24 May 2027" in page
    assert "Consultation data-charter" in page and "18 months after" in page


def test_an_administrator_sets_a_consultation_period_and_runs_the_purge(admin_client, officer_client, db):
    consultation_id = run(make_consultation())
    page = admin_client.get("/admin/retention")
    assert page.status_code == 200 and "Due for deletion now" in page.text
    bad = post_form(admin_client, f"/admin/retention/consultations/{consultation_id}", {"months": "0"})
    assert bad.status_code == 422 and "Enter a whole number of months" in bad.text and 'value="0"' in bad.text
    superscript = post_form(admin_client, f"/admin/retention/consultations/{consultation_id}", {"months": "²"})
    assert superscript.status_code == 422 and 'value="²"' in superscript.text
    good = post_form(admin_client, f"/admin/retention/consultations/{consultation_id}", {"months": "6"},
                     follow_redirects=False)
    assert good.status_code == 303
    assert run(Consultation.select(Consultation.retention_months).first().run())["retention_months"] == 6
    assert post_form(admin_client, "/admin/retention/consultations/999", {"months": "6"}).status_code == 404
    assert post_form(admin_client, "/admin/retention/purge", {}, follow_redirects=False).status_code == 303
    assert officer_client.get("/admin/retention", follow_redirects=False).status_code == 403
    actions = [row["action"] for row in run(AuditEntry.select(AuditEntry.action).run())]
    assert "retention_changed" in actions
