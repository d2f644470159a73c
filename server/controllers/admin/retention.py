"""Administrators: when each panel's and consultation's personal data is deleted, a consultation's
retention period, and the purge run on demand (it also runs daily)."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext, lazy_gettext
from common.text import whole_number
from panels.personal_data import panel_retention
from panels.service_records import SERVICE_RECORD_YEARS
from server.audit import record_audit
from server.web.forms import FormData
from server.web.guards import ADMIN, roles
from server.web.request_info import client_ip
from server.services.retention import purge_and_record, purge_personal_data
from surveys.personal_data import consultation_retention, set_consultation_retention

MAX_RETENTION_MONTHS = 120

NOTICES = {"purged": lazy_gettext("The purge has run; the audit log has the counts."),
           "saved": lazy_gettext("The retention period was saved.")}
"""The notice shown after each action, keyed by the ``done`` query parameter of its redirect."""


class RetentionAdminController(Controller):
    path = "/admin/retention"
    opt = roles(ADMIN)

    async def _page(self, request: Request, *, errors: dict[str, str], values: dict[str, str], notice: str = "",
                    status_code: int = 200) -> Template:
        settings = request.app.state.settings
        return Template("your_data/retention.html", context={
            "panels": await panel_retention(),
            "consultations": await consultation_retention(default_months=settings.personal_data_retention_months),
            "due": await purge_personal_data(settings=settings, dry_run=True),
            "now": datetime.now(timezone.utc), "errors": errors, "values": values, "notice": notice,
            "default_months": settings.personal_data_retention_months,
            "service_record_years": SERVICE_RECORD_YEARS,
        }, status_code=status_code)

    @get("/", name="admin_retention")
    async def page(self, request: Request) -> Template:
        notice = NOTICES.get(request.query_params.get("done", ""), "")
        return await self._page(request, errors={}, values={}, notice=notice)

    @post("/consultations/{consultation_id:int}", name="admin_retention_consultation")
    async def set_consultation(self, request: Request, consultation_id: FromPath[int], data: FormData) -> Template | Redirect:
        field = f"months-{consultation_id}"
        raw = str(data.get("months", "")).strip()
        months = whole_number(raw)
        if months is None or not 1 <= months <= MAX_RETENTION_MONTHS:
            return await self._page(request, values={field: raw}, status_code=HTTP_422_UNPROCESSABLE_ENTITY, errors={
                field: gettext("Enter a whole number of months from 1 to %(max)d", max=MAX_RETENTION_MONTHS)})
        if not await set_consultation_retention(consultation_id=consultation_id, months=months):
            raise NotFoundException()
        await record_audit(actor=request.user.email, action="retention_changed", object_type="consultation",
                           object_id=consultation_id, detail=f"{raw} months after closing", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("admin_retention") + "?done=saved", status_code=303)

    @post("/purge", name="admin_retention_purge")
    async def purge(self, request: Request) -> Redirect:
        await purge_and_record(settings=request.app.state.settings, actor=request.user.email)
        request.app.state.page_store.clear()  # no kept page may show what was erased
        return Redirect(path=request.app.route_reverse("admin_retention") + "?done=purged", status_code=303)
