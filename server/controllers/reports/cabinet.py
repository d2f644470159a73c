"""Cabinet's list of published reports (aggregates only)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from server.web.guards import CABINET_READERS, roles


class ReportsCabinetController(Controller):
    """Cabinet's list of published reports (aggregates only)."""

    opt = roles(CABINET_READERS)

    @get("/cabinet/reports", name="reports_cabinet")
    async def index(self) -> Template:
        from analysis.reports.store import published_reports

        return Template("reports/cabinet.html", context={"reports": await published_reports()})

