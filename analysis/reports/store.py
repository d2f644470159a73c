""""We asked, You said, We did" reports in the database: the officer's draft (purpose, census,
actions, themes and their tags, quotes), loading everything a report needs, and publishing
immutable versions.

Functions return what happened; the server writes the audit log. Forms are checked here and
raise ``ReportFormError`` with GOV.UK-style messages keyed by field name.

**Snapshots.** Publishing stores the JSON, CSV, the rendered HTML fragment and every image
verbatim in ``ReportVersion``; nothing deletes a version, and nothing updates one except the
erasure of a quoted comment, so version n reads the same whatever responses, tags or actions
arrive later.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from analysis.commitments.store import load_tracker_inputs, statuses_as_of
from analysis.reports.quotes import name_in_quote, quote_problem
from analysis.reports.summary import check_findings
from analysis.tables import (
    Commitment,
    ReportAction,
    ReportDraft,
    ReportQuote,
    ReportTheme,
    ReportThemeTag,
    ReportVersion,
)
from common.i18n import gettext, lazy_gettext
from common.text import whole_number
from common.transactions import write_transaction
from surveys.questionnaire import from_json
from surveys.response_csv import ResponseRecord
from surveys.tables import Comment, Consultation, SurveyResponse

MAX_TEXT = 5_000
MAX_QUOTE = 1_000
MAX_REACH = 10_000_000
REACH_CHANNELS = ("online", "paper", "email", "focus_group", "panel_session")
"""Channels an officer can say how many people were reached by, in the order the form asks.
``panel_session`` is here even before any response arrives through it: a Resident Panel
session is a way the council asked, whether or not its answers were typed in."""


class ReportNotFound(LookupError):
    """No such consultation, action, theme, quote or published version."""


class ReportFormError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class FreeTextAnswer:
    """One free-text answer as officers see it for tagging (never published as such)."""

    response_id: int
    reference: str
    question_key: str
    text: str
    theme_ids: tuple[int, ...] = ()
    locale: str = "en_GB"
    """The language the response was given in: free text is in it."""


@dataclass(frozen=True)
class PublishedComment:
    """A published comment on a case study related to the consultation (sharing a charter
    principle), as an officer sees it to choose a quote. The commenter's name is not here."""

    comment_id: int
    case_study_slug: str
    case_study_title: str
    text: str


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report needs for one consultation (plain data, no database)."""

    consultation: dict[str, Any]
    questionnaire: Any
    records: list[ResponseRecord]
    draft: dict[str, Any]
    actions: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``charter-slug/KEY`` → ``{charter, key, title}`` for every commitment an action cites."""
    earlier_documents: tuple[dict[str, Any], ...] = ()
    """The published versions' JSON documents, oldest first: a new version's disclosure control
    is audited against them (an attacker subtracts versions)."""


# ---------------------------------------------------------------- reading

async def find_consultation(slug: str) -> dict[str, Any]:
    row = await Consultation.select().where(Consultation.slug == slug).first().run()
    if row is None:
        raise ReportNotFound(f"no consultation called '{slug}'")
    return row


async def get_draft(consultation_id: int) -> dict[str, Any]:
    """The draft's words, with ``reach`` parsed: ``{channel: {"reached": int, "how": str}}``."""
    row = await ReportDraft.select().where(ReportDraft.consultation == consultation_id).first().run()
    draft = row or {"purpose": "", "channels_note": "", "census_file": "", "reach_json": "{}", "findings": "",
                    "easy_read_json": "[]"}
    return {**draft, "reach": parse_reach(draft.get("reach_json") or "{}")}


def parse_reach(text: str) -> dict[str, dict[str, Any]]:
    """The stored reach, keeping only known channels and well-formed numbers."""
    try:
        stored = json.loads(text)
    except ValueError:
        return {}
    reach = {}
    for channel in REACH_CHANNELS:
        item = stored.get(channel) if isinstance(stored, dict) else None
        if isinstance(item, dict) and isinstance(item.get("reached"), int) and not isinstance(item["reached"], bool):
            reach[channel] = {"reached": item["reached"], "how": str(item.get("how", ""))}
    return reach


