"""Published "We asked, You said, We did" reports: the latest and every older version exactly as
published, with their images, open data and PDF."""

from __future__ import annotations

import base64
import json
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template
from markupsafe import Markup

from analysis.reports.easy_read import easy_read_html, easy_read_pdf
from analysis.reports.easy_read_store import version_points
from analysis.reports.render import Images, report_pdf
from analysis.reports.store import ReportNotFound, get_version, list_versions, version_image
from analysis.translations.reading import shown_report_summary
from common.clock import council_time
from common.i18n import active_locale, format_day, gettext
from server.controllers.reports.consultation import consultation_or_404
from server.web.guards import public
from server.web.page_cache import page_cache_opt
from server.web.rendered_files import RenderedFiles
from server.web.responses import download


async def _version_or_404(slug: str, number: int | None) -> dict[str, Any]:
    try:
        return await get_version(slug, number)
    except ReportNotFound as error:
        raise NotFoundException() from error


def _version_images(row: dict[str, Any]) -> Images:
    return {name: (base64.b64decode(image["png"]), image["alt"]) for name, image in json.loads(row["images_json"]).items()}


class ReportsPublicController(Controller):
    """Published reports: the latest and every older version, exactly as published."""

    path = "/consultations/{slug:str}/report"
    opt = public()

    async def _page(self, request: Request, slug: str, number: int | None) -> Template:
        row = await _version_or_404(slug, number)
        consultation = await consultation_or_404(slug)
        shown = await shown_report_summary(consultation["id"], json.loads(row["document_json"]), active_locale.get())
        return Template("reports/public.html", context={
            "consultation": consultation, "version": row, "body": Markup(row["html"]), "content_shown": shown,
            "has_easy_read": bool(version_points(row)),
            "versions": await list_versions(consultation["id"]),
            "base": request.app.route_reverse("report_public_version", slug=slug, number=row["version"])})

    @get("/", name="report_public", opt=page_cache_opt())
    async def latest(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._page(request, slug, None)

    @get("/v/{number:int}", name="report_public_version", opt=page_cache_opt())
    async def version(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Template:
        return await self._page(request, slug, number)

    @get("/v/{number:int}/images/{image:str}", name="report_public_image")
    async def image(self, slug: FromPath[str], number: FromPath[int], image: FromPath[str]) -> Response:
        """``image`` is the picture's file name (``route_reverse`` keeps ``name`` for the route's own)."""
        png = version_image(await _version_or_404(slug, number), image.removesuffix(".png"))
        if png is None:
            raise NotFoundException()
        return Response(content=png, media_type="image/png", headers={"cache-control": "public, max-age=86400"})

    @get("/v/{number:int}/report.json", name="report_public_json")
    async def json_download(self, slug: FromPath[str], number: FromPath[int]) -> Response:
        row = await _version_or_404(slug, number)
        return download(row["document_json"], media_type="application/json; charset=utf-8", filename=f"{slug}-report-v{number}.json")

    @get("/v/{number:int}/report.csv", name="report_public_csv")
    async def csv_download(self, slug: FromPath[str], number: FromPath[int]) -> Response:
        row = await _version_or_404(slug, number)
        return download(row["open_data_csv"], media_type="text/csv; charset=utf-8", filename=f"{slug}-report-v{number}.csv")

    @get("/v/{number:int}/report.pdf", name="report_public_pdf")
    async def pdf_download(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
        """Printed from the version's own HTML, once per version (and language): the key is
        everything the PDF is drawn from."""
        row = await _version_or_404(slug, number)
        published_at = council_time(row["published_at"])
        note = gettext("Version %(number)s, published %(day)s.", number=number, day=format_day(published_at.date()))
        council = request.app.state.settings.council_name

        async def render() -> bytes:
            images = _version_images(row)
            return await anyio.to_thread.run_sync(lambda: report_pdf(
                row["html"], images, title=row["title"], council=council, note=note, published=published_at))

        pdfs: RenderedFiles = request.app.state.report_pdfs
        key = pdfs.key("report pdf", row["id"], row["html"], row["images_json"], row["title"], council, note)
        pdf = await pdfs.get_or_render(key, render)
        return download(pdf, media_type="application/pdf", filename=f"{slug}-report-v{number}.pdf")

    async def _easy_read_or_404(self, slug: str, number: int) -> tuple[dict[str, Any], list]:
        row = await _version_or_404(slug, number)
        points = version_points(row)
        if not points:
            raise NotFoundException()
        return row, points

    @get("/v/{number:int}/easy-read", name="report_public_easy_read", opt=page_cache_opt())
    async def easy_read(self, slug: FromPath[str], number: FromPath[int]) -> Template:
        """The Easy Read version of the summary, as published with the version."""
        row, points = await self._easy_read_or_404(slug, number)
        return Template("reports/easy_read.html", context={
            "consultation": await consultation_or_404(slug), "version": row,
            "body": Markup(await anyio.to_thread.run_sync(easy_read_html, points))})

    @get("/v/{number:int}/easy-read.pdf", name="report_public_easy_read_pdf")
    async def easy_read_pdf_download(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
        """Printed in large type, once per version (and language), like the report's own PDF."""
        row, points = await self._easy_read_or_404(slug, number)
        consultation = await consultation_or_404(slug)
        published_at = council_time(row["published_at"])
        title = gettext("Easy Read: what you told us about %(title)s", title=consultation["title"])
        note = gettext("Version %(number)s, published %(day)s.", number=number, day=format_day(published_at.date()))
        council = request.app.state.settings.council_name

        async def render() -> bytes:
            return await anyio.to_thread.run_sync(lambda: easy_read_pdf(
                points, title=title, council=council, note=note, published=published_at))

        pdfs: RenderedFiles = request.app.state.report_pdfs
        key = pdfs.key("easy read pdf", row["id"], row["easy_read_json"], title, council, note)
        pdf = await pdfs.get_or_render(key, render)
        return download(pdf, media_type="application/pdf", filename=f"{slug}-easy-read-v{number}.pdf")
