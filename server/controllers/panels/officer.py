"""Officers run a Resident Panel: create it, set census quotas, watch the pool, select, draw,
invite, replace, and run the sessions. Every view of a volunteer's record, every export and
every selection is written to the audit log."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timezone
from typing import Any

import anyio
from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from common.text import whole_number
from panels import lifecycle
from panels import membership
from panels.apologies import apologies_of
from panels.invitations import CHANNEL_LABELS
from panels import runs as run_store
from panels import store
from panels.census import (
    CENSUS_DIR, DIMENSION_LABELS, QUOTA_DIMENSIONS, CensusFormatError, census_label, load_shipped_census, parse_census,
    shipped_census_files,
)
from panels.charts import probability_chart, quota_chart
from panels.address_file import file_fingerprint
from panels.import_batches import (LAWFUL_BASES, basis_label, check_import_terms, count_imported, create_import_batch,
                                   get_import_batch)
from panels.letters import response_by_ward
from panels.recruitment_balance import response_by_group
from panels.panel_form import SESSION_ROWS, check_panel_form
from panels.panel_tasks import load_task_facts, task_states
from panels.plain_words import dimension_label, group_label
from panels.pool_csv import PoolImportError, parse_pool_csv, pool_csv
from panels.quotas import QuotaError, QuotaRow, compute_quotas, quota_problems
from panels.run_rules import run_refusal
from panels import run_alternates
from panels.run_alternates import default_alternates, learnt_rates, replacement_alternates
from panels.selection.alternates import MOST_ALTERNATES, target_limit
from panels.service_records import SERVICE_RECORD_YEARS
from panels.tables import Panel
from server.audit import record_audit
from server.controllers.panels import recent_service_form, robust_form
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, UploadData, last_value, last_values
from server.web.guards import OFFICER, roles
from server.web.pagination import pager
from server.web.request_info import client_ip
from server.web.responses import download
from server.web.uploads import read_upload



PANEL_DATE_FIELDS = ("deadline", *(f"session_{number}_date" for number in range(1, SESSION_ROWS + 1)))
"""The panel form's dates, typed in three boxes each (GOV.UK's date input)."""


def data_png(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


async def choose_alternates_and_audit(run_id: int, count: int | None, *, actor: str, ip_address: str) -> None:
    """The background task after a draw, or after asking again: choose the alternates, then write
    how it ended to the audit log (the request that asked has long answered)."""
    outcome = await run_alternates.choose_alternates(run_id=run_id, count=count)
    if outcome.status != "skipped":
        await record_audit(actor=actor, action=f"alternates_{outcome.status}", object_type="selection_run",
                           object_id=run_id, detail=outcome.summary(), ip_address=ip_address)


def alternates_error(typed: str) -> str:
    """Why a typed number of alternates is not one (empty: for the target), or ""."""
    if typed and (not typed.isdecimal() or len(typed) > 6 or int(typed) > MOST_ALTERNATES):  # "²" is a digit int() refuses
        return gettext("Enter a whole number of alternates from 0 to %(most)s, or leave it empty", most=MOST_ALTERNATES)
    return ""


async def _panel_or_404(panel_id: int) -> Panel:
    panel = await store.get_panel(panel_id)
    if panel is None:
        raise NotFoundException()
    return panel


def _run_defaults() -> dict[str, str]:
    """The selection form's values before the officer types anything."""
    return {**recent_service_form.default_values(), robust_form.FIELD: robust_form.default_value()}