async def list_actions(consultation_id: int) -> list[dict[str, Any]]:
    return await ReportAction.select().where(ReportAction.consultation == consultation_id).order_by(ReportAction.id).run()


async def list_themes(consultation_id: int) -> list[dict[str, Any]]:
    """Themes in the order made, each with ``count``: the free-text answers tagged with it."""
    themes = await ReportTheme.select().where(ReportTheme.consultation == consultation_id).order_by(ReportTheme.id).run()
    if not themes:
        return []
    tags = await ReportThemeTag.select(ReportThemeTag.theme).where(
        ReportThemeTag.theme.is_in([theme["id"] for theme in themes])).run()
    counts = Counter(tag["theme"] for tag in tags)
    return [{**theme, "count": counts.get(theme["id"], 0)} for theme in themes]


async def list_quotes(consultation_id: int) -> list[dict[str, Any]]:
    """Every chosen quote with ``source`` ("answer" or "comment"), ``case_study`` (slug and
    title, for comments) and ``usable``: False when its source is gone, no longer published, or
    no longer holds the words (such a quote is left out of the report until removed)."""
    rows = await ReportQuote.select(ReportQuote.id, ReportQuote.question_key, ReportQuote.text, ReportQuote.response,
                                    ReportQuote.comment).where(
        ReportQuote.consultation == consultation_id).order_by(ReportQuote.id).run()
    answers = {row["id"]: json.loads(row["answers_json"] or "{}") for row in await SurveyResponse.select(
        SurveyResponse.id, SurveyResponse.answers_json).where(
        SurveyResponse.id.is_in([q["response"] for q in rows if q["response"]] or [0])).run()}
    comments = {row["id"]: row for row in await Comment.select(
        Comment.id, Comment.body, Comment.state, Comment.display_name, Comment.case_study.slug,
        Comment.case_study.title).where(Comment.id.is_in([q["comment"] for q in rows if q["comment"]] or [0])).run()}
    quotes = []
    for quote in rows:
        if quote["comment"]:
            comment = comments.get(quote["comment"])
            usable = (comment is not None and comment["state"] == "published"
                      and quote_problem(quote["text"], comment["body"] or "") is None
                      and not name_in_quote(quote["text"], comment["display_name"] or ""))
            quotes.append({**quote, "source": "comment", "usable": usable,
                           "case_study": {"slug": comment["case_study.slug"], "title": comment["case_study.title"]}
                           if comment else None})
        else:
            answer = answers.get(quote["response"], {}).get(quote["question_key"]) if quote["response"] else None
            usable = isinstance(answer, str) and quote_problem(quote["text"], answer) is None
            quotes.append({**quote, "source": "answer", "usable": usable, "case_study": None})
    return quotes


async def commitment_choices() -> list[dict[str, str]]:
    """Every commitment of every charter, as ``{value: "slug/KEY", label}`` for the action form."""
    rows = await Commitment.select(Commitment.key, Commitment.title, Commitment.charter.slug).order_by(
        Commitment.charter.id).order_by(Commitment.key).run()
    return [{"value": f"{row['charter.slug']}/{row['key']}", "label": f"{row['key']}: {row['title']}",
             "charter": row["charter.slug"], "key": row["key"], "title": row["title"]} for row in rows]


async def load_report_inputs(slug: str, *, today: date, records: bool = True) -> ReportInputs:
    """``today``: the council's day, for the status of each cited commitment. Without
    ``records`` the responses are not read (``records`` is empty): enough to put the officer's
    words around statistics already built (``analysis.reports.build.assemble_report``)."""
    from surveys.responses import response_records

    consultation = await find_consultation(slug)
    questionnaire = from_json(consultation["questionnaire_json"]) if consultation["questionnaire_json"] else None
    actions = await list_actions(consultation["id"])
    cited = {value for action in actions for value in split_commitments(action["commitments"])}
    commitments = {choice["value"]: dict(choice) for choice in await commitment_choices() if choice["value"] in cited}
    await _add_statuses_today(commitments, today)
    return ReportInputs(
        consultation=consultation, questionnaire=questionnaire,
        records=await response_records(consultation["id"]) if records else [],
        draft=await get_draft(consultation["id"]), actions=actions, themes=await list_themes(consultation["id"]),
        quotes=await list_quotes(consultation["id"]), commitments=commitments,
        earlier_documents=await published_documents(consultation["id"]))


