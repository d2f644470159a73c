"""A resident's rights over what the surveys package holds about them (their comments, and the
contact details they left with a questionnaire response), and deletion when retention ends.

A comment's author can erase it: its text, display name and email are deleted; the row stays,
marked ``erased``, only so that other people's replies keep their place. A respondent can remove
their contact details; their answers stay, because once the email is gone nothing links them to
anyone, and they may already be counted in published results.

Functions return what happened; the server records the audit entry and clears the outbox.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from common.emails import clean_email, normalise_email
from common.i18n import gettext
from common.tokens import hash_token
from common.transactions import write_transaction
from surveys.comments import MAX_NAME, STATE_WORDS, author_link_used_since
from surveys.questionnaire import display_answer, from_json
from surveys.tables import Comment, CommentReport, Consultation, SurveyResponse

COMMENT_PURPOSE = ("To publish your comment once it has been checked against the house rules, and to tell you by "
                   "email (if you gave one) when it was checked and why.")
RESPONSE_PURPOSE = ("Your answers are used, without your name, to report what residents said. Your email address "
                    "is used only to send you a copy of your answers and to tell you when the results are published.")
CONTACT_CONSENT_TEXT = ("Email me a copy of my answers and tell me when the results are published. I can remove my "
                        "email address at any time with the private link.")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def _email_matches(email: str):
    """Exact match of the normalised address (case-folded and NFKC in Python, never SQL's
    ``lower``, which on SQLite folds only ASCII)."""
    return Comment.email_key == normalise_email(email)


@dataclass(frozen=True)
class CommentData:
    comment_id: int
    case_study_title: str
    case_study_slug: str
    body: str
    display_name: str
    email: str
    state: str
    state_label: str
    created_at: datetime
    purpose: str = COMMENT_PURPOSE

    def as_dict(self) -> dict[str, object]:
        return {"kind": "comment", "case_study": self.case_study_title, "comment": self.body,
                "display_name": self.display_name, "email": self.email, "status": self.state_label,
                "posted_at": _iso(self.created_at), "used_for": self.purpose,
                "consent_text": "I understand my comment is checked against the house rules before it appears."}


@dataclass(frozen=True)
class ResponseData:
    response_id: int
    consultation_title: str
    consultation_slug: str
    reference: str
    channel: str
    submitted_at: datetime
    contact_email: str
    consent_at: datetime | None
    answers: dict[str, str]
    """Question text → the answer as shown to the resident."""
    purpose: str = RESPONSE_PURPOSE

    def as_dict(self) -> dict[str, object]:
        return {"kind": "questionnaire response", "consultation": self.consultation_title,
                "reference": self.reference, "channel": self.channel, "submitted_at": _iso(self.submitted_at),
                "email": self.contact_email, "consent_text": CONTACT_CONSENT_TEXT if self.contact_email else "",
                "consent_at": _iso(self.consent_at), "answers": self.answers, "used_for": self.purpose}


_COMMENT_COLUMNS = (Comment.id, Comment.case_study.title, Comment.case_study.slug, Comment.body, Comment.display_name,
                    Comment.email, Comment.state, Comment.created_at)


def _comments(rows: list[dict]) -> list[CommentData]:
    return [CommentData(comment_id=row["id"], case_study_title=row["case_study.title"],
                        case_study_slug=row["case_study.slug"], body=row["body"], display_name=row["display_name"],
                        email=row["email"], state=row["state"], state_label=str(STATE_WORDS.get(row["state"], row["state"])),
                        created_at=row["created_at"]) for row in rows]


async def comment_data_for_token_hash(token_hash: str, *, active_since: datetime) -> list[CommentData]:
    """The comment whose private link this is, when the link was used or issued since
    ``active_since``; using it keeps it working."""
    rows = await Comment.select(*_COMMENT_COLUMNS).where(Comment.author_token_hash == token_hash,
                                                         Comment.state != "erased",
                                                         author_link_used_since(active_since)).run()
    if rows:
        await Comment.update({Comment.link_active_at: datetime.now(timezone.utc)}).where(
            Comment.id.is_in([row["id"] for row in rows])).run()
    return _comments(rows)


async def comment_data_for_email(email: str) -> list[CommentData]:
    if not email.strip():
        return []
    rows = await Comment.select(*_COMMENT_COLUMNS).where(_email_matches(email), Comment.state != "erased").order_by(
        Comment.id).run()
    return _comments(rows)


async def _responses(query_rows: list[dict]) -> list[ResponseData]:
    questionnaires: dict[int, object] = {}
    result = []
    for row in query_rows:
        consultation_id = row["consultation"]
        if consultation_id not in questionnaires:
            text = await Consultation.select(Consultation.questionnaire_json).where(
                Consultation.id == consultation_id).first().run()
            questionnaires[consultation_id] = from_json(text["questionnaire_json"]) if text["questionnaire_json"] else None
        questionnaire = questionnaires[consultation_id]
        answers = json.loads(row["answers_json"] or "{}")
        texts = {question.key: question.text for question in questionnaire.questions()} if questionnaire else {}
        result.append(ResponseData(
            response_id=row["id"], consultation_title=row["consultation.title"], consultation_slug=row["consultation.slug"],
            reference=row["reference"], channel=row["channel"], submitted_at=row["submitted_at"],
            contact_email=row["contact_email"], consent_at=row["consent_at"],
            answers={texts.get(key, key): display_answer(value, questionnaire.question(key) if questionnaire else None)
                     for key, value in answers.items()}))
    return result


_RESPONSE_COLUMNS = (SurveyResponse.id, SurveyResponse.consultation, SurveyResponse.consultation.title,
                     SurveyResponse.consultation.slug, SurveyResponse.reference, SurveyResponse.channel,
                     SurveyResponse.submitted_at, SurveyResponse.contact_email, SurveyResponse.consent_at,
                     SurveyResponse.answers_json)


async def response_data_for_token_hash(token_hash: str, *, active_since: datetime) -> list[ResponseData]:
    """The response whose private link this is, when the link was used or issued since
    ``active_since``; using it keeps it working."""
    rows = await SurveyResponse.select(*_RESPONSE_COLUMNS).where(SurveyResponse.contact_token_hash == token_hash,
                                                                 (SurveyResponse.link_active_at >= active_since)
                                                                 | (SurveyResponse.link_active_at.is_null()
                                                                    & (SurveyResponse.submitted_at >= active_since))).run()
    if rows:
        await SurveyResponse.update({SurveyResponse.link_active_at: datetime.now(timezone.utc)}).where(
            SurveyResponse.id.is_in([row["id"] for row in rows])).run()
    return await _responses(rows)


async def response_data_for_email(email: str) -> list[ResponseData]:
    if not email.strip():
        return []
    rows = await SurveyResponse.select(*_RESPONSE_COLUMNS).where(
        SurveyResponse.contact_email_key == normalise_email(email)).order_by(SurveyResponse.id).run()
    return await _responses(rows)


def check_comment_contact(data: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {"display_name": str(data.get("display_name", "")).strip(), "email": str(data.get("email", "")).strip()}
    errors: dict[str, str] = {}
    if len(values["display_name"]) > MAX_NAME:
        errors["display_name"] = gettext("The name must be %(limit)s characters or fewer", limit=MAX_NAME)
    if values["email"] and clean_email(values["email"]) is None:
        errors["email"] = gettext("Enter an email address in the correct format, like name@example.com")
    return values, errors


async def correct_comment_contact(*, comment_id: int, data: dict[str, str]) -> dict[str, str]:
    """A new display name and email for the comment (either may be left blank)."""
    values, errors = check_comment_contact(data)
    if errors:
        return errors
    await Comment.update({Comment.display_name: values["display_name"], Comment.email: normalise_email(values["email"]),
                          Comment.email_key: normalise_email(values["email"])}).where(
        Comment.id == comment_id, Comment.state != "erased").run()
    return {}


def check_contact_email(raw: str, *, required: bool) -> tuple[str, str]:
    """A respondent's email: (cleaned value, message or "")."""
    email = str(raw or "").strip()
    if not email:
        return "", "Enter your email address, or choose not to give one" if required else ""
    if clean_email(email) is None:
        return email, "Enter an email address in the correct format, like name@example.com"
    return email, ""


