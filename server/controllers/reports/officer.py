"""The officer's draft of a "We asked, You said, We did" report: its words, actions, themes,
tags and quotes, its downloads, and publishing an immutable version. Building the report and
drawing its pictures is CPU work run in a worker thread; every action goes to the audit log."""

from __future__ import annotations

from datetime import datetime, timezone
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY
from markupsafe import Markup

from analysis.reports import first_screen
from analysis.reports.build import BuiltReport
from analysis.reports.render import inline_image_url, officer_parts, render_html, report_csv, report_pdf
from analysis.reports.summary import drafted_findings
from analysis.reports.store import (
    ReportFormError,
    REACH_CHANNELS,
    ReportNotFound,
    add_action,
    add_comment_quote,
    add_quote,
    add_theme,
    check_action_form,
    CHANNEL_LABELS,
    check_draft_form,
    check_theme_form,
    commitment_choices,
    free_text_answer_view,
    free_text_answers,
    free_text_questions,
    get_draft,
    list_actions,
    list_quotes,
    list_themes,
    list_versions,
    related_published_comments,
    remove_action,
    remove_quote,
    set_tag,
)
from common.i18n import gettext, ngettext
from panels.census import census_label, shipped_census_files
from server.audit import record_audit
from server.controllers.reports.consultation import consultation_or_404
from server.controllers.follows.links import follow_links, send_to_followers
from server.services.follows import notify_report_published
from server.services.reports import build_report_now, document_json, draw, publish_report, report_title
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, last_value, last_values, offered_id
from server.web.guards import OFFICER, roles
from server.web.i18n import html_lang
from server.web.pagination import page_number
from server.web.rendered_files import RenderedFiles
from server.web.request_info import client_ip
from server.web.responses import download

PAGE_SIZE = 50


def _now() -> datetime:
    return datetime.now(timezone.utc)


_document_json = document_json


async def build_draft(slug: str, threshold: int) -> BuiltReport:
    try:
        return await build_report_now(slug, threshold)
    except ReportNotFound as error:
        raise NotFoundException() from error


def _threshold(request: Request) -> int:
    return request.app.state.settings.disclosure_threshold


def _draft_values(form: dict[str, Any]) -> dict[str, Any]:
    """The draft form as typed, to show it again beside its errors."""
    values: dict[str, Any] = {k: str(form.get(k, "")) for k in ("purpose", "channels_note", "census_file", "findings")}
    for channel in REACH_CHANNELS:
        for name in (f"reach_{channel}", f"reach_how_{channel}"):
            values[name] = str(form.get(name, "") or "")
    return values


def _stored_draft_values(draft: dict[str, Any]) -> dict[str, Any]:
    """The saved draft in the form's field names."""
    values = dict(draft)
    for channel, item in draft.get("reach", {}).items():
        values[f"reach_{channel}"] = str(item["reached"])
        values[f"reach_how_{channel}"] = item["how"]
    return values


def _to_draft(request: Request, slug: str, fragment: str = "") -> Redirect:
    """Back to the draft report after a change, at the part of the page that changed."""
    return Redirect(path=request.app.route_reverse("report_draft", slug=slug) + fragment, status_code=303)


def census_options() -> list[tuple[str, str]]:
    return [("", gettext("Do not weight")), *((name, census_label(name)) for name in shipped_census_files())]


def _image_url(request: Request, slug: str) -> Callable[[int, str], str]:
    return lambda number, name: request.app.route_reverse("report_public_image", slug=slug, number=number,
                                                          image=f"{name}.png")


def _commitment_link(request: Request) -> Callable[[str, str], str]:
    """(charter slug, key) -> the commitment's own public page, for the report's cited commitments."""
    return lambda charter, key: request.app.route_reverse("commitments_public_item", slug=charter, key=key)