async def published_documents(consultation_id: int) -> tuple[dict[str, Any], ...]:
    """Every published version's JSON document of a consultation's report, oldest first."""
    rows = await ReportVersion.select(ReportVersion.document_json).where(
        ReportVersion.consultation == consultation_id).order_by(ReportVersion.version).run()
    documents = (json.loads(row["document_json"]) for row in rows)
    return tuple(document for document in documents if "questions" in document and "breakdowns" in document)


async def _add_statuses_today(commitments: dict[str, dict[str, Any]], today: date) -> None:
    """Each cited commitment's tracker status as of ``today`` (``status`` and its ``label``)."""
    for charter in sorted({choice["charter"] for choice in commitments.values()}):
        statuses = {status.key: status for status in await statuses_as_of(await load_tracker_inputs(charter), today)}
        for choice in commitments.values():
            status = statuses.get(choice["key"]) if choice["charter"] == charter else None
            if status is not None:
                choice["status"] = str(status.status.value if hasattr(status.status, "value") else status.status)
                choice["status_label"] = status.label
                choice["as_of"] = today.isoformat()


async def free_text_answer_view(slug: str, response_id: int, question_key: str) -> FreeTextAnswer:
    """One answer as the tagging page shows it (its text and theme tags)."""
    consultation = await find_consultation(slug)
    text = await _free_text_answer(consultation, response_id, question_key)
    row = await SurveyResponse.select(SurveyResponse.reference, SurveyResponse.locale).where(
        SurveyResponse.id == response_id).first().run()
    tags = await ReportThemeTag.select(ReportThemeTag.theme).where(
        ReportThemeTag.response == response_id, ReportThemeTag.question_key == question_key).run()
    return FreeTextAnswer(response_id=response_id, reference=row["reference"], question_key=question_key, text=text,
                          theme_ids=tuple(sorted(tag["theme"] for tag in tags)), locale=row["locale"])


def free_text_questions(consultation: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, text) of the consultation's free-text questions, in questionnaire order."""
    questionnaire = from_json(consultation["questionnaire_json"]) if consultation["questionnaire_json"] else None
    return [(q.key, q.text) for q in questionnaire.questions() if q.kind == "text"] if questionnaire else []


@dataclass(frozen=True)
class FreeTextRow:
    response_id: int
    reference: str
    text: str
    locale: str


async def free_text_rows(consultation_id: int, question_key: str) -> list[FreeTextRow]:
    """Every non-empty answer to one free-text question, oldest first."""
    rows = await SurveyResponse.select(SurveyResponse.id, SurveyResponse.reference, SurveyResponse.answers_json,
                                       SurveyResponse.locale).where(
        SurveyResponse.consultation == consultation_id).order_by(SurveyResponse.id).run()
    answers = []
    for row in rows:
        text = json.loads(row["answers_json"] or "{}").get(question_key)
        if isinstance(text, str) and text.strip():
            answers.append(FreeTextRow(response_id=row["id"], reference=row["reference"], text=text, locale=row["locale"]))
    return answers


async def free_text_answers(slug: str, question_key: str, *, offset: int = 0, limit: int = 50) -> tuple[list[FreeTextAnswer], int]:
    """A page of one free-text question's answers (oldest first) with their theme tags, and the total."""
    consultation = await find_consultation(slug)
    rows = await free_text_rows(consultation["id"], question_key)
    answers = [(row.response_id, row.reference, row.text) for row in rows]
    languages = {row.response_id: row.locale for row in rows}
    page = answers[offset:offset + limit]
    tags = await ReportThemeTag.select(ReportThemeTag.response, ReportThemeTag.theme).where(
        ReportThemeTag.question_key == question_key,
        ReportThemeTag.response.is_in([response_id for response_id, _, _ in page] or [0])).run()
    by_response: dict[int, list[int]] = {}
    for tag in tags:
        by_response.setdefault(tag["response"], []).append(tag["theme"])
    return ([FreeTextAnswer(response_id=response_id, reference=reference, question_key=question_key, text=text,
                            theme_ids=tuple(sorted(by_response.get(response_id, ()))), locale=languages[response_id])
             for response_id, reference, text in page], len(answers))


