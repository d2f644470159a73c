"""Responses: record one (online, or typed in by an officer), import many from CSV, and read them
back for export and analysis.

A response's answers are a JSON object keyed by question key (see ``surveys.questionnaire``).
The online flow passes an idempotency key created when the resident started; a second submit
with the same key returns the first response instead of creating another.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from piccolo.query.functions.aggregate import Count

from common.batches import in_batches
from common.emails import normalise_email
from common.i18n import DEFAULT_LOCALE
from common.transactions import is_unique_violation, write_transaction
from surveys.questionnaire import Questionnaire, display_answer, from_json
from surveys.response_csv import ResponseImportError, ResponseRecord, export_csv, parse_csv
from surveys.tables import CHANNELS, Consultation, ResponseFile, SurveyResponse

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a reference is read out over the phone."""


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"R-{chars[:4]}-{chars[4:]}"


IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{32,64}")
"""What ``new_idempotency_key`` makes (32 URL-safe characters) and a panel member's derived key
(64 hex characters); the column holds at most 64."""


def about_response(response_id: int) -> str:
    """The ``about`` of an email about this response (its answers copy): erasing it deletes the email."""
    return f"consultation_response:{int(response_id)}"


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def is_idempotency_key(text: str) -> bool:
    """True for a key of the shape this module makes. A key comes back from the resident's
    browser, so anything else (5 MB of text, a key too long for the column) is not one."""
    return IDEMPOTENCY_KEY.fullmatch(text) is not None


@dataclass(frozen=True)
class SubmitResult:
    reference: str
    created: bool
    """False when this idempotency key had already submitted: nothing new was stored (unless
    ``replaced``)."""
    response_id: int = 0
    """The stored (or replaced) response's id; 0 when nothing was stored."""
    replaced: bool = False
    """True when the response already stored under this key had its answers replaced."""


@dataclass(frozen=True)
class StoredAnswers:
    reference: str
    answers: dict[str, object]
    submitted_at: datetime


async def answers_for_idempotency_key(idempotency_key: str) -> StoredAnswers | None:
    """The response stored under this key, with its answers (to fill in the questionnaire again
    for a panel member who changes their answers)."""
    row = await SurveyResponse.select(SurveyResponse.reference, SurveyResponse.answers_json,
                                      SurveyResponse.submitted_at).where(
        SurveyResponse.idempotency_key == idempotency_key).first().run()
    if row is None:
        return None
    return StoredAnswers(reference=row["reference"], answers=json.loads(row["answers_json"] or "{}"),
                         submitted_at=row["submitted_at"])


async def reference_for_idempotency_key(idempotency_key: str) -> str | None:
    # Written as SQL: it runs for every response submitted, and Piccolo's query builder costs
    # several times what the query itself does.
    rows = await SurveyResponse.raw("SELECT reference FROM consultation_response WHERE idempotency_key = {} LIMIT 1",
                                    idempotency_key).run()
    return rows[0]["reference"] if rows else None


async def references_for_idempotency_keys(idempotency_keys: list[str]) -> dict[str, str]:
    """Key → reference of the responses already submitted with any of these keys."""
    if not idempotency_keys:
        return {}
    rows = await SurveyResponse.select(SurveyResponse.idempotency_key, SurveyResponse.reference).where(
        SurveyResponse.idempotency_key.is_in(list(idempotency_keys))).run()
    return {row["idempotency_key"]: row["reference"] for row in rows}


