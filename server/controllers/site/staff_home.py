"""The officer's and cabinet's home pages."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from analysis.charter.queries import list_charters
from analysis.commitments.responses import awaiting_answer
from analysis.commitments.store import report_document
from common.clock import council_today
from server.controllers.commitments.documents import TEMPLATE_HELPERS
from server.audit import search_audit
from server.web.guards import CABINET_READERS, OFFICER, roles
from server.services.overview import staff_overview


class OfficerHomeController(Controller):
    path = "/officer"
    opt = roles(OFFICER)

    @get("/", name="officer_home")
    async def home(self, request: Request) -> Template:
        recent = await search_audit(actor=request.user.email, limit=10)
        return Template("officer/home.html", context={"overview": await staff_overview(), "recent": recent})


class CabinetHomeController(Controller):
    path = "/cabinet"
    opt = roles(CABINET_READERS)

    @get("/", name="cabinet_home")
    async def home(self, request: Request) -> Template:
        """The state of each charter's commitments today first, then the operational totals."""
        charters = await list_charters()
        today = council_today()
        commitments = {charter.slug: await report_document(charter.slug, today) for charter in charters}
        weeks = request.app.state.settings.recommendation_answer_weeks
        return Template("cabinet/home.html", context={
            "awaiting": await awaiting_answer(today=today, weeks=weeks), "awaiting_weeks": weeks,
            "overview": await staff_overview(), "charters": charters, "commitments": commitments, **TEMPLATE_HELPERS})