async def related_published_comments(slug: str) -> list[PublishedComment]:
    """Published comments on the case studies that share a charter principle with the
    consultation, oldest first: the comments a report may quote besides its own answers."""
    from analysis.charter.links import CaseStudyPrinciple, ConsultationPrinciple

    consultation = await find_consultation(slug)
    principles = [row["principle"] for row in await ConsultationPrinciple.select(ConsultationPrinciple.principle).where(
        ConsultationPrinciple.consultation == consultation["id"]).run()]
    if not principles:
        return []
    case_studies = {row["case_study"] for row in await CaseStudyPrinciple.select(CaseStudyPrinciple.case_study).where(
        CaseStudyPrinciple.principle.is_in(principles)).run()}
    if not case_studies:
        return []
    rows = await Comment.select(Comment.id, Comment.body, Comment.case_study.slug, Comment.case_study.title).where(
        Comment.case_study.is_in(sorted(case_studies)), Comment.state == "published").order_by(
        Comment.created_at).order_by(Comment.id).run()
    return [PublishedComment(comment_id=row["id"], case_study_slug=row["case_study.slug"],
                             case_study_title=row["case_study.title"], text=row["body"])
            for row in rows if (row["body"] or "").strip()]


async def list_versions(consultation_id: int) -> list[dict[str, Any]]:
    return await ReportVersion.select(ReportVersion.version, ReportVersion.title, ReportVersion.published_at).where(
        ReportVersion.consultation == consultation_id).order_by(ReportVersion.version, ascending=False).run()


async def get_version(slug: str, version: int | None = None) -> dict[str, Any]:
    """A published version (the latest when ``version`` is None)."""
    consultation = await find_consultation(slug)
    query = ReportVersion.select().where(ReportVersion.consultation == consultation["id"])
    if version is not None:
        query = query.where(ReportVersion.version == version)
    row = await query.order_by(ReportVersion.version, ascending=False).first().run()
    if row is None:
        raise ReportNotFound(f"no published report for '{slug}'")
    return row


async def latest_published_versions() -> dict[str, int]:
    """consultation slug → its latest published version number."""
    rows = await ReportVersion.select(ReportVersion.consultation.slug, ReportVersion.version).run()
    latest: dict[str, int] = {}
    for row in rows:
        latest[row["consultation.slug"]] = max(latest.get(row["consultation.slug"], 0), row["version"])
    return latest


async def published_reports() -> list[dict[str, Any]]:
    """Every consultation with a published report: slug, title, latest version and when."""
    rows = await ReportVersion.select(ReportVersion.consultation.slug, ReportVersion.title, ReportVersion.version,
                                      ReportVersion.published_at).order_by(ReportVersion.published_at).run()
    latest = {row["consultation.slug"]: row for row in rows}
    return sorted(({"slug": slug, "title": row["title"], "version": row["version"], "published_at": row["published_at"]}
                   for slug, row in latest.items()), key=lambda item: item["published_at"], reverse=True)


async def has_published_report(slug: str) -> bool:
    """Whether the consultation with this slug has a published report (the server links to it)."""
    return bool(await ReportVersion.exists().where(ReportVersion.consultation.slug == slug).run())


@dataclass(frozen=True)
class CitingReport:
    """A "We asked, You said, We did" report with an action that cites a commitment."""

    title: str
    consultation_slug: str
    version: int
    """The published version cited (the page links to it by route name)."""
    published_on: date


def split_commitments(value: str) -> list[str]:
    return [part for part in (value or "").split(";") if part]


