"""Officers: write and publish case studies, moderate comments, export comments."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.charter.links import (
    parse_principle_ids, principle_choices, principles_for_case_study, set_case_study_principles,
)
from analysis.reports.store import forget_quotes_of_comments
from common.i18n import gettext
from server.audit import record_audit
from server.services.outbox import write_outbox
from server.web.forms import RepeatableFormData, last_value
from server.web.guards import OFFICER, roles
from server.web.pagination import pager
from server.web.request_info import client_ip
from server.web.responses import stream_download
from surveys import comments
from surveys.case_studies import (
    STRUCTURED_FIELDS, CaseStudyError, check_case_study_form, get_case_study, list_case_studies, publish_case_study,
    save_case_study,
)
from surveys.house_rules import HOUSE_RULES

QUEUE_PAGE = 20
"""Comments on a page of the moderation queue (each is a form of its own)."""


class CaseStudiesOfficerController(Controller):
    path = "/officer"
    opt = roles(OFFICER)

    @get("/case-studies", name="officer_case_studies")
    async def index(self) -> Template:
        return Template("surveys/officer/case_studies.html", context={"studies": await list_case_studies(published_only=False)})

    async def _form(self, *, values: dict, errors: dict, slug: str | None, selected: list[int],
                    status_code: int = 200) -> Template:
        return Template("surveys/officer/case_study_form.html", context={
            "values": values, "errors": errors, "slug": slug, "structured": STRUCTURED_FIELDS,
            "principles": await principle_choices(), "selected": selected}, status_code=status_code)

    @get("/case-studies/new", name="officer_case_study_new")
    async def new(self) -> Template:
        return await self._form(values={"comments_open": True, "premoderated": True}, errors={}, slug=None, selected=[])

    @get("/case-studies/{slug:str}/edit", name="officer_case_study_edit")
    async def edit(self, slug: FromPath[str]) -> Template:
        study = await get_case_study(slug, published_only=False)
        if study is None:
            raise NotFoundException()
        values = {**study.values, "comments_open": study.comments_open, "premoderated": study.premoderated}
        selected = [ref.id for ref in await principles_for_case_study(study.id)]
        return await self._form(values=values, errors={}, slug=slug, selected=selected)

    @post("/case-studies", name="officer_case_study_create")
    async def create(self, request: Request, data: RepeatableFormData) -> Template | Redirect:
        return await self._save(request, data, existing_slug=None)

    @post("/case-studies/{slug:str}", name="officer_case_study_update")
    async def update(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        if await get_case_study(slug, published_only=False) is None:
            raise NotFoundException()
        return await self._save(request, data, existing_slug=slug)

    async def _save(self, request: Request, data: dict, *, existing_slug: str | None) -> Template | Redirect:
        values, errors = check_case_study_form(data)
        selected = parse_principle_ids((await request.form()).getall("principles", []), await principle_choices())
        if not errors:
            try:
                saved = await save_case_study(values, existing_slug=existing_slug)
            except CaseStudyError as error:
                errors = error.errors
            else:
                await set_case_study_principles(case_study_slug=saved, principle_ids=selected)
                await record_audit(actor=request.user.email, action="case_study_saved", object_type="case_study",
                                   object_id=saved, ip_address=client_ip(request))
                return Redirect(path=request.app.route_reverse("officer_case_studies") + "?saved=" + saved, status_code=303)
        return await self._form(values=values, errors=errors, slug=existing_slug, selected=selected,
                                status_code=HTTP_422_UNPROCESSABLE_ENTITY)

    @post("/case-studies/{slug:str}/publish", name="officer_case_study_publish")
    async def publish(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Redirect:
        if await get_case_study(slug, published_only=False) is None:
            raise NotFoundException()
        choice = last_value(data, "publish", "")
        if choice not in ("0", "1"):
            raise HTTPException(status_code=400, detail=gettext("Choose whether to publish or withdraw the case study."))
        publish = choice == "1"
        if await publish_case_study(slug, publish=publish):
            await record_audit(actor=request.user.email, action="case_study_published" if publish else "case_study_withdrawn",
                               object_type="case_study", object_id=slug, ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("officer_case_studies"), status_code=303)

    async def _queue(self, request: HTMXRequest, *, errors: dict | None = None, values: dict | None = None,
                     done: str = "", status_code: int = 200, place: dict[str, str] | None = None) -> Template:
        """The queue, a page at a time, of one case study or all (``case_study`` and ``page`` from
        the query string, or from the decision form's ``place`` after a decision)."""
        place = place if place is not None else {"case_study": request.query_params.get("case_study", ""),
                                                 "page": request.query_params.get("page", "")}
        studies = await comments.queue_case_studies()
        case_study = place["case_study"] if place["case_study"] in dict(studies) else ""
        pages = pager(raw_page=place["page"], total=await comments.queue_length(case_study_slug=case_study),
                      base_url=request.app.route_reverse("officer_moderation"), query={"case_study": case_study},
                      keep=("case_study",), per_page=QUEUE_PAGE)
        queue = await comments.moderation_queue(case_study_slug=case_study, offset=pages.offset, limit=pages.per_page)
        return Template("surveys/officer/_moderation_queue.html" if request.htmx else "surveys/officer/moderation.html",
                        context={"queue": queue, "pager": pages, "studies": studies, "filters": {"case_study": case_study},
                                 "rules": HOUSE_RULES, "errors": errors or {}, "values": values or {}, "done": done},
                        status_code=status_code)

    @get("/moderation", name="officer_moderation")
    async def moderation(self, request: HTMXRequest, done: FromQuery[str] = "") -> Template:
        return await self._queue(request, done=done if done in comments.DECISION_WORDS else "")

    @post("/moderation/{comment_id:int}", name="officer_moderate")
    async def moderate(self, request: HTMXRequest, comment_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        action = last_value(data, "action", "")
        place = {"case_study": last_value(data, "case_study", ""), "page": last_value(data, "page", "")}
        reason = last_value(data, "reason", "")
        redacted_body = last_value(data, "redacted_body", "")
        try:
            outcome = await comments.moderate_comment(comment_id=comment_id, action=action, reason=reason,
                                                      redacted_body=redacted_body)
        except comments.ModerationError as error:
            values = {f"reason-{comment_id}": reason, f"redacted_body-{comment_id}": redacted_body}
            return await self._queue(request, errors=error.errors, values=values, status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                                     place=place)
        await record_audit(actor=request.user.email, action=f"comment_{outcome.action}", object_type="comment",
                           object_id=comment_id, reason=reason, ip_address=client_ip(request),
                           detail="original text kept for the audit period" if outcome.action == "redacted" else "")
        await write_outbox([outcome.notice])
        if outcome.action == "rejected" and outcome.reason == comments.PERSONAL_INFORMATION:
            await forget_quotes_of_comments([comment_id])  # its words were forgotten: so are quotes of them
        if request.htmx:
            return await self._queue(request, done=outcome.action, place=place)
        kept = urlencode([("done", outcome.action), *[(name, value) for name, value in place.items() if value]])
        return Redirect(path=request.app.route_reverse("officer_moderation") + f"?{kept}", status_code=303)

    @get("/comments.csv", name="officer_comments_csv")
    async def comments_export(self, request: Request, case_study: FromQuery[str] = "") -> Stream:
        count = await comments.count_comments(case_study or None)
        await record_audit(actor=request.user.email, action="comments_exported", object_type="case_study",
                           object_id=case_study or "all", detail=f"{count} comments", ip_address=client_ip(request))
        return stream_download(comments.comments_csv_chunks(case_study or None), media_type="text/csv; charset=utf-8",
                               filename=f"{case_study or 'all'}-comments.csv")
