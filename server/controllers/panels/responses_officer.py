"""Officers record the council's response to a recommendation the panel voted on, and create or
link the commitments an accepted recommendation leads to. Every change is audited."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.charter.queries import list_charters
from analysis.commitments.forms import CommitmentFormError
from analysis.commitments.responses import (
    COMMITTING_OUTCOMES, OUTCOME_LABELS, OUTCOMES, ResponseError, check_response_form, commitment_choices,
    create_linked_commitment, link_commitment, linked_commitments, record_response, responses_for,
)
from common.clock import council_today
from common.i18n import gettext
from panels import ballots, recommendations
from panels.response_ratings import RATING_LABELS, RATINGS, rating_comments, rating_counts
from server.audit import record_audit
from server.controllers.follows.links import follow_links, send_to_followers
from server.services.follows import notify_response_recorded
from server.controllers.panels.recommendations_officer import panel_or_404, parse_iso_day
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, last_values, ticked
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip

RESPONSE_FIELDS = ("outcome", "reasons", "decision", "owner")
NEW_COMMITMENT_FIELDS = ("charter", "key", "title", "deadline_date")


class RecommendationResponseController(Controller):
    path = "/officer/panels/{panel_id:int}/recommendations/{recommendation_id:int}/response"
    opt = roles(OFFICER)

    async def _page(self, panel_id: int, recommendation_id: int, *, values: dict | None = None,
                    errors: dict | None = None, commitment_values: dict | None = None,
                    commitment_errors: dict | None = None, status_code: int = 200) -> Template:
        panel = await panel_or_404(panel_id)
        item = await recommendations.get_recommendation(panel.id, recommendation_id)
        if item is None or item.vote_id is None:
            raise NotFoundException()
        vote = await ballots.get_vote(item.vote_id)
        today = council_today()
        result = (await ballots.results([item.id], {item.id: vote.threshold_percent}))[item.id] \
            if vote.ended_on(today) else None
        response = (await responses_for([item.id])).get(item.id)
        if values is None:
            values = {"outcome": response.outcome, "reasons": response.reasons, "decision": response.decision,
                      "owner": response.owner,
                      "decided_on": response.decided_on.isoformat() if response.decided_on else ""} if response else {}
        charters = await list_charters()
        return Template("panels/officer/response.html", status_code=status_code, context={
            "panel": panel, "item": item, "vote": vote, "result": result, "response": response,
            "values": with_date_boxes(values, ["decided_on"]), "errors": errors or {},
            "outcomes": [(outcome, OUTCOME_LABELS[outcome]) for outcome in OUTCOMES],
            "may_commit": response is not None and response.outcome in COMMITTING_OUTCOMES,
            "linked": (await linked_commitments([item.id], today))[item.id], "choices": await commitment_choices(),
            "charters": charters, "commitment_values": with_date_boxes(commitment_values or {}, ["deadline_date"]),
            "commitment_errors": commitment_errors or {}, "grades": ballots.GRADES, "grade_labels": ballots.GRADE_LABELS,
            "ratings": [(RATING_LABELS[r], (await rating_counts([item.id]))[item.id][r]) for r in RATINGS],
            "comments": await rating_comments(item.id)})

    @get("/", name="recommendation_response_form")
    async def form(self, panel_id: FromPath[int], recommendation_id: FromPath[int]) -> Template:
        return await self._page(panel_id, recommendation_id)

    @post("/", name="recommendation_response_save")
    async def save(self, request: Request, panel_id: FromPath[int], recommendation_id: FromPath[int],
                   data: RepeatableFormData) -> Template | Redirect:
        page = await self._page(panel_id, recommendation_id)  # 404 for a recommendation not voted on
        values = {**last_values(data, RESPONSE_FIELDS), "decided_on": joined_date(data, "decided_on"),
                  **typed_boxes(data, ["decided_on"])}
        response, errors = check_response_form(values, decided_on=parse_iso_day(values["decided_on"]),
                                               decided_on_given=bool(values["decided_on"]))
        before = None
        if not errors:
            try:
                before = await record_response(recommendation_id=recommendation_id, response=response,
                                               recorded_by=request.user.email, now=datetime.now(timezone.utc))
            except ResponseError as error:
                errors = {"outcome": str(error)}
        if errors:
            return await self._page(panel_id, recommendation_id, values=values, errors=errors,
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        detail = f"panel {panel_id}; {response.outcome}; {response.decision}"
        if before is not None:
            detail += f"; was {before.outcome}; {before.decision}"
        await record_audit(actor=request.user.email, action="council_response_recorded", object_type="panel_recommendation",
                           object_id=recommendation_id, detail=detail, ip_address=client_ip(request))
        if before is None or (before.outcome, before.reasons, before.decision) != (response.outcome, response.reasons,
                                                                                   response.decision):
            await send_to_followers(request, await notify_response_recorded(
                panel_id=page.context["panel"].id, recommendation_id=recommendation_id, changed=before is not None,
                links=follow_links(request)), object_type="panel_recommendation", object_id=recommendation_id)
        return Redirect(path=request.app.route_reverse("recommendation_response_form", panel_id=page.context["panel"].id,
                                                       recommendation_id=recommendation_id) + "?saved=1", status_code=303)

    @post("/commitments/link", name="recommendation_commitment_link")
    async def link(self, request: Request, panel_id: FromPath[int], recommendation_id: FromPath[int],
                   data: RepeatableFormData) -> Template | Redirect:
        await self._page(panel_id, recommendation_id)
        choice = last_values(data, ("commitment",))["commitment"]
        slug, _, key = choice.partition("/")
        try:
            await link_commitment(recommendation_id=recommendation_id, charter_slug=slug, key=key)
        except ResponseError as error:
            return await self._page(panel_id, recommendation_id, commitment_errors={"commitment": str(error)},
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="recommendation_commitment_linked",
                           object_type="panel_recommendation", object_id=recommendation_id, detail=choice,
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendation_response_form", panel_id=panel_id,
                                                       recommendation_id=recommendation_id) + "?linked=1", status_code=303)

    @post("/commitments/new", name="recommendation_commitment_new")
    async def new_commitment(self, request: Request, panel_id: FromPath[int], recommendation_id: FromPath[int],
                             data: RepeatableFormData) -> Template | Redirect:
        page = await self._page(panel_id, recommendation_id)
        values = {**last_values(data, NEW_COMMITMENT_FIELDS), "deadline_date": joined_date(data, "deadline_date"),
                  **typed_boxes(data, ["deadline_date"])}
        values["principles"] = ticked(data, "principles")
        response = page.context["response"]
        charters = {charter.slug for charter in page.context["charters"]}
        if values["charter"] not in charters:
            return await self._page(panel_id, recommendation_id, commitment_values=values,
                                    commitment_errors={"charter": gettext("Choose the charter the commitment belongs to")},
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        form = {"key": values["key"], "title": values["title"], "text": page.context["item"].text,
                "owner": response.owner if response else "", "principles": ";".join(values["principles"]),
                "made_on": (response.decided_on if response and response.decided_on else council_today()).isoformat(),
                "kind": "one_off" if values["deadline_date"] else "ongoing", "deadline_date": values["deadline_date"]}
        try:
            key = await create_linked_commitment(recommendation_id=recommendation_id, charter_slug=values["charter"],
                                                 values=form, now=datetime.now(timezone.utc))
        except CommitmentFormError as error:
            shown = {field: message for field, message in error.errors.items()
                     if field in ("key", "title", "deadline_date", "principles")}
            return await self._page(panel_id, recommendation_id, commitment_values=values,
                                    commitment_errors=shown or {"title": "; ".join(error.errors.values())},
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        except ResponseError as error:
            return await self._page(panel_id, recommendation_id, commitment_values=values,
                                    commitment_errors={"key": str(error)}, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="commitment_created", object_type="commitment",
                           object_id=f"{values['charter']}/{key}",
                           detail=f"from recommendation {recommendation_id} of panel {panel_id}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendation_response_form", panel_id=panel_id,
                                                       recommendation_id=recommendation_id) + "?created=1", status_code=303)
