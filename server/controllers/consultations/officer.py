"""Officers: create and edit consultations, and build their questionnaires.

The builder answers htmx requests with the ``_builder.html`` fragment (the whole builder, so
positions and conditions are always redrawn consistently) and plain form posts with a redirect
back to the page, so it works without JavaScript too."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.charter.links import (
    parse_principle_ids, principle_choices, principles_for_consultation, set_consultation_principles,
)
from common.clock import council_today
from common.i18n import gettext, ngettext
from common.text import whole_number
from common.uploads import UploadError
from server.audit import record_audit
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, UploadData, last_value
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from server.web.responses import download
from server.web.uploads import read_upload
from surveys import questionnaire as q
from surveys.consultations import (
    CONSULTATION_FIELDS, ConsultationError, check_consultation_form, get_consultation, get_questionnaire, list_consultations,
    save_consultation, update_questionnaire,
)
from surveys.progress import response_progress
from surveys.question_templates import apply_template, template_choices
from surveys.tables import AUDIENCES



def condition_options(questionnaire: q.Questionnaire, *, before_key: str | None = None) -> list[tuple[str, str]]:
    """Every "question = answer" a question may depend on: choice questions before ``before_key``
    (all of them when adding a question at the end)."""
    options = []
    for question in questionnaire.questions():
        if question.key == before_key:
            break
        if question.kind in q.CHOICE_KINDS:
            options.extend((f"{question.key}={choice}",
                            gettext("‘%(question)s’ is answered ‘%(answer)s’", question=question.text, answer=choice))
                           for choice in question.choices)
    return options


def split_condition(form: dict[str, str]) -> dict[str, str]:
    key, _, value = str(form.get("condition", "")).partition("=")
    return {**{name: str(value) for name, value in form.items()}, "show_if_key": key, "show_if_value": value}


def question_values(question: q.Question) -> dict[str, str]:
    number = q.display_answer
    return {
        "text": question.text, "key": question.key, "kind": question.kind, "help_text": question.help_text,
        "required": "1" if question.required else "", "options": "\n".join(question.options),
        "max_choices": str(question.max_choices or ""), "max_length": str(question.max_length or ""),
        "min_value": number(question.min_value) if question.min_value is not None else "",
        "max_value": number(question.max_value) if question.max_value is not None else "",
        "unit": question.unit, "earliest": question.earliest, "latest": question.latest,
        "condition": f"{question.show_if_key}={question.show_if_value}" if question.show_if_key else "",
        "census_dimension": question.census_dimension,
        **{f"file_type_{name}": "1" for name in question.file_types},
    }


DATE_FIELDS = ("opens_on", "closes_on", "results_due_on")
"""The consultation form's dates, typed in three boxes each (GOV.UK's date input)."""


class ConsultationsOfficerController(Controller):
    path = "/officer/consultations"
    opt = roles(OFFICER)

    @get("/", name="officer_consultations")
    async def index(self) -> Template:
        return Template("surveys/officer/consultations.html", context={"consultations": await list_consultations(date.today(), include_drafts=True)})

    async def _details_form(self, *, values: dict, errors: dict, slug: str | None, selected: list[int],
                            status_code: int = 200) -> Template:
        return Template("surveys/officer/consultation_form.html", context={
            "values": with_date_boxes(values, DATE_FIELDS), "errors": errors, "slug": slug, "audiences": AUDIENCES,
            "principles": await principle_choices(), "selected": selected}, status_code=status_code)

    @get("/new", name="officer_consultation_new")
    async def new(self) -> Template:
        return await self._details_form(values={"audience": "public"}, errors={}, slug=None, selected=[])

    @post("/", name="officer_consultation_create")
    async def create(self, request: Request, data: RepeatableFormData) -> Template | Redirect:
        return await self._save(request, data, existing_slug=None)

    @get("/{slug:str}", name="officer_consultation")
    async def show(self, slug: FromPath[str]) -> Template:
        consultation = await get_consultation(slug, date.today(), include_drafts=True)
        if consultation is None:
            raise NotFoundException()
        from surveys.responses import channel_counts

        progress = await response_progress(consultation_id=consultation.id, opens_on=consultation.opens_on,
                                           closes_on=consultation.closes_on, today=council_today())
        return Template("surveys/officer/consultation.html", context={
            "consultation": consultation, "channels": await channel_counts(consultation.id), "progress": progress,
            "questionnaire": await get_questionnaire(slug),
            "principles": await principles_for_consultation(consultation.id)})

    @get("/{slug:str}/edit", name="officer_consultation_edit")
    async def edit(self, slug: FromPath[str]) -> Template:
        consultation = await get_consultation(slug, date.today(), include_drafts=True)
        if consultation is None:
            raise NotFoundException()
        values = {name: "" if getattr(consultation, name) is None else str(getattr(consultation, name))
                  for name in CONSULTATION_FIELDS}
        selected = [ref.id for ref in await principles_for_consultation(consultation.id)]
        return await self._details_form(values=values, errors={}, slug=slug, selected=selected)

    @post("/{slug:str}", name="officer_consultation_update")
    async def update(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        if await get_consultation(slug, date.today(), include_drafts=True) is None:
            raise NotFoundException()
        return await self._save(request, data, existing_slug=slug)

    async def _save(self, request: Request, data: dict, *, existing_slug: str | None) -> Template | Redirect:
        form = check_consultation_form({**data, **{name: joined_date(data, name) for name in DATE_FIELDS}})
        selected = parse_principle_ids((await request.form()).getall("principles", []), await principle_choices())
        try:
            saved = await save_consultation(form, existing_slug=existing_slug)
        except ConsultationError as error:
            return await self._details_form(values={**form.values, **typed_boxes(data, DATE_FIELDS)}, errors=error.errors,
                                            slug=existing_slug, selected=selected,
                                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await set_consultation_principles(consultation_slug=saved, principle_ids=selected)
        await record_audit(actor=request.user.email, action="consultation_saved", object_type="consultation",
                           object_id=saved, ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("officer_consultation", slug=saved), status_code=303)

    # --- The questionnaire builder ------------------------------------------------------------

    async def _builder(self, request: HTMXRequest, slug: str, *, errors: dict | None = None, values: dict | None = None,
                       form_target: str = "", notice: str = "", status_code: int = 200) -> Template:
        consultation = await get_consultation(slug, date.today(), include_drafts=True)
        questionnaire = await get_questionnaire(slug)
        if consultation is None or questionnaire is None:
            raise NotFoundException()
        context = {
            "consultation": consultation, "questionnaire": questionnaire, "errors": errors or {}, "values": values or {},
            "form_target": form_target, "notice": notice, "kinds": q.QUESTION_KINDS,
            "census_dimensions": list(q.CENSUS_DIMENSIONS), "conditions": condition_options(questionnaire),
            "has_about_you": any(section.about_you for section in questionnaire.sections),
            "library": template_choices(),
        }
        template = "surveys/officer/_builder.html" if request.htmx else "surveys/officer/builder.html"
        return Template(template, context=context, status_code=status_code)

    async def _apply(self, request: HTMXRequest, slug: str, change, *, notice: str, form_target: str = "",
                     values: dict | None = None) -> Template | Redirect:
        try:
            await update_questionnaire(slug, change)
        except q.QuestionnaireError as error:
            return await self._builder(request, slug, errors=error.errors, values=values, form_target=form_target,
                                       status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="questionnaire_changed", object_type="consultation",
                           object_id=slug, detail=notice, ip_address=client_ip(request))
        if request.htmx:
            return await self._builder(request, slug, notice=notice)
        return Redirect(path=request.app.route_reverse("officer_builder", slug=slug), status_code=303)

    @get("/{slug:str}/questionnaire", name="officer_builder")
    async def builder(self, request: HTMXRequest, slug: FromPath[str]) -> Template:
        return await self._builder(request, slug)

    @post("/{slug:str}/questionnaire/sections", name="officer_builder_add_section")
    async def add_section(self, request: HTMXRequest, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        title = last_value(data, "section_title", "")
        about_you = last_value(data, "about_you", "") == "1"
        return await self._apply(request, slug, lambda current: q.add_section(current, title, about_you=about_you),
                                 notice=gettext("Section ‘%(title)s’ added", title=title.strip()), form_target="section",
                                 values={"section_title": title})

    @post("/{slug:str}/questionnaire/library", name="officer_builder_add_template")
    async def add_template(self, request: HTMXRequest, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        """Add questions from the library (an agree–disagree question, the census About-you questions)."""
        template_key = last_value(data, "template", "")
        raw_section = last_value(data, "template_section", "")
        statement = last_value(data, "statement", "")
        names = {item.key: str(item.name) for item in template_choices()}
        return await self._apply(
            request, slug, lambda current: apply_template(current, template_key, statement=statement,
                                                          section_index=whole_number(raw_section)),
            notice=gettext("Added from the library: %(name)s", name=names.get(template_key, "")), form_target="library",
            values={"template": template_key, "template_section": raw_section, "statement": statement})

    @post("/{slug:str}/questionnaire/sections/{index:int}", name="officer_builder_rename_section")
    async def rename_section(self, request: HTMXRequest, slug: FromPath[str], index: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        title = last_value(data, "section_title", "")

        def change(current: q.Questionnaire) -> q.Questionnaire:
            if not 0 <= index < len(current.sections):
                raise q.QuestionnaireError({"questionnaire": gettext("That section no longer exists")})
            return q.rename_section(current, index, title)

        return await self._apply(request, slug, change, notice=gettext("Section renamed ‘%(title)s’", title=title.strip()), form_target=f"r{index}",
                                 values={"section_title": title})

    @post("/{slug:str}/questionnaire/sections/{index:int}/remove", name="officer_builder_remove_section")
    async def remove_section(self, request: HTMXRequest, slug: FromPath[str], index: FromPath[int]) -> Template | Redirect:
        def change(current: q.Questionnaire) -> q.Questionnaire:
            if not 0 <= index < len(current.sections):
                raise q.QuestionnaireError({"questionnaire": gettext("That section no longer exists")})
            return q.remove_section(current, index)

        return await self._apply(request, slug, change, notice=gettext("Section removed"))

    @post("/{slug:str}/questionnaire/sections/{index:int}/questions", name="officer_builder_add_question")
    async def add_question(self, request: HTMXRequest, slug: FromPath[str], index: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        form = split_condition(data)

        def change(current: q.Questionnaire) -> q.Questionnaire:
            if not 0 <= index < len(current.sections):
                raise q.QuestionnaireError({"questionnaire": gettext("That section no longer exists")})
            question = q.question_from_form(form, current, about_you=current.sections[index].about_you)
            return q.add_question(current, index, question)

        return await self._apply(request, slug, change, notice=gettext("Question ‘%(text)s’ added", text=form.get("text", "").strip()),
                                 form_target=f"s{index}", values=form)

    async def _question(self, slug: str, key: str) -> tuple[q.Questionnaire, q.Question, bool]:
        questionnaire = await get_questionnaire(slug)
        question = questionnaire.question(key) if questionnaire else None
        if question is None:
            raise NotFoundException()
        section_index, _ = questionnaire.locate(key)
        return questionnaire, question, questionnaire.sections[section_index].about_you

    @get("/{slug:str}/questionnaire/questions/{key:str}/edit", name="officer_builder_edit_question")
    async def edit_question(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str]) -> Template:
        questionnaire, question, about_you = await self._question(slug, key)
        return self._question_form(request, slug, questionnaire, question, about_you, values=question_values(question), errors={})

    def _question_form(self, request: HTMXRequest, slug: str, questionnaire: q.Questionnaire, question: q.Question,
                       about_you: bool, *, values: dict, errors: dict, status_code: int = 200) -> Template:
        context = {"slug": slug, "question": question, "values": values, "errors": errors, "about_you": about_you,
                   "kinds": q.QUESTION_KINDS, "census_dimensions": list(q.CENSUS_DIMENSIONS),
                   "conditions": condition_options(questionnaire, before_key=question.key), "prefix": "edit-"}
        template = "surveys/officer/_question_edit.html" if request.htmx else "surveys/officer/question_edit.html"
        return Template(template, context=context, status_code=status_code)

    @post("/{slug:str}/questionnaire/questions/{key:str}", name="officer_builder_update_question")
    async def update_question(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        questionnaire, question, about_you = await self._question(slug, key)
        form = split_condition(data)

        def change(current: q.Questionnaire) -> q.Questionnaire:
            replacement = q.question_from_form(form, current, editing_key=key, about_you=about_you)
            return q.replace_question(current, key, replacement)

        try:
            await update_questionnaire(slug, change)
        except q.QuestionnaireError as error:
            return self._question_form(request, slug, questionnaire, question, about_you, values=form, errors=error.errors,
                                       status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="questionnaire_changed", object_type="consultation",
                           object_id=slug, detail=f"question {key} edited", ip_address=client_ip(request))
        if request.htmx:  # the edit form swaps itself on error; on success the whole builder is redrawn
            page = await self._builder(request, slug, notice=gettext("Question ‘%(text)s’ saved", text=form.get("text", "").strip()))
            page.headers.update({"HX-Retarget": "#builder", "HX-Reswap": "outerHTML"})
            return page
        return Redirect(path=request.app.route_reverse("officer_builder", slug=slug), status_code=303)

    @post("/{slug:str}/questionnaire/questions/{key:str}/move", name="officer_builder_move_question")
    async def move_question(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        direction = -1 if last_value(data, "direction", "") == "up" else 1

        def change(current: q.Questionnaire) -> q.Questionnaire:
            return q.move_question(current, key, direction)

        return await self._apply(request, slug, change, notice=gettext("Question %(key)s moved up", key=key) if direction < 0
                                 else gettext("Question %(key)s moved down", key=key))

    @post("/{slug:str}/questionnaire/questions/{key:str}/remove", name="officer_builder_remove_question")
    async def remove_question(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str]) -> Template | Redirect:
        return await self._apply(request, slug, lambda current: q.remove_question(current, key),
                                 notice=gettext("Question %(key)s removed", key=key))

    @get("/{slug:str}/questionnaire.json", name="officer_questionnaire_json")
    async def export_json(self, slug: FromPath[str]) -> Response:
        questionnaire = await get_questionnaire(slug)
        if questionnaire is None:
            raise NotFoundException()
        return download(q.to_json(questionnaire), media_type="application/json", filename=f"{slug}-questionnaire.json")

    @post("/{slug:str}/questionnaire/import", name="officer_questionnaire_import")
    async def import_json(self, request: HTMXRequest, slug: FromPath[str], data: UploadData) -> Template | Redirect:
        errors: dict[str, str] = {}
        try:
            text = await read_upload(data.get("file"), csv=False)
        except UploadError as error:
            errors["file"] = str(error)
        else:
            if not text:
                errors["file"] = gettext("Choose a questionnaire file (JSON) to import")
        if not errors:
            try:
                imported = q.from_json(text)
            except q.QuestionnaireError as error:
                errors["file"] = error.errors["questionnaire"]
            else:
                def change(current: q.Questionnaire) -> q.Questionnaire:
                    if current.questions():
                        raise q.QuestionnaireError({"file": gettext("This consultation already has questions: import into a new consultation")})
                    return imported

                return await self._apply(request, slug, change, notice=ngettext("%(num)d question imported", "%(num)d questions imported", len(imported.questions())),
                                         form_target="import")
        return await self._builder(request, slug, errors=errors, form_target="import", status_code=HTTP_422_UNPROCESSABLE_ENTITY)
