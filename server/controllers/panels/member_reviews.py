"""Panel members, through their private link: rate a data use against each principle of the
charter, once, with reasons (``analysis.charter.reviews``: counted without names)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.charter import review_forms, review_ratings, reviews
from common.clock import council_today
from panels import ballots, store
from panels.tables import Volunteer
from server.controllers.your_data.links import link_not_working
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import public


class MemberReviewController(Controller):
    path = "/my-panel/{token:str}/reviews"
    opt = public()

    async def _member(self, request: Request, token: str) -> Volunteer | None:
        volunteer = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        return volunteer if volunteer is not None and volunteer.status == ballots.VOTER_STATUS else None

    async def _page(self, request: Request, token: str, review_id: int, *, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
        member = await self._member(request, token)
        if member is None:
            return link_not_working(request)
        review = await reviews.get_review(review_id, panel_id=member.panel)
        if review is None:
            raise NotFoundException()
        return Template("panels/member/review.html", status_code=status_code, context={
            "token": token, "panel": await store.get_panel(member.panel), "review": review,
            "principles": await reviews.principles_of(review), "open": review.is_open(council_today()),
            "rated": await reviews.has_rated(review_id=review.id, volunteer_id=member.id),
            "ratings": [(rating, review_ratings.RATING_LABELS[rating]) for rating in review_ratings.RATINGS],
            "values": values or {}, "errors": errors or {}})

    @get("/{review_id:int}", name="member_review")
    async def show(self, request: Request, token: FromPath[str], review_id: FromPath[int]) -> Template:
        return await self._page(request, token, review_id)

    @post("/{review_id:int}", name="member_review_rate")
    async def rate(self, request: Request, token: FromPath[str], review_id: FromPath[int],
                   data: RepeatableFormData) -> Template | Redirect:
        page = await self._page(request, token, review_id)
        if page.template_name != "panels/member/review.html":
            return page
        principles = page.context["principles"]
        values = last_values(data, tuple(name for item in principles for name in (f"p{item.id}", f"p{item.id}-reason")))
        ratings, errors = review_forms.check_member_ratings(values, [item.id for item in principles])
        if not errors:
            member = await self._member(request, token)
            try:
                await reviews.rate(review=page.context["review"], volunteer_id=member.id, ratings=ratings,
                                   today=council_today())
            except reviews.ReviewError as error:
                errors = {f"p{principles[0].id}": str(error)}
        if errors:
            return await self._page(request, token, review_id, values=values, errors=errors,
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        # No audit entry, as for ballots: the register mark is the only record that a member rated.
        return Redirect(path=request.app.route_reverse("member_review", token=token, review_id=review_id) + "?rated=1",
                        status_code=303)
