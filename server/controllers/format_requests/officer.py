"""Officers' task list of requests for another language or format (each view audited: it shows
residents' email addresses)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.audit import record_audit
from server.services.format_requests import format_request_tasks, mark_format_request_done
from server.web.forms import FormData
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip


class FormatRequestOfficerController(Controller):
    path = "/officer/format-requests"
    opt = roles(OFFICER)

    @get("/", name="format_request_tasks")
    async def tasks(self, request: Request) -> Template:
        tasks = await format_request_tasks()
        await record_audit(actor=request.user.email, action="format_requests_viewed", object_type="format_request",
                           detail=f"{len(tasks)} request(s) listed", ip_address=client_ip(request))
        return Template("format_requests/officer.html", context={
            "tasks": tasks, "open_count": sum(1 for task in tasks if task.done_at is None),
            "notice": request.query_params.get("notice", "")})

    @post("/{request_id:int}", name="format_request_mark")
    async def mark(self, request: Request, request_id: FromPath[int], data: FormData) -> Redirect:
        done = data.get("done") != "0"
        if not await mark_format_request_done(request_id, officer=request.user.email, done=done):
            raise NotFoundException()
        return Redirect(path=request.app.route_reverse("format_request_tasks") + ("?notice=done" if done else "?notice=reopened"),
                        status_code=303)
