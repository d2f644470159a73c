"""Cabinet (and any staff member) reads each Resident Panel in aggregate: sizes, counts per quota
category against the quota range under the reports' disclosure rules (small counts hidden, the
rest rounded), sessions held and attendance. No personal data reaches this page."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get
from litestar.response import Template

from analysis.stats.disclosure import HIDDEN_MARK, ROUNDING_BASE
from server.services.cabinet_figures import cabinet_panels
from server.web.guards import CABINET_READERS, roles


class PanelCabinetController(Controller):
    path = "/cabinet/panels"
    opt = roles(CABINET_READERS)

    @get("/", name="panels_cabinet")
    async def index(self, request: Request) -> Template:
        threshold = request.app.state.settings.disclosure_threshold
        return Template("panels/cabinet/panels.html", context={
            "panels": await cabinet_panels(threshold=threshold, today=date.today()), "threshold": threshold,
            "rounding_base": ROUNDING_BASE, "hidden_mark": HIDDEN_MARK})