class ReportsOfficerController(Controller):
    """The officer's draft report and everything that goes into it."""

    path = "/officer/consultations/{slug:str}/report"
    opt = roles(OFFICER)

    async def _context(self, request: Request, slug: str, *, values: dict[str, Any] | None = None,
                       errors: dict[str, str] | None = None, action_values: dict[str, Any] | None = None,
                       action_errors: dict[str, str] | None = None, theme_values: dict[str, str] | None = None,
                       theme_errors: dict[str, str] | None = None, body: bool = True) -> dict[str, Any]:
        """What the draft page and its partials show. With ``body`` the preview's whole body,
        else only its parts the officer's edits change (``preview_parts``, htmx out-of-band swaps)."""
        consultation = await consultation_or_404(slug)
        built = await build_draft(slug, _threshold(request))
        link = _commitment_link(request)
        if body:
            images = await draw(built)
            # The draft's charts travel inside the page (the CSP allows data: images): any worker
            # can serve the page, and no process keeps images another worker would need. The
            # parts drawn from the statistics alone come rendered with them; the rest is drawn
            # here, off the event loop.
            html = await anyio.to_thread.run_sync(lambda: render_html(
                built.document, images, inline_image_url(images), commitment_link=link, pieces=built.draft_pieces))
            preview = {"body": Markup(html), "preview_parts": ""}
        else:
            parts = await anyio.to_thread.run_sync(lambda: officer_parts(built.document, commitment_link=link))
            preview = {"body": "", "preview_parts": Markup(parts)}
        draft = await get_draft(consultation["id"])
        errors = errors or {}
        action_errors = action_errors or {}
        theme_errors = theme_errors or {}
        return {
            "consultation": consultation, "slug": slug, **preview,
            "values": values if values is not None else _stored_draft_values(draft), "errors": errors,
            "reach_channels": [(channel, CHANNEL_LABELS[channel]) for channel in REACH_CHANNELS],
            "action_values": with_date_boxes(action_values or {}, ["due_on"]), "action_errors": action_errors,
            "theme_values": theme_values or {}, "theme_errors": theme_errors,
            "all_errors": {**errors, **action_errors, **theme_errors},
            "census_options": census_options(), "commitment_choices": await commitment_choices(),
            "actions": await list_actions(consultation["id"]), "themes": await list_themes(consultation["id"]),
            "quotes": await list_quotes(consultation["id"]), "versions": await list_versions(consultation["id"]),
            "free_text_questions": [(q["key"], q["text"]) for q in built.document["free_text"]],
            "drafted_findings": drafted_findings(built.document),
            "first_screen_problem": first_screen.report_problem(built.document, report_title(consultation)),
        }

    async def _page(self, request: Request, slug: str, *, status_code: int = 200, **shown: Any) -> Template:
        return Template("reports/officer.html", status_code=status_code,
                        context=await self._context(request, slug, **shown))

    async def _partial(self, request: Request, slug: str, template: str, *, saved: str = "", status_code: int = 200,
                       **shown: Any) -> Template:
        """One part of the draft page for htmx, with the preview's parts it changed (none when
        the form came back with errors: nothing was saved)."""
        context = await self._context(request, slug, body=False, **shown)
        if status_code != 200:
            context["preview_parts"] = ""
        return Template(template, status_code=status_code, context={**context, "partial": True, "saved": saved})

    @get("/", name="report_draft")
    async def draft(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._page(request, slug)

    @post("/", name="report_draft_save")
    async def save(self, request: HTMXRequest, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect | Response:
        consultation = await consultation_or_404(slug)
        try:
            values = check_draft_form(data, shipped_census_files())
        except ReportFormError as error:
            if request.htmx:
                return await self._partial(request, slug, "reports/_officer_words.html", values=_draft_values(data),
                                           errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            return await self._page(request, slug, values=_draft_values(data), errors=error.errors,
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        from analysis.reports.store import save_draft

        census_before = (await get_draft(consultation["id"]))["census_file"]
        await save_draft(slug=slug, values=values, now=_now())
        await record_audit(actor=request.user.email, action="report_draft_saved", object_type="consultation_report",
                           object_id=slug, detail=f"census: {values['census_file'] or 'none'}", ip_address=client_ip(request))
        if request.htmx and values["census_file"] == census_before:
            return await self._partial(request, slug, "reports/_officer_words.html", saved=gettext("Report words saved"))
        if request.htmx:  # weighted otherwise: every figure of the preview changes, so the whole page
            return Response(content=None, status_code=204,
                            headers={"HX-Redirect": request.app.route_reverse("report_draft", slug=slug)})
        return _to_draft(request, slug)

    @post("/actions", name="report_action_add")
    async def add_action(self, request: HTMXRequest, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        await consultation_or_404(slug)
        known = {choice["value"] for choice in await commitment_choices()}
        data = {**data, "due_on": joined_date(data, "due_on")}
        try:
            values = check_action_form(data, known)
        except ReportFormError as error:
            raw = {**{k: data.get(k, "") for k in ("action", "due_on", "owner", "done", "commitments")},
                   **typed_boxes(data, ["due_on"])}
            if request.htmx:
                return await self._partial(request, slug, "reports/_officer_actions.html", action_values=raw,
                                           action_errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            return await self._page(request, slug, action_values=raw, action_errors=error.errors,
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        action_id = await add_action(slug=slug, values=values, now=_now())
        await record_audit(actor=request.user.email, action="report_action_added", object_type="report_action",
                           object_id=action_id, detail=f"{slug}: {values['action'][:200]}", ip_address=client_ip(request))
        if request.htmx:
            return await self._partial(request, slug, "reports/_officer_actions.html", saved=gettext("Action added"))
        return _to_draft(request, slug, "#we-did-actions")

    @post("/actions/{action_id:int}/delete", name="report_action_remove")
    async def remove_action(self, request: HTMXRequest, slug: FromPath[str], action_id: FromPath[int]) -> Template | Redirect:
        try:
            text = await remove_action(slug=slug, action_id=action_id)
        except ReportNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="report_action_removed", object_type="report_action",
                           object_id=action_id, detail=f"{slug}: {text[:200]}", ip_address=client_ip(request))
        if request.htmx:
            return await self._partial(request, slug, "reports/_officer_actions.html", saved=gettext("Action removed"))
        return _to_draft(request, slug, "#we-did-actions")

    @post("/themes", name="report_theme_add")
    async def add_theme(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        consultation = await consultation_or_404(slug)
        existing = [theme["name"] for theme in await list_themes(consultation["id"])]
        try:
            values = check_theme_form(data, existing)
        except ReportFormError as error:
            return await self._page(request, slug, theme_values={k: last_value(data, k, "") for k in ("name", "description")},
                                    theme_errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        theme_id = await add_theme(slug=slug, values=values)
        await record_audit(actor=request.user.email, action="report_theme_added", object_type="report_theme",
                           object_id=theme_id, detail=f"{slug}: {values['name']}", ip_address=client_ip(request))
        return _to_draft(request, slug, "#themes")

    async def _comments_page(self, slug: str, question: str, page: int, *, quote_for: tuple[int, str] | None = None,
                             quote_values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                             status_code: int = 200) -> Template:
        consultation = await consultation_or_404(slug)
        questions = free_text_questions(consultation)
        if not questions:
            raise NotFoundException()
        question = question if question in dict(questions) else questions[0][0]
        page = max(page, 1)
        answers, total = await free_text_answers(slug, question, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        return Template("reports/comments.html", status_code=status_code, context={
            "consultation": consultation, "slug": slug, "questions": questions, "question": question,
            "question_text": dict(questions)[question], "answers": answers, "total": total, "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)), "themes": await list_themes(consultation["id"]),
            "quote_for": quote_for, "quote_values": quote_values or {}, "errors": errors or {}})

    @get("/comments", name="report_comments")
    async def comments(self, slug: FromPath[str], question: FromQuery[str] = "", page: FromQuery[int] = 1) -> Template:
        return await self._comments_page(slug, question, page)

    @post("/tags", name="report_tag")
    async def tag(self, request: HTMXRequest, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        response_id, theme_id = offered_id(data, "response_id"), offered_id(data, "theme_id")
        question, tagged = last_value(data, "question_key", ""), data.get("tagged") != "no"
        try:
            changed = await set_tag(slug=slug, response_id=response_id, question_key=question, theme_id=theme_id, tagged=tagged,
                                    by=request.user.email)
        except ReportNotFound as error:
            raise NotFoundException() from error
        if changed:
            await record_audit(actor=request.user.email, action="report_comment_tagged" if tagged else "report_comment_untagged",
                               object_type="report_theme", object_id=theme_id,
                               detail=f"{slug}: response {response_id} {question}", ip_address=client_ip(request))
        page = last_value(data, "page", "1")
        if request.htmx:  # the answer's fragment, swapped in place
            return await self._answer(slug, response_id, question, page, toggled_theme=theme_id)
        return Redirect(path=request.app.route_reverse("report_comments", slug=slug)
                        + f"?{urlencode({'question': question, 'page': page})}#answer-{response_id}", status_code=303)

    async def _answer(self, slug: str, response_id: int, question: str, page: str, *, status_code: int = 200,
                      **shown: Any) -> Template:
        """One answer's fragment of the comments page, for htmx."""
        consultation = await consultation_or_404(slug)
        return Template("reports/_answer.html", status_code=status_code, context={
            "answer": await free_text_answer_view(slug, response_id, question), "slug": slug, "question": question,
            "page": page, "themes": await list_themes(consultation["id"]), "toggled_theme": None,
            "quote_for": None, "quote_values": {}, "errors": {}, "partial": True, **shown})

    @post("/quotes", name="report_quote_add")
    async def add_quote(self, request: HTMXRequest, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        response_id = offered_id(data, "response_id")
        question = last_value(data, "question_key", "")
        page = page_number(last_values(data, ("page",))["page"])
        try:
            quote_id = await add_quote(slug=slug, response_id=response_id, question_key=question, form=data, now=_now())
        except ReportFormError as error:
            if request.htmx:  # the answer again, its quote form open with the errors
                return await self._answer(slug, response_id, question, str(page), quote_for=(response_id, question),
                                          quote_values={"text": last_value(data, "text", "")}, errors=error.errors,
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            return await self._comments_page(slug, question, page, quote_for=(response_id, question),
                                             quote_values={"text": last_value(data, "text", "")}, errors=error.errors,
                                             status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        except ReportNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="report_quote_chosen", object_type="report_quote",
                           object_id=quote_id, detail=f"{slug}: response {response_id} {question}", ip_address=client_ip(request))
        if request.htmx:  # only the answer changes on this page; the draft shows the quote when next opened
            return await self._answer(slug, response_id, question, str(page), quote_chosen=True)
        return _to_draft(request, slug, "#quotes")

    async def _case_study_comments_page(self, slug: str, *, quote_for: int | None = None,
                                        quote_values: dict[str, str] | None = None,
                                        errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        consultation = await consultation_or_404(slug)
        return Template("reports/case_study_comments.html", status_code=status_code, context={
            "consultation": consultation, "slug": slug, "comments": await related_published_comments(slug),
            "quote_for": quote_for, "quote_values": quote_values or {}, "errors": errors or {}})

    @get("/case-study-comments", name="report_case_study_comments")
    async def case_study_comments(self, slug: FromPath[str]) -> Template:
        return await self._case_study_comments_page(slug)

    @post("/comment-quotes", name="report_comment_quote_add")
    async def add_comment_quote(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        comment_id = offered_id(data, "comment_id")
        try:
            quote_id = await add_comment_quote(slug=slug, comment_id=comment_id, form=data, now=_now())
        except ReportFormError as error:
            return await self._case_study_comments_page(slug, quote_for=comment_id,
                                                        quote_values={"text": last_value(data, "text", "")},
                                                        errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        except ReportNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="report_quote_chosen", object_type="report_quote",
                           object_id=quote_id, detail=f"{slug}: case-study comment {comment_id}",
                           ip_address=client_ip(request))
        return _to_draft(request, slug, "#quotes")

    @post("/quotes/{quote_id:int}/delete", name="report_quote_remove")
    async def remove_quote(self, request: HTMXRequest, slug: FromPath[str], quote_id: FromPath[int]) -> Template | Redirect:
        try:
            await remove_quote(slug=slug, quote_id=quote_id)
        except ReportNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="report_quote_removed", object_type="report_quote",
                           object_id=quote_id, detail=slug, ip_address=client_ip(request))
        if request.htmx:
            return await self._partial(request, slug, "reports/_officer_quotes.html", saved=gettext("Quote removed"))
        return _to_draft(request, slug, "#quotes")

    @get("/publish", name="report_publish_confirm")
    async def publish_confirm(self, request: Request, slug: FromPath[str]) -> Template:
        """What publishing makes public, asked before it is (a report cannot be unpublished)."""
        consultation = await consultation_or_404(slug)
        built = await build_draft(slug, _threshold(request))
        return Template("reports/publish_confirm.html", context={
            "consultation": consultation, "slug": slug, "n_responses": built.document["n_responses"],
            "next_version": len(await list_versions(consultation["id"])) + 1})

    async def _publish_refusal(self, request: Request, slug: str, built: BuiltReport) -> Template | None:
        """The draft page with the reason, when publishing now would let hidden figures be worked
        out: too few responses changed since the last version, or a figure the audit cannot protect."""
        if built.too_close_to_publish():
            changed, threshold = built.changed_since_published, _threshold(request)
            return await self._page(request, slug, status_code=HTTP_409_CONFLICT, errors={"publish": ngettext(
                "Only %(num)d response has changed since the last version was published. Anyone comparing the two "
                "versions could work out its answers: wait until at least %(threshold)s responses have changed.",
                "Only %(num)d responses have changed since the last version was published. Anyone comparing the two "
                "versions could work out their answers: wait until at least %(threshold)s responses have changed.",
                changed, threshold=threshold)})
        if problem := first_screen.report_problem(built.document, report_title(await consultation_or_404(slug))):
            return await self._page(request, slug, status_code=HTTP_409_CONFLICT, errors={"publish": problem})
        if built.unprotected():
            return await self._page(request, slug, status_code=HTTP_409_CONFLICT, errors={"publish": gettext(
                "Some hidden figures could still be worked out by comparing this version with the earlier ones. "
                "Wait until more responses have changed, then publish.")})
        return None

    @post("/publish", name="report_publish")
    async def publish(self, request: Request, slug: FromPath[str]) -> Redirect | Template:
        consultation = await consultation_or_404(slug)
        if consultation["is_draft"]:  # its results cannot be public before the consultation is
            return Template("reports/publish_confirm.html", context={
                "consultation": consultation, "slug": slug, "n_responses": 0, "next_version": 1},
                status_code=HTTP_409_CONFLICT)
        built = await build_draft(slug, _threshold(request))
        refusal = await self._publish_refusal(request, slug, built)
        if refusal is not None:
            return refusal
        try:  # the report just checked is the one published: built once
            published, built = await publish_report(
                slug=slug, threshold=_threshold(request), published_by=request.user.email, now=_now(),
                image_url=_image_url(request, slug), commitment_link=_commitment_link(request), built=built)
        except ReportNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="report_published", object_type="consultation_report",
                           object_id=f"{slug}/v{published.version}", detail=f"{built.document['n_responses']} responses",
                           ip_address=client_ip(request))
        await send_to_followers(request, await notify_report_published(slug=slug, version=published.version,
                                                                       links=follow_links(request)),
                                object_type="consultation_report", object_id=f"{slug}/v{published.version}")
        return Redirect(path=request.app.route_reverse("report_public_version", slug=slug, number=published.version),
                        status_code=303)

    @get("/report.json", name="report_draft_json")
    async def draft_json(self, request: Request, slug: FromPath[str]) -> Response:
        built = await build_draft(slug, _threshold(request))
        text = await anyio.to_thread.run_sync(_document_json, built.document)
        return download(text, media_type="application/json; charset=utf-8", filename=f"{slug}-report-draft.json")

    @get("/report.csv", name="report_draft_csv")
    async def draft_csv(self, request: Request, slug: FromPath[str]) -> Response:
        built = await build_draft(slug, _threshold(request))
        text = await anyio.to_thread.run_sync(report_csv, built.document)
        return download(text, media_type="text/csv; charset=utf-8", filename=f"{slug}-report-draft.csv")

    @get("/report.pdf", name="report_draft_pdf")
    async def draft_pdf(self, request: Request, slug: FromPath[str]) -> Response:
        consultation = await consultation_or_404(slug)
        built = await build_draft(slug, _threshold(request))
        images = await draw(built)
        council = request.app.state.settings.council_name

        title, note, link = report_title(consultation), gettext("Draft: not published."), _commitment_link(request)
        body = await anyio.to_thread.run_sync(lambda: render_html(built.document, images, lambda name: f"{name}.png",
                                                                  commitment_link=link))
        pictures = b"".join(name.encode() + png for name, (png, _) in sorted(images.items()))
        pdfs: RenderedFiles = request.app.state.report_pdfs  # drawn once per content, as published versions are
        pdf = await pdfs.get_or_render(
            pdfs.key("draft report pdf", body, pictures, title, council, note, html_lang()),
            lambda: anyio.to_thread.run_sync(lambda: report_pdf(body, images, title=title, council=council, note=note)))
        return download(pdf, media_type="application/pdf", filename=f"{slug}-report-draft.pdf")
