"""Officers draft, amend and merge a panel's recommendations, put them to a vote, enter a
session's paper ballots and read the results (totals only, once the vote has ended)."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.clock import council_today
from common.i18n import gettext
from common.text import whole_number
from panels import ballots, recommendations
from panels import store
from panels.tables import Panel
from server.audit import record_audit
from server.controllers.follows.links import follow_links, send_to_followers
from server.services.follows import notify_vote_results
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, last_values, ticked
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip

TEXT_FIELDS = ("title", "text", "note")


def parse_iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def panel_or_404(panel_id: int) -> Panel:
    panel = await store.get_panel(panel_id)
    if panel is None:
        raise NotFoundException()
    return panel


class PanelRecommendationsController(Controller):
    path = "/officer/panels/{panel_id:int}/recommendations"
    opt = roles(OFFICER)

    async def _list_page(self, panel: Panel, *, values: dict | None = None, errors: dict | None = None,
                         merge_values: dict | None = None, merge_errors: dict | None = None,
                         status_code: int = 200) -> Template:
        items = await recommendations.list_recommendations(panel.id)
        return Template("panels/officer/recommendations.html", status_code=status_code, context={
            "panel": panel, "drafts": [item for item in items if item.vote_id is None],
            "voted": [item for item in items if item.vote_id is not None],
            "votes": await ballots.list_votes(panel.id), "today": council_today(),
            "values": values or {}, "errors": errors or {}, "merge_values": merge_values or {},
            "merge_errors": merge_errors or {}})

    @get("/", name="recommendations_officer")
    async def index(self, panel_id: FromPath[int]) -> Template:
        return await self._list_page(await panel_or_404(panel_id))

    @post("/", name="recommendations_draft")
    async def draft(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        values = last_values(data, TEXT_FIELDS)
        recommendation, errors = recommendations.check_recommendation_form(values)
        if errors:
            return await self._list_page(panel, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        item = await recommendations.draft_recommendation(panel_id=panel.id, recommendation=recommendation,
                                                          edited_by=request.user.email)
        await record_audit(actor=request.user.email, action="recommendation_drafted", object_type="panel_recommendation",
                           object_id=item.id, detail=f"panel {panel.id}; {item.label}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendations_officer", panel_id=panel.id) + "?drafted=1",
                        status_code=303)

    @post("/merge", name="recommendations_merge")
    async def merge(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        values = last_values(data, ("keep", "merge", *TEXT_FIELDS))
        recommendation, errors = recommendations.check_recommendation_form(values)
        keep, merge = whole_number(values["keep"]), whole_number(values["merge"])
        if keep is None:
            errors = {"keep": gettext("Choose the recommendation to keep"), **errors}
        if merge is None:
            errors = {"merge": gettext("Choose the recommendation to merge into it"), **errors}
        if not errors:
            try:
                item = await recommendations.merge_recommendations(
                    panel_id=panel.id, keep_id=keep, merge_id=merge, recommendation=recommendation,
                    edited_by=request.user.email)
            except recommendations.RecommendationError as error:
                errors = {"merge": str(error)}
        if errors:
            return await self._list_page(panel, merge_values=values, merge_errors=errors,
                                         status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="recommendations_merged", object_type="panel_recommendation",
                           object_id=item.id, detail=f"panel {panel.id}; {merge} into {keep}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendation_officer", panel_id=panel.id,
                                                       recommendation_id=item.id), status_code=303)

    async def _recommendation_page(self, panel: Panel, recommendation_id: int, *, values: dict | None = None,
                                   errors: dict | None = None, status_code: int = 200) -> Template:
        item = await recommendations.get_recommendation(panel.id, recommendation_id)
        if item is None or item.merged_into is not None:
            raise NotFoundException()
        return Template("panels/officer/recommendation.html", status_code=status_code, context={
            "panel": panel, "item": item, "history": await recommendations.recommendation_history(item.id),
            "values": values or {"title": item.title, "text": item.text}, "errors": errors or {}})

    @get("/{recommendation_id:int}", name="recommendation_officer")
    async def show(self, panel_id: FromPath[int], recommendation_id: FromPath[int]) -> Template:
        return await self._recommendation_page(await panel_or_404(panel_id), recommendation_id)

    @post("/{recommendation_id:int}", name="recommendation_amend")
    async def amend(self, request: Request, panel_id: FromPath[int], recommendation_id: FromPath[int],
                    data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        values = last_values(data, TEXT_FIELDS)
        recommendation, errors = recommendations.check_recommendation_form(values)
        if not errors:
            try:
                await recommendations.amend_recommendation(panel_id=panel.id, recommendation_id=recommendation_id,
                                                           recommendation=recommendation, edited_by=request.user.email)
            except recommendations.RecommendationError as error:
                errors = {"text": str(error)}
        if errors:
            return await self._recommendation_page(panel, recommendation_id, values=values, errors=errors,
                                                   status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="recommendation_amended", object_type="panel_recommendation",
                           object_id=recommendation_id, detail=f"panel {panel.id}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendation_officer", panel_id=panel.id,
                                                       recommendation_id=recommendation_id) + "?amended=1", status_code=303)

    # --- votes ------------------------------------------------------------------------------------

    async def _new_vote_page(self, panel: Panel, *, values: dict, errors: dict, status_code: int = 200) -> Template:
        drafts = [item for item in await recommendations.list_recommendations(panel.id) if item.vote_id is None]
        return Template("panels/officer/vote_new.html", status_code=status_code, context={
            "panel": panel, "drafts": drafts, "values": with_date_boxes(values, ["closes_on"]), "errors": errors})

    @get("/votes/new", name="recommendations_vote_new")
    async def new_vote(self, panel_id: FromPath[int]) -> Template:
        return await self._new_vote_page(await panel_or_404(panel_id), errors={}, values={
            "threshold": str(ballots.DEFAULT_THRESHOLD_PERCENT), "recommendations": []})

    @post("/votes/new", name="recommendations_vote_open")
    async def open_vote(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        today = council_today()
        drafts = {item.id for item in await recommendations.list_recommendations(panel.id) if item.vote_id is None}
        closes = joined_date(data, "closes_on")
        values = {**last_values(data, ("title", "threshold")), "closes_on": closes,
                  **typed_boxes(data, ["closes_on"]), "recommendations": ticked(data, "recommendations")}
        vote, errors = ballots.check_vote_form({**values, "recommendations": values["recommendations"]},
                                               closes_on=parse_iso_day(closes), today=today, recommendation_ids=drafts)
        if not errors:
            try:
                opened = await ballots.open_vote(panel_id=panel.id, vote=vote, opened_by=request.user.email, today=today)
            except ballots.BallotError as error:
                errors = {"recommendations": str(error)}
        if errors:
            return await self._new_vote_page(panel, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="recommendation_vote_opened", object_type="panel_vote",
                           object_id=opened.id, detail=f"panel {panel.id}; threshold {opened.threshold_percent}%; "
                           f"recommendations {', '.join(map(str, vote.recommendation_ids))}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendations_vote", panel_id=panel.id, vote_id=opened.id),
                        status_code=303)

    async def _vote_page(self, panel: Panel, vote_id: int, *, values: dict | None = None, errors: dict | None = None,
                         status_code: int = 200) -> Template:
        vote = await ballots.get_vote(vote_id, panel_id=panel.id)
        if vote is None:
            raise NotFoundException()
        today = council_today()
        items = await recommendations.recommendations_of_vote(vote.id)
        ended = vote.ended_on(today) is not None
        return Template("panels/officer/vote.html", status_code=status_code, context={
            "panel": panel, "vote": vote, "items": items, "today": today, "ended": ended,
            "results": await ballots.vote_results(vote) if ended else {}, "turnout": await ballots.turnout(vote.id),
            "grades": ballots.GRADES, "grade_labels": ballots.GRADE_LABELS, "sessions": await store.list_sessions(panel.id),
            "may_vote": await ballots.members_who_may_vote(vote) if vote.is_open(today) else [],
            "batches": await ballots.paper_batches(vote.id), "values": values or {}, "errors": errors or {}})

    @get("/votes/{vote_id:int}", name="recommendations_vote")
    async def vote(self, panel_id: FromPath[int], vote_id: FromPath[int]) -> Template:
        return await self._vote_page(await panel_or_404(panel_id), vote_id)

    @post("/votes/{vote_id:int}/close", name="recommendations_vote_close")
    async def close(self, request: Request, panel_id: FromPath[int], vote_id: FromPath[int]) -> Redirect:
        panel = await panel_or_404(panel_id)
        vote = await ballots.get_vote(vote_id, panel_id=panel.id)
        if vote is None:
            raise NotFoundException()
        await ballots.close_vote(vote_id=vote_id, today=council_today())
        await record_audit(actor=request.user.email, action="recommendation_vote_closed", object_type="panel_vote",
                           object_id=vote_id, detail=f"panel {panel.id}", ip_address=client_ip(request))
        # Its results are public from now: the panel's followers are told (once, however it ended).
        await send_to_followers(request, await notify_vote_results(vote_id=vote_id, panel_slug=panel.slug,
                                                                   links=follow_links(request)),
                                object_type="panel_vote", object_id=vote_id)
        return Redirect(path=request.app.route_reverse("recommendations_vote", panel_id=panel.id, vote_id=vote_id),
                        status_code=303)

    @post("/votes/{vote_id:int}/paper", name="recommendations_vote_paper")
    async def paper(self, request: Request, panel_id: FromPath[int], vote_id: FromPath[int],
                    data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        vote = await ballots.get_vote(vote_id, panel_id=panel.id)
        if vote is None:
            raise NotFoundException()
        items = await recommendations.recommendations_of_vote(vote.id)
        voters = {row["id"] for row in await ballots.members_who_may_vote(vote)}
        sessions = {int(s.id) for s in await store.list_sessions(panel.id)}
        count_fields = tuple(f"r{item.id}-{grade}" for item in items for grade in ballots.GRADES)
        values = last_values(data, ("session", "ballots", *count_fields))
        values["voters"] = ticked(data, "voters")
        paper, errors = ballots.check_paper_form(values, recommendation_ids=[item.id for item in items],
                                                 session_ids=sessions, voter_ids=voters)
        if not errors and not vote.is_open(council_today()):
            errors = {"session": gettext("This vote has closed")}
        if not errors:
            try:
                await ballots.record_paper_ballots(vote=vote, paper=paper, entered_by=request.user.email,
                                                   today=council_today())
            except ballots.BallotError as error:
                errors = {"session": str(error)}
        if errors:
            return await self._vote_page(panel, vote_id, values=values, errors=errors,
                                         status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="paper_ballots_entered", object_type="panel_vote",
                           object_id=vote.id, detail=f"panel {panel.id}; session {paper.session_id}; {paper.ballots} ballots",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendations_vote", panel_id=panel.id, vote_id=vote.id)
                        + "?paper=1", status_code=303)