async def reports_citing(charter_slug: str, keys: list[str]) -> dict[str, list[CitingReport]]:
    """Per commitment key, the latest published version of each report whose actions cite it,
    in publication order. Read from the published JSON, so it is what readers were told."""
    wanted = set(keys)
    rows = await ReportVersion.select(ReportVersion.consultation.slug, ReportVersion.version, ReportVersion.title,
                                      ReportVersion.published_at, ReportVersion.document_json).order_by(
        ReportVersion.published_at).order_by(ReportVersion.version).run()
    latest = {row["consultation.slug"]: row for row in rows}
    cited: dict[str, list[CitingReport]] = {}
    for slug, row in sorted(latest.items(), key=lambda item: item[1]["published_at"]):
        document = json.loads(row["document_json"])
        keys_here = {c["key"] for action in document.get("actions", []) for c in action.get("commitments", [])
                     if c.get("charter") == charter_slug and c.get("key") in wanted}
        for key in sorted(keys_here):
            cited.setdefault(key, []).append(CitingReport(
                title=row["title"], consultation_slug=slug, version=int(row["version"]),
                published_on=row["published_at"].date()))
    return cited


# ---------------------------------------------------------------- forms

def check_draft_form(form: dict[str, str], census_files: list[str]) -> dict[str, str]:
    """The draft's words and, per channel, ``reach_<channel>`` (people reached: a whole number,
    or blank for not counted) and ``reach_how_<channel>`` (how: "leaflets to 4,000 homes").
    Returns the text fields and ``reach_json``."""
    values = {name: str(form.get(name, "")).strip() for name in ("purpose", "channels_note", "census_file", "findings")}
    errors = {}
    if not values["purpose"]:
        errors["purpose"] = gettext("Enter why the council consulted")
    if problem := check_findings(values["findings"]):
        errors["findings"] = problem
    for name in ("purpose", "channels_note"):
        if len(values[name]) > MAX_TEXT:
            errors[name] = gettext("This must be %(limit)s characters or fewer", limit=format(MAX_TEXT, ","))
    if values["census_file"] and values["census_file"] not in census_files:
        errors["census_file"] = gettext("Select a census file from the list, or no weighting")
    reach: dict[str, dict[str, Any]] = {}
    for channel in REACH_CHANNELS:
        raw = str(form.get(f"reach_{channel}", "") or "").strip().replace(",", "")
        how = str(form.get(f"reach_how_{channel}", "") or "").strip()
        name = CHANNEL_IN_A_SENTENCE[channel]
        if len(how) > 200:
            errors[f"reach_how_{channel}"] = gettext("How %(channel)s reached people must be 200 characters or fewer", channel=name)
        if not raw:
            if how:
                errors[f"reach_{channel}"] = gettext("Enter how many people %(channel)s reached, or leave both boxes empty", channel=name)
            continue
        reached = whole_number(raw)
        if reached is None:
            errors[f"reach_{channel}"] = gettext("People reached by %(channel)s must be a whole number, like 250", channel=name)
        elif reached > MAX_REACH:
            errors[f"reach_{channel}"] = gettext("People reached by %(channel)s must be %(limit)s or fewer", channel=name, limit=format(MAX_REACH, ","))
        else:
            reach[channel] = {"reached": reached, "how": how}
    if errors:
        raise ReportFormError(errors)
    return {**values, "reach_json": json.dumps(reach, sort_keys=True)}


CHANNEL_LABELS = {"online": lazy_gettext("Online questionnaire"), "paper": lazy_gettext("Paper questionnaire"),
                  "email": lazy_gettext("Email"), "focus_group": lazy_gettext("Focus groups"),
                  "panel_session": lazy_gettext("Resident Panel sessions")}
CHANNEL_IN_A_SENTENCE = {"online": lazy_gettext("the online questionnaire"),
                         "paper": lazy_gettext("the paper questionnaire"), "email": lazy_gettext("email"),
                         "focus_group": lazy_gettext("focus groups"),
                         "panel_session": lazy_gettext("Resident Panel sessions")}


