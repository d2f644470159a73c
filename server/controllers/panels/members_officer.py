"""Officers look after the members once the panel is drawn: mark a drop-out (or release an
unanswered invitation) with a reason, and add materials for the sessions. Both are audited."""

from __future__ import annotations


from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.clock import council_today
from common.i18n import gettext
from panels import materials as material_store
from panels import membership
from panels import store
from panels.tables import Panel
from server.audit import record_audit
from common.uploads import UploadError
from server.web.forms import RepeatableFormData, UploadData, last_value
from server.web.uploads import read_upload_bytes
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from server.web.templating import format_date



async def _panel_or_404(panel_id: int) -> Panel:
    panel = await store.get_panel(panel_id)
    if panel is None:
        raise NotFoundException()
    return panel


class PanelMembersController(Controller):
    path = "/officer/panels/{panel_id:int}"
    opt = roles(OFFICER)

    # --- drop-outs and unanswered invitations ----------------------------------------------------

    async def _withdraw_page(self, panel: Panel, volunteer_id: int, *, values: dict, errors: dict,
                             status_code: int = 200) -> Template:
        volunteer = await store.get_volunteer(panel.id, volunteer_id)
        if volunteer is None or volunteer.status not in membership.WITHDRAWAL_FOR_STATUS:
            raise NotFoundException()
        return Template("panels/officer/withdraw.html", status_code=status_code, context={
            "panel": panel, "member": volunteer, "values": values, "errors": errors,
            "status_labels": membership.STATUS_LABELS, "today": council_today()})

    @get("/members/{volunteer_id:int}/withdraw", name="panels_member_withdraw_form")
    async def withdraw_form(self, panel_id: FromPath[int], volunteer_id: FromPath[int]) -> Template:
        return await self._withdraw_page(await _panel_or_404(panel_id), volunteer_id, values={}, errors={})

    @post("/members/{volunteer_id:int}/withdraw", name="panels_member_withdraw")
    async def withdraw(self, request: Request, panel_id: FromPath[int], volunteer_id: FromPath[int],
                       data: RepeatableFormData) -> Template | Redirect:
        panel = await _panel_or_404(panel_id)
        values = {"reason": last_value(data, "reason", "")}
        try:
            volunteer = await membership.withdraw_member(panel_id=panel.id, volunteer_id=volunteer_id,
                                                         reason=values["reason"])
        except membership.WithdrawalError as error:
            return await self._withdraw_page(panel, volunteer_id, values=values, errors={"reason": str(error)},
                                             status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action=f"member_{volunteer.status}", object_type="volunteer",
                           object_id=volunteer.reference, detail=f"panel {panel.id}", reason=volunteer.withdrawal_reason,
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_members", panel_id=panel.id)
                        + f"?withdrawn={volunteer.reference}", status_code=303)

    # --- materials --------------------------------------------------------------------------------

    async def _materials_page(self, panel: Panel, *, values: dict, errors: dict, status_code: int = 200) -> Template:
        sessions = await store.list_sessions(panel.id)
        materials = await material_store.list_materials(panel.id)
        whole, per_session = material_store.group_by_session(materials)
        return Template("panels/officer/materials.html", status_code=status_code, context={
            "panel": panel, "sessions": sessions, "whole": whole, "per_session": per_session, "values": values,
            "errors": errors, "whole_panel": material_store.WHOLE_PANEL,
            "session_options": [(material_store.WHOLE_PANEL, gettext("The whole panel"))]
            + [(str(s.id), gettext("%(title)s (%(date)s)", title=s.title, date=format_date(s.held_on))) for s in sessions]})

    @get("/materials", name="panels_materials")
    async def materials(self, panel_id: FromPath[int]) -> Template:
        return await self._materials_page(await _panel_or_404(panel_id), values={}, errors={})

    @post("/materials", name="panels_materials_add")
    async def add_material(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await _panel_or_404(panel_id)
        values = {key: last_value(data, key, "") for key in ("session", "title", "url", "body")}
        session_ids = {int(s.id) for s in await store.list_sessions(panel.id)}
        material, errors = material_store.check_material_form(values, session_ids=session_ids)
        if errors:
            return await self._materials_page(panel, values=values, errors=errors,
                                              status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        material_id = await material_store.add_material(panel_id=panel.id, material=material, added_by=request.user.email)
        await record_audit(actor=request.user.email, action="panel_material_added", object_type="panel_material",
                           object_id=material_id, detail=f"panel {panel.id}; {material.title}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_materials", panel_id=panel.id) + "?added=1", status_code=303)

    @post("/materials/upload", name="panels_materials_upload")
    async def upload_material(self, request: Request, panel_id: FromPath[int], data: UploadData) -> Template | Redirect:
        """A PDF or an image, kept under the data directory and served only to members and staff."""
        panel = await _panel_or_404(panel_id)
        values = {key: last_value(data, key, "") for key in ("session", "title")}
        session_ids = {int(s.id) for s in await store.list_sessions(panel.id)}
        file = await read_upload_bytes(data.get("file"))
        material, errors = material_store.check_material_form(values, session_ids=session_ids, has_file=file is not None)
        if file is None:
            errors = {**errors, "file": gettext("Choose a PDF or an image to upload")}
        errors.pop("url", None)
        if not errors:
            try:
                material_id = await material_store.add_material(panel_id=panel.id, material=material,
                                                                added_by=request.user.email, file=file,
                                                                data_dir=request.app.state.settings.data_dir)
            except UploadError as error:
                errors = {"file": str(error)}
        if errors:
            return await self._materials_page(panel, values={f"upload-{key}": value for key, value in values.items()},
                                              errors={f"upload-{key}" if key != "file" else key: message
                                                      for key, message in errors.items()},
                                              status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="panel_material_added", object_type="panel_material",
                           object_id=material_id, detail=f"panel {panel.id}; {material.title}; file {file[1]}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_materials", panel_id=panel.id) + "?added=1", status_code=303)

    @post("/materials/{material_id:int}/remove", name="panels_materials_remove")
    async def remove_material(self, request: Request, panel_id: FromPath[int], material_id: FromPath[int]) -> Redirect:
        panel = await _panel_or_404(panel_id)
        title = await material_store.remove_material(panel_id=panel.id, material_id=material_id,
                                                     data_dir=request.app.state.settings.data_dir)
        if title is None:
            raise NotFoundException()
        await record_audit(actor=request.user.email, action="panel_material_removed", object_type="panel_material",
                           object_id=material_id, detail=f"panel {panel.id}; {title}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_materials", panel_id=panel.id) + "?removed=1", status_code=303)