async def correct_response_contact(*, response_id: int, email: str) -> dict[str, str]:
    cleaned, error = check_contact_email(email, required=True)
    if error:
        return {"email": error}
    await SurveyResponse.update({SurveyResponse.contact_email: normalise_email(cleaned),
                                 SurveyResponse.contact_email_key: normalise_email(cleaned)}).where(
        SurveyResponse.id == response_id, SurveyResponse.contact_email != "").run()
    return {}


async def erase_comments(comment_ids: list[int]) -> int:
    """Delete the text, name, email and address hash of these comments; how many were erased."""
    if not comment_ids:
        return 0
    ids = [int(value) for value in comment_ids]
    async with write_transaction(Comment._meta.db):
        rows = await Comment.select(Comment.id).where(Comment.id.is_in(ids), Comment.state != "erased").run()
        for row in rows:  # a fresh random hash keeps the column unique and the old link dead
            await Comment.update({
                Comment.state: "erased", Comment.body: "", Comment.original_body: "", Comment.display_name: "",
                Comment.email: "", Comment.email_key: "", Comment.ip_hash: "", Comment.reason: "",
                Comment.author_token_hash: hash_token(secrets.token_urlsafe(32)),
            }).where(Comment.id == row["id"]).run()
        if rows:
            await CommentReport.delete().where(CommentReport.comment.is_in([row["id"] for row in rows])).run()
    return len(rows)


