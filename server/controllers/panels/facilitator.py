"""The facilitator's pages: the panels' sessions, and what is recorded at them. Facilitators see
members' names at their sessions, never contact details; officers reach these pages too."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from common.clock import council_today
from panels import store
from server.web.guards import SESSION_STAFF, roles


class FacilitatorController(Controller):
    path = "/facilitator"
    opt = roles(SESSION_STAFF)

    @get("/", name="facilitator_home")
    async def home(self) -> Template:
        today = council_today()
        panels = await store.panels_with_sessions(today=today)
        return Template("panels/facilitator/home.html", context={"panels": panels, "today": today})
