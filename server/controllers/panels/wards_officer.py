"""Officers upload an ONS Postcode Directory extract (postcode → ward), for one panel or for the
whole council, so that volunteers who register without a letter get a ward (``panels.postcode_wards``)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from panels.postcode_wards import PostcodeDirectoryError, directory_sizes, read_postcode_directory, save_postcode_directory
from panels.tables import Panel
from server.audit import record_audit
from server.controllers.panels.officer import _panel_or_404
from server.web.forms import UploadData, last_values
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from server.web.uploads import read_upload_bytes

SCOPES = ("panel", "council")


class PanelWardsController(Controller):
    path = "/officer/panels/{panel_id:int}/wards"
    opt = roles(OFFICER)

    async def _page(self, panel: Panel, *, values: dict, errors: dict, problems: list[str] | None = None,
                    status_code: int = 200) -> Template:
        own, council = await directory_sizes(panel.id)
        return Template("panels/officer/wards.html", status_code=status_code, context={
            "panel": panel, "values": values, "errors": errors, "problems": problems or [], "own": own,
            "council": council})

    @get("/", name="panels_wards")
    async def wards(self, panel_id: FromPath[int]) -> Template:
        return await self._page(await _panel_or_404(panel_id), values={"scope": "panel"}, errors={})

    @post("/", name="panels_wards_upload")
    async def upload(self, request: Request, panel_id: FromPath[int], data: UploadData) -> Template | Redirect:
        panel = await _panel_or_404(panel_id)
        values = last_values(data, ("scope",))
        errors: dict[str, str] = {}
        problems: list[str] = []
        if values["scope"] not in SCOPES:
            errors["scope"] = gettext("Choose whether the list is for this panel or for every panel of the council")
        upload = await read_upload_bytes(data.get("directory"))
        wards: dict = {}
        if upload is None:
            errors["directory"] = gettext("Choose the postcode directory extract (CSV)")
        else:
            try:
                wards = read_postcode_directory(upload[0])
            except PostcodeDirectoryError as error:
                problems = [str(problem) for problem in error.problems]
                errors["directory"] = (gettext("The file has %(count)d problems; nothing was saved. Correct them and "
                                               "upload it again", count=len(problems)) if len(problems) > 1 else problems[0])
            except ValueError as error:
                errors["directory"] = str(error)
        if errors:
            return await self._page(panel, values=values, errors=errors, problems=problems if len(problems) > 1 else [],
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        count = await save_postcode_directory(panel_id=panel.id if values["scope"] == "panel" else None, wards=wards)
        await record_audit(actor=request.user.email, action="postcode_wards_uploaded", object_type="panel",
                           object_id=panel.id if values["scope"] == "panel" else "council",
                           detail=f"{upload[1][:100]}; {count} postcodes", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_wards", panel_id=panel.id) + f"?saved={count}",
                        status_code=303)
