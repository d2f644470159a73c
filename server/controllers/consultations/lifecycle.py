"""Officers: a consultation's lifecycle and reuse. Preview a draft exactly as residents will see
it (the residents' own templates, with a "Preview — not public" banner and forms that send
nothing), publish it with its opening and closing dates after a confirmation page, copy a
consultation as a new draft, and find a response by reference. (Adding questions from the
library is one of the builder's edits, in ``officer.py``.)"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY
from markupsafe import Markup

from analysis.charter.links import principles_for_consultation, set_consultation_principles
from common.i18n import gettext
from server.audit import record_audit
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import FormData
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from surveys import questionnaire as q
from surveys.consultations import (
    ConsultationError, ConsultationView, check_schedule, consultation_and_questionnaire, consultation_status,
    copy_consultation, copy_title, get_consultation, publish_consultation,
)
from surveys.markdown import render_markdown
from surveys.routing import pages, route as route_taken
from surveys.response_files import response_file
from surveys.responses import find_response, normalise_reference

SCHEDULE_FIELDS = ("opens_on", "closes_on")


def as_residents_will_see(consultation: ConsultationView, today: date) -> ConsultationView:
    """A draft as it will be once published: its status from its dates alone."""
    return dataclasses.replace(consultation, status=consultation_status(consultation.opens_on, consultation.closes_on, today),
                               is_draft=False)


class ConsultationLifecycleController(Controller):
    path = "/officer/consultations/{slug:str}"
    opt = roles(OFFICER)

    async def _consultation(self, slug: str) -> ConsultationView:
        consultation = await get_consultation(slug, date.today(), include_drafts=True)
        if consultation is None:
            raise NotFoundException()
        return consultation

    # --- Preview ------------------------------------------------------------------------------

    @get("/preview", name="officer_consultation_preview")
    async def preview(self, request: Request, slug: FromPath[str]) -> Template:
        consultation = as_residents_will_see(await self._consultation(slug), date.today())
        route = request.app.route_reverse
        return Template("surveys/consultation.html", context={
            "consultation": consultation, "body_html": Markup(render_markdown(consultation.body)), "report_url": None,
            "principles": await principles_for_consultation(consultation.id),
            "preview": {"back": route("officer_consultation", slug=slug),
                        "start": route("officer_consultation_preview_page", slug=slug, number=1)}})

    @get("/preview/questionnaire/{number:int}", name="officer_consultation_preview_page")
    async def preview_page(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Template:
        """One page of the questionnaire as residents will see it, every page in turn, each with
        every question it may ask (a question asked only after some answer says so)."""
        found = await consultation_and_questionnaire(slug, date.today(), include_drafts=True)
        if found is None or not 1 <= number <= len(pages(found[1])):
            raise NotFoundException()
        consultation, questionnaire = found
        consultation = as_residents_will_see(consultation, date.today())
        all_pages = pages(questionnaire)
        page = all_pages[number - 1]
        section = questionnaire.sections[page.section_index]
        route = request.app.route_reverse
        total = len(all_pages)
        shown = sorted({shown.section_index for shown in route_taken(questionnaire, {})})
        return Template("surveys/questionnaire_page.html", context={
            "consultation": consultation, "section": section, "number": number, "questions": list(page.questions),
            "position": page.section_index + 1, "total": len(questionnaire.sections), "from_check": False, "raw": {}, "errors": {},
            "questionnaire": questionnaire, "changing": "", "can_save": False,
            "back": route("officer_consultation_preview_page", slug=slug, number=number - 1) if number > 1
            else route("officer_consultation_preview", slug=slug),
            "preview": {"back": route("officer_consultation", slug=slug),
                        "next": route("officer_consultation_preview_page", slug=slug, number=number + 1) if number < total
                        else route("officer_consultation_preview", slug=slug),
                        "sections_shown_without_answers": len(shown)}})

    # --- Publish ------------------------------------------------------------------------------

    def _publish_page(self, consultation: ConsultationView, questionnaire: q.Questionnaire, *, values: dict,
                      errors: dict, status_code: int = 200) -> Template:
        return Template("surveys/officer/publish.html", context={
            "consultation": consultation, "question_count": len(questionnaire.questions()),
            "values": with_date_boxes(values, SCHEDULE_FIELDS), "errors": errors}, status_code=status_code)

    @get("/publish", name="officer_consultation_publish_confirm")
    async def publish_confirm(self, slug: FromPath[str]) -> Template | Redirect:
        found = await consultation_and_questionnaire(slug, date.today(), include_drafts=True)
        if found is None:
            raise NotFoundException()
        consultation, questionnaire = found
        errors = {}
        if not consultation.is_draft:
            errors["consultation"] = gettext("This consultation has already been published")
        elif not questionnaire.questions():
            errors["consultation"] = gettext("Add at least one question to the questionnaire before publishing")
        return self._publish_page(consultation, questionnaire, errors=errors, values={
            "opens_on": consultation.opens_on.isoformat(), "closes_on": consultation.closes_on.isoformat()})

    @post("/publish", name="officer_consultation_publish")
    async def publish(self, request: Request, slug: FromPath[str], data: FormData) -> Template | Redirect:
        found = await consultation_and_questionnaire(slug, date.today(), include_drafts=True)
        if found is None:
            raise NotFoundException()
        consultation, questionnaire = found
        schedule, errors = check_schedule(joined_date(data, "opens_on"), joined_date(data, "closes_on"), today=date.today())
        if schedule is not None:
            try:
                await publish_consultation(slug, schedule, now=datetime.now(timezone.utc))
            except ConsultationError as error:
                errors = error.errors
        if errors:
            values = {name: joined_date(data, name) for name in SCHEDULE_FIELDS} | typed_boxes(data, SCHEDULE_FIELDS)
            status = HTTP_409_CONFLICT if "consultation" in errors else HTTP_422_UNPROCESSABLE_ENTITY
            return self._publish_page(consultation, questionnaire, values=values, errors=errors, status_code=status)
        await record_audit(actor=request.user.email, action="consultation_published", object_type="consultation",
                           object_id=slug, detail=f"open {schedule.opens_on.isoformat()} to {schedule.closes_on.isoformat()}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("officer_consultation", slug=slug) + "?published=1", status_code=303)

    # --- Copy ---------------------------------------------------------------------------------

    @get("/copy", name="officer_consultation_copy_form")
    async def copy_form(self, slug: FromPath[str]) -> Template:
        consultation = await self._consultation(slug)
        return Template("surveys/officer/copy.html", context={
            "consultation": consultation, "values": {"title": copy_title(consultation.title), "slug": ""}, "errors": {}})

    @post("/copy", name="officer_consultation_copy")
    async def copy(self, request: Request, slug: FromPath[str], data: FormData) -> Template | Redirect:
        consultation = await self._consultation(slug)
        values = {"title": str(data.get("title", "")).strip(), "slug": str(data.get("slug", "")).strip()}
        try:
            new_slug = await copy_consultation(slug, title=values["title"], new_slug=values["slug"])
        except ConsultationError as error:
            return Template("surveys/officer/copy.html", context={"consultation": consultation, "values": values,
                                                                 "errors": error.errors},
                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await set_consultation_principles(consultation_slug=new_slug, principle_ids=[
            ref.id for ref in await principles_for_consultation(consultation.id)])
        await record_audit(actor=request.user.email, action="consultation_copied", object_type="consultation",
                           object_id=new_slug, detail=f"copy of {slug}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("officer_consultation", slug=new_slug) + "?copied=1", status_code=303)


class ResponseSearchController(Controller):
    path = "/officer/response-search"
    opt = roles(OFFICER)

    @get("/", name="officer_response_search")
    async def search(self, request: Request, reference: FromQuery[str] = "") -> Template:
        """Find one response by the reference the resident was given (on the phone, in an email),
        wherever it is. Its About-you answers are personal data: the view is audited."""
        reference = reference.strip()[:40]
        found = await find_response(normalise_reference(reference)) if reference else None
        errors = {}
        if reference and found is None:
            errors["reference"] = gettext("No response has the reference %(reference)s", reference=reference)
        if found is not None:
            await record_audit(actor=request.user.email, action="response_viewed", object_type="consultation_response",
                               object_id=found.reference, detail=found.consultation_slug, ip_address=client_ip(request))
        return Template("surveys/officer/response_search.html", context={
            "values": {"reference": reference}, "errors": errors, "found": found},
            status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else 200)

    @get("/files/{file_key:str}", name="officer_response_file")
    async def response_file(self, request: Request, file_key: FromPath[str]) -> File:
        """A file a resident sent with a response: downloaded, never shown in the browser, with
        the type its first bytes showed; audited like the response itself."""
        stored = await response_file(file_key, data_dir=request.app.state.settings.data_dir)
        if stored is None:
            raise NotFoundException()
        await record_audit(actor=request.user.email, action="response_file_downloaded", object_type="consultation_response",
                           object_id=stored.response_reference, detail=f"{stored.consultation_slug}: {stored.file_name}",
                           ip_address=client_ip(request))
        return File(path=stored.path, media_type=stored.content_type, filename=stored.file_name,
                    content_disposition_type="attachment",
                    headers={"content-security-policy": "sandbox", "cache-control": "no-store",
                             "x-content-type-options": "nosniff"})
