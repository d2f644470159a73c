"""Deleting personal data when its retention period ends (``civicpanel purge``; the server also
runs it daily).

What goes, and when:

- panel volunteers' personal fields, ``Panel.retention_days`` after the panel's last session
  (anonymised demographics stay: the published lottery lists the pool by reference); just before,
  a record of service is written for each member who took a seat (``panels.service_records``:
  keyed hashes, no name or address), itself deleted ``SERVICE_RECORD_YEARS`` after the panel's year;
- questionnaire respondents' contact details, ``Consultation.retention_months`` (else
  ``RETENTION_MONTHS``) after the consultation closes (the answers stay, anonymous);
- commenters' emails and address hashes, ``RETENTION_MONTHS`` after they posted;
- the original text of redacted comments, after the same audit period;
- answers saved part-way through a questionnaire (with the email they were saved under),
  ``SAVED_ANSWERS_DAYS`` after they were saved;
- everything of a rejected comment (text, name, email), ``REJECTED_COMMENT_DAYS`` after the
  rejection (at once when it was rejected for holding personal information);
- the emails about every record purged;
- follows by email: unconfirmed ones when their confirmation link expires
  (``server.services.follows.CONFIRM_DAYS``), confirmed ones the audit period after confirming;
- sent emails after ``SENT_EMAIL_DAYS`` (they hold names and private links), any email after the
  retention period; expired private links.

Aggregates, published reports and the audit log stay. The summary holds counts, never contents.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone

from analysis.reports.store import forget_quotes_of_comments
from common.i18n import DEFAULT_LOCALE, active_locale, gettext
from panels import personal_data as panel_data
from panels import service_records
from panels.store import about_volunteer
from server.audit import record_audit
from server.services import format_requests
from server.services.follows import about_follow, erase_follows, follows_past_retention
from server.services.personal_data import forget_expired_links
from server.settings import Settings
from server.tables import OutboxEmail, PersonalDataLink
from surveys import personal_data as survey_data
from surveys import response_files
from surveys.comments import about_comment, purge_redacted_originals, purge_rejected_comments, rejected_comments_before
from surveys.responses import about_response
from surveys.saved_answers import about_saved_answers, erase_saved_answers, saved_answers_past_retention

logger = logging.getLogger("civicpanel")

SENT_EMAIL_DAYS = 30
REJECTED_COMMENT_DAYS = 30
"""A rejected comment is never shown; its author can read why on their private link for this long."""
PURGE_INTERVAL_S = 24 * 3600
FIRST_PURGE_DELAY_S = 60


@dataclass(frozen=True)
class PurgeSummary:
    volunteers: int
    response_contacts: int
    comment_contacts: int
    redacted_originals: int
    rejected_comments: int
    emails: int
    expired_links: int
    saved_answers: int = 0
    format_requests: int = 0
    follows: int = 0
    response_files: int = 0
    service_records: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, item.name) for item in fields(self))

    def lines(self) -> list[str]:
        """The counts, one sentence each, in the active locale (the retention page lists them)."""
        return [
            gettext("panel volunteers erased: %(count)d", count=self.volunteers),
            gettext("questionnaire contact details removed: %(count)d", count=self.response_contacts),
            gettext("comment emails and address hashes removed: %(count)d", count=self.comment_contacts),
            gettext("original text of redacted comments forgotten: %(count)d", count=self.redacted_originals),
            gettext("rejected comments forgotten: %(count)d", count=self.rejected_comments),
            gettext("emails deleted from the outbox: %(count)d", count=self.emails),
            gettext("expired private links deleted: %(count)d", count=self.expired_links),
            gettext("answers saved to carry on later deleted: %(count)d", count=self.saved_answers),
            gettext("requests for another language or format deleted: %(count)d", count=self.format_requests),
            gettext("follows by email deleted: %(count)d", count=self.follows),
            gettext("files sent with questionnaire responses deleted: %(count)d", count=self.response_files),
            gettext("records of panel service older than %(years)d years deleted: %(count)d",
                    years=service_records.SERVICE_RECORD_YEARS, count=self.service_records),
        ]

    def audit_detail(self) -> str:
        """The counts for the audit log, always in the source language: the log is one record,
        whichever language the administrator who ran the purge reads."""
        token = active_locale.set(DEFAULT_LOCALE)
        try:
            return "; ".join(self.lines())
        finally:
            active_locale.reset(token)


def audit_period(settings: Settings) -> timedelta:
    return timedelta(days=settings.personal_data_retention_months * 30)


def _old_emails(*, now: datetime, settings: Settings):
    return ((OutboxEmail.sent_at.is_not_null() & (OutboxEmail.sent_at < now - timedelta(days=SENT_EMAIL_DAYS)))
            | (OutboxEmail.created_at < now - audit_period(settings)))


async def purge_personal_data(*, settings: Settings, now: datetime | None = None, dry_run: bool = False) -> PurgeSummary:
    """Delete (or, with ``dry_run``, only count) personal data past its retention period."""
    now = now or datetime.now(timezone.utc)
    cut_off = now - audit_period(settings)
    volunteer_ids = await panel_data.volunteers_past_retention(now=now)
    response_ids = await survey_data.responses_past_retention(now=now, default_months=settings.personal_data_retention_months)
    comment_ids = await survey_data.comments_past_retention(posted_before=cut_off)
    saved_ids = await saved_answers_past_retention(now=now)
    follow_ids = await follows_past_retention(now=now, retention=audit_period(settings))
    expired_consultations = [item.consultation_id for item in await survey_data.consultation_retention(
        default_months=settings.personal_data_retention_months) if item.ends <= now]
    files = await response_files.files_past_retention(now=now, expired_consultation_ids=expired_consultations)
    if dry_run:
        return PurgeSummary(
            volunteers=len(volunteer_ids), response_contacts=len(response_ids), comment_contacts=len(comment_ids),
            redacted_originals=await survey_data.redacted_originals_before(older_than=cut_off),
            rejected_comments=await rejected_comments_before(
                moderated_before=now - timedelta(days=REJECTED_COMMENT_DAYS)),
            emails=int(await OutboxEmail.count().where(_old_emails(now=now, settings=settings)).run()),
            expired_links=int(await PersonalDataLink.count().where(PersonalDataLink.expires_at <= now).run()),
            saved_answers=len(saved_ids),
            format_requests=await format_requests.count_format_requests_before(cut_off),
            follows=len(follow_ids),
            response_files=len(files),
            service_records=await service_records.forget_old_service_records(today=now.date(), dry_run=True),
        )
    if volunteer_ids:
        await service_records.record_service(secret_key=settings.secret_key)
    volunteers = await panel_data.erase_volunteers(volunteer_ids, now=now)
    rejected = await purge_rejected_comments(moderated_before=now - timedelta(days=REJECTED_COMMENT_DAYS))
    await forget_quotes_of_comments(rejected)
    abouts = ([about_volunteer(item) for item in volunteer_ids] + [about_response(item) for item in response_ids]
              + [about_comment(item) for item in comment_ids + rejected]
              + [about_saved_answers(item) for item in saved_ids] + [about_follow(item) for item in follow_ids])
    emails = await OutboxEmail.delete().where(
        _old_emails(now=now, settings=settings) | OutboxEmail.about.is_in(abouts or ["-"])).returning(OutboxEmail.id).run()
    return PurgeSummary(
        volunteers=len(volunteers),
        response_contacts=await survey_data.remove_response_contacts(response_ids),
        comment_contacts=await survey_data.forget_comment_contacts(comment_ids),
        redacted_originals=await purge_redacted_originals(older_than=cut_off),
        rejected_comments=len(rejected),
        emails=len(emails),
        expired_links=await forget_expired_links(now=now),
        response_files=await response_files.purge_files(files, data_dir=settings.data_dir)
        + await response_files.delete_pending_files(await response_files.idempotency_keys_of_saved(saved_ids),
                                                    data_dir=settings.data_dir),
        saved_answers=await erase_saved_answers(saved_ids),
        format_requests=await format_requests.purge_format_requests_before(cut_off),
        follows=await erase_follows(follow_ids),
        service_records=await service_records.forget_old_service_records(today=now.date()),
    )


async def purge_and_record(*, settings: Settings, actor: str, now: datetime | None = None) -> PurgeSummary:
    """Purge, and write one audit entry (with counts) when anything was deleted."""
    summary = await purge_personal_data(settings=settings, now=now)
    if summary.total:
        await record_audit(actor=actor, action="retention_purge", object_type="personal_data",
                           detail=summary.audit_detail())
    return summary


async def run_purge_forever(settings: Settings, *, first_delay_s: float = FIRST_PURGE_DELAY_S,
                            interval_s: float = PURGE_INTERVAL_S, after_purge: Callable[[], None] | None = None) -> None:
    """The app's daily background task. Every worker runs it; the purge is idempotent, so two
    workers purging at once delete nothing twice. ``after_purge`` (the page cache's ``clear``)
    runs after a purge that deleted anything, so no kept page shows what was purged."""
    await asyncio.sleep(first_delay_s)
    while True:
        try:
            summary = await purge_and_record(settings=settings, actor="system")
            if summary.total and after_purge is not None:
                after_purge()
        except Exception:  # a failed pass must not stop tomorrow's; it is logged with its trace
            logger.exception("retention purge failed")
        await asyncio.sleep(interval_s)