def check_action_form(form: dict[str, Any], known_commitments: set[str]) -> dict[str, Any]:
    cited = form.get("commitments", [])
    cited = [cited] if isinstance(cited, str) else list(cited or [])
    values = {name: str(form.get(name, "") or "").strip() for name in ("action", "due_on", "owner", "done")}
    errors: dict[str, str] = {}
    if not values["action"]:
        errors["action"] = gettext("Enter what the council did or will do")
    elif len(values["action"]) > MAX_TEXT:
        errors["action"] = gettext("The action must be %(limit)s characters or fewer", limit=format(MAX_TEXT, ","))
    due: date | None = None
    if values["due_on"]:
        try:
            due = date.fromisoformat(values["due_on"])
        except ValueError:
            errors["due_on"] = gettext("The date must be a real date, for example 31 3 2027")
    if not values["owner"]:
        errors["owner"] = gettext("Enter the team or role responsible (not a person's name)")
    elif len(values["owner"]) > 200:
        errors["owner"] = gettext("The team must be 200 characters or fewer")
    unknown = [value for value in cited if value not in known_commitments]
    if unknown:
        errors["commitments"] = gettext("Select commitments from the list")
    if errors:
        raise ReportFormError(errors)
    return {"action": values["action"], "due_on": due, "owner": values["owner"], "done": values["done"] == "yes",
            "commitments": ";".join(sorted(set(cited)))}


def check_theme_form(form: dict[str, str], existing: list[str]) -> dict[str, str]:
    values = {name: str(form.get(name, "")).strip() for name in ("name", "description")}
    errors = {}
    if not values["name"]:
        errors["name"] = gettext("Enter a name for the theme")
    elif len(values["name"]) > 120:
        errors["name"] = gettext("The name must be 120 characters or fewer")
    elif values["name"].casefold() in {name.casefold() for name in existing}:
        errors["name"] = gettext("There is already a theme with this name")
    if len(values["description"]) > MAX_TEXT:
        errors["description"] = gettext("The description must be %(limit)s characters or fewer", limit=format(MAX_TEXT, ","))
    if errors:
        raise ReportFormError(errors)
    return values


def check_quote_form(form: dict[str, str], source: str | None = None, name: str = "") -> dict[str, str]:
    """The quote's words and the officer's check. With ``source`` (the answer or comment
    quoted), the words must be the source's own, cut with ellipses at most
    (``analysis.reports.quotes``), and must not hold the commenter's display ``name``."""
    values = {name: str(form.get(name, "")).strip() for name in ("text", "checked")}
    errors = {}
    if not values["text"]:
        errors["quote_text"] = gettext("Enter the words to quote")
    elif len(values["text"]) > MAX_QUOTE:
        errors["quote_text"] = gettext("A quote must be %(limit)s characters or fewer", limit=format(MAX_QUOTE, ","))
    elif source is not None and (problem := quote_problem(values["text"], source)):
        errors["quote_text"] = problem
    elif name and name_in_quote(values["text"], name):
        errors["quote_text"] = gettext("Remove the commenter's name from the quote: quotes are never published with names")
    if values["checked"] != "yes":
        errors["checked"] = gettext("Confirm the quote has no names or details that could identify anyone")
    if errors:
        raise ReportFormError(errors)
    return values


# ---------------------------------------------------------------- writing

async def save_draft(*, slug: str, values: dict[str, str], now: datetime) -> None:
    consultation = await find_consultation(slug)
    values = {"reach_json": "{}", "findings": "", **values}
    if await ReportDraft.exists().where(ReportDraft.consultation == consultation["id"]).run():
        await ReportDraft.update({ReportDraft.purpose: values["purpose"], ReportDraft.channels_note: values["channels_note"],
                                  ReportDraft.census_file: values["census_file"], ReportDraft.reach_json: values["reach_json"],
                                  ReportDraft.findings: values["findings"],
                                  ReportDraft.updated_at: now}).where(
            ReportDraft.consultation == consultation["id"]).run()
    else:
        await ReportDraft.insert(ReportDraft(consultation=consultation["id"], updated_at=now, **values)).run()


async def add_action(*, slug: str, values: dict[str, Any], now: datetime) -> int:
    consultation = await find_consultation(slug)
    row = ReportAction(consultation=consultation["id"], created_at=now, **values)
    await row.save().run()
    return int(row.id)


async def remove_action(*, slug: str, action_id: int) -> str:
    consultation = await find_consultation(slug)
    row = await ReportAction.select(ReportAction.action).where(
        ReportAction.id == action_id, ReportAction.consultation == consultation["id"]).first().run()
    if row is None:
        raise ReportNotFound(f"no action {action_id}")
    await ReportAction.delete().where(ReportAction.id == action_id).run()
    return row["action"]


