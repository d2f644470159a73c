"""Officers: type in a paper, email or focus-group response; import many from CSV; export them.
Every export of responses is recorded in the audit log (About-you answers are personal data)."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import DEFAULT_LOCALE, gettext, language_name, ngettext
from common.uploads import UploadError
from server.audit import record_audit
from server.web.forms import UploadData
from server.web.guards import OFFICER, roles
from server.web.i18n import available_locales
from server.web.pagination import pager
from server.web.request_info import client_ip
from server.web.responses import stream_download
from server.web.uploads import read_upload
from surveys.consultations import get_consultation, get_questionnaire
from surveys.response_csv import ResponseImportError, header
from surveys.responses import (
    count_listed_responses, import_responses, listed_responses, stream_responses, submit_response,
)
from surveys.questionnaire import answers_not_applying, raw_from_form, validate_answers
from surveys.tables import CHANNELS

OFFICER_CHANNELS = [channel for channel in CHANNELS if channel != "online"]


def language_choices() -> list[tuple[str, str]]:
    """The languages a typed-in response may have been given in (a paper copy prints in each)."""
    return [(locale, language_name(locale)) for locale in available_locales()]
REASON_LIMIT = 500


def closed_override(consultation, form) -> tuple[dict[str, str], dict[str, str]]:
    """(what the officer typed, errors) for adding responses to a closed consultation: allowed
    only with the box ticked and a reason (kept in the audit log). A late response changes a
    published report's figures, and two versions apart by one response give its answers away."""
    typed = {"late_override": str(form.get("late_override", "") or ""),
             "late_reason": str(form.get("late_reason", "") or "").strip()}
    if consultation.status != "closed":
        return typed, {}
    errors = {}
    if typed["late_override"] != "yes":
        errors["late_override"] = gettext("Confirm that responses should be added to this closed consultation")
    if not typed["late_reason"]:
        errors["late_reason"] = gettext("Enter why they are added after closing")
    elif len(typed["late_reason"]) > REASON_LIMIT:
        errors["late_reason"] = gettext("The reason must be %(limit)s characters or fewer", limit=REASON_LIMIT)
    return typed, errors


def _after_close(typed: dict[str, str]) -> str:
    """The audit detail's suffix when a closed consultation was overridden."""
    return f"; added after closing: {typed['late_reason']}" if typed["late_override"] == "yes" and typed["late_reason"] else ""


