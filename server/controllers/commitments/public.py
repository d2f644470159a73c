"""The public commitment tracker: every commitment once with its status today, filtered by
status and principle, the timeline, what each status means; a page per commitment with its
history and evidence; and the same as open data."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from analysis.charter.queries import list_charters
from analysis.commitments.render import timeline_description
from analysis.commitments.report import OUTCOME_NAMES, UPDATE_NAMES, document_csv, document_json, tracker_view
from analysis.commitments.responses import recommendations_for_commitment
from analysis.commitments.status import status_definitions
from analysis.commitments.store import CommitmentNotFound, commitment_page
from common.clock import council_today
from server.controllers.commitments.documents import (
    TEMPLATE_HELPERS,
    as_of_or_400,
    document_or_404,
    file_stem,
    timeline_response,
)
from server.web.guards import public
from server.web.page_cache import page_cache_opt
from server.web.responses import download


class CommitmentsPublicController(Controller):
    """The public tracker: every commitment with its status today, by principle, with evidence."""

    opt = public()

    @get("/commitments", name="commitments_index")
    async def index(self, request: Request) -> Template | Redirect:
        charters = await list_charters()
        if len(charters) == 1:
            return Redirect(path=request.app.route_reverse("commitments_tracker", slug=charters[0].slug), status_code=303)
        return Template("commitments/index.html", context={"charters": charters})

    @get("/charter/{slug:str}/commitments", name="commitments_tracker", opt=page_cache_opt())
    async def tracker(self, slug: FromPath[str], status: FromQuery[str] = "", principle: FromQuery[str] = "") -> Template:
        document = await document_or_404(slug, council_today())
        return Template("commitments/tracker.html", context={
            "doc": document, "view": tracker_view(document, status=status, principle=principle),
            "definitions": status_definitions(), "description": timeline_description(document), **TEMPLATE_HELPERS})

    @get("/charter/{slug:str}/commitments/timeline.png", name="commitments_public_timeline")
    async def timeline(self, slug: FromPath[str]) -> Response:
        return await timeline_response(await document_or_404(slug, council_today()))

    @get("/charter/{slug:str}/commitments/{key:str}", name="commitments_public_item", opt=page_cache_opt())
    async def item(self, slug: FromPath[str], key: FromPath[str]) -> Template:
        try:
            page = await commitment_page(slug, key, council_today())
        except CommitmentNotFound as error:
            raise NotFoundException() from error
        return Template("commitments/commitment.html", context={
            "page": page, "sources": await recommendations_for_commitment(slug, key), "update_names": UPDATE_NAMES, "outcome_names": OUTCOME_NAMES,
            "definitions": dict((value, words) for value, _, words in status_definitions()), **TEMPLATE_HELPERS})

    @get("/charter/{slug:str}/commitments.json", name="commitments_open_json")
    async def open_json(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await document_or_404(slug, as_of_or_400(as_of))
        return Response(content=document_json(document), media_type="application/json; charset=utf-8")

    @get("/charter/{slug:str}/commitments.csv", name="commitments_open_csv")
    async def open_csv(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await document_or_404(slug, as_of_or_400(as_of))
        return download(document_csv(document), media_type="text/csv; charset=utf-8", filename=f"{file_stem(document)}.csv")