async def add_theme(*, slug: str, values: dict[str, str]) -> int:
    consultation = await find_consultation(slug)
    row = ReportTheme(consultation=consultation["id"], **values)
    await row.save().run()
    return int(row.id)


async def _free_text_answer(consultation: dict[str, Any], response_id: int, question_key: str) -> str:
    if question_key not in dict(free_text_questions(consultation)):
        raise ReportNotFound(f"no free-text question '{question_key}'")
    row = await SurveyResponse.select(SurveyResponse.answers_json).where(
        SurveyResponse.id == response_id, SurveyResponse.consultation == consultation["id"]).first().run()
    text = json.loads(row["answers_json"] or "{}").get(question_key) if row else None
    if not isinstance(text, str) or not text.strip():
        raise ReportNotFound(f"response {response_id} has no answer to '{question_key}'")
    return text


async def set_tag(*, slug: str, response_id: int, question_key: str, theme_id: int, tagged: bool, by: str = "") -> bool:
    """Tag (or untag) a free-text answer with a theme. Returns whether anything changed."""
    consultation = await find_consultation(slug)
    await _free_text_answer(consultation, response_id, question_key)
    if not await ReportTheme.exists().where(ReportTheme.id == theme_id, ReportTheme.consultation == consultation["id"]).run():
        raise ReportNotFound(f"no theme {theme_id}")
    where = (ReportThemeTag.theme == theme_id, ReportThemeTag.response == response_id,
             ReportThemeTag.question_key == question_key)
    present = await ReportThemeTag.exists().where(*where).run()
    if tagged and not present:
        await ReportThemeTag.insert(ReportThemeTag(theme=theme_id, response=response_id, question_key=question_key,
                                                    tagged_by=by)).run()
        return True
    if not tagged and present:
        await ReportThemeTag.delete().where(*where).run()
        return True
    return False


async def add_quote(*, slug: str, response_id: int, question_key: str, form: dict[str, str], now: datetime) -> int:
    """Choose a quote from a free-text answer. Raises ``ReportNotFound`` for no such answer and
    ``ReportFormError`` when the words are not the answer's own (or not checked)."""
    consultation = await find_consultation(slug)
    answer = await _free_text_answer(consultation, response_id, question_key)
    values = check_quote_form(form, source=answer)
    row = ReportQuote(consultation=consultation["id"], response=response_id, question_key=question_key,
                      text=values["text"], created_at=now)
    await row.save().run()
    return int(row.id)


async def add_comment_quote(*, slug: str, comment_id: int, form: dict[str, str], now: datetime) -> int:
    """Choose a quote from a published comment on a related case study (see
    ``related_published_comments``); the same checks as ``add_quote``, and no commenter's name."""
    consultation = await find_consultation(slug)
    if comment_id not in {comment.comment_id for comment in await related_published_comments(slug)}:
        raise ReportNotFound(f"no published comment {comment_id} on a related case study")
    comment = await Comment.select(Comment.body, Comment.display_name).where(Comment.id == comment_id).first().run()
    values = check_quote_form(form, source=comment["body"], name=comment["display_name"] or "")
    row = ReportQuote(consultation=consultation["id"], comment=comment_id, question_key="", text=values["text"],
                      created_at=now)
    await row.save().run()
    return int(row.id)


async def remove_quote(*, slug: str, quote_id: int) -> None:
    consultation = await find_consultation(slug)
    if not await ReportQuote.exists().where(ReportQuote.id == quote_id, ReportQuote.consultation == consultation["id"]).run():
        raise ReportNotFound(f"no quote {quote_id}")
    await ReportQuote.delete().where(ReportQuote.id == quote_id).run()


ERASED_QUOTE = "[quote removed at its author's request]"
"""What a published version shows in place of a quote whose comment its author erased."""


def _encodings(text: str) -> list[str]:
    """The ways a quote's text appears in a version: as written (CSV, plain), inside a JSON string,
    HTML-escaped, and doubled quotes of a CSV cell. Longest first, so no shorter one cuts a longer."""
    import html

    from markupsafe import escape

    forms = {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1], html.escape(text),
             str(escape(text)), text.replace('"', '""')}
    return sorted((form for form in forms if form), key=len, reverse=True)


