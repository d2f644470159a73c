"""The officer's Easy Read version of a report's summary: write the points with their pictures,
see them as residents will, and add them to the latest version when it was published without."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY
from markupsafe import Markup

from analysis.reports.easy_read import (
    MAX_POINTS,
    MAX_WORDS,
    EasyReadFormError,
    check_easy_read_form,
    easy_read_html,
    form_rows,
    icon_choices,
)
from analysis.reports.easy_read_store import (
    EasyReadAlreadyPublished,
    add_easy_read_to_latest,
    draft_points,
    save_easy_read,
    version_points,
)
from analysis.reports.store import ReportNotFound, get_version
from common.i18n import gettext
from server.audit import record_audit
from server.controllers.reports.consultation import consultation_or_404
from server.web.forms import RepeatableFormData
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip


def _row_values(rows: list[dict[str, str]]) -> dict[str, str]:
    """The rows in the form's field names (``text_1``, ``icon_1`` …)."""
    values = {}
    for number, row in enumerate(rows, start=1):
        values[f"text_{number}"] = row["text"]
        values[f"icon_{number}"] = row["icon"]
    return values


async def _latest_version(slug: str) -> dict[str, Any] | None:
    try:
        return await get_version(slug)
    except ReportNotFound:
        return None


class EasyReadOfficerController(Controller):
    path = "/officer/consultations/{slug:str}/report/easy-read"
    opt = roles(OFFICER)

    async def _page(self, request: Request, slug: str, *, rows: list[dict[str, str]] | None = None,
                    errors: dict[str, str] | None = None, saved: bool = False, status_code: int = 200) -> Template:
        consultation = await consultation_or_404(slug)
        points = await draft_points(consultation["id"])
        rows = form_rows(points) if rows is None else form_rows(rows, blank=0)
        latest = await _latest_version(slug)
        preview = Markup(await anyio.to_thread.run_sync(easy_read_html, points)) if points else None  # pictures: off the loop
        return Template("reports/easy_read_form.html", status_code=status_code, context={
            "consultation": consultation, "slug": slug, "rows": rows, "values": _row_values(rows),
            "errors": errors or {}, "icon_options": [("", gettext("Choose a picture")), *icon_choices()],
            "preview": preview, "saved": saved,
            "latest": latest, "latest_has_easy_read": bool(latest and version_points(latest)),
            "max_words": MAX_WORDS, "max_points": MAX_POINTS})

    @get("/", name="report_easy_read_draft")
    async def draft(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._page(request, slug, saved=request.query_params.get("saved") == "1")

    @post("/", name="report_easy_read_save")
    async def save(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        await consultation_or_404(slug)
        try:
            points = check_easy_read_form(data)
        except EasyReadFormError as error:
            return await self._page(request, slug, rows=error.rows, errors=error.errors,
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await save_easy_read(slug=slug, points=points, now=datetime.now(timezone.utc))
        await record_audit(actor=request.user.email, action="report_easy_read_saved", object_type="consultation_report",
                           object_id=slug, detail=f"{len(points)} points", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("report_easy_read_draft", slug=slug) + "?saved=1",
                        status_code=303)

    @post("/publish", name="report_easy_read_publish")
    async def publish(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        """The draft's points added to the latest version, which was published without them."""
        await consultation_or_404(slug)
        try:
            number = await add_easy_read_to_latest(slug=slug)
        except ReportNotFound:
            return await self._page(request, slug, status_code=HTTP_409_CONFLICT, errors={"publish": gettext(
                "Write and save the Easy Read points, and publish the report, before adding them to it")})
        except EasyReadAlreadyPublished:
            return await self._page(request, slug, status_code=HTTP_409_CONFLICT, errors={"publish": gettext(
                "The latest version already has its Easy Read version, and a published version never changes. "
                "Publish a new version of the report to change it")})
        await record_audit(actor=request.user.email, action="report_easy_read_published",
                           object_type="consultation_report", object_id=f"{slug}/v{number}", detail="",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("report_public_easy_read", slug=slug, number=number),
                        status_code=303)
