"""The public page "What the Resident Panel recommended and what the council did", and the same
as a read-only JSON API described in the OpenAPI schema (``/api/schema/openapi.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import anyio.to_thread
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template
from litestar.serialization import encode_json

from analysis.charter.reviews import ended_reviews_of_panel
from analysis.commitments.panel_report import panel_report_body, panel_report_csv, panel_report_pdf
from analysis.commitments.responses import RecommendationOutcome, panel_outcomes, public_panels
from common.clock import council_today
from common.i18n import format_day, gettext
from panels import ballots, store
from panels.tables import Panel
from server.web.guards import public
from server.web.i18n import html_lang
from server.web.page_cache import page_cache_opt
from server.web.rendered_files import RenderedFiles
from server.web.responses import download


async def _panel_or_404(slug: str) -> Panel:
    panel = await store.get_panel_by_slug(slug)
    if panel is None:
        raise NotFoundException()
    return panel


async def _outcomes(request: Request, panel_id: int) -> list[RecommendationOutcome]:
    return await panel_outcomes(panel_id, today=council_today(),
                                threshold=request.app.state.settings.disclosure_threshold)


class PanelRecommendationsPublicController(Controller):
    path = "/panels/{slug:str}/recommendations"
    opt = public()
    include_in_schema = False

    @get("/", name="panel_recommendations", opt=page_cache_opt())
    async def page(self, request: Request, slug: FromPath[str]) -> Template:
        panel = await _panel_or_404(slug)
        return Template("panels/public/recommendations.html", context={
            "panel": panel, "outcomes": await _outcomes(request, panel.id),
            "grades": ballots.GRADES, "grade_labels": ballots.GRADE_LABELS,
            "threshold": request.app.state.settings.disclosure_threshold,
            "reviews": await ended_reviews_of_panel(panel.id, today=council_today())})

    @get("/report.pdf", name="panel_report_pdf")
    async def pdf_download(self, request: Request, slug: FromPath[str]) -> Response:
        """The page's own report body, printed; drawn once for each body, title and day."""
        panel = await _panel_or_404(slug)
        body = panel_report_body(await _outcomes(request, panel.id))
        title = gettext("What the Resident Panel recommended and what the council did")
        council, today, language = request.app.state.settings.council_name, council_today(), html_lang()
        note = gettext("%(panel)s. The commitments' status as of %(day)s.", panel=panel.name, day=format_day(today))

        async def render() -> bytes:
            return await anyio.to_thread.run_sync(lambda: panel_report_pdf(
                body, title=title, council=council, as_of=today, note=note, language=language))

        pdfs: RenderedFiles = request.app.state.report_pdfs
        pdf = await pdfs.get_or_render(pdfs.key("panel report pdf", body, title, council, note, language), render)
        return download(pdf, media_type="application/pdf", filename=f"{panel.slug}-recommendations.pdf")

    @get("/report.csv", name="panel_report_csv")
    async def csv_download(self, request: Request, slug: FromPath[str]) -> Response:
        panel = await _panel_or_404(slug)
        return download(panel_report_csv(await _outcomes(request, panel.id)), media_type="text/csv; charset=utf-8",
                        filename=f"{panel.slug}-recommendations.csv")

    @get("/report.json", name="panel_report_json")
    async def json_download(self, request: Request, slug: FromPath[str]) -> Response:
        """The API's records for the panel and its recommendations, with the day they were read
        for (``docs/panel-report.md``)."""
        panel = await _panel_or_404(slug)
        document = {"panel": PanelRecord(id=panel.id, slug=panel.slug, name=panel.name, year=panel.year),
                    "council": request.app.state.settings.council_name, "as_of": council_today(),
                    "disclosure_threshold": request.app.state.settings.disclosure_threshold,
                    "recommendations": [recommendation_record(o) for o in await _outcomes(request, panel.id)]}
        return download(encode_json(document), media_type="application/json; charset=utf-8",
                        filename=f"{panel.slug}-recommendations.json")


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
        return [recommendation_record(outcome) for outcome in await _outcomes(request, panel.id)]
