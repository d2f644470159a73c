"""Coding a consultation's free-text answers at speed (issue: "coding themes is slow"): tag many
answers with a theme at once, start from themes suggested by clustering, and check the coding by
having a second officer code a random sample (Cohen's kappa). Every change goes to the audit log."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_403_FORBIDDEN, HTTP_422_UNPROCESSABLE_ENTITY

from analysis.reports import coding
from analysis.reports.store import ReportFormError, ReportNotFound, check_theme_form, list_themes
from analysis.stats.agreement import kappa_words
from analysis.stats.theme_suggestions import MIN_COMMENTS
from common.i18n import gettext
from common.text import whole_number
from server.audit import record_audit
from server.controllers.reports.consultation import consultation_or_404
from server.web.forms import RepeatableFormData, last_values, ticked
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip

PAGE_SIZE = 50


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _ids(values: list[str]) -> list[int]:
    """Whole numbers from form values; anything else (19 digits too) is not an id the page offered."""
    ids = [whole_number(value) for value in values]
    if None in ids:
        raise NotFoundException()
    return ids


def _filters(form: dict[str, Any]) -> dict[str, str]:
    return last_values(form, ("question", "show", "words", "page"))


class ReportCodingController(Controller):
    """Bulk coding, theme suggestions and the double-coding check for one consultation."""

    path = "/officer/consultations/{slug:str}/report/coding"
    opt = roles(OFFICER)

    async def _question(self, slug: str, question: str) -> tuple[dict[str, Any], list[tuple[str, str]], str]:
        consultation = await consultation_or_404(slug)
        questions = coding.free_text_questions(consultation)
        if not questions:
            raise NotFoundException()
        return consultation, questions, question if question in dict(questions) else questions[0][0]

    def _back(self, request: Request, name: str, slug: str, query: dict[str, str], fragment: str = "") -> Redirect:
        query = {key: value for key, value in query.items() if value not in ("", None)}
        return Redirect(path=request.app.route_reverse(name, slug=slug) + (f"?{urlencode(query)}" if query else "") + fragment,
                        status_code=303)

    # ------------------------------------------------------------ many answers at once

    async def _page(self, slug: str, question: str, show: str, words: str, page: int, *, done: dict[str, Any] | None = None,
                    errors: dict[str, str] | None = None, chosen: list[int] | None = None, theme_value: str = "",
                    status_code: int = 200) -> Template:
        consultation, questions, question = await self._question(slug, question)
        themes = await list_themes(consultation["id"])
        show = show if show in (coding.SHOW_ALL, coding.SHOW_UNTAGGED) or show in {str(t["id"]) for t in themes} else coding.SHOW_ALL
        words = words.strip()[:coding.MAX_SEARCH]
        page = max(page, 1)
        found = await coding.coding_page(slug, question, show=show, words=words, offset=(page - 1) * PAGE_SIZE,
                                         limit=PAGE_SIZE)
        return Template("reports/coding.html", status_code=status_code, context={
            "consultation": consultation, "slug": slug, "questions": questions, "question": question,
            "question_text": dict(questions)[question], "themes": themes, "names": {t["id"]: t["name"] for t in themes},
            "show": show, "words": words, "page": page, "pages": max(1, -(-found.total // PAGE_SIZE)), "found": found,
            "done": done, "errors": errors or {}, "chosen": set(chosen or ()), "theme_value": theme_value})

    @get("/", name="report_coding")
    async def page(self, slug: FromPath[str], question: FromQuery[str] = "", show: FromQuery[str] = coding.SHOW_ALL,
                   words: FromQuery[str] = "", page: FromQuery[int] = 1, changed: FromQuery[int | None] = None,
                   theme: FromQuery[int | None] = None, action: FromQuery[str] = "") -> Template:
        done = {"count": changed, "theme": theme, "action": action} if changed is not None and theme is not None else None
        return await self._page(slug, question, show, words, page, done=done)

    @post("/apply", name="report_coding_apply")
    async def apply(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        filters = _filters(data)
        consultation, _, question = await self._question(slug, filters["question"])
        fields = last_values(data, ("action", "theme_id"))
        action, theme_raw = fields["action"], fields["theme_id"]
        chosen = _ids(ticked(data, "answer"))
        errors = {}
        if not theme_raw:
            errors["theme_id"] = gettext("Select a theme")
        if action == "tag_all":
            found = await coding.coding_page(slug, question, show=filters["show"] or coding.SHOW_ALL, words=filters["words"],
                                             limit=10**9)
            chosen = [answer.response_id for answer in found.answers]
            if not chosen:
                errors["answer"] = gettext("No answers match the filter")
        elif action not in ("tag", "untag"):
            raise NotFoundException()
        elif not chosen:
            errors["answer"] = gettext("Select at least one answer")
        if errors:
            page = whole_number(filters["page"]) or 1
            return await self._page(slug, question, filters["show"], filters["words"], page, errors=errors, chosen=chosen,
                                    theme_value=theme_raw, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        theme_id = _ids([theme_raw])[0]
        tagged = action != "untag"
        try:
            changed = await coding.apply_theme(slug=slug, question_key=question, response_ids=chosen, theme_id=theme_id,
                                               tagged=tagged, by=request.user.email)
        except ReportNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="report_comments_tagged" if tagged else "report_comments_untagged",
                           object_type="report_theme", object_id=theme_id,
                           detail=f"{slug}: {changed} of {len(chosen)} answers to {question}", ip_address=client_ip(request))
        return self._back(request, "report_coding", slug, {**filters, "question": question, "changed": str(changed),
                                                            "theme": str(theme_id), "action": "untag" if not tagged else "tag"})

    # ------------------------------------------------------------ suggestions

    async def _suggestions_page(self, slug: str, question: str, *, errors: dict[str, str] | None = None,
                                values: dict[str, str] | None = None, failed: int | None = None,
                                status_code: int = 200) -> Template:
        consultation, questions, question = await self._question(slug, question)
        suggestions = await coding.theme_suggestions(slug, question)
        return Template("reports/coding_suggestions.html", status_code=status_code, context={
            "consultation": consultation, "slug": slug, "questions": questions, "question": question,
            "question_text": dict(questions)[question], "suggestions": suggestions, "errors": errors or {},
            "values": values or {}, "failed": failed, "min_comments": MIN_COMMENTS})

    @get("/suggestions", name="report_coding_suggestions")
    async def suggestions(self, slug: FromPath[str], question: FromQuery[str] = "") -> Template:
        return await self._suggestions_page(slug, question)

    @post("/suggestions", name="report_coding_suggestion_apply")
    async def apply_suggestion(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        fields = last_values(data, ("question", "suggestion"))
        consultation, _, question = await self._question(slug, fields["question"])
        suggestions = await coding.theme_suggestions(slug, question)
        number = _ids([fields["suggestion"]])[0]
        if not 1 <= number <= len(suggestions):  # the answers changed since the page was drawn
            raise NotFoundException()
        existing = [theme["name"] for theme in await list_themes(consultation["id"])]
        try:
            name = last_values(data, (f"name_{number}",))[f"name_{number}"]
            values = check_theme_form({"name": name, "description": ""}, existing)
        except ReportFormError as error:
            return await self._suggestions_page(slug, question, errors={f"name_{number}": error.errors["name"]},
                                                values={f"name_{number}": name},
                                                failed=number, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        suggestion = suggestions[number - 1]
        theme_id, tagged = await coding.create_theme_from(slug=slug, question_key=question, values=values,
                                                          response_ids=suggestion.response_ids, by=request.user.email)
        await record_audit(actor=request.user.email, action="report_theme_added", object_type="report_theme",
                           object_id=theme_id, detail=f"{slug}: {values['name']} (suggested; {tagged} answers to {question})",
                           ip_address=client_ip(request))
        return self._back(request, "report_coding", slug, {"question": question, "show": str(theme_id),
                                                            "changed": str(tagged), "theme": str(theme_id), "action": "created"})

    # ------------------------------------------------------------ double coding

    async def _check_page(self, request: Request, slug: str, question: str, *, errors: dict[str, str] | None = None,
                          size: str = "", status_code: int = 200, saved: bool = False) -> Template:
        consultation, questions, question = await self._question(slug, question)
        items = await coding.sample_items(slug, question)
        coders = await coding.first_coders(slug, question)
        summary = await coding.check_summary(slug, question)
        return Template("reports/coding_check.html", status_code=status_code, context={
            "consultation": consultation, "slug": slug, "questions": questions, "question": question,
            "question_text": dict(questions)[question], "items": items, "themes": await list_themes(consultation["id"]),
            "next_item": next((item for item in items if not item.checked), None), "summary": summary,
            "kappa_words": kappa_words, "errors": errors or {}, "size": size or str(coding.DEFAULT_SAMPLE),
            "answered": (await coding.coding_page(slug, question, limit=0)).answered,
            "first_coder": request.user.email in coders, "saved": saved,
            "limits": (coding.MIN_SAMPLE, coding.MAX_SAMPLE)})

    @get("/check", name="report_coding_check")
    async def check(self, request: Request, slug: FromPath[str], question: FromQuery[str] = "",
                    saved: FromQuery[bool] = False) -> Template:
        return await self._check_page(request, slug, question, saved=saved)

    @post("/check/sample", name="report_coding_check_sample")
    async def draw_sample(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        _, _, question = await self._question(slug, last_values(data, ("question",))["question"])
        answered = (await coding.coding_page(slug, question, limit=0)).answered
        try:
            size = coding.check_sample_size(last_values(data, ("size",))["size"], answered)
        except ReportFormError as error:
            return await self._check_page(request, slug, question, errors=error.errors, size=last_values(data, ("size",))["size"],
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        drawn = await coding.draw_check_sample(slug=slug, question_key=question, size=size, by=request.user.email, now=_now())
        await record_audit(actor=request.user.email, action="report_coding_sample_drawn", object_type="consultation",
                           object_id=slug, detail=f"{drawn} answers to {question}", ip_address=client_ip(request))
        return self._back(request, "report_coding_check", slug, {"question": question})

    @post("/check/code", name="report_coding_check_code")
    async def code_sample(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        fields = last_values(data, ("question", "sample_id"))
        _, _, question = await self._question(slug, fields["question"])
        if request.user.email in await coding.first_coders(slug, question):
            return await self._check_page(request, slug, question, status_code=HTTP_403_FORBIDDEN, errors={
                "check": gettext("You tagged some of these answers, so your coding would not be a check. "
                                 "Ask an officer who did not tag them to code the sample.")})
        sample_id = _ids([fields["sample_id"]])[0]
        themes = _ids(ticked(data, "theme"))
        try:
            await coding.record_check(slug=slug, question_key=question, sample_id=sample_id, theme_ids=themes,
                                      by=request.user.email, now=_now())
        except ReportNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="report_coding_checked", object_type="report_coding_sample",
                           object_id=sample_id, detail=f"{slug}: {len(themes)} themes", ip_address=client_ip(request))
        return self._back(request, "report_coding_check", slug, {"question": question, "saved": "true"}, "#next")
