"""Officers' commitment pages: add and edit commitments, post updates with evidence, import a
CSV file and save the cabinet report. Every action goes to the audit log."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
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
from analysis.commitments.report import KIND_NAMES
from analysis.commitments.store import (
    CommitmentNotFound,
    commitment_history,
    commitment_page,
    create_commitment,
    edit_commitment,
    import_commitments,
    load_tracker_inputs,
    record_update,
    save_snapshot,
    statuses_as_of,
)
from common.clock import council_today
from common.i18n import gettext, lazy_gettext, ngettext
from common.uploads import UploadError
from analysis.commitments.render import status_name
from server.audit import record_audit
from server.controllers.follows.links import follow_links, send_to_followers
from server.services.follows import notify_commitment_updated
from server.controllers.commitments.documents import TEMPLATE_HELPERS, charter_or_404, parse_as_of
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import FormData, UploadData
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from server.web.uploads import read_upload

KIND_OPTIONS = [("", lazy_gettext("Choose a kind")), *((str(kind), KIND_NAMES[kind]) for kind in CommitmentKind)]
EVENT_OPTIONS = [("", lazy_gettext("No event")),
                 (str(DeadlineEvent.NEXT_PANEL_SESSION), lazy_gettext("The next Resident Panel session"))]
REPEAT_OPTIONS = [("", lazy_gettext("Does not repeat")), (str(PeriodKind.CALENDAR_YEAR), lazy_gettext("Every calendar year")),
                  (str(PeriodKind.FINANCIAL_YEAR), lazy_gettext("Every financial year (April to March)"))]
EVIDENCE_OPTIONS = [("", lazy_gettext("Officers' updates only")),
                    (str(EvidenceSource.PANEL_SESSION_HELD), lazy_gettext("A Resident Panel session held in the period")),
                    (str(EvidenceSource.CASE_STUDIES_PUBLISHED_MORE_THAN_PREVIOUS),
                     lazy_gettext("More case studies published than in the period before"))]
DIRECTION_OPTIONS = [("", lazy_gettext("Not a metric")), (str(MetricDirection.REDUCE), lazy_gettext("Reduce")),
                     (str(MetricDirection.INCREASE), lazy_gettext("Increase"))]
STATUS_OPTIONS = [("", lazy_gettext("Choose a status")), (str(UpdateStatus.PROGRESS), lazy_gettext("Progress (not met yet)")),
                  (str(UpdateStatus.MET), lazy_gettext("Met")),
                  (str(UpdateStatus.NOT_MET), lazy_gettext("Not met after all (withdraws a met)"))]
"""Each list's labels are translated when a page shows them; the values (the first of each pair)
are the model's keys and never change."""
DATE_FIELDS = ("made_on", "deadline_date", "first_period_start")
"""The commitment form's dates, typed in three boxes each (GOV.UK's date input)."""
UPDATE_DATE_FIELDS = ("effective_on", "metric_period_start", "metric_period_end")
"""The update form's dates, in three boxes each too."""

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