async def remove_response_contacts(response_ids: list[int]) -> int:
    """Delete the email and private link of these responses (their answers stay, anonymous)."""
    if not response_ids:
        return 0
    rows = await SurveyResponse.update({SurveyResponse.contact_email: "", SurveyResponse.contact_email_key: "",
                                        SurveyResponse.contact_token_hash: None}).where(
        SurveyResponse.id.is_in([int(value) for value in response_ids]),
        (SurveyResponse.contact_email != "") | SurveyResponse.contact_token_hash.is_not_null()).returning(
        SurveyResponse.id).run()
    return len(rows)


# --- retention ---------------------------------------------------------------------------------

def months_later(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class ConsultationRetention:
    consultation_id: int
    title: str
    retention_months: int
    closes_on: date
    ends: datetime
    """Contact details are deleted from this moment (midnight UTC after the last day kept)."""


async def consultation_retention(*, default_months: int) -> list[ConsultationRetention]:
    rows = await Consultation.select(Consultation.id, Consultation.title, Consultation.closes_on,
                                     Consultation.retention_months).order_by(Consultation.closes_on, ascending=False).run()
    result = []
    for row in rows:
        months = row["retention_months"] or default_months
        last_day = months_later(row["closes_on"], months)
        result.append(ConsultationRetention(
            consultation_id=row["id"], title=row["title"], retention_months=months, closes_on=row["closes_on"],
            ends=datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=timezone.utc)))
    return result


async def responses_past_retention(*, now: datetime, default_months: int) -> list[int]:
    expired = [item.consultation_id for item in await consultation_retention(default_months=default_months)
               if item.ends <= now]
    if not expired:
        return []
    rows = await SurveyResponse.select(SurveyResponse.id).where(
        SurveyResponse.consultation.is_in(expired),
        (SurveyResponse.contact_email != "") | SurveyResponse.contact_token_hash.is_not_null()).run()
    return [row["id"] for row in rows]


async def comments_past_retention(*, posted_before: datetime) -> list[int]:
    """Comments posted before the retention cut-off that still hold an email or address hash."""
    rows = await Comment.select(Comment.id).where(
        Comment.created_at < posted_before, (Comment.email != "") | (Comment.ip_hash != "")).run()
    return [row["id"] for row in rows]


async def forget_comment_contacts(comment_ids: list[int]) -> int:
    """Delete the email and address hash of these comments. The comment itself stays published:
    its author chose to publish it (and can erase it with their private link)."""
    if not comment_ids:
        return 0
    rows = await Comment.update({Comment.email: "", Comment.email_key: "", Comment.ip_hash: ""}).where(
        Comment.id.is_in([int(value) for value in comment_ids])).returning(Comment.id).run()
    return len(rows)


async def redacted_originals_before(*, older_than: datetime) -> int:
    """How many redacted comments still keep their original text from before ``older_than``."""
    return int(await Comment.count().where(Comment.redacted_at < older_than, Comment.original_body != "").run())


async def set_consultation_retention(*, consultation_id: int, months: int) -> bool:
    """Set how many months after closing respondents' contact details are kept; False when there
    is no such consultation."""
    rows = await Consultation.update({Consultation.retention_months: int(months)}).where(
        Consultation.id == consultation_id).returning(Consultation.id).run()
    return bool(rows)