async def forget_quotes_of_comments(comment_ids: list[int]) -> int:
    """An erased comment's words leave every report: its quotes are deleted from the drafts and
    replaced in published versions (the one change ever made to a published version, because the
    author's erasure outranks the record). Returns how many quotes were removed."""
    if not comment_ids:
        return 0
    quotes = await ReportQuote.select(ReportQuote.id, ReportQuote.consultation, ReportQuote.text).where(
        ReportQuote.comment.is_in([int(value) for value in comment_ids])).run()
    if not quotes:
        return 0
    async with write_transaction(ReportVersion._meta.db):
        for consultation_id in {row["consultation"] for row in quotes}:
            texts = [row["text"] for row in quotes if row["consultation"] == consultation_id]
            versions = await ReportVersion.select(ReportVersion.id, ReportVersion.document_json,
                                                  ReportVersion.open_data_csv, ReportVersion.html).where(
                ReportVersion.consultation == consultation_id).run()
            for version in versions:
                changed = {}
                for column, name in ((ReportVersion.document_json, "document_json"),
                                     (ReportVersion.open_data_csv, "open_data_csv"), (ReportVersion.html, "html")):
                    value = version[name]
                    for text in texts:
                        for form in _encodings(text):
                            value = value.replace(form, ERASED_QUOTE)
                    if value != version[name]:
                        changed[column] = value
                if changed:
                    await ReportVersion.update(changed).where(ReportVersion.id == version["id"]).run()
        await ReportQuote.delete().where(ReportQuote.id.is_in([row["id"] for row in quotes])).run()
    return len(quotes)


@dataclass(frozen=True)
class PublishedVersion:
    version: int
    title: str


@dataclass(frozen=True)
class VersionContent:
    """What a version stores, made for its number (the HTML's image addresses name it)."""

    document_json: str
    open_data_csv: str
    html: str


async def publish_version(*, slug: str, title: str, content: Callable[[int], Awaitable[VersionContent]],
                          images: dict[str, tuple[bytes, str]], published_by: str, now: datetime) -> PublishedVersion:
    """Store a new immutable version numbered one past the latest (from 1), with the draft's Easy
    Read points (``analysis.reports.easy_read``). ``content(number)``
    makes its JSON, CSV and HTML for that number *inside* the same transaction that chose the
    number and inserts the row: on SQLite the transaction holds the write lock from its start
    (IMMEDIATE), on PostgreSQL it locks the consultation's row first, so two publishes at once
    take turns and every version's document, HTML and row carry the same number."""
    from piccolo.engine.sqlite import SQLiteEngine

    consultation = await find_consultation(slug)
    encoded = json.dumps({name: {"png": base64.b64encode(png).decode("ascii"), "alt": alt}
                          for name, (png, alt) in images.items()}, sort_keys=True)
    engine = ReportVersion._meta.db
    async with write_transaction(engine):
        if not isinstance(engine, SQLiteEngine):
            await Consultation.raw("SELECT id FROM consultation WHERE id = {} FOR UPDATE", consultation["id"]).run()
        rows = await ReportVersion.select(ReportVersion.version).where(
            ReportVersion.consultation == consultation["id"]).run()
        number = max((row["version"] for row in rows), default=0) + 1
        made = await content(number)
        draft = await ReportDraft.select(ReportDraft.easy_read_json).where(
            ReportDraft.consultation == consultation["id"]).first().run()
        await ReportVersion.insert(ReportVersion(
            easy_read_json=(draft or {}).get("easy_read_json") or "[]",
            consultation=consultation["id"], version=number, title=title, published_at=now, published_by=published_by,
            document_json=made.document_json, open_data_csv=made.open_data_csv, html=made.html,
            images_json=encoded)).run()
    return PublishedVersion(version=number, title=title)


def version_image(row: dict[str, Any], name: str) -> bytes | None:
    image = json.loads(row["images_json"] or "{}").get(name)
    return base64.b64decode(image["png"]) if image else None
