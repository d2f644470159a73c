"""Consultations: their details and status (services and queries), and the questionnaire each
one holds.

Lifecycle: a consultation is created as a *draft*, seen only by officers (who preview it as
residents will see it). Publishing it (after a confirmation page) sets its opening and closing
dates; from then its status follows the dates at read time, with no background job: upcoming
before ``opens_on``, open from the start of ``opens_on`` until the end of ``closes_on`` (that is,
``opens_at <= now < closes_at`` with ``closes_at`` the midnight after ``closes_on``), closed after.
Its results are published with its "We asked, You said, We did" report. Consultations made before
drafts existed are published (``is_draft`` defaults to False)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from common.emails import clean_email
from common.i18n import gettext, lazy_gettext
from common.text import slugify
from common.transactions import write_transaction
from surveys.questionnaire import Questionnaire, QuestionnaireError, change_problems, from_json, to_json
from surveys.tables import AUDIENCES, Consultation, SavedAnswers, SurveyResponse

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUS_LABELS = {"draft": lazy_gettext("Draft"), "open": lazy_gettext("Open"), "upcoming": lazy_gettext("Upcoming"),
                 "closed": lazy_gettext("Closed")}


def consultation_status(opens_on: date, closes_on: date, today: date, *, is_draft: bool = False) -> str:
    if is_draft:
        return "draft"
    if today < opens_on:
        return "upcoming"
    if today > closes_on:
        return "closed"
    return "open"


@dataclass(frozen=True)
class ConsultationView:
    id: int
    slug: str
    title: str
    summary: str
    body: str
    opens_on: date
    closes_on: date
    audience: str
    contact_email: str
    other_formats: str
    status: str
    has_questionnaire: bool
    response_count: int | None
    """None where it was not counted (the questionnaire's own pages do not show it)."""
    results_due_on: date | None = None
    """When the council expects to publish the results; None when it has not said."""
    is_draft: bool = False
    """Not yet published: officers only."""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


async def _response_counts() -> dict[int, int]:
    rows = await SurveyResponse.raw(
        "SELECT consultation, COUNT(*) AS n FROM consultation_response GROUP BY consultation"
    ).run()
    return {int(row["consultation"]): int(row["n"]) for row in rows}


def _view(row: dict, today: date, counts: dict[int, int] | None,
          questionnaire: Questionnaire | None = None) -> ConsultationView:
    """``questionnaire``: the row's questionnaire when the caller has already parsed it."""
    if questionnaire is None and row["questionnaire_json"]:
        questionnaire = from_json(row["questionnaire_json"])
    return ConsultationView(
        id=row["id"], slug=row["slug"], title=row["title"], summary=row["summary"], body=row["body"],
        opens_on=row["opens_on"], closes_on=row["closes_on"], audience=row["audience"],
        contact_email=row["contact_email"], other_formats=row["other_formats"],
        status=consultation_status(row["opens_on"], row["closes_on"], today, is_draft=bool(row.get("is_draft"))),
        has_questionnaire=bool(questionnaire.questions()) if questionnaire is not None else False,
        response_count=counts.get(row["id"], 0) if counts is not None else None,
        results_due_on=row.get("results_due_on"), is_draft=bool(row.get("is_draft")),
    )


async def list_consultations(today: date, *, audience: str | None = None,
                             include_drafts: bool = False) -> list[ConsultationView]:
    """Newest opening first; ``audience="public"`` leaves out panel-only consultations. Drafts
    only with ``include_drafts`` (officers' lists)."""
    query = Consultation.select().order_by(Consultation.opens_on, ascending=False).order_by(Consultation.id)
    if not include_drafts:
        query = query.where(Consultation.is_draft == False)  # noqa: E712 (a column comparison)
    if audience:
        query = query.where(Consultation.audience == audience)
    counts = await _response_counts()
    return [_view(row, today, counts) for row in await query.run()]


async def get_consultation(slug: str, today: date, *, include_drafts: bool = False) -> ConsultationView | None:
    """None when there is no such consultation, or it is a draft and ``include_drafts`` is False
    (the public's view: a draft does not exist for them)."""
    row = await Consultation.select().where(Consultation.slug == slug).first().run()
    if row is None or (row["is_draft"] and not include_drafts):
        return None
    count = int(await SurveyResponse.count().where(SurveyResponse.consultation == row["id"]).run())
    return _view(row, today, {row["id"]: count})


CONSULTATION_FIELDS = ("title", "slug", "summary", "body", "opens_on", "closes_on", "audience", "contact_email", "other_formats",
                       "results_due_on")


@dataclass(frozen=True)
class ConsultationForm:
    values: dict[str, str]
    errors: dict[str, str]


def check_consultation_form(form: dict[str, str]) -> ConsultationForm:
    values = {name: str(form.get(name, "")).strip() for name in CONSULTATION_FIELDS}
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = gettext("Enter a title")
    elif len(values["title"]) > 200:
        errors["title"] = gettext("The title must be 200 characters or fewer")
    values["slug"] = values["slug"].lower() or slugify(values["title"])
    if values["slug"] and not SLUG_PATTERN.match(values["slug"]):
        errors["slug"] = gettext("The web address name can use only a to z, 0 to 9 and single hyphens")
    if len(values["body"]) > 50_000:
        errors["body"] = gettext("The description must be 50,000 characters or fewer")
    days = {}
    date_messages = {"opens_on": gettext("Enter the date it opens as a real date, like 2026-03-31"),
                     "closes_on": gettext("Enter the date it closes as a real date, like 2026-03-31")}
    for name, message in date_messages.items():
        try:
            days[name] = date.fromisoformat(values[name])
        except ValueError:
            errors[name] = message
    if len(days) == 2 and days["closes_on"] < days["opens_on"]:
        errors["closes_on"] = gettext("The closing date must be on or after the opening date")
    if values["results_due_on"]:  # optional
        try:
            results_due_on = date.fromisoformat(values["results_due_on"])
        except ValueError:
            errors["results_due_on"] = gettext("Enter the date the results are due as a real date, like 2026-06-30")
        else:
            if "closes_on" in days and results_due_on < days["closes_on"]:
                errors["results_due_on"] = gettext("The date the results are due must be on or after the closing date")
    if values["audience"] not in AUDIENCES:
        errors["audience"] = gettext("Select who can take part")
    if values["contact_email"] and clean_email(values["contact_email"]) is None:
        errors["contact_email"] = gettext("Enter an email address in the correct format, like engage@camden.example")
    return ConsultationForm(values=values, errors=errors)


class ConsultationError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


async def save_consultation(form: ConsultationForm, *, existing_slug: str | None = None,
                            questionnaire_json: str = "") -> str:
    """Create (``existing_slug`` None, as a draft, with ``questionnaire_json`` when copying one) or
    update a consultation from a checked form; its slug."""
    if form.errors:
        raise ConsultationError(form.errors)
    values = dict(form.values)
    clash = await Consultation.select(Consultation.slug).where(Consultation.slug == values["slug"]).first().run()
    if clash and values["slug"] != existing_slug:
        raise ConsultationError({"slug": gettext("Another consultation already uses the web address name %(slug)s",
                                                 slug=values["slug"])})
    values["opens_on"] = date.fromisoformat(values["opens_on"])
    values["closes_on"] = date.fromisoformat(values["closes_on"])
    values["results_due_on"] = date.fromisoformat(values["results_due_on"]) if values.get("results_due_on") else None
    if existing_slug is None:  # every new consultation starts as a draft, seen by officers only
        await Consultation.insert(Consultation(**values, is_draft=True, questionnaire_json=questionnaire_json)).run()
    else:
        await Consultation.update({getattr(Consultation, name): value for name, value in values.items()}).where(
            Consultation.slug == existing_slug).run()
    return values["slug"]


async def consultation_and_questionnaire(slug: str, today: date, *, include_drafts: bool = False,
                                         ) -> tuple[ConsultationView, Questionnaire] | None:
    """A consultation and its questionnaire from one read, with no response count: for the
    questionnaire's pages, which run for every page of answers a resident sends. Written as SQL,
    as Piccolo's query builder costs several times what the query itself does. A draft only with
    ``include_drafts`` (an officer's preview or print)."""
    rows = await Consultation.raw("SELECT * FROM consultation WHERE slug = {} LIMIT 1", slug).run()
    if not rows or (rows[0]["is_draft"] and not include_drafts):
        return None
    questionnaire = from_json(rows[0]["questionnaire_json"])
    return _view(rows[0], today, None, questionnaire), questionnaire


async def get_questionnaire(slug: str) -> Questionnaire | None:
    row = await Consultation.select(Consultation.questionnaire_json).where(Consultation.slug == slug).first().run()
    if row is None:
        return None
    return from_json(row["questionnaire_json"])


async def update_questionnaire(slug: str, change: Callable[[Questionnaire], Questionnaire]) -> Questionnaire:
    """Apply one builder edit, refusing it (``QuestionnaireError``, naming the reason) when it
    would break answers already collected: sent responses, or answers saved to carry on later.
    A draft has neither, and is edited freely. Read-then-write in one IMMEDIATE transaction on
    SQLite, so two officers' edits cannot overwrite each other."""
    database = Consultation._meta.db
    async with write_transaction(database):
        row = await Consultation.select(Consultation.id, Consultation.questionnaire_json).where(
            Consultation.slug == slug).first().run()
        if row is None:
            raise QuestionnaireError({"questionnaire": gettext("There is no such consultation")})
        before = from_json(row["questionnaire_json"])
        after = change(before)
        count = int(await SurveyResponse.count().where(SurveyResponse.consultation == row["id"]).run())
        saved = int(await SavedAnswers.count().where(SavedAnswers.consultation == row["id"]).run())
        problems = change_problems(before, after, count, saved_count=saved)
        if problems:
            raise QuestionnaireError({"questionnaire": problems[0]})
        await Consultation.update({Consultation.questionnaire_json: to_json(after)}).where(
            Consultation.id == row["id"]).run()
    return after


# --- Lifecycle: publishing a draft, copying a consultation -----------------------------------


@dataclass(frozen=True)
class Schedule:
    opens_on: date
    closes_on: date


def check_schedule(opens_on: str, closes_on: str, *, today: date) -> tuple[Schedule | None, dict[str, str]]:
    """The opening and closing dates an officer confirms when publishing: real dates, closing on
    or after opening and not already past (a consultation published closed would take no answers)."""
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for name, text, message in (
            ("opens_on", opens_on, gettext("Enter the date it opens as a real date, like 2026-03-31")),
            ("closes_on", closes_on, gettext("Enter the date it closes as a real date, like 2026-03-31"))):
        try:
            days[name] = date.fromisoformat(text.strip())
        except ValueError:
            errors[name] = message
    if len(days) == 2:
        if days["closes_on"] < days["opens_on"]:
            errors["closes_on"] = gettext("The closing date must be on or after the opening date")
        elif days["closes_on"] < today:
            errors["closes_on"] = gettext("The closing date must be today or later")
    if errors:
        return None, errors
    return Schedule(opens_on=days["opens_on"], closes_on=days["closes_on"]), {}


async def publish_consultation(slug: str, schedule: Schedule, *, now: datetime) -> None:
    """Make a draft public with these dates: listed and shown at once (as upcoming until
    ``opens_on``), open for answers from ``opens_on`` to ``closes_on``. Refused
    (``ConsultationError``) for a consultation without questions or already published."""
    async with write_transaction(Consultation._meta.db):
        row = await Consultation.select(Consultation.id, Consultation.is_draft, Consultation.questionnaire_json,
                                        Consultation.results_due_on).where(Consultation.slug == slug).first().run()
        if row is None:
            raise ConsultationError({"consultation": gettext("There is no such consultation")})
        if not row["is_draft"]:
            raise ConsultationError({"consultation": gettext("This consultation has already been published")})
        if not from_json(row["questionnaire_json"]).questions():
            raise ConsultationError({"consultation": gettext("Add at least one question to the questionnaire before publishing")})
        changes = {Consultation.is_draft: False, Consultation.published_at: now,
                   Consultation.opens_on: schedule.opens_on, Consultation.closes_on: schedule.closes_on}
        if row["results_due_on"] and row["results_due_on"] < schedule.closes_on:
            changes[Consultation.results_due_on] = None  # no longer true: the officer sets it again
        await Consultation.update(changes).where(Consultation.id == row["id"]).run()


async def copy_consultation(slug: str, *, title: str, new_slug: str = "") -> str:
    """A new draft with this consultation's details, questionnaire and About-you questions (not its
    dates' status, responses or comments); its slug. The caller copies the links that live in
    other packages (charter principles, through which case studies relate to it)."""
    row = await Consultation.select().where(Consultation.slug == slug).first().run()
    if row is None:
        raise ConsultationError({"consultation": gettext("There is no such consultation")})
    values = {name: str(row[name]) if row[name] is not None else "" for name in CONSULTATION_FIELDS}
    values.update({"title": title, "slug": new_slug})
    return await save_consultation(check_consultation_form(values), existing_slug=None,
                                   questionnaire_json=row["questionnaire_json"])


def copy_title(title: str) -> str:
    return gettext("Copy of %(title)s", title=title)[:200]
