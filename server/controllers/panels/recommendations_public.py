"""The public page "What the Resident Panel recommended and what the council did", and the same
as a read-only JSON API described in the OpenAPI schema (``/api/schema/openapi.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from analysis.charter.reviews import ended_reviews_of_panel
from analysis.commitments.responses import RecommendationOutcome, panel_outcomes, public_panels
from common.clock import council_today
from panels import ballots, store
from server.web.guards import public
from server.web.page_cache import page_cache_opt


class PanelRecommendationsPublicController(Controller):
    path = "/panels/{slug:str}/recommendations"
    opt = public()
    include_in_schema = False

    @get("/", name="panel_recommendations", opt=page_cache_opt())
    async def page(self, request: Request, slug: FromPath[str]) -> Template:
        panel = await store.get_panel_by_slug(slug)
        if panel is None:
            raise NotFoundException()
        threshold = request.app.state.settings.disclosure_threshold
        return Template("panels/public/recommendations.html", context={
            "panel": panel, "outcomes": await panel_outcomes(panel.id, today=council_today(), threshold=threshold),
            "grades": ballots.GRADES, "grade_labels": ballots.GRADE_LABELS, "threshold": threshold,
            "reviews": await ended_reviews_of_panel(panel.id, today=council_today())})


@dataclass(frozen=True)
class PanelRecord:
    id: int
    slug: str
    name: str
    year: int


@dataclass(frozen=True)
class CommitmentRecord:
    charter: str
    id: str
    title: str
    status: str
    """The tracker's status today, e.g. ``met_on_time`` or ``overdue``."""
    status_label: str


@dataclass(frozen=True)
class ResponseRecord:
    outcome: str
    """accepted, accepted_in_part, not_accepted or under_consideration."""
    reasons: str
    decision: str
    decided_on: date | None
    owner: str


@dataclass(frozen=True)
class PanelViewRecord:
    rating: str
    """satisfied, partly or not_satisfied."""
    count: int | None
    """None when hidden because it is under the disclosure threshold (or would reveal one that is)."""


@dataclass(frozen=True)
class RecommendationRecord:
    number: int
    title: str
    text: str
    vote: str
    votes: dict[str, int]
    """Ballots per grade: strongly_support, support, live_with, oppose, strongly_oppose."""
    ballots: int
    support_percent: float | None
    """Strongly support, support and can live with it, as a share of the ballots."""
    threshold_percent: int
    adopted: bool
    response: ResponseRecord | None
    commitments: list[CommitmentRecord]
    panel_view_total: int
    panel_view: list[PanelViewRecord]


def recommendation_record(outcome: RecommendationOutcome) -> RecommendationRecord:
    item, result, response = outcome.recommendation, outcome.result, outcome.response
    return RecommendationRecord(
        number=item.number, title=item.title, text=item.text, vote=outcome.vote_title, votes=result.counts,
        ballots=result.ballots,
        support_percent=round(result.support_percent, 1) if result.support_percent is not None else None,
        threshold_percent=result.threshold_percent, adopted=result.adopted,
        response=ResponseRecord(outcome=response.outcome, reasons=response.reasons, decision=response.decision,
                                decided_on=response.decided_on, owner=response.owner) if response else None,
        commitments=[CommitmentRecord(charter=c.charter_slug, id=c.key, title=c.title, status=c.status,
                                      status_label=c.status_label) for c in outcome.commitments],
        panel_view_total=outcome.panel_view_total,
        panel_view=[PanelViewRecord(rating=figure.rating, count=figure.count) for figure in outcome.panel_view])


class PanelsApiController(Controller):
    """Open data: panels, their recommendations with the vote, the council's response, the
    commitments each led to with their status today, and the panel's view of the response."""

    path = "/api/panels"
    opt = public()
    include_in_schema = True
    tags = ["Resident Panels"]

    @get("/", name="api_panels", summary="Every Resident Panel")
    async def panels(self) -> list[PanelRecord]:
        return [PanelRecord(**row) for row in await public_panels()]

    @get("/{panel_id:int}/recommendations", name="api_panel_recommendations",
         summary="A panel's recommendations, votes, the council's responses and the commitments they led to")
    async def recommendations(self, request: Request, panel_id: FromPath[int]) -> list[RecommendationRecord]:
        panel = await store.get_panel(panel_id)
        if panel is None:
            raise NotFoundException()
        outcomes = await panel_outcomes(panel.id, today=council_today(),
                                        threshold=request.app.state.settings.disclosure_threshold)
        return [recommendation_record(outcome) for outcome in outcomes]