class ConsultationResponsesController(Controller):
    path = "/officer/consultations/{slug:str}"
    opt = roles(OFFICER)

    async def _load(self, slug: str):
        consultation = await get_consultation(slug, date.today(), include_drafts=True)
        questionnaire = await get_questionnaire(slug)
        if consultation is None or questionnaire is None:
            raise NotFoundException()
        return consultation, questionnaire

    @get("/responses", name="officer_responses")
    async def listing(self, request: Request, slug: FromPath[str]) -> Template:
        """The responses, newest first, a page at a time, by channel and reference (no answers:
        each reference opens the response search, which shows one)."""
        consultation = await get_consultation(slug, date.today(), include_drafts=True)
        if consultation is None:
            raise NotFoundException()
        query = request.query_params
        channel = str(query.get("channel", "")).strip()
        channel = channel if channel in CHANNELS else ""
        reference = str(query.get("reference", "")).strip()[:20]
        filters = {"channel": channel, "reference": reference}
        pages = pager(raw_page=query.get("page"), total=await count_listed_responses(consultation.id, **filters),
                      base_url=request.app.route_reverse("officer_responses", slug=slug), query=filters,
                      keep=("channel", "reference"))
        return Template("surveys/officer/responses.html", context={
            "consultation": consultation, "filters": filters, "pager": pages, "channels": CHANNELS,
            "responses": await listed_responses(consultation.id, offset=pages.offset, limit=pages.per_page, **filters)})

    @get("/responses/new", name="officer_response_new")
    async def new(self, slug: FromPath[str]) -> Template:
        consultation, questionnaire = await self._load(slug)
        return Template("surveys/officer/response_form.html", context={
            "consultation": consultation, "questionnaire": questionnaire, "raw": {}, "errors": {},
            "channels": OFFICER_CHANNELS, "channel": "paper", "override": {},
            "languages_given": language_choices(), "language": DEFAULT_LOCALE})

    @post("/responses", name="officer_response_create")
    async def create(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        consultation, questionnaire = await self._load(slug)
        form = await request.form()
        raw = raw_from_form(questionnaire.questions(), lambda name: form.getall(name, []))
        channel = str(form.get("channel", ""))
        language = str(form.get("language", "")) or DEFAULT_LOCALE
        answers, errors = validate_answers(questionnaire, raw)
        if channel not in OFFICER_CHANNELS:
            errors = {"channel": gettext("Select how the response was given"), **errors}
        if language not in available_locales():
            errors = {"language": gettext("Select the language the response was given in"), **errors}
        if not errors and not answers:
            errors = {"channel": gettext("The response has no answers: type in at least one")}
        override, override_errors = closed_override(consultation, form)
        errors = {**errors, **override_errors}
        if errors:
            return Template("surveys/officer/response_form.html", context={
                "consultation": consultation, "questionnaire": questionnaire, "raw": raw, "errors": errors,
                "channels": OFFICER_CHANNELS, "channel": channel, "override": override,
                "languages_given": language_choices(), "language": language},
                status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        not_applying = answers_not_applying(questionnaire, raw, answers)
        confirmed = set(str(form.get("drop_confirmed", "")).split(","))
        if not_applying and not {question.key for question in not_applying} <= confirmed:
            # Answers to questions that do not apply are never stored: say which, and let the
            # officer either correct the form or confirm that they may be dropped.
            return Template("surveys/officer/response_form.html", context={
                "consultation": consultation, "questionnaire": questionnaire, "raw": raw, "errors": {},
                "channels": OFFICER_CHANNELS, "channel": channel, "not_applying": not_applying, "override": override,
                "languages_given": language_choices(), "language": language},
                status_code=HTTP_409_CONFLICT)
        result = await submit_response(consultation_id=consultation.id, answers=answers, channel=channel,
                                       entered_by=request.user.email, locale=language)
        await record_audit(actor=request.user.email, action="response_entered", object_type="consultation",
                           object_id=slug, detail=f"{result.reference} ({channel}{', ' + language if language != DEFAULT_LOCALE else ''})"
                                                  f"{_after_close(override)}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("officer_consultation", slug=slug) + f"?entered={result.reference}",
                        status_code=303)

    @get("/import", name="officer_responses_import_page")
    async def import_page(self, slug: FromPath[str]) -> Template:
        consultation, questionnaire = await self._load(slug)
        return Template("surveys/officer/import.html", context={
            "consultation": consultation, "columns": header(questionnaire), "problems": [], "errors": {}, "override": {}})

    @post("/import", name="officer_responses_import")
    async def import_file(self, request: Request, slug: FromPath[str], data: UploadData) -> Template | Redirect:
        consultation, questionnaire = await self._load(slug)
        problems: list[str] = []
        override, override_errors = closed_override(consultation, data)
        try:
            text = await read_upload(data.get("file"))
        except UploadError as error:
            problems = [str(error)]
        else:
            if override_errors:
                pass  # nothing is imported until the override is given; the file is chosen again
            elif not text:
                problems = [gettext("Choose a CSV file to import")]
            else:
                try:
                    count = await import_responses(slug=slug, csv_text=text, entered_by=request.user.email)
                except ResponseImportError as error:
                    problems = error.errors
                else:
                    await record_audit(actor=request.user.email, action="responses_imported", object_type="consultation",
                                       object_id=slug, detail=f"{count} responses{_after_close(override)}",
                                       ip_address=client_ip(request))
                    return Redirect(path=request.app.route_reverse("officer_consultation", slug=slug) + f"?imported={count}",
                                    status_code=303)
        errors = dict(override_errors)
        if problems:
            errors["file"] = ngettext("The file was not imported: %(num)d problem",
                                      "The file was not imported: %(num)d problems", len(problems))
        return Template("surveys/officer/import.html", context={
            "consultation": consultation, "columns": header(questionnaire), "problems": problems[:50],
            "more": max(0, len(problems) - 50), "errors": errors, "override": override},
            status_code=HTTP_422_UNPROCESSABLE_ENTITY)

    @get("/responses.csv", name="officer_responses_csv")
    async def export(self, request: Request, slug: FromPath[str]) -> Stream:
        exported = await stream_responses(slug)
        if exported is None:
            raise NotFoundException()
        await record_audit(actor=request.user.email, action="responses_exported", object_type="consultation",
                           object_id=slug, detail=f"{exported.count} responses", ip_address=client_ip(request))
        return stream_download(exported.chunks, media_type="text/csv; charset=utf-8", filename=exported.filename)