async def submit_response(
    *,
    consultation_id: int,
    answers: dict[str, object],
    channel: str = "online",
    idempotency_key: str | None = None,
    entered_by: str = "",
    submitted_at: datetime | None = None,
    contact_email: str = "",
    contact_token_hash: str | None = None,
    contact_locale: str = "",
    locale: str = "",
    replace: bool = False,
) -> SubmitResult:
    """Store one response whose answers the caller has already validated. ``contact_email`` is
    given only by a respondent who asked for a copy of their answers; ``contact_token_hash`` is
    the SHA-256 of their private link's token; ``contact_locale`` the language they answered in
    (the email telling them the results are published is written in it); ``locale`` the language
    the answers were given in (free text is in it; closed answers are stored in English labels).

    With ``replace`` (a panel member changing their answers while the consultation is open), a
    response already stored under ``idempotency_key`` keeps its reference and has its answers
    replaced; contact details given now replace those given before, and none given keeps them."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if idempotency_key and not is_idempotency_key(idempotency_key):
        raise ValueError("not an idempotency key")
    if idempotency_key:
        existing = await reference_for_idempotency_key(idempotency_key)
        if existing and replace:
            response_id = await _replace_answers(idempotency_key, answers, contact_email=contact_email,
                                                 contact_token_hash=contact_token_hash, contact_locale=contact_locale,
                                                 locale=locale)
            return SubmitResult(reference=existing, created=False, replaced=True, response_id=response_id)
        if existing:
            return SubmitResult(reference=existing, created=False)
    reference = new_reference()
    row = SurveyResponse(consultation=consultation_id, reference=reference, channel=channel,
                         idempotency_key=idempotency_key or None, entered_by=entered_by,
                         submitted_at=submitted_at or datetime.now(timezone.utc),
                         answers_json=json.dumps(answers, ensure_ascii=False), contact_email=normalise_email(contact_email),
                         contact_email_key=normalise_email(contact_email),
                         contact_token_hash=contact_token_hash if contact_email else None,
                         consent_at=(submitted_at or datetime.now(timezone.utc)) if contact_email else None,
                         link_active_at=datetime.now(timezone.utc) if contact_email else None,
                         contact_locale=(contact_locale or DEFAULT_LOCALE) if contact_email else DEFAULT_LOCALE,
                         locale=locale or DEFAULT_LOCALE)
    try:
        inserted = await SurveyResponse.insert(row).returning(SurveyResponse.id).run()
    except Exception as error:  # two submits raced past the check: the unique key decides
        if idempotency_key and is_unique_violation(error):
            existing = await reference_for_idempotency_key(idempotency_key)
            if existing:
                return SubmitResult(reference=existing, created=False)
        raise
    return SubmitResult(reference=reference, created=True, response_id=int(inserted[0]["id"]))


async def _replace_answers(idempotency_key: str, answers: dict[str, object], *, contact_email: str,
                           contact_token_hash: str | None, contact_locale: str = "", locale: str = "") -> int:
    """Replace the answers (and contact details, when given) of the response under this key; its id."""
    now = datetime.now(timezone.utc)
    changes: dict = {SurveyResponse.answers_json: json.dumps(answers, ensure_ascii=False),
                     SurveyResponse.locale: locale or DEFAULT_LOCALE, SurveyResponse.answers_changed_at: now}
    if contact_email:
        changes.update({SurveyResponse.contact_email: normalise_email(contact_email),
                        SurveyResponse.contact_email_key: normalise_email(contact_email),
                        SurveyResponse.contact_token_hash: contact_token_hash,
                        SurveyResponse.consent_at: now, SurveyResponse.link_active_at: now,
                        SurveyResponse.contact_locale: contact_locale or DEFAULT_LOCALE})
    rows = await SurveyResponse.update(changes).where(SurveyResponse.idempotency_key == idempotency_key).returning(
        SurveyResponse.id).run()
    return int(rows[0]["id"]) if rows else 0


async def response_records(consultation_id: int) -> list[ResponseRecord]:
    """Every response in the order received (then by id), answers parsed."""
    rows = await SurveyResponse.select(
        SurveyResponse.reference, SurveyResponse.channel, SurveyResponse.submitted_at, SurveyResponse.answers_json,
        SurveyResponse.locale,
    ).where(SurveyResponse.consultation == consultation_id).order_by(SurveyResponse.submitted_at).order_by(
        SurveyResponse.id).run()
    return [ResponseRecord(reference=row["reference"], channel=row["channel"], submitted_at=row["submitted_at"],
                           answers=json.loads(row["answers_json"] or "{}"), language=row["locale"]) for row in rows]


async def response_count(consultation_id: int) -> int:
    return int(await SurveyResponse.count().where(SurveyResponse.consultation == consultation_id).run())


async def channel_counts(consultation_id: int) -> dict[str, int]:
    """Responses per channel (every channel, 0 when none), counted in the database."""
    rows = await SurveyResponse.select(SurveyResponse.channel, Count(SurveyResponse.id, alias="n")).where(
        SurveyResponse.consultation == consultation_id).group_by(SurveyResponse.channel).run()
    counts = {channel: 0 for channel in CHANNELS}
    counts.update({row["channel"]: int(row["n"]) for row in rows})
    return counts


@dataclass(frozen=True)
class ResponseRow:
    """A line of the officers' list of responses: nothing of what was answered."""
    reference: str
    channel: str
    submitted_at: datetime
    entered_by: str


def _listed(consultation_id: int, *, channel: str, reference: str):
    conditions = [SurveyResponse.consultation == consultation_id]
    if channel:
        conditions.append(SurveyResponse.channel == channel)
    if reference:
        conditions.append(SurveyResponse.reference.like(f"%{normalise_reference(reference).replace('%', '').replace('_', '')}%"))
    return conditions


