"""Officers compare a flagged registration with the one it resembles, side by side, and merge
them (``panels.pool_merge``): every view is audited, and so is the merge with the fields taken."""

from __future__ import annotations

import json

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from panels.census import DIMENSION_LABELS
from panels.pool_merge import MERGE_FIELDS, MergeError, merge_pair, merge_volunteers
from panels.store import about_volunteer
from server.audit import record_audit
from server.controllers.panels.officer import _panel_or_404
from server.services.outbox import forget_emails_about_records
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip


class PoolMergeController(Controller):
    path = "/officer/panels/{panel_id:int}/volunteers/{volunteer_id:int}/merge"
    opt = roles(OFFICER)

    async def _page(self, request: Request, panel_id: int, volunteer_id: int, *, values: dict, errors: dict,
                    status_code: int = 200) -> Template:
        panel = await _panel_or_404(panel_id)
        pair = await merge_pair(panel_id, volunteer_id)
        if pair is None:
            raise NotFoundException()
        earlier, flagged = pair
        await record_audit(actor=request.user.email, action="volunteers_compared", object_type="volunteer",
                           object_id=flagged.reference, detail=f"with {earlier.reference}", ip_address=client_ip(request))
        return Template("panels/officer/merge.html", status_code=status_code, context={
            "panel": panel, "earlier": earlier, "flagged": flagged, "fields": MERGE_FIELDS, "values": values,
            "errors": errors, "labels": DIMENSION_LABELS,
            "answers": {"earlier": json.loads(earlier.answers or "{}"), "flagged": json.loads(flagged.answers or "{}")}})

    @get("/", name="panels_merge")
    async def compare(self, request: Request, panel_id: FromPath[int], volunteer_id: FromPath[int]) -> Template:
        values = {"keep": "earlier", **{field: "earlier" for field in MERGE_FIELDS}}
        return await self._page(request, panel_id, volunteer_id, values=values, errors={})

    @post("/", name="panels_merge_save")
    async def merge(self, request: Request, panel_id: FromPath[int], volunteer_id: FromPath[int],
                    data: RepeatableFormData) -> Template | Redirect:
        values = last_values(data, ("keep", *MERGE_FIELDS))
        pair = await merge_pair(panel_id, volunteer_id)
        if pair is None:
            raise NotFoundException()
        records = {"earlier": pair[0], "flagged": pair[1]}
        errors = {name: gettext("Choose one of the two records") for name in ("keep", *MERGE_FIELDS)
                  if values[name] not in records}
        if not errors:
            keep = records[values["keep"]]
            remove = records["flagged" if values["keep"] == "earlier" else "earlier"]
            try:
                result = await merge_volunteers(panel_id=panel_id, keep_id=keep.id, remove_id=remove.id,
                                                take_from_removed={field: values[field] != values["keep"]
                                                                   for field in MERGE_FIELDS})
            except MergeError as error:
                errors["keep"] = str(error)
        if errors:
            return await self._page(request, panel_id, volunteer_id, values=values, errors=errors,
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await forget_emails_about_records([about_volunteer(remove.id)])
        await record_audit(actor=request.user.email, action="volunteers_merged", object_type="volunteer",
                           object_id=result.kept, detail=f"{result.removed} merged into {result.kept} and erased; "
                           f"fields from {result.removed}: {', '.join(result.fields_from_removed) or 'none'}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_pool", panel_id=panel_id)
                        + f"?merged={result.removed}&into={result.kept}", status_code=303)
