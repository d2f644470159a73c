"""Uploaded session materials (PDFs and images), served from the data directory only to the
panel's confirmed members through their private link, and to staff who work at sessions. The
files are never under the static files, so no other address reaches them."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File, Template

from panels import ballots, materials, store
from server.controllers.your_data.links import link_not_working
from server.web.guards import SESSION_STAFF, public, roles

FILE_HEADERS = {"content-security-policy": "sandbox", "cache-control": "no-store"}
"""A PDF or image opened in the browser runs no script and is kept by no cache."""


def _file(found: tuple[Path, str, str] | None) -> File:
    if found is None:
        raise NotFoundException()
    path, content_type, name = found
    return File(path=path, media_type=content_type, filename=name, content_disposition_type="inline",
                headers=FILE_HEADERS)


class MemberMaterialController(Controller):
    path = "/my-panel/{token:str}/materials"
    opt = public()

    @get("/{material_id:int}", name="member_material")
    async def download(self, request: Request, token: FromPath[str], material_id: FromPath[int]) -> File | Template:
        member = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        if member is None or member.status != ballots.VOTER_STATUS:
            return link_not_working(request)
        return _file(await materials.material_file(panel_id=member.panel, material_id=material_id,
                                                   data_dir=request.app.state.settings.data_dir))


class StaffMaterialController(Controller):
    path = "/facilitator/materials"
    opt = roles(SESSION_STAFF)

    @get("/{material_id:int}", name="staff_material")
    async def download(self, request: Request, material_id: FromPath[int]) -> File:
        panel_id = await materials.panel_of_material(material_id)
        if panel_id is None:
            raise NotFoundException()
        return _file(await materials.material_file(panel_id=panel_id, material_id=material_id,
                                                   data_dir=request.app.state.settings.data_dir))
