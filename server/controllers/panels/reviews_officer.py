"""Officers put a data use under review against a charter, close the review, read the panel's
view (totals and reasons only, once it has ended) and write the council's reply."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.charter import review_forms, reviews
from common.clock import council_today
from panels.tables import Panel
from server.audit import record_audit
from server.controllers.panels.recommendations_officer import panel_or_404, parse_iso_day
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from surveys.case_studies import list_case_studies


class PanelReviewsController(Controller):
    path = "/officer/panels/{panel_id:int}/reviews"
    opt = roles(OFFICER)

    async def _list_page(self, panel: Panel, *, values: dict | None = None, errors: dict | None = None,
                         status_code: int = 200) -> Template:
        charters = await reviews.charter_choices()
        return Template("panels/officer/reviews.html", status_code=status_code, context={
            "panel": panel, "reviews": await reviews.list_reviews(panel.id), "today": council_today(),
            "charters": charters, "case_studies": await list_case_studies(published_only=True),
            "values": with_date_boxes(values or {"charter": str(next(iter(charters), ""))}, ["closes_on"]),
            "errors": errors or {}})

    @get("/", name="reviews_officer")
    async def index(self, panel_id: FromPath[int]) -> Template:
        return await self._list_page(await panel_or_404(panel_id))

    @post("/", name="reviews_open")
    async def open(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        closes = joined_date(data, "closes_on")
        values = {**last_values(data, ("charter", "case_study", "title", "description")), "closes_on": closes,
                  **typed_boxes(data, ["closes_on"])}
        studies = {study.id: study.title for study in await list_case_studies(published_only=True)}
        review, errors = review_forms.check_review_form(
            values, closes_on=parse_iso_day(closes), today=council_today(),
            charter_ids=set(await reviews.charter_choices()), case_studies=studies)
        if errors:
            return await self._list_page(panel, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        opened = await reviews.open_review(panel_id=panel.id, review=review, opened_by=request.user.email,
                                           today=council_today())
        await record_audit(actor=request.user.email, action="charter_review_opened", object_type="charter_review",
                           object_id=opened.id, detail=f"panel {panel.id}; {opened.title}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("review_officer", panel_id=panel.id, review_id=opened.id),
                        status_code=303)

    async def _review_page(self, panel: Panel, review_id: int, *, values: dict | None = None,
                           errors: dict | None = None, status_code: int = 200) -> Template:
        review = await reviews.get_review(review_id, panel_id=panel.id)
        if review is None:
            raise NotFoundException()
        today = council_today()
        ended = review.ended_on(today) is not None
        return Template("panels/officer/review.html", status_code=status_code, context={
            "panel": panel, "review": review, "today": today, "ended": ended,
            "principles": await reviews.principles_of(review), "turnout": await reviews.turnout(review.id),
            "result": await reviews.review_result(review) if ended else None,
            "batches": await reviews.paper_batches(review.id), "values": values or {"reply": review.reply},
            "errors": errors or {}})

    @get("/{review_id:int}", name="review_officer")
    async def show(self, panel_id: FromPath[int], review_id: FromPath[int]) -> Template:
        return await self._review_page(await panel_or_404(panel_id), review_id)

    @post("/{review_id:int}/close", name="review_close")
    async def close(self, request: Request, panel_id: FromPath[int], review_id: FromPath[int]) -> Redirect:
        panel = await panel_or_404(panel_id)
        if await reviews.get_review(review_id, panel_id=panel.id) is None:
            raise NotFoundException()
        await reviews.close_review(review_id=review_id, today=council_today())
        await record_audit(actor=request.user.email, action="charter_review_closed", object_type="charter_review",
                           object_id=review_id, detail=f"panel {panel.id}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("review_officer", panel_id=panel.id, review_id=review_id),
                        status_code=303)

    @post("/{review_id:int}/reply", name="review_reply")
    async def reply(self, request: Request, panel_id: FromPath[int], review_id: FromPath[int],
                    data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        review = await reviews.get_review(review_id, panel_id=panel.id)
        if review is None:
            raise NotFoundException()
        values = last_values(data, ("reply",))
        reply, errors = review_forms.check_reply(values, ended=review.ended_on(council_today()) is not None)
        if errors:
            return await self._review_page(panel, review_id, values=values, errors=errors,
                                           status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await reviews.save_reply(review_id=review.id, reply=reply, replied_by=request.user.email, today=council_today())
        await record_audit(actor=request.user.email, action="charter_review_replied", object_type="charter_review",
                           object_id=review.id, detail=f"panel {panel.id}; before: {review.reply[:200]}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("review_officer", panel_id=panel.id, review_id=review.id)
                        + "?replied=1", status_code=303)
