"""The cabinet report "Commitments as of DATE", its downloads, and the reports officers saved."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.commitments.render import timeline_description
from analysis.commitments.report import document_csv, document_json, iso_to_human
from analysis.commitments.store import CommitmentNotFound, get_snapshot, list_snapshots
from analysis.reports.store import reports_citing
from common.clock import council_date
from common.i18n import gettext
from server.controllers.commitments.documents import (
    TEMPLATE_HELPERS,
    as_of_or_400,
    document_or_404,
    file_stem,
    parse_as_of,
    report_pdf_bytes,
    since_or_default,
    timeline_response,
)
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.guards import CABINET_READERS, OFFICER, roles
from server.web.responses import download


class CommitmentsCabinetController(Controller):
    """The cabinet report "Commitments as of DATE", its downloads, and saved reports."""

    path = "/cabinet/commitments/{slug:str}"
    opt = roles(CABINET_READERS)

    @get("/", name="commitments_report")
    async def report(self, request: HTMXRequest, slug: FromPath[str]) -> Template:
        """The date comes as ``as_of=2022-07-01`` from a link, or as the form's three boxes."""
        errors: dict[str, str] = {}
        as_of = joined_date(request.query_params, "as_of")
        day = parse_as_of(as_of, errors)
        since_typed = joined_date(request.query_params, "since")
        since = since_or_default(since_typed, day, errors)
        document = await document_or_404(slug, day, since)
        base = request.app.route_reverse("commitments_report", slug=slug)
        boxes = with_date_boxes({"as_of": as_of if "as_of" in errors else day.isoformat(),
                                 "since": since_typed,  # blank: a month before the report date
                                 **typed_boxes(request.query_params, ["as_of", "since"])}, ["as_of", "since"])
        query = f"?as_of={day.isoformat()}" + (f"&since={since.isoformat()}" if since_typed and "since" not in errors else "")
        context = {
            "doc": document, "errors": errors, "as_of_value": as_of if errors else day.isoformat(), "as_of_boxes": boxes,
            "base": base, "query": query, "saved": None,
            "snapshots": await list_snapshots(slug), "description": timeline_description(document),
            "citations": await reports_citing(slug, [r["id"] for r in document["commitments"]]),
            "can_save": request.user.role in OFFICER, **TEMPLATE_HELPERS,
        }
        template = "commitments/_report_partial.html" if request.htmx else "commitments/report.html"
        # htmx puts the short address in the bar (``?as_of=2022-07-01``), so that it can be shared.
        headers = {"HX-Push-Url": f"{base}{query}"} if request.htmx and not errors else None
        return Template(template, context=context, headers=headers,
                        status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else 200)

    @get("/report.json", name="commitments_report_json")
    async def report_json(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await document_or_404(slug, as_of_or_400(as_of))
        return download(document_json(document), media_type="application/json; charset=utf-8", filename=f"{file_stem(document)}.json")

    @get("/report.csv", name="commitments_report_csv")
    async def report_csv(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await document_or_404(slug, as_of_or_400(as_of))
        return download(document_csv(document), media_type="text/csv; charset=utf-8", filename=f"{file_stem(document)}.csv")

    @get("/report.pdf", name="commitments_report_pdf")
    async def report_pdf_download(self, request: Request, slug: FromPath[str], as_of: FromQuery[str] = "",
                                  since: FromQuery[str] = "") -> Response:
        """Its first page is the headline: red, amber and green, the changes since ``since``
        (a month before by default), overdue longest first and due soon."""
        day = as_of_or_400(as_of)
        errors: dict[str, str] = {}
        since_day = since_or_default(since, day, errors)
        if errors:
            raise ClientException(detail=errors["since"])
        document = await document_or_404(slug, day, since_day)
        return download(await report_pdf_bytes(document, files=request.app.state.report_pdfs), media_type="application/pdf",
                        filename=f"{file_stem(document)}.pdf")

    @get("/timeline.png", name="commitments_timeline")
    async def timeline(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        return await timeline_response(await document_or_404(slug, as_of_or_400(as_of)))

    async def _saved(self, slug: str, snapshot_id: int):
        try:
            return await get_snapshot(slug, snapshot_id)
        except CommitmentNotFound as error:
            raise NotFoundException() from error

    @get("/saved/{snapshot_id:int}", name="commitments_saved")
    async def saved(self, request: Request, slug: FromPath[str], snapshot_id: FromPath[int]) -> Template:
        snapshot = await self._saved(slug, snapshot_id)
        document = snapshot.document
        return Template("commitments/report.html", context={
            "doc": document, "errors": {}, "as_of_value": snapshot.as_of.isoformat(),
            "base": request.app.route_reverse("commitments_saved", slug=slug, snapshot_id=snapshot_id), "query": "",
            "saved": snapshot, "snapshots": await list_snapshots(slug),
            "description": timeline_description(document), "citations": {}, "can_save": False,
            **TEMPLATE_HELPERS,
        })

    @get("/saved/{snapshot_id:int}/report.json", name="commitments_saved_json")
    async def saved_json(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        snapshot = await self._saved(slug, snapshot_id)
        return download(snapshot.document_json, media_type="application/json; charset=utf-8",
                         filename=f"{file_stem(snapshot.document, snapshot_id)}.json")

    @get("/saved/{snapshot_id:int}/report.csv", name="commitments_saved_csv")
    async def saved_csv(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        snapshot = await self._saved(slug, snapshot_id)
        return download(snapshot.open_data_csv, media_type="text/csv; charset=utf-8",
                         filename=f"{file_stem(snapshot.document, snapshot_id)}.csv")

    @get("/saved/{snapshot_id:int}/report.pdf", name="commitments_saved_pdf")
    async def savedreport_pdf_bytes(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        snapshot = await self._saved(slug, snapshot_id)
        note = gettext("Report saved on %(day)s.", day=iso_to_human(council_date(snapshot.created_at).isoformat()))
        return download(await report_pdf_bytes(snapshot.document, note), media_type="application/pdf",
                         filename=f"{file_stem(snapshot.document, snapshot_id)}.pdf")

    @get("/saved/{snapshot_id:int}/timeline.png", name="commitments_saved_timeline")
    async def saved_timeline(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        return await timeline_response((await self._saved(slug, snapshot_id)).document)
