"""Quotas from a file, the one-click relaxation of infeasible quotas, and the announcement of a
lottery's fingerprint with the seed's future public source: the officer's selection steps beside
``officer.py``'s census quotas, pool and draw, whose pages they render again with their errors
(through ``PanelOfficerController``'s page builders, which use nothing of the controller itself).
Every change is audited."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from panels import runs as run_store
from panels import store
from panels.quota_files import QuotaFileError, quotas_from_file
from panels.quotas import relaxation_key, relaxed_quotas
from panels.run_rules import AnnouncementError, announce_run
from server.audit import record_audit
from server.controllers.panels.officer import PanelOfficerController, _panel_or_404
from server.web.forms import RepeatableFormData, UploadData, last_values
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from server.web.uploads import read_upload_bytes


class SelectionOfficerController(Controller):
    path = "/officer/panels/{panel_id:int}"
    opt = roles(OFFICER)

    @post("/quotas/file", name="panels_quotas_file")
    async def upload(self, request: Request, panel_id: FromPath[int], data: UploadData) -> Template | Redirect:
        """Quotas from a stratification-app or opendlp file, replacing the panel's; every bad row named."""
        panel = await _panel_or_404(panel_id)
        problems: list[str] = []
        upload = await read_upload_bytes(data.get("quota_file"))
        if upload is None:
            message = gettext("Choose a quota file (CSV)")
        else:
            raw, name = upload
            try:
                rows = quotas_from_file(raw, k=panel.panel_size, file=name[:100])
                message = ""
            except QuotaFileError as error:
                problems = [str(problem) for problem in error.problems]
                message = (gettext("The quota file has %(count)d problems; no quotas were changed. Correct them and "
                                   "upload it again", count=len(problems)) if len(problems) > 1 else problems[0])
            except ValueError as error:  # not text
                message = str(error)
        if message:
            page = await PanelOfficerController._quota_page(self, panel, values={"dimensions": []},
                                                            errors={"quota_file": message},
                                                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            page.context["quota_file_problems"] = problems if len(problems) > 1 else []
            return page
        await store.save_quotas(panel_id=panel.id, rows=rows, census_file="file:" + name[:100], census_csv="",
                                tolerance=panel.tolerance, tenure_prefix=panel.tenure_prefix)
        await record_audit(actor=request.user.email, action="quotas_uploaded", object_type="panel", object_id=panel.id,
                           detail=f"{name[:100]}; {len(rows)} groups in "
                                  f"{len(dict.fromkeys(row.dimension for row in rows))} categories",
                           ip_address=client_ip(request))
        request.app.state.recruiting.forget()
        return Redirect(path=request.app.route_reverse("panels_quotas", panel_id=panel.id) + "?saved=1",
                        status_code=303)

    @post("/quotas/relax", name="panels_quotas_relax")
    async def relax(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        """Apply the smallest relaxation the pool page proposed, if it is still the one proposed."""
        panel = await _panel_or_404(panel_id)
        answer = await run_store.feasibility_answer(panel)
        proposal = last_values(data, ("proposal",))["proposal"]
        relaxations = answer.infeasibility.relaxations if answer.infeasibility else ()
        if not relaxations or relaxation_key(relaxations) != proposal:
            page = await PanelOfficerController._pool_page(self, request, panel, status_code=HTTP_422_UNPROCESSABLE_ENTITY, errors={
                "relax": gettext("The pool or the quotas have changed since that change was proposed, so it was not "
                                 "applied. Look at the answer below again.")})
            return page
        rows = relaxed_quotas(await store.load_quotas(panel.id), relaxations)
        await store.save_quotas(panel_id=panel.id, rows=rows, census_file=panel.census_file, census_csv=panel.census_csv,
                                tolerance=panel.tolerance, tenure_prefix=panel.tenure_prefix)
        await record_audit(actor=request.user.email, action="quotas_relaxed", object_type="panel", object_id=panel.id,
                           detail="; ".join(f"{r.category}={r.name}: {r.quota_min}-{r.quota_max} to "
                                            f"{r.relaxed_min}-{r.relaxed_max}" for r in relaxations),
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_pool", panel_id=panel.id) + "?relaxed=1",
                        status_code=303)

    @post("/runs/{run_id:int}/announce", name="panels_run_announce")
    async def announce(self, request: Request, panel_id: FromPath[int], run_id: FromPath[int],
                       data: RepeatableFormData) -> Template | Redirect:
        """Publish the lottery's fingerprint and where the seed will come from, before the draw."""
        panel = await _panel_or_404(panel_id)
        run = await run_store.get_run(panel_id, run_id)
        if run is None:
            raise NotFoundException()
        source = last_values(data, ("seed_source",))["seed_source"]
        try:
            await announce_run(run_id=run.id, seed_source=source, announced_by=request.user.email)
        except AnnouncementError as error:
            context = {"panel": panel, "run": run, "errors": {"seed_source": str(error)},
                       "values": {"seed_source": source, "alternates": PanelOfficerController._default_alternates(run)}}
            context.update(await PanelOfficerController._result_context(self, run))
            return Template("panels/officer/run.html", context=context, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="lottery_announced", object_type="selection_run",
                           object_id=run.id, detail=f"fingerprint {run.lottery_digest}; seed from {' '.join(source.split())!r}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_run", panel_id=panel.id, run_id=run.id) + "?announced=1",
                        status_code=303)
