"""Panel members, through their private link: vote on recommendations (a secret, graded ballot,
cast once) and give their view of the council's response to each."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.commitments.responses import responses_for
from common.clock import council_today
from panels import ballots, recommendations, store
from panels.response_ratings import RATING_LABELS, RATINGS, RatingError, check_rating_form, has_rated, rate_response
from panels.tables import Volunteer
from server.controllers.your_data.links import link_not_working
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import public


class MemberDeliberationController(Controller):
    path = "/my-panel/{token:str}"
    opt = public()

    async def _member(self, request: Request, token: str) -> Volunteer | None:
        volunteer = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        return volunteer if volunteer is not None and volunteer.status == ballots.VOTER_STATUS else None

    async def _ballot_page(self, request: Request, token: str, vote_id: int, *, values: dict | None = None,
                           errors: dict | None = None, status_code: int = 200) -> Template:
        member = await self._member(request, token)
        if member is None:
            return link_not_working(request)
        vote = await ballots.get_vote(vote_id, panel_id=member.panel)
        if vote is None:
            raise NotFoundException()
        return Template("panels/member/vote.html", status_code=status_code, context={
            "token": token, "panel": await store.get_panel(member.panel), "vote": vote,
            "items": await recommendations.recommendations_of_vote(vote.id), "open": vote.is_open(council_today()),
            "voted": await ballots.has_voted(vote_id=vote.id, volunteer_id=member.id), "grades": ballots.GRADES,
            "grade_labels": ballots.GRADE_LABELS, "values": values or {}, "errors": errors or {}})

    @get("/votes/{vote_id:int}", name="member_vote")
    async def ballot(self, request: Request, token: FromPath[str], vote_id: FromPath[int]) -> Template:
        return await self._ballot_page(request, token, vote_id)

    @post("/votes/{vote_id:int}", name="member_vote_cast")
    async def cast(self, request: Request, token: FromPath[str], vote_id: FromPath[int],
                   data: RepeatableFormData) -> Template | Redirect:
        page = await self._ballot_page(request, token, vote_id)
        if page.template_name != "panels/member/vote.html":
            return page
        items = page.context["items"]
        values = last_values(data, tuple(f"r{item.id}" for item in items))
        choices, errors = ballots.check_ballot(values, [item.id for item in items])
        if not errors:
            member = await self._member(request, token)
            try:
                await ballots.cast_ballot(vote=page.context["vote"], volunteer_id=member.id, choices=choices,
                                          today=council_today())
            except ballots.BallotError as error:
                errors = {f"r{items[0].id}": str(error)}
        if errors:
            return await self._ballot_page(request, token, vote_id, values=values, errors=errors,
                                           status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        # No audit entry: its time beside the register would say when this member voted, nothing more,
        # but a vote needs no record beyond the register mark.
        return Redirect(path=request.app.route_reverse("member_vote", token=token, vote_id=vote_id) + "?voted=1",
                        status_code=303)

    async def _view_page(self, request: Request, token: str, recommendation_id: int, *, values: dict | None = None,
                         errors: dict | None = None, status_code: int = 200) -> Template:
        member = await self._member(request, token)
        if member is None:
            return link_not_working(request)
        item = await recommendations.get_recommendation(member.panel, recommendation_id)
        response = (await responses_for([recommendation_id])).get(recommendation_id) if item else None
        if item is None or response is None:
            raise NotFoundException()
        return Template("panels/member/response_view.html", status_code=status_code, context={
            "token": token, "panel": await store.get_panel(member.panel), "item": item, "response": response,
            "rated": await has_rated(recommendation_id=item.id, volunteer_id=member.id),
            "ratings": [(rating, RATING_LABELS[rating]) for rating in RATINGS], "values": values or {},
            "errors": errors or {}})

    @get("/responses/{recommendation_id:int}", name="member_response_view")
    async def view(self, request: Request, token: FromPath[str], recommendation_id: FromPath[int]) -> Template:
        return await self._view_page(request, token, recommendation_id)

    @post("/responses/{recommendation_id:int}", name="member_response_rate")
    async def rate(self, request: Request, token: FromPath[str], recommendation_id: FromPath[int],
                   data: RepeatableFormData) -> Template | Redirect:
        page = await self._view_page(request, token, recommendation_id)
        if page.template_name != "panels/member/response_view.html":
            return page
        values = last_values(data, ("rating", "comment"))
        rating, errors = check_rating_form(values)
        if not errors:
            member = await self._member(request, token)
            try:
                await rate_response(recommendation_id=recommendation_id, volunteer_id=member.id, rating=rating,
                                    today=council_today())
            except RatingError as error:
                errors = {"rating": str(error)}
        if errors:
            return await self._view_page(request, token, recommendation_id, values=values, errors=errors,
                                         status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(path=request.app.route_reverse("member_response_view", token=token,
                                                       recommendation_id=recommendation_id) + "?rated=1", status_code=303)
