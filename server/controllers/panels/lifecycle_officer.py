"""Officers change a panel after creating it: its details (each while it still makes sense, with
the reason when not), the switch that opens or closes registration, the archive, and deletion
(only before anyone registered, after a confirmation page). Every change is audited."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from panels import lifecycle, panel_changes, store
from panels.quotas import QuotaError
from panels.tables import Panel
from server.audit import record_audit
from server.controllers.panels.recommendations_officer import panel_or_404
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, last_value
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip

DETAIL_DATE_FIELDS = ("opens", "deadline")



class PanelLifecycleController(Controller):
    path = "/officer/panels/{panel_id:int}"
    opt = roles(OFFICER)

    # --- details -------------------------------------------------------------------------------

    async def _details_page(self, panel: Panel, *, values: dict, errors: dict, status_code: int = 200,
                            confirm_postcodes: bool = False) -> Template:
        facts = await lifecycle.panel_facts(panel)
        return Template("panels/officer/details.html", status_code=status_code, context={
            "panel": panel, "values": with_date_boxes(values, DETAIL_DATE_FIELDS), "errors": errors,
            "facts": facts, "confirm_postcodes": confirm_postcodes})

    @get("/details", name="panels_details")
    async def details(self, panel_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        return await self._details_page(panel, values=panel_changes.form_values(panel), errors={})

    @post("/details", name="panels_details_save")
    async def save_details(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        typed = {key: str(value) for key, value in data.items() if key != "_csrf_token"}
        values = {**typed, **{name: joined_date(typed, name) for name in DETAIL_DATE_FIELDS}}
        shown = {**values, **typed_boxes(data, DETAIL_DATE_FIELDS)}
        new, errors = panel_changes.check_edit_form(values)
        changes = panel_changes.changes_of(panel, new) if new else []
        quotas = None
        if not errors:
            facts = await lifecycle.panel_facts(panel)
            context = await panel_changes.edit_context(panel, facts)
            errors = panel_changes.refusals(changes, context, confirmed_postcodes=values.get("confirm_postcodes") == "yes")
            requota = [c for c in changes if c.column in ("panel_size", "prefer_not_to_say")]
            if not errors and requota:
                try:
                    quotas = panel_changes.requotas(panel, await store.load_quotas(panel.id), panel_size=new["panel_size"],
                                                    prefer_not_to_say=new["prefer_not_to_say"]) if facts.has_quotas else None
                except QuotaError as error:
                    errors[requota[0].field] = gettext(
                        "The quotas cannot be computed again for this change (%(problem)s). Compute them again on the "
                        "quotas page first.", problem=error)
        if errors:
            return await self._details_page(panel, values=shown, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                                            confirm_postcodes="postcode_prefixes" in errors)
        await panel_changes.apply_changes(panel=panel, changes=changes, quotas=quotas)
        if changes:
            await record_audit(actor=request.user.email, action="panel_edited", object_type="panel", object_id=panel.id,
                               detail=panel_changes.audit_detail(changes), ip_address=client_ip(request))
        if quotas is not None:
            await record_audit(actor=request.user.email, action="quotas_computed", object_type="panel",
                               object_id=panel.id, detail=f"again for {new['panel_size']} seats after the panel was edited",
                               ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        saved = "requotas" if quotas else ("details" if changes else "nothing")
        return Redirect(path=request.app.route_reverse("panels_show", panel_id=panel.id) + f"?saved={saved}",
                        status_code=303)

    # --- registration switch, archive ------------------------------------------------------------

    async def _refused(self, request: Request, panel: Panel, message: str) -> Template:
        return Template("panels/officer/refused.html", status_code=HTTP_409_CONFLICT,
                        context={"panel": panel, "message": message})

    @post("/registration", name="panels_registration")
    async def registration(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        switch = {"open": "open", "close": "closed"}.get(last_value(data, "action", ""), "")
        try:
            await lifecycle.set_registration_switch(panel=panel, switch=switch, now=datetime.now(timezone.utc))
        except lifecycle.LifecycleError as error:
            return await self._refused(request, panel, str(error))
        await record_audit(actor=request.user.email, action=f"registration_{'opened' if switch == 'open' else 'closed'}",
                           object_type="panel", object_id=panel.id, ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        return Redirect(path=request.app.route_reverse("panels_show", panel_id=panel.id) + f"?saved=registration_{switch}",
                        status_code=303)

    @post("/archive", name="panels_archive")
    async def archive(self, request: Request, panel_id: FromPath[int]) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        try:
            await lifecycle.archive_panel(panel=panel, now=datetime.now(timezone.utc))
        except lifecycle.LifecycleError as error:
            return await self._refused(request, panel, str(error))
        await record_audit(actor=request.user.email, action="panel_archived", object_type="panel", object_id=panel.id,
                           detail=panel.name, ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        return Redirect(path=request.app.route_reverse("panels_show", panel_id=panel.id) + "?saved=archived",
                        status_code=303)

    @post("/unarchive", name="panels_unarchive")
    async def unarchive(self, request: Request, panel_id: FromPath[int]) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        try:
            await lifecycle.unarchive_panel(panel=panel)
        except lifecycle.LifecycleError as error:
            return await self._refused(request, panel, str(error))
        await record_audit(actor=request.user.email, action="panel_unarchived", object_type="panel",
                           object_id=panel.id, detail=panel.name, ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        return Redirect(path=request.app.route_reverse("panels_show", panel_id=panel.id) + "?saved=unarchived",
                        status_code=303)

    # --- delete ----------------------------------------------------------------------------------

    @get("/delete", name="panels_delete_confirm")
    async def delete_confirm(self, panel_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        facts = await lifecycle.panel_facts(panel)
        try:
            lifecycle.check_delete(facts)
            reason = ""
        except lifecycle.LifecycleError as error:
            reason = str(error)
        return Template("panels/officer/delete.html", context={
            "panel": panel, "reason": reason, "sessions": len(facts.sessions)})

    @post("/delete", name="panels_delete")
    async def delete(self, request: Request, panel_id: FromPath[int]) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        try:
            await lifecycle.delete_panel(panel=panel)
        except lifecycle.LifecycleError as error:
            return await self._refused(request, panel, str(error))
        await record_audit(actor=request.user.email, action="panel_deleted", object_type="panel", object_id=panel.id,
                           detail=f"{panel.name} ({panel.slug})", ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        return Redirect(path=request.app.route_reverse("panels_list") + "?deleted=1", status_code=303)
