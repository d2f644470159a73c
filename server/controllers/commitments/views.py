"""Charter commitments: the public tracker, the cabinet report with its downloads and saved
copies, and the officers' pages to add, edit, update and import commitments.

Controllers parse the request, call ``analysis.commitments.store`` and render; the report's
chart and PDF are drawn in a worker thread. Officer actions go to the audit log.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any
from urllib.parse import quote

import anyio.to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.commitments.csv_import import CommitmentCsvError
from analysis.commitments.forms import COMMITMENT_FORM_FIELDS, UPDATE_FORM_FIELDS, CommitmentFormError
from analysis.commitments.model import (
    CommitmentKind,
    DeadlineEvent,
    EvidenceSource,
    MetricDirection,
    PeriodKind,
    UpdateStatus,
)
from analysis.commitments.render import changes_sentence, report_pdf, status_name, timeline_description, timeline_png
from analysis.commitments.report import (
    KIND_NAMES,
    commitments_by_principle,
    document_csv,
    document_json,
    iso_to_human,
)
from analysis.commitments.status import COUNCIL_TIME_ZONE
from analysis.commitments.store import (
    CommitmentNotFound,
    commitment_history,
    create_commitment,
    edit_commitment,
    find_charter,
    get_snapshot,
    import_commitments,
    list_snapshots,
    load_tracker_inputs,
    record_update,
    report_document,
    save_snapshot,
    statuses_as_of,
)
from analysis.charter.queries import list_charters
from analysis.reports.store import reports_citing
from server.audit import record_audit
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.guards import CABINET_READERS, OFFICER, public, roles
from server.web.page_cache import page_cache_opt
from server.web.request_info import client_ip

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
UploadData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024

def local_time(moment: datetime) -> datetime:
    """An instant in the council's time zone, for display (instants are stored in UTC)."""
    return moment.astimezone(COUNCIL_TIME_ZONE)


TEMPLATE_HELPERS = {"day": iso_to_human, "status_name": status_name, "kind_names": KIND_NAMES,
                    "changes_sentence": changes_sentence, "local": local_time}


def today() -> date:
    """The council's calendar day now."""
    return datetime.now(COUNCIL_TIME_ZONE).date()


def parse_as_of(raw: str, errors: dict[str, str]) -> date:
    if not raw:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors["as_of"] = "Enter a real date, like 2022-07-01"
        return today()


def as_of_or_400(raw: str) -> date:
    errors: dict[str, str] = {}
    day = parse_as_of(raw, errors)
    if errors:
        raise ClientException(detail="as_of must be a real date, like 2022-07-01")
    return day


async def _document(slug: str, as_of: date) -> dict[str, Any]:
    try:
        return await report_document(slug, as_of)
    except CommitmentNotFound as error:
        raise NotFoundException() from error


async def _charter_or_404(slug: str):
    try:
        return await find_charter(slug)
    except CommitmentNotFound as error:
        raise NotFoundException() from error