async def count_listed_responses(consultation_id: int, *, channel: str = "", reference: str = "") -> int:
    return int(await SurveyResponse.count().where(*_listed(consultation_id, channel=channel, reference=reference)).run())


async def listed_responses(consultation_id: int, *, offset: int, limit: int, channel: str = "",
                           reference: str = "") -> list[ResponseRow]:
    """One page of a consultation's responses, newest first: ``channel`` keeps one channel,
    ``reference`` the references containing it (typed in any case, with or without spaces)."""
    rows = await SurveyResponse.select(SurveyResponse.reference, SurveyResponse.channel, SurveyResponse.submitted_at,
                                       SurveyResponse.entered_by).where(
        *_listed(consultation_id, channel=channel, reference=reference)).order_by(
        SurveyResponse.submitted_at, ascending=False).order_by(SurveyResponse.id, ascending=False).offset(offset).limit(
        limit).run()
    return [ResponseRow(**row) for row in rows]


@dataclass(frozen=True)
class ResponsesExport:
    filename: str
    text: str
    count: int


async def export_responses(slug: str) -> ResponsesExport | None:
    """The responses CSV of a consultation, with the channel and About-you answers as columns."""
    row = await Consultation.select(Consultation.id, Consultation.questionnaire_json).where(
        Consultation.slug == slug).first().run()
    if row is None:
        return None
    records = await response_records(row["id"])
    questionnaire = from_json(row["questionnaire_json"])
    return ResponsesExport(filename=f"{slug}-responses.csv", text=export_csv(questionnaire, records), count=len(records))


@dataclass(frozen=True)
class ResponsesStream:
    filename: str
    count: int
    chunks: AsyncIterator[str]
    """``export_responses``' text, a batch of responses at a time (``common.batches``)."""


async def stream_responses(slug: str) -> ResponsesStream | None:
    """``export_responses`` for a download that starts at once, however many responses there are."""
    row = await Consultation.select(Consultation.id, Consultation.questionnaire_json).where(
        Consultation.slug == slug).first().run()
    if row is None:
        return None
    questionnaire = from_json(row["questionnaire_json"])

    async def chunks() -> AsyncIterator[str]:
        yield export_csv(questionnaire, [])
        async for rows in in_batches(
                lambda: SurveyResponse.select(SurveyResponse.id, SurveyResponse.reference, SurveyResponse.channel,
                                              SurveyResponse.submitted_at, SurveyResponse.answers_json,
                                              SurveyResponse.locale).where(
                    SurveyResponse.consultation == row["id"]),
                order=SurveyResponse.submitted_at, id_column=SurveyResponse.id):
            yield export_csv(questionnaire, [
                ResponseRecord(reference=one["reference"], channel=one["channel"], submitted_at=one["submitted_at"],
                               answers=json.loads(one["answers_json"] or "{}"), language=one["locale"] or DEFAULT_LOCALE)
                for one in rows], with_header=False)

    return ResponsesStream(filename=f"{slug}-responses.csv", count=await response_count(row["id"]), chunks=chunks())


async def import_responses(*, slug: str, csv_text: str, entered_by: str, default_channel: str = "paper") -> int:
    """Check every row against the questionnaire and store them all, or none (raises
    ``ResponseImportError`` naming each bad row and column). A reference already used by a stored
    response is an error, so importing the same file twice adds nothing."""
    consultation = await Consultation.select(Consultation.id, Consultation.questionnaire_json).where(
        Consultation.slug == slug).first().run()
    if consultation is None:
        raise ResponseImportError([f"There is no consultation {slug}"])
    questionnaire: Questionnaire = from_json(consultation["questionnaire_json"])
    if not questionnaire.questions():
        raise ResponseImportError(["This consultation has no questionnaire yet"])
    parsed = parse_csv(questionnaire, csv_text, default_channel=default_channel)
    given = [row.reference for row in parsed if row.reference]
    now = datetime.now(timezone.utc)
    async with write_transaction(SurveyResponse._meta.db):
        taken: set[str] = set()
        for start in range(0, len(given), 500):
            batch = given[start:start + 500]
            rows = await SurveyResponse.select(SurveyResponse.reference).where(
                SurveyResponse.consultation == consultation["id"], SurveyResponse.reference.is_in(batch)).run()
            taken.update(row["reference"] for row in rows)
        if taken:
            errors = [f"Row {row.row_number}, column reference: {row.reference} has already been imported"
                      for row in parsed if row.reference in taken]
            raise ResponseImportError(errors)
        used = set(given)
        new_rows = []
        for row in parsed:
            reference = row.reference
            while not reference or (reference in used and reference != row.reference):
                reference = new_reference()
            used.add(reference)
            new_rows.append(SurveyResponse(
                consultation=consultation["id"], reference=reference, channel=row.channel, entered_by=entered_by,
                submitted_at=row.submitted_at or now, answers_json=json.dumps(row.answers, ensure_ascii=False),
                locale=row.language,
            ))
        for start in range(0, len(new_rows), 500):
            await SurveyResponse.insert(*new_rows[start:start + 500]).run()
    return len(new_rows)


