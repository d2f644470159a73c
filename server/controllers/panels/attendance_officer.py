"""The members page: who was invited and how they replied, their apologies and access needs,
attendance at the sessions that have started, and thank-you vouchers (one per session attended)
with the finance export. Every save is audited and says what it did in a banner."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from common.clock import council_today
from common.text import whole_number
from panels import attendance as attendance_store
from panels import invitations, membership, service_records, store
from panels.run_alternates import choosing_alternates
from panels.runs import latest_drawn_run
from panels.apologies import apologies_for_panel
from server.audit import record_audit
from server.controllers.panels.recommendations_officer import panel_or_404
from server.web.forms import RepeatableFormData, last_value
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip
from server.web.responses import download

REFERENCE = re.compile(r"RP-[A-Z0-9]{6}")
VOUCHER_REFERENCE = re.compile(r"TV-[A-Z0-9]{6}|#\d{1,9}")
ID_LIST = re.compile(r"\d{1,9}(,\d{1,9}){0,50}")


def _query_number(request: Request, name: str) -> int | None:
    number = whole_number(request.query_params.get(name, ""))
    return number if number is not None and number < 10**6 else None


def _query_text(request: Request, name: str, pattern: re.Pattern) -> str:
    value = request.query_params.get(name, "")
    return value if value and pattern.fullmatch(value) else ""


class PanelAttendanceController(Controller):
    path = "/officer/panels/{panel_id:int}"
    opt = roles(OFFICER)

    @get("/members", name="panels_members")
    async def members(self, request: Request, panel_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        members = await store.list_volunteers(panel_id, statuses=membership.MEMBER_LIST_STATUSES)
        quotas = await store.load_quotas(panel_id)
        sessions = await store.list_sessions(panel_id)
        now = datetime.now(timezone.utc)
        banner = {
            "withdrawn": _query_text(request, "withdrawn", REFERENCE),
            "replied": _query_text(request, "replied", REFERENCE),
            "sent": _query_number(request, "sent"),
            "saved": _query_number(request, "saved"),
            "not_started": [session.title for session in sessions
                            if str(session.id) in _query_text(request, "not_started", ID_LIST).split(",")],
            "issued": _query_number(request, "issued"),
            "already": _query_number(request, "already"),
            "collected": _query_text(request, "collected", VOUCHER_REFERENCE),
            "voucher_error": request.query_params.get("voucher_error", "") == "no_amount",
        }
        return Template("panels/officer/members.html", context={
            "panel": panel, "members": members, "sessions": sessions, "banner": banner,
            "started": {session.id for session in sessions if attendance_store.session_started(session, now=now)},
            "grid": await attendance_store.attendance_grid(panel_id),
            "apologies": await apologies_for_panel(panel_id),
            "vouchers": await attendance_store.vouchers_by_volunteer(panel_id),
            "session_titles": {session.id: session.title for session in sessions},
            "status_labels": membership.STATUS_LABELS, "seat_statuses": membership.SEAT_STATUSES,
            "channel_labels": invitations.CHANNEL_LABELS, "today": council_today(),
            "pending": sum(1 for m in members if m.status == "selected" and m.invitation_pending),
            "fit": membership.quota_fit(quotas, await membership.seat_answers(panel_id)),
            "declined": sum(1 for m in members if m.status == "declined"),
            "withdrawn": sum(1 for m in members if m.status in membership.WITHDRAWN_STATUSES),
            "seats_filled": sum(1 for m in members if m.status in membership.SEAT_STATUSES),
            "choosing_run": await latest_drawn_run(panel_id) if await choosing_alternates(panel_id) else None})

    @post("/attendance", name="panels_attendance")
    async def attendance(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Redirect:
        panel = await panel_or_404(panel_id)
        members = await store.list_volunteers(panel_id, statuses=("confirmed",))
        sessions = await store.list_sessions(panel_id)
        marks = {(m.id, s.id): last_value(data, f"attended_{m.id}_{s.id}", "") == "yes" for m in members for s in sessions}
        report = await attendance_store.record_attendance(panel_id=panel.id, marks=marks, recorded_by=request.user.email)
        await service_records.record_service(secret_key=request.app.state.settings.secret_key, panel_ids=[panel.id])
        refused = ",".join(str(session_id) for session_id in report.not_started)
        await record_audit(actor=request.user.email, action="attendance_recorded", object_type="panel",
                           object_id=panel.id, detail=f"{report.written} marks"
                           + (f"; refused for sessions not started: {refused}" if refused else ""),
                           ip_address=client_ip(request))
        query = f"?saved={report.written}" + (f"&not_started={refused}" if refused else "")
        return Redirect(path=request.app.route_reverse("panels_members", panel_id=panel.id) + query + "#members",
                        status_code=303)

    @post("/vouchers", name="panels_vouchers")
    async def vouchers(self, request: Request, panel_id: FromPath[int]) -> Redirect:
        panel = await panel_or_404(panel_id)
        members_page = request.app.route_reverse("panels_members", panel_id=panel.id)
        try:
            report = await attendance_store.issue_vouchers(panel_id=panel.id, amount_pence=panel.voucher_pence,
                                                           issued_on=council_today(), issued_by=request.user.email)
        except attendance_store.VoucherError:
            return Redirect(path=members_page + "?voucher_error=no_amount#vouchers", status_code=303)
        await record_audit(actor=request.user.email, action="vouchers_issued", object_type="panel", object_id=panel.id,
                           detail=f"{report.issued} vouchers of {panel.voucher_pence} pence to {report.members} members; "
                                  f"{report.already} sessions already had theirs", ip_address=client_ip(request))
        return Redirect(path=members_page + f"?issued={report.issued}&already={report.already}#vouchers", status_code=303)

    @post("/vouchers/{voucher_id:int}/collected", name="panels_voucher_collected")
    async def collected(self, request: Request, panel_id: FromPath[int], voucher_id: FromPath[int]) -> Redirect:
        panel = await panel_or_404(panel_id)
        reference = await attendance_store.mark_collected(panel_id=panel.id, voucher_id=voucher_id,
                                                          collected_on=council_today(), collected_by=request.user.email)
        if reference is None:
            raise NotFoundException()
        await record_audit(actor=request.user.email, action="voucher_collected", object_type="panel_voucher",
                           object_id=voucher_id, detail=f"panel {panel.id}; {reference}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_members", panel_id=panel.id)
                        + f"?collected={reference.replace('#', '%23')}#vouchers", status_code=303)

    @get("/finance.csv", name="panels_finance_csv")
    async def finance(self, request: Request, panel_id: FromPath[int]) -> Response:
        panel = await panel_or_404(panel_id)
        content, count = await attendance_store.finance_csv(panel_id)
        await record_audit(actor=request.user.email, action="finance_exported", object_type="panel", object_id=panel.id,
                           detail=f"{count} vouchers", ip_address=client_ip(request))
        return download(content, media_type="text/csv; charset=utf-8", filename=f"{panel.slug}-vouchers.csv")

