"""The officer's and cabinet's home pages."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from analysis.charter.queries import list_charters
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
    async def home(self) -> Template:
        return Template("cabinet/home.html", context={"overview": await staff_overview(), "charters": await list_charters()})