def _to_commitment(request: Request, slug: str, key: str, query: str = "") -> Redirect:
    """The commitment's page (its key may hold any character, so it is quoted in the path)."""
    return Redirect(path=request.app.route_reverse("commitments_item", slug=slug, key=quote(key)) + query,
                    status_code=303)


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
        statuses = {s.key: s for s in await statuses_as_of(inputs, council_today())}
        return Template("commitments/officer_list.html", context={
            "charter": inputs.charter, "commitments": inputs.commitments, "statuses": statuses,
            "imported": imported, "today": council_today().isoformat(), "errors": {}, **TEMPLATE_HELPERS})

    async def _form(self, slug: str, *, values: dict[str, str], errors: dict[str, str], editing: str = "",
                    status_code: int = 200) -> Template:
        charter = await charter_or_404(slug)
        return Template("commitments/commitment_form.html", status_code=status_code, context={
            "charter": charter, "values": with_date_boxes(values, DATE_FIELDS), "errors": errors, "editing": editing, **FORM_OPTIONS})

    @get("/new", name="commitments_new")
    async def new(self, slug: FromPath[str]) -> Template:
        return await self._form(slug, values={"made_on": council_today().isoformat()}, errors={})

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
        return _to_commitment(request, slug, commitment.key)

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
        return _to_commitment(request, slug, key)

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
        status = {s.key: s for s in await statuses_as_of(inputs, council_today())}.get(key)
        template = "commitments/_update_partial.html" if request.htmx else "commitments/officer_commitment.html"
        return Template(template, status_code=status_code, context={
            "charter": inputs.charter, "commitment": commitment, "status": status, "history": history,
            "values": with_date_boxes(values, UPDATE_DATE_FIELDS), "errors": errors, "posted": posted,
            **FORM_OPTIONS, **TEMPLATE_HELPERS})

    @get("/items/{key:str}", name="commitments_item")
    async def item(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str], posted: FromQuery[str] = "") -> Template:
        return await self._commitment_page(request, slug, key, values={"effective_on": council_today().isoformat()},
                                           errors={}, posted=bool(posted))

    @post("/items/{key:str}/updates", name="commitments_post_update")
    async def post_update(self, request: HTMXRequest, slug: FromPath[str], key: FromPath[str], data: FormData) -> Template | Redirect:
        await self._commitment(slug, key)
        values = {field: str(data.get(field, "")).strip() for field in UPDATE_FORM_FIELDS}
        values.update({name: joined_date(data, name) for name in UPDATE_DATE_FIELDS})
        try:
            update = await record_update(slug=slug, key=key, values=values, recorded_by=request.user.email,
                                         now=datetime.now(timezone.utc))
        except CommitmentFormError as error:
            return await self._commitment_page(request, slug, key, values={**values, **typed_boxes(data, UPDATE_DATE_FIELDS)},
                                               errors=error.errors,
                                               status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="commitment_update_posted", object_type="commitment",
                           object_id=f"{slug}/{key}",
                           detail=f"{update.status} effective {update.effective_on.isoformat()}",
                           ip_address=client_ip(request))
        now_stands = (await commitment_page(slug, key, council_today())).status.status.value
        await send_to_followers(request, await notify_commitment_updated(
            charter_slug=slug, key=key, status_words=lambda: status_name(now_stands), links=follow_links(request)),
            object_type="commitment", object_id=f"{slug}/{key}")
        if request.htmx:
            return await self._commitment_page(request, slug, key, values={"effective_on": council_today().isoformat()},
                                               errors={}, posted=True)
        return _to_commitment(request, slug, key, "?posted=1")

    @get("/import", name="commitments_import_form")
    async def import_form(self, slug: FromPath[str]) -> Template:
        charter = await charter_or_404(slug)
        return Template("commitments/import.html", context={"charter": charter, "errors": {}, "row_errors": []})

    @post("/import", name="commitments_import")
    async def import_upload(self, request: Request, slug: FromPath[str], data: UploadData) -> Template | Redirect:
        charter = await charter_or_404(slug)
        upload = data.get("file") if isinstance(data, dict) else None
        problem, text = "", ""
        try:
            text = await read_upload(upload)
        except UploadError as error:
            problem = str(error)
        else:
            if text is None:
                problem = gettext("Select a CSV file")
            elif not text.strip():
                problem = gettext("The selected file is empty")
        row_errors = []
        if not problem:
            try:
                outcome = await import_commitments(slug=slug, text=text, recorded_by=request.user.email,
                                                   now=datetime.now(timezone.utc))
            except CommitmentCsvError as error:
                row_errors = list(error.errors)
                problem = ngettext("The file has %(num)d problem: nothing was imported",
                                   "The file has %(num)d problems: nothing was imported", len(row_errors))
        if problem:
            return Template("commitments/import.html", status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                            context={"charter": charter, "errors": {"file": problem}, "row_errors": row_errors})
        await record_audit(actor=request.user.email, action="commitments_imported", object_type="charter",
                           object_id=slug, detail=f"{len(outcome.commitments)} commitments, {len(outcome.updates)} "
                           f"updates from {upload.filename}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("commitments_officer", slug=slug)
                        + f"?imported={len(outcome.commitments)}-{len(outcome.updates)}", status_code=303)

    @post("/snapshots", name="commitments_save_report")
    async def save_report(self, request: Request, slug: FromPath[str], data: FormData) -> Template | Redirect:
        errors: dict[str, str] = {}
        day = parse_as_of(str(data.get("as_of", "")), errors)
        if errors:
            raise ClientException(detail=gettext("The report date must be a real date, like 2022-07-01"))
        try:
            snapshot = await save_snapshot(slug=slug, as_of=day, created_by=request.user.email,
                                           now=datetime.now(timezone.utc))
        except CommitmentNotFound as error:
            raise NotFoundException() from error
        await record_audit(actor=request.user.email, action="commitments_report_saved", object_type="commitment_report",
                           object_id=snapshot.id, detail=f"{slug} as of {day.isoformat()}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("commitments_saved", slug=slug, snapshot_id=snapshot.id),
                        status_code=303)
