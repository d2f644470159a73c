"""Chances from letter to panel: each census group's chance of a letter, of registering with it and
of being selected, against an equal share (``panels.selection.whole_process``), for the panel's
latest selection run or a given one."""

from __future__ import annotations

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from panels.letter_chances import chances_run, letter_to_panel
from panels.selection.whole_process import MIN_REGISTRATIONS, UNDER_REPRESENTED
from panels.tables import Panel, SelectionRun
from server.controllers.panels.officer import _panel_or_404
from server.web.guards import OFFICER, roles


class PanelChancesController(Controller):
    path = "/officer/panels/{panel_id:int}"
    opt = roles(OFFICER)

    @get("/chances", name="panels_chances")
    async def panel_chances(self, panel_id: FromPath[int]) -> Template:
        panel = await _panel_or_404(panel_id)
        return await _page(panel, await chances_run(panel.id))

    @get("/runs/{run_id:int}/chances", name="panels_run_chances")
    async def run_chances(self, panel_id: FromPath[int], run_id: FromPath[int]) -> Template:
        panel = await _panel_or_404(panel_id)
        run = await chances_run(panel.id, run_id)
        if run is None:  # no such selection run, or no result yet
            raise NotFoundException()
        return await _page(panel, run)


async def _page(panel: Panel, run: SelectionRun | None) -> Template:
    estimate = await letter_to_panel(panel, run)
    return Template("panels/officer/chances.html", context={
        "panel": panel, "run": run, "estimate": estimate,
        "threshold": UNDER_REPRESENTED, "min_registrations": MIN_REGISTRATIONS})