def normalise_reference(text: str) -> str:
    """A reference as typed or read out (``r 7kq2 m9xd``, ``R7KQ2M9XD``) in its stored form
    (``R-7KQ2-M9XD``); anything else upper-cased as it is, for an exact match."""
    compact = re.sub(r"[\s-]", "", text).upper()
    if len(compact) == 9 and compact[0] == "R" and all(char in REFERENCE_ALPHABET for char in compact[1:]):
        return f"R-{compact[1:5]}-{compact[5:]}"
    return text.strip().upper()


@dataclass(frozen=True)
class FoundResponse:
    reference: str
    consultation_title: str
    consultation_slug: str
    channel: str
    submitted_at: datetime
    answers: list[tuple[str, str]]
    """(question text, answer as shown), in the questionnaire's order."""
    files: list[tuple[str, str, str]] = field(default_factory=list)
    """(question text, file name, storage key) of the files sent with it."""
    locale: str = DEFAULT_LOCALE
    """The language it was given in: its free text is in it."""


async def find_response(reference: str) -> FoundResponse | None:
    """The response with this reference (the first, should an imported file have reused one in
    another consultation), its answers as the resident gave them."""
    row = await SurveyResponse.select(
        SurveyResponse.reference, SurveyResponse.channel, SurveyResponse.submitted_at, SurveyResponse.answers_json,
        SurveyResponse.consultation.title, SurveyResponse.consultation.slug, SurveyResponse.consultation.questionnaire_json,
        SurveyResponse.locale,
    ).where(SurveyResponse.reference == reference).order_by(SurveyResponse.id).first().run()
    if row is None:
        return None
    questionnaire = from_json(row["consultation.questionnaire_json"] or "")
    answers = json.loads(row["answers_json"] or "{}")
    return FoundResponse(
        reference=row["reference"], consultation_title=row["consultation.title"],
        consultation_slug=row["consultation.slug"], channel=row["channel"], submitted_at=row["submitted_at"],
        locale=row["locale"],
        answers=[(question.text, display_answer(answers[question.key], question)) for question in questionnaire.questions()
                 if question.key in answers],
        files=await _files_still_kept([(question.text, str(answers[question.key]["file_name"]), str(answers[question.key]["file_key"]))
                                       for question in questionnaire.questions() if question.kind == "file"
                                       and isinstance(answers.get(question.key), dict) and answers[question.key].get("file_key")]))


async def _files_still_kept(files: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Those of a response's files not yet deleted (by erasure or the retention purge)."""
    if not files:
        return []
    kept = {row["file_key"] for row in await ResponseFile.select(ResponseFile.file_key).where(
        ResponseFile.file_key.is_in([file_key for _, _, file_key in files]), ResponseFile.response.is_not_null()).run()}
    return [item for item in files if item[2] in kept]


@dataclass(frozen=True)
class ResponseContact:
    """A respondent who gave their address, and so asked to be told when the results are published."""

    response_id: int
    email: str
    email_key: str
    locale: str
    consultation_title: str
    salt: str
    """Their private link's token hash (empty when none): signs the link that removes the address."""


def _contact(row: dict) -> ResponseContact:
    return ResponseContact(response_id=row["id"], email=row["contact_email"], email_key=row["contact_email_key"],
                           locale=row["contact_locale"], consultation_title=row["consultation.title"],
                           salt=row["contact_token_hash"] or "")


_CONTACT_COLUMNS = (SurveyResponse.id, SurveyResponse.contact_email, SurveyResponse.contact_email_key,
                    SurveyResponse.contact_locale, SurveyResponse.consultation.title, SurveyResponse.contact_token_hash)


async def respondents_to_tell(slug: str) -> list[ResponseContact]:
    """Respondents to the consultation who still hold an address on their response, first answered first."""
    rows = await SurveyResponse.select(*_CONTACT_COLUMNS).where(
        SurveyResponse.consultation.slug == slug, SurveyResponse.contact_email != "").order_by(SurveyResponse.id).run()
    return [_contact(row) for row in rows]


async def response_contact(response_id: int) -> ResponseContact | None:
    """The address held on one response, or None when there is none."""
    row = await SurveyResponse.select(*_CONTACT_COLUMNS).where(
        SurveyResponse.id == int(response_id), SurveyResponse.contact_email != "").first().run()
    return _contact(row) if row else None