def _download(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(content=content, media_type=media_type,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


async def _pdf(document: dict[str, Any], note: str = "") -> bytes:
    def draw() -> bytes:
        chart = timeline_png(document) if document["timeline"] else None
        return report_pdf(document, chart_png=chart, note=note)

    return await anyio.to_thread.run_sync(draw)


async def _png(document: dict[str, Any]) -> Response:
    if not document["timeline"]:
        raise NotFoundException()
    image = await anyio.to_thread.run_sync(timeline_png, document)
    return Response(content=image, media_type="image/png", headers={"cache-control": "private, max-age=300"})


def _file_stem(document: dict[str, Any], saved_id: int | None = None) -> str:
    stem = f"{document['charter']['slug']}-commitments-{document['as_of'] or 'empty'}"
    return f"{stem}-saved-{saved_id}" if saved_id else stem


class CommitmentsPublicController(Controller):
    """The public tracker: every commitment with its status today, by principle, with evidence."""

    opt = public()

    @get("/commitments", name="commitments_index")
    async def index(self) -> Template | Redirect:
        charters = await list_charters()
        if len(charters) == 1:
            return Redirect(path=f"/charter/{charters[0].slug}/commitments", status_code=303)
        return Template("commitments/index.html", context={"charters": charters})

    @get("/charter/{slug:str}/commitments", name="commitments_tracker", opt=page_cache_opt())
    async def tracker(self, slug: FromPath[str]) -> Template:
        document = await _document(slug, today())
        return Template("commitments/tracker.html", context={
            "doc": document, "groups": commitments_by_principle(document), **TEMPLATE_HELPERS})

    @get("/charter/{slug:str}/commitments.json", name="commitments_open_json")
    async def open_json(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await _document(slug, as_of_or_400(as_of))
        return Response(content=document_json(document), media_type="application/json; charset=utf-8")

    @get("/charter/{slug:str}/commitments.csv", name="commitments_open_csv")
    async def open_csv(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await _document(slug, as_of_or_400(as_of))
        return _download(document_csv(document), "text/csv; charset=utf-8", f"{_file_stem(document)}.csv")


class CommitmentsCabinetController(Controller):
    """The cabinet report "Commitments as of DATE", its downloads, and saved reports."""

    path = "/cabinet/commitments/{slug:str}"
    opt = roles(CABINET_READERS)

    @get("/", name="commitments_report")
    async def report(self, request: HTMXRequest, slug: FromPath[str], as_of: FromQuery[str] = "") -> Template:
        errors: dict[str, str] = {}
        day = parse_as_of(as_of, errors)
        document = await _document(slug, day)
        context = {
            "doc": document, "errors": errors, "as_of_value": as_of if errors else day.isoformat(),
            "base": f"/cabinet/commitments/{slug}", "query": f"?as_of={day.isoformat()}", "saved": None,
            "snapshots": await list_snapshots(slug), "description": timeline_description(document),
            "citations": await reports_citing(slug, [r["id"] for r in document["commitments"]]),
            "can_save": request.user.role in OFFICER, **TEMPLATE_HELPERS,
        }
        template = "commitments/_report_partial.html" if request.htmx else "commitments/report.html"
        return Template(template, context=context,
                        status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else 200)

    @get("/report.json", name="commitments_report_json")
    async def report_json(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await _document(slug, as_of_or_400(as_of))
        return _download(document_json(document), "application/json; charset=utf-8", f"{_file_stem(document)}.json")

    @get("/report.csv", name="commitments_report_csv")
    async def report_csv(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await _document(slug, as_of_or_400(as_of))
        return _download(document_csv(document), "text/csv; charset=utf-8", f"{_file_stem(document)}.csv")

    @get("/report.pdf", name="commitments_report_pdf")
    async def report_pdf_download(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        document = await _document(slug, as_of_or_400(as_of))
        return _download(await _pdf(document), "application/pdf", f"{_file_stem(document)}.pdf")

    @get("/timeline.png", name="commitments_timeline")
    async def timeline(self, slug: FromPath[str], as_of: FromQuery[str] = "") -> Response:
        return await _png(await _document(slug, as_of_or_400(as_of)))

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
            "base": f"/cabinet/commitments/{slug}/saved/{snapshot_id}", "query": "",
            "saved": snapshot, "snapshots": await list_snapshots(slug),
            "description": timeline_description(document), "citations": {}, "can_save": False,
            **TEMPLATE_HELPERS,
        })

    @get("/saved/{snapshot_id:int}/report.json", name="commitments_saved_json")
    async def saved_json(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        snapshot = await self._saved(slug, snapshot_id)
        return _download(snapshot.document_json, "application/json; charset=utf-8",
                         f"{_file_stem(snapshot.document, snapshot_id)}.json")

    @get("/saved/{snapshot_id:int}/report.csv", name="commitments_saved_csv")
    async def saved_csv(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        snapshot = await self._saved(slug, snapshot_id)
        return _download(snapshot.open_data_csv, "text/csv; charset=utf-8",
                         f"{_file_stem(snapshot.document, snapshot_id)}.csv")

    @get("/saved/{snapshot_id:int}/report.pdf", name="commitments_saved_pdf")
    async def saved_pdf(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        snapshot = await self._saved(slug, snapshot_id)
        note = f"Report saved on {iso_to_human(snapshot.created_at.astimezone(COUNCIL_TIME_ZONE).date().isoformat())}."
        return _download(await _pdf(snapshot.document, note), "application/pdf",
                         f"{_file_stem(snapshot.document, snapshot_id)}.pdf")

    @get("/saved/{snapshot_id:int}/timeline.png", name="commitments_saved_timeline")
    async def saved_timeline(self, slug: FromPath[str], snapshot_id: FromPath[int]) -> Response:
        return await _png((await self._saved(slug, snapshot_id)).document)


KIND_OPTIONS = [("", "Choose a kind"), *((str(kind), KIND_NAMES[kind]) for kind in CommitmentKind)]
EVENT_OPTIONS = [("", "No event"), (str(DeadlineEvent.NEXT_PANEL_SESSION), "The next Resident Panel session")]
REPEAT_OPTIONS = [("", "Does not repeat"), (str(PeriodKind.CALENDAR_YEAR), "Every calendar year"),
                  (str(PeriodKind.FINANCIAL_YEAR), "Every financial year (April to March)")]
EVIDENCE_OPTIONS = [("", "Officers' updates only"),
                    (str(EvidenceSource.PANEL_SESSION_HELD), "A Resident Panel session held in the period"),
                    (str(EvidenceSource.CASE_STUDIES_PUBLISHED_MORE_THAN_PREVIOUS),
                     "More case studies published than in the period before")]
DIRECTION_OPTIONS = [("", "Not a metric"), (str(MetricDirection.REDUCE), "Reduce"),
                     (str(MetricDirection.INCREASE), "Increase")]
STATUS_OPTIONS = [("", "Choose a status"), (str(UpdateStatus.PROGRESS), "Progress (not met yet)"),
                  (str(UpdateStatus.MET), "Met"), (str(UpdateStatus.NOT_MET), "Not met after all (withdraws a met)")]
DATE_FIELDS = ("made_on", "deadline_date", "first_period_start")
"""The commitment form's dates, typed in three boxes each (GOV.UK's date input)."""

FORM_OPTIONS = {"kind_options": KIND_OPTIONS, "event_options": EVENT_OPTIONS, "repeat_options": REPEAT_OPTIONS,
                "evidence_options": EVIDENCE_OPTIONS, "direction_options": DIRECTION_OPTIONS,
                "status_options": STATUS_OPTIONS}


def _commitment_values(commitment) -> dict[str, str]:
    recurrence = commitment.recurrence
    return {
        "key": commitment.key, "title": commitment.title, "text": commitment.text, "kind": str(commitment.kind),
        "principles": ";".join(map(str, commitment.principles)), "owner": commitment.owner,
        "made_on": commitment.made_on.isoformat(),
        "deadline_date": commitment.deadline_date.isoformat() if commitment.deadline_date else "",
        "deadline_event": str(commitment.deadline_event or ""),
        "repeats": str(recurrence.period) if recurrence else "",
        "first_period_start": recurrence.first_period_start.isoformat() if recurrence and recurrence.first_period_start else "",
        "evidence_source": str(recurrence.evidence_source or "") if recurrence else "",
        "direction": str(commitment.direction or ""),
    }


def _commitment_form_values(data: dict[str, str]) -> dict[str, str]:
    """The commitment form as the domain reads it, with each date's boxes joined into one field;
    the boxes are kept too, to show what was typed if the form comes back with errors."""
    values = {field: str(data.get(field, "")).strip() for field in COMMITMENT_FORM_FIELDS}
    values.update({name: joined_date(data, name) for name in DATE_FIELDS})
    return {**values, **typed_boxes(data, DATE_FIELDS)}


class CommitmentsOfficerController(Controller):
    """Officers add and edit commitments, post updates with evidence, import CSV files and
    save the cabinet report."""

    path = "/officer/commitments/{slug:str}"
    opt = roles(OFFICER)

    @get("/", name="commitments_officer")
    async def overview(self, slug: FromPath[str], imported: FromQuery[str] = "") -> Template:
        try:
            inputs = await load_tracker_inputs(slug)
        except CommitmentNotFound as error:
            raise NotFoundException() from error
        statuses = {s.key: s for s in await statuses_as_of(inputs, today())}
        return Template("commitments/officer_list.html", context={
            "charter": inputs.charter, "commitments": inputs.commitments, "statuses": statuses,
            "imported": imported, "today": today().isoformat(), "errors": {}, **TEMPLATE_HELPERS})

    async def _form(self, slug: str, *, values: dict[str, str], errors: dict[str, str], editing: str = "",
                    status_code: int = 200) -> Template:
        charter = await _charter_or_404(slug)
        return Template("commitments/commitment_form.html", status_code=status_code, context={
            "charter": charter, "values": with_date_boxes(values, DATE_FIELDS), "errors": errors, "editing": editing, **FORM_OPTIONS})

    @get("/new", name="commitments_new")
    async def new(self, slug: FromPath[str]) -> Template:
        return await self._form(slug, values={"made_on": today().isoformat()}, errors={})

    @post("/new", name="commitments_create")
    async def create(self, request: Request, slug: FromPath[str], data: FormData) -> Template | Redirect:
        values = _commitment_form_values(data)
        try:
            commitment = await create_commitment(slug=slug, values=values, now=datetime.now(timezone.utc))
        except CommitmentNotFound as error:
            raise NotFoundException() from error
        except CommitmentFormError as error:
            return await self._form(slug, values=values, errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="commitment_created", object_type="commitment",
                           object_id=f"{slug}/{commitment.key}", detail=commitment.title, ip_address=client_ip(request))
        return Redirect(path=f"/officer/commitments/{slug}/items/{quote(commitment.key)}", status_code=303)

    @get("/items/{key:str}/edit", name="commitments_edit")
    async def edit(self, slug: FromPath[str], key: FromPath[str]) -> Template:
        commitment = await self._commitment(slug, key)
        return await self._form(slug, values=_commitment_values(commitment), errors={}, editing=key)

    @post("/items/{key:str}/edit", name="commitments_save_edit")
    async def save_edit(self, request: Request, slug: FromPath[str], key: FromPath[str], data: FormData) -> Template | Redirect:
        await self._commitment(slug, key)
        values = _commitment_form_values(data)
        values["key"] = key
        try:
            before, after = await edit_commitment(slug=slug, key=key, values=values, now=datetime.now(timezone.utc))
        except CommitmentFormError as error:
            return await self._form(slug, values=values, errors=error.errors, editing=key,
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        old, new = _commitment_values(before), _commitment_values(after)
        changed = "; ".join(f"{field}: {old[field]!r} -> {new[field]!r}" for field in old if old[field] != new[field])
        await record_audit(actor=request.user.email, action="commitment_edited", object_type="commitment",
                           object_id=f"{slug}/{key}", detail=changed or "no change", ip_address=client_ip(request))
        return Redirect(path=f"/officer/commitments/{slug}/items/{quote(key)}", status_code=303)

    async def _commitment(self, slug: str, key: str):
        try:
            return (await load_tracker_inputs(slug)).commitment(key)
        except CommitmentNotFound as error:
            raise NotFoundException() from error

    async def _commitment_page(self, request: HTMXRequest, slug: str, key: str, *, values: dict[str, str],
                               errors: dict[str, str], posted: bool = False, status_code: int = 200) -> Template:
        try:
            inputs, commitment, history = await commitment_history(slug, key)
        except CommitmentNotFound as error:
            raise NotFoundException() from error
        status = {s.key: s for s in await statuses_as_of(inputs, today())}.get(key)
        template = "commitments/_update_partial.html" if request.htmx else "commitments/officer_commitment.html"
        return Template(template, status_code=status_code, context={
            "charter": inputs.charter, "commitment": commitment, "status": status, "history": history,
            "values": values, "errors": errors, "posted": posted, **FORM_OPTIONS, **TEMPLATE_HELPERS})

    @get("/items/{key:str}", name="commitments_item")
    async def item(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str], posted: FromQuery[str] = "") -> Template:
        return await self._commitment_page(request, slug, key, values={"effective_on": today().isoformat()},
                                           errors={}, posted=bool(posted))

    @post("/items/{key:str}/updates", name="commitments_post_update")
    async def post_update(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str], data: FormData) -> Template | Redirect:
        await self._commitment(slug, key)
        values = {field: str(data.get(field, "")).strip() for field in UPDATE_FORM_FIELDS}
        try:
            update = await record_update(slug=slug, key=key, values=values, recorded_by=request.user.email,
                                         now=datetime.now(timezone.utc))
        except CommitmentFormError as error:
            return await self._commitment_page(request, slug, key, values=values, errors=error.errors,
                                               status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="commitment_update_posted", object_type="commitment",
                           object_id=f"{slug}/{key}",
                           detail=f"{update.status} effective {update.effective_on.isoformat()}",
                           ip_address=client_ip(request))
        if request.htmx:
            return await self._commitment_page(request, slug, key, values={"effective_on": today().isoformat()},
                                               errors={}, posted=True)
        return Redirect(path=f"/officer/commitments/{slug}/items/{quote(key)}?posted=1", status_code=303)

    @get("/import", name="commitments_import_form")
    async def import_form(self, slug: FromPath[str]) -> Template:
        charter = await _charter_or_404(slug)
        return Template("commitments/import.html", context={"charter": charter, "errors": {}, "row_errors": []})

    @post("/import", name="commitments_import")
    async def import_upload(self, request: Request, slug: FromPath[str], data: UploadData) -> Template | Redirect:
        charter = await _charter_or_404(slug)
        upload = data.get("file") if isinstance(data, dict) else None
        problem, text = "", ""
        if not isinstance(upload, UploadFile) or not upload.filename:
            problem = "Select a CSV file"
        else:
            raw = await upload.read()
            if not raw.strip():
                problem = "The selected file is empty"
            elif len(raw) > MAX_UPLOAD_BYTES:
                problem = "The selected file must be smaller than 2 MB"
            else:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    problem = "The selected file must be a CSV saved as UTF-8"
        row_errors = []
        if not problem:
            try:
                outcome = await import_commitments(slug=slug, text=text, recorded_by=request.user.email,
                                                   now=datetime.now(timezone.utc))
            except CommitmentCsvError as error:
                row_errors = list(error.errors)
                problem = f"The file has {len(row_errors)} problem{'s' if len(row_errors) != 1 else ''}: nothing was imported"
        if problem:
            return Template("commitments/import.html", status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                            context={"charter": charter, "errors": {"file": problem}, "row_errors": row_errors})
        await record_audit(actor=request.user.email, action="commitments_imported", object_type="charter",
                           object_id=slug, detail=f"{len(outcome.commitments)} commitments, {len(outcome.updates)} "
                           f"updates from {upload.filename}", ip_address=client_ip(request))
        return Redirect(path=f"/officer/commitments/{slug}?imported={len(outcome.commitments)}-{len(outcome.updates)}",
                        status_code=303)

    @post("/snapshots", name="commitments_save_report")
    async def save_report(self, request: Request, slug: FromPath[str], data: FormData) -> Template | Redirect:
        errors: dict[str, str] = {}
        day = parse_as_of(str(data.get("as_of", "")), errors)
        if errors:
            raise ClientException(detail="The report date must be a real date, like 2022-07-01")
        try:
            snapshot = await save_snapshot(slug=slug, as_of=day, created_by=request.user.email,
                                           now=datetime.now(timezone.utc))
        except CommitmentNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="commitments_report_saved", object_type="commitment_report",
                           object_id=snapshot.id, detail=f"{slug} as of {day.isoformat()}", ip_address=client_ip(request))
        return Redirect(path=f"/cabinet/commitments/{slug}/saved/{snapshot.id}", status_code=303)