class PanelOfficerController(Controller):
    path = "/officer/panels"
    opt = roles(OFFICER)

    @get("/", name="panels_list")
    async def index(self) -> Template:
        now = datetime.now(timezone.utc)
        panels = [(row, lifecycle.stage(await lifecycle.panel_facts(row), now=now)) for row in await store.panel_rows()]
        return Template("panels/officer/list.html", context={
            "panels": [entry for entry in panels if entry[1] != "archived"],
            "archived": [entry for entry in panels if entry[1] == "archived"],
            "stage_labels": lifecycle.STAGE_LABELS, "stage_colours": lifecycle.STAGE_COLOURS})

    @get("/new", name="panels_new")
    async def new(self, request: Request) -> Template:
        months = request.app.state.settings.personal_data_retention_months  # the default period, in days
        values = {"year": str(date.today().year), "panel_size": "30", "voucher": "30",
                  "retention_days": str(round(months * 365 / 12)),
                  "household_rule": "yes", "prefer_not_to_say": "yes"}
        return Template("panels/officer/new.html", context={
            "values": with_date_boxes(values, PANEL_DATE_FIELDS), "errors": {}, "session_rows": SESSION_ROWS})

    @post("/new", name="panels_create")
    async def create(self, request: Request, data: RepeatableFormData) -> Template | Redirect:
        values = {key: str(value) for key, value in data.items() if key != "_csrf_token"}
        values.update({name: joined_date(values, name) for name in PANEL_DATE_FIELDS})
        panel_input, errors = check_panel_form(values)
        if errors:
            shown = with_date_boxes({**values, **typed_boxes(data, PANEL_DATE_FIELDS)}, PANEL_DATE_FIELDS)
            return Template("panels/officer/new.html", status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                            context={"values": shown, "errors": errors, "session_rows": SESSION_ROWS})
        panel = await store.create_panel(**{field: getattr(panel_input, field) for field in (
            "name", "year", "panel_size", "registration_deadline", "voucher_pence", "household_rule", "retention_days",
            "description", "postcode_prefixes", "prefer_not_to_say", "sessions")})
        await record_audit(actor=request.user.email, action="panel_created", object_type="panel", object_id=panel.id,
                           detail=panel.name, ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        return Redirect(path=request.app.route_reverse("panels_quotas", panel_id=panel.id), status_code=303)

    @get("/{panel_id:int}", name="panels_show")
    async def show(self, panel_id: FromPath[int]) -> Template:
        panel = await _panel_or_404(panel_id)
        volunteers = await store.list_volunteers(panel_id)
        counts: dict[str, int] = {}
        for volunteer in volunteers:
            counts[volunteer.status] = counts.get(volunteer.status, 0) + 1
        now = datetime.now(timezone.utc)
        facts = await lifecycle.panel_facts(panel)
        return Template("panels/officer/show.html", context={
            "panel": panel, "sessions": await store.list_sessions(panel_id), "counts": counts, "pool_size": len(volunteers),
            "quotas": await store.load_quotas(panel_id), "runs": await run_store.list_runs(panel_id),
            "responses": await response_by_ward(panel_id), "groups": await response_by_group(panel_id), "facts": facts,
            "stage": lifecycle.stage(facts, now=now), "stage_labels": lifecycle.STAGE_LABELS,
            "stage_colours": lifecycle.STAGE_COLOURS, "registration_open": facts.is_open(now),
            "tasks": task_states(await load_task_facts(panel, facts), now=now), "now": now})

    # --- census and quotas ---------------------------------------------------------------------

    async def _quota_page(self, panel: Panel, *, values: dict, errors: dict, status_code: int = 200) -> Template:
        quotas = await store.load_quotas(panel.id)
        rows = [vars_of(row) for row in quotas]
        chart = data_png(await anyio.to_thread.run_sync(lambda: quota_chart(rows, k=panel.panel_size))) if rows else ""
        return Template("panels/officer/quotas.html", status_code=status_code, context={
            "panel": panel, "quotas": quotas, "chart": chart, "values": values, "errors": errors,
            "census_files": [(name, census_label(name)) for name in shipped_census_files()],
            "dimensions": [(name, DIMENSION_LABELS[name]) for name in QUOTA_DIMENSIONS]})

    @get("/{panel_id:int}/quotas", name="panels_quotas")
    async def quotas(self, panel_id: FromPath[int]) -> Template:
        panel = await _panel_or_404(panel_id)
        chosen = sorted({row.dimension for row in await store.load_quotas(panel_id)})
        values = {"census_file": panel.census_file if not panel.census_file.startswith("upload:") else "",
                  "tolerance": f"{round(panel.tolerance * 100)}", "tenure_prefix": panel.tenure_prefix,
                  "dimensions": chosen or ["sex", "age_band", "ethnicity", "disability", "tenure"]}
        return await self._quota_page(panel, values=values, errors={})

    @post("/{panel_id:int}/quotas", name="panels_quotas_compute")
    async def compute(self, request: Request, panel_id: FromPath[int], data: UploadData) -> Template | Redirect:
        panel = await _panel_or_404(panel_id)
        dimensions = data.get("dimensions") or []
        dimensions = [dimensions] if isinstance(dimensions, str) else [str(d) for d in dimensions]
        values = {"census_file": last_value(data, "census_file", ""), "tolerance": last_value(data, "tolerance", "").strip(),
                  "tenure_prefix": last_value(data, "tenure_prefix", "households"), "dimensions": dimensions}
        errors: dict[str, str] = {}
        census = None
        census_text = ""
        try:
            census_text = await read_upload(data.get("census_upload")) or ""
        except ValueError as error:
            errors["census_upload"] = str(error)
        try:
            if census_text:
                census = parse_census(census_text, name=gettext("uploaded census"))
                source = "upload:" + str(getattr(data.get("census_upload"), "filename", "census.csv"))[:100]
            elif values["census_file"] in shipped_census_files():
                census = load_shipped_census(values["census_file"])
                source = values["census_file"]
                census_text = ""
            elif "census_upload" not in errors:
                errors["census_file"] = gettext("Choose a census file or upload one")
        except CensusFormatError as error:
            errors["census_upload"] = gettext("The census file has a problem: %(problem)s", problem=error)
        try:
            tolerance = int(values["tolerance"]) / 100
            if not 0 <= tolerance <= 1:
                raise ValueError
        except ValueError:
            errors["tolerance"] = gettext("Enter the tolerance as a whole number of per cent from 0 to 100")
            tolerance = 0.2
        if not dimensions:
            errors["dimensions"] = gettext("Choose at least one dimension")
        elif census is not None:
            missing = [d for d in dimensions if d not in census.dimensions]
            if missing:
                errors["dimensions"] = gettext("%(census)s has no counts for: %(dimensions)s", census=census.name,
                                                dimensions=", ".join(dimension_label(d) for d in missing))
        if values["tenure_prefix"] not in ("households", "persons"):
            errors["tenure_prefix"] = gettext("Choose households or persons for tenure")
        rows: list[QuotaRow] = []
        if not errors and census is not None:
            try:
                rows = compute_quotas(census, [d for d in QUOTA_DIMENSIONS if d in dimensions], k=panel.panel_size,
                                      tolerance=tolerance, tenure_prefix=values["tenure_prefix"],
                                      prefer_not_to_say=panel.prefer_not_to_say)
            except (CensusFormatError, QuotaError) as error:
                errors["dimensions"] = str(error)
        if errors:
            return await self._quota_page(panel, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        if census_text == "" and source in shipped_census_files():
            census_text = (CENSUS_DIR / source).read_text(encoding="utf-8")
        await store.save_quotas(panel_id=panel.id, rows=rows, census_file=source, census_csv=census_text,
                                tolerance=tolerance, tenure_prefix=values["tenure_prefix"])
        await record_audit(actor=request.user.email, action="quotas_computed", object_type="panel", object_id=panel.id,
                           detail=f"{source}; {', '.join(dimensions)}; tolerance {round(tolerance * 100)}%",
                           ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        return Redirect(path=request.app.route_reverse("panels_quotas", panel_id=panel.id), status_code=303)

    @post("/{panel_id:int}/quotas/edit", name="panels_quotas_edit")
    async def edit(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await _panel_or_404(panel_id)
        quotas = await store.load_quotas(panel_id)
        errors: dict[str, str] = {}
        edited: list[QuotaRow] = []
        for index, row in enumerate(quotas):
            raw_min, raw_max = last_value(data, f"min_{index}", row.quota_min).strip(), last_value(data, f"max_{index}", row.quota_max).strip()
            low, high = whole_number(raw_min), whole_number(raw_max)
            if low is None or high is None:
                errors[f"min_{index}"] = gettext("%(group)s: enter whole numbers for minimum and maximum",
                                                  group=group_label(row.dimension, row.category))
                edited.append(row)
                continue
            edited.append(QuotaRow(row.dimension, row.category, row.census_share, row.target, low, high))
        if not errors:
            problems = quota_problems(edited, k=panel.panel_size)
            for key, message in problems.items():
                index = next((i for i, row in enumerate(edited) if key in (row.dimension, f"{row.dimension}:{row.category}")), 0)
                errors.setdefault(f"min_{index}", message)
        if errors:
            page = await self._quota_page(panel, values={"dimensions": []}, errors=errors,
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            page.context["quotas"] = edited
            return page
        await store.save_quotas(panel_id=panel.id, rows=edited, census_file=panel.census_file,
                                census_csv=panel.census_csv, tolerance=panel.tolerance, tenure_prefix=panel.tenure_prefix)
        await record_audit(actor=request.user.email, action="quotas_edited", object_type="panel", object_id=panel.id,
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_quotas", panel_id=panel.id) + "?saved=1", status_code=303)

    # --- pool ------------------------------------------------------------------------------------

    async def _pool_page(self, request: Request, panel: Panel, *, errors: dict, status_code: int = 200,
                         report: store.ImportReport | None = None, run_values: dict | None = None,
                         run_errors: dict | None = None) -> Template:
        """The pool against the quotas, and one page of the volunteers (filtered by status and
        reference from the query string)."""
        query = request.query_params
        status = str(query.get("status", "")).strip()
        status = status if status in membership.STATUS_LABELS and status != "erased" else ""
        reference = str(query.get("reference", "")).strip()[:20]
        summary = await store.pool_summary(panel.id)
        registered = await store.count_volunteers(panel.id)
        shown = await store.count_volunteers(panel.id, status=status, reference=reference) if status or reference else registered
        pages = pager(raw_page=query.get("page"), total=shown, query={"status": status, "reference": reference},
                      base_url=request.app.route_reverse("panels_pool", panel_id=panel.id), keep=("status", "reference"))
        volunteers = await store.volunteers_page(panel.id, offset=pages.offset, limit=pages.per_page, status=status,
                                                 reference=reference)
        answer = await run_store.feasibility_answer(panel)
        chart = ""
        if summary:
            chart = data_png(await anyio.to_thread.run_sync(
                lambda: quota_chart(summary, k=panel.panel_size, pool_total=registered)))
        return Template("panels/officer/pool.html", status_code=status_code, context={
            "panel": panel, "summary": summary, "volunteers": volunteers, "registered": registered, "pager": pages,
            "filters": {"status": status, "reference": reference}, "status_labels": membership.STATUS_LABELS,
            "chart": chart, "errors": {**errors, **(run_errors or {})}, "report": report, "lawful_bases": LAWFUL_BASES,
            "import_values": {}, "run_values": run_values or _run_defaults(),
            "run_errors": run_errors or {}, "service_record_years": SERVICE_RECORD_YEARS, **vars(answer)})

    @get("/{panel_id:int}/pool", name="panels_pool")
    async def pool(self, request: Request, panel_id: FromPath[int]) -> Template:
        return await self._pool_page(request, await _panel_or_404(panel_id), errors={})

    @get("/{panel_id:int}/pool/feasibility", name="panels_pool_feasibility")
    async def pool_feasibility(self, request: HTMXRequest, panel_id: FromPath[int]) -> Template:
        """The "can these quotas be met?" fragment for htmx; without htmx, a page holding the same fragment."""
        panel = await _panel_or_404(panel_id)
        context = {"panel": panel, "run_values": _run_defaults(),
                   "service_record_years": SERVICE_RECORD_YEARS, **vars(await run_store.feasibility_answer(panel))}
        if request.htmx:
            return Template("panels/officer/_feasibility_partial.html", context=context)
        return Template("panels/officer/feasibility.html", context=context)

    @get("/{panel_id:int}/pool.csv", name="panels_pool_csv")
    async def pool_export(self, request: Request, panel_id: FromPath[int]) -> Response:
        panel = await _panel_or_404(panel_id)
        volunteers = await store.list_volunteers(panel_id)
        dimensions = list(dict.fromkeys(row.dimension for row in await store.load_quotas(panel_id)))
        await record_audit(actor=request.user.email, action="pool_exported", object_type="panel", object_id=panel.id,
                           detail=f"{len(volunteers)} volunteers", ip_address=client_ip(request))
        return download(pool_csv(volunteers, dimensions=dimensions), media_type="text/csv; charset=utf-8",
                        filename=f"{panel.slug}-pool.csv")

    @post("/{panel_id:int}/pool/import", name="panels_pool_import")
    async def pool_import(self, request: Request, panel_id: FromPath[int], data: UploadData) -> Template:
        panel = await _panel_or_404(panel_id)
        quotas = await store.load_quotas(panel_id)
        values = last_values(data, ("lawful_basis", "notice_text"))
        terms, errors = check_import_terms(values)
        try:
            text = await read_upload(data.get("respondents"))
            if not text:
                raise ValueError(gettext("Choose a CSV file of respondents"))
            if not quotas:
                raise ValueError(gettext("Set the quotas before importing respondents"))
            rows = parse_pool_csv(text, questions=store.questions_for(quotas), today=date.today())
        except (ValueError, PoolImportError) as error:
            errors = {"respondents": str(error), **errors}
        if errors:
            page = await self._pool_page(request, panel, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            page.context["import_values"] = values
            return page
        batch = await create_import_batch(panel_id=panel.id, terms=terms, created_by=request.user.email,
                                          file_name=str(getattr(data.get("respondents"), "filename", "") or ""),
                                          file_fingerprint=file_fingerprint(text.encode("utf-8")))
        report = await store.import_volunteers(panel=panel, rows=rows, quotas=quotas, import_batch_id=batch.id)
        await count_imported(batch.id, report.imported)
        await record_audit(actor=request.user.email, action="pool_imported", object_type="panel", object_id=panel.id,
                           detail=f"{report.imported} respondents; {len(report.duplicates)} already registered; "
                                  f"{len(report.flagged)} flagged; batch {batch.id}; basis {terms.lawful_basis}",
                           ip_address=client_ip(request))
        return await self._pool_page(request, panel, errors={}, report=report)

    @get("/{panel_id:int}/volunteers/{volunteer_id:int}", name="panels_volunteer")
    async def volunteer(self, request: Request, panel_id: FromPath[int], volunteer_id: FromPath[int]) -> Template:
        panel = await _panel_or_404(panel_id)
        volunteer = await store.get_volunteer(panel_id, volunteer_id)
        if volunteer is None:
            raise NotFoundException()
        await record_audit(actor=request.user.email, action="volunteer_viewed", object_type="volunteer",
                           object_id=volunteer.reference, ip_address=client_ip(request))
        batch = await get_import_batch(volunteer.import_batch)
        sorry = await apologies_of(volunteer.id)
        return Template("panels/officer/volunteer.html", context={
            "panel": panel, "volunteer": volunteer, "answers": json.loads(volunteer.answers or "{}"),
            "labels": DIMENSION_LABELS, "batch": batch, "basis": basis_label(batch.lawful_basis) if batch else "",
            "status_labels": membership.STATUS_LABELS, "channel_labels": CHANNEL_LABELS,
            "apologies": [session for session in await store.list_sessions(panel.id) if session.id in sorry]})

    # --- selection -------------------------------------------------------------------------------

    @post("/{panel_id:int}/runs", name="panels_run_start")
    async def start_run(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Redirect | Template:
        panel = await _panel_or_404(panel_id)
        kind = "replacement" if last_value(data, "kind", "") == "replacement" else "selection"
        floor = run_store.DEFAULT_ROBUST_FLOOR
        if kind == "replacement":  # refills keep the objective the panel was drawn with (a robust one: LEXIMIN)
            drawn = await run_store.latest_drawn_run(panel.id)
            objective = run_store.refill_objective(drawn.algorithm if drawn is not None else None)
            choice = None  # refills apply the rule for recent panel members the panel was drawn with
        else:
            objective = last_value(data, "objective", "leximin")
            objective = objective if objective in run_store.RUN_OBJECTIVES else "leximin"
            choice, typed, run_errors = recent_service_form.parse_recent_service(data, objective=objective)
            typed_floor = last_value(data, robust_form.FIELD, "").strip()
            if objective == run_store.ROBUST:
                parsed, typed_floor, floor_errors = robust_form.parse_robust_floor(data)
                run_errors = {**run_errors, **floor_errors}
                floor = parsed if parsed is not None else floor
            if run_errors:
                return await self._pool_page(request, panel, errors={}, status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                                             run_values={**typed, "objective": objective, robust_form.FIELD: typed_floor},
                                             run_errors=run_errors)
        refusal = await run_refusal(panel, kind=kind)
        if refusal:  # e.g. computing again after the draw: nothing would be left to draw
            return await self._pool_page(request, panel, errors={"run": refusal}, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        run, pool = await run_store.start_run(
            panel=panel, started_by=request.user.email, kind=kind, objective=objective,
            secret_key=request.app.state.settings.secret_key, recent_rule=choice.rule if choice else None,
            recent_years=choice.years if choice else 0, robust_floor=floor)
        floor_note = f" (floor {floor:.2f})" if objective == run_store.ROBUST else ""
        await record_audit(actor=request.user.email, action=f"{kind}_started", object_type="selection_run",
                           object_id=run.id, detail=f"panel {panel.id}; {objective}{floor_note}; pool {len(pool.problem.volunteers)}; "
                           f"fixed {len(pool.confirmed)}; recent panel members {run_store.recent_rule_summary(run)}; "
                           f"inputs {run.inputs_hash[:12]}", ip_address=client_ip(request))
        alternates = await replacement_alternates(panel.id) if kind == "replacement" else ()
        return Redirect(path=request.app.route_reverse("panels_run", panel_id=panel.id, run_id=run.id), status_code=303,
                        background=BackgroundTask(run_store.execute_run, run.id, pool, kind=kind, alternates=alternates,
                                                  objective=objective))

    @get("/{panel_id:int}/runs/{run_id:int}", name="panels_run")
    async def run_page(self, request: HTMXRequest, panel_id: FromPath[int], run_id: FromPath[int]) -> Template:
        panel = await _panel_or_404(panel_id)
        run = await run_store.get_run(panel_id, run_id)
        if run is None:
            raise NotFoundException()
        if request.htmx:
            response = Template("panels/officer/_run_status.html", context={"panel": panel, "run": run})
            if run.status != "running":
                response.headers["HX-Refresh"] = "true"
            return response
        context: dict[str, Any] = {"panel": panel, "run": run, "errors": {}, "values": {}}
        context.update(await self._result_context(run))
        context["values"] = {"alternates": ""}
        return Template("panels/officer/run.html", context=context)

    @staticmethod
    def _default_alternates(run) -> str:
        if run.kind != "selection" or not run.result_json:
            return "0"
        record = json.loads(run.result_json)
        return str(default_alternates(record["k"] - len(record.get("fixed_ids", []))))

    async def _result_context(self, run) -> dict[str, Any]:
        if not run.result_json:
            return {}
        record = json.loads(run.result_json)
        probabilities = sorted(record["probabilities"].items(), key=lambda item: (item[1], item[0]))
        fixed = set(record.get("fixed_ids", []))
        values = [p for ref, p in probabilities if ref not in fixed]
        chart = data_png(await anyio.to_thread.run_sync(lambda: probability_chart(values, k=record["k"] - len(fixed))))
        drawn = json.loads(run.drawn_json) if run.drawn_json else []
        rates = await learnt_rates(run.panel, run_store.engine_quotas(await store.load_quotas(run.panel)))
        plan = json.loads(run.alternates_json) if run.alternates_json else None
        final = plan["final_chances"]["final"] if plan else {}
        return {"record": record, "probabilities": probabilities, "chart": chart, "drawn": drawn, "fixed": fixed,
                "dropout_rates": rates, "plan": plan, "final": final, "max_alternates": target_limit(int(record["k"])),
                "alternates_state": run_alternates.alternates_state(run),
                "replaced_since": run.kind == "selection" and run.status == "drawn"
                and await run_alternates.replaced_since(run),
                "replaced_since_message": run_alternates.replaced_since_message(),
                "inputs": json.loads(run.inputs_json or "{}")}

    @post("/{panel_id:int}/runs/{run_id:int}/draw", name="panels_run_draw")
    async def draw(self, request: Request, panel_id: FromPath[int], run_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await _panel_or_404(panel_id)
        run = await run_store.get_run(panel_id, run_id)
        if run is None:
            raise NotFoundException()
        seed = last_value(data, "seed", "")
        typed = last_value(data, "alternates", "").strip() if "alternates" in data else self._default_alternates(run)
        error = alternates_error(typed)
        errors = {"alternates": error} if error else {}
        if not errors:
            try:
                drawn = await run_store.draw_run(panel=panel, run=run, seed=seed, drawn_by=request.user.email,
                                                 alternates=int(typed) if typed else None)
            except run_store.DrawError as error:
                errors["seed"] = str(error)
        if errors:
            context: dict[str, Any] = {"panel": panel, "run": run, "values": {"seed": seed, "alternates": typed},
                                       "errors": errors}
            context.update(await self._result_context(run))
            return Template("panels/officer/run.html", context=context, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="selection_drawn", object_type="selection_run",
                           object_id=run.id,
                           detail=f"seed {seed.strip()!r}; {len(drawn.members)} drawn; "
                                  f"alternates {typed or 'for the 99% target'}"
                                  f"{', chosen in the background' if drawn.choosing_alternates else ''}",
                           ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        # Nothing is sent yet: the officer reviews the invitations first. The alternates are chosen
        # after this answer, in the background: the run page shows when they are ready.
        background = BackgroundTask(choose_alternates_and_audit, run.id, int(typed) if typed else None,
                                    actor=request.user.email, ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_invitations", panel_id=panel.id), status_code=303,
                        background=background if drawn.choosing_alternates else None)

    @get("/{panel_id:int}/runs/{run_id:int}/alternates", name="panels_run_alternates_status")
    async def alternates_status(self, request: HTMXRequest, panel_id: FromPath[int], run_id: FromPath[int]) -> Template | Redirect:
        """The "alternates are being chosen" fragment for htmx's polling, with HX-Refresh once the
        choice has ended (the whole page then shows the alternates, or why they could not be
        chosen); without htmx, the run page."""
        panel = await _panel_or_404(panel_id)
        run = await run_store.get_run(panel_id, run_id)
        if run is None:
            raise NotFoundException()
        if not request.htmx:
            return Redirect(path=request.app.route_reverse("panels_run", panel_id=panel.id, run_id=run.id),
                            status_code=303)
        state = run_alternates.alternates_state(run)
        response = Template("panels/officer/_alternates_status.html",
                            context={"panel": panel, "run": run, "alternates_state": state})
        if state != "choosing":
            response.headers["HX-Refresh"] = "true"
        return response

    @post("/{panel_id:int}/runs/{run_id:int}/alternates", name="panels_run_alternates")
    async def choose_alternates(self, request: Request, panel_id: FromPath[int], run_id: FromPath[int],
                                data: RepeatableFormData) -> Template | Redirect:
        """Choose the alternates of a drawn selection run that has none (drawn with 0) or whose
        choice failed: in the background, as at the draw."""
        panel = await _panel_or_404(panel_id)
        run = await run_store.get_run(panel_id, run_id)
        if run is None:
            raise NotFoundException()
        typed = last_value(data, "alternates", "").strip()
        error = alternates_error(typed)
        count = int(typed) if typed and not error else None
        choosing = False
        if not error:
            try:
                choosing = await run_alternates.request_alternates(run=run, count=count)
            except run_alternates.AlternatesRequestError as refused:
                error = str(refused)
        if error:
            context: dict[str, Any] = {"panel": panel, "run": run, "values": {"alternates": typed},
                                       "errors": {"alternates": error}}
            context.update(await self._result_context(run))
            return Template("panels/officer/run.html", context=context, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="alternates_requested", object_type="selection_run",
                           object_id=run.id, detail=f"alternates {typed or 'for the 99% target'}",
                           ip_address=client_ip(request))
        background = BackgroundTask(choose_alternates_and_audit, run.id, count, actor=request.user.email,
                                    ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_run", panel_id=panel.id, run_id=run.id), status_code=303,
                        background=background if choosing else None)


def vars_of(row: QuotaRow) -> dict[str, Any]:
    return {"dimension": row.dimension, "category": row.category, "census_share": row.census_share,
            "target": row.target, "quota_min": row.quota_min, "quota_max": row.quota_max}
