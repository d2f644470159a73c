"""The public page of a review against the charter: "The Resident Panel's view" of a data use and
the council's reply, once the review has ended. A review of a case study is also shown on the
case study's own page."""

from __future__ import annotations

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from analysis.charter import reviews
from common.clock import council_today
from panels import store
from server.web.guards import public
from server.web.page_cache import page_cache_opt


class PanelReviewPublicController(Controller):
    path = "/panels/{slug:str}/reviews"
    opt = public()

    @get("/{review_id:int}", name="panel_review_public", opt=page_cache_opt())
    async def page(self, slug: FromPath[str], review_id: FromPath[int]) -> Template:
        panel = await store.get_panel_by_slug(slug)
        review = await reviews.get_review(review_id, panel_id=panel.id) if panel else None
        if review is None or review.ended_on(council_today()) is None:
            raise NotFoundException()
        return Template("panels/public/review.html", context={"panel": panel, "result": await reviews.review_result(review)})
