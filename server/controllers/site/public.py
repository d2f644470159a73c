"""Public pages: home, the charter, the privacy notice, the accessibility statement, health."""

from __future__ import annotations

from litestar.params import FromPath, FromQuery
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from analysis.charter.queries import get_charter, list_charters
from server.platform.database_health import database_reachable
from panels.personal_data import panel_retention
from panels.recruitment import latest_drawn_panel_slug
from surveys.personal_data import consultation_retention
from server.web.guards import public
from server.web.page_cache import page_cache_opt


class PublicController(Controller):
    opt = public()

    @get("/", name="home", opt=page_cache_opt())
    async def home(self, request: Request) -> Template:
        return Template("home.html", context={"charters": await list_charters(),
                                              "recruiting": request.app.state.recruiting.current,
                                              "chosen_slug": await latest_drawn_panel_slug()})

    @get("/charter/{slug:str}", name="charter", opt=page_cache_opt())
    async def charter(self, slug: FromPath[str]) -> Template:
        charter = await get_charter(slug)
        if charter is None:
            raise NotFoundException()
        return Template("charter.html", context={"charter": charter})

    @get("/privacy", name="privacy", opt=page_cache_opt())
    async def privacy(self, request: Request) -> Template:
        """The notice states the retention periods actually in force, panel by panel and
        consultation by consultation."""
        settings = request.app.state.settings
        return Template("privacy.html", context={
            "settings": settings, "panels": await panel_retention(),
            "consultations": await consultation_retention(default_months=settings.personal_data_retention_months)})

    @get("/accessibility", name="accessibility", opt=page_cache_opt())
    async def accessibility(self) -> Template:
        return Template("accessibility.html")

    @get("/healthz", name="healthz")
    async def healthz(self) -> Response:
        """Readiness: 200 when the database answers, 503 when it does not."""
        if await database_reachable():
            return Response({"status": "ok", "database": "ok"})
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
