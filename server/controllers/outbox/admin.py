"""Administrators: emails the sender gave up on, each with its last error, to retry or discard.

Shown in every environment (unlike the officers' development outbox): a failed email is often a
private link or an invitation someone is waiting for. Bodies are not shown (they hold private
links); the address, subject and error are enough to decide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from common.i18n import lazy_gettext
from server.audit import record_audit
from server.platform.mailer import discard_failed_email, failed_count, failed_emails, retry_failed_email, waiting_count
from server.web.guards import ADMIN, roles
from server.web.pagination import pager
from server.web.request_info import client_ip

NOTICES = {"retried": lazy_gettext("The email is back in the queue and will be sent on the next pass."),
           "discarded": lazy_gettext("The email was discarded.")}
"""The notice shown after each action, keyed by the ``done`` query parameter of its redirect."""


class OutboxAdminController(Controller):
    path = "/admin/outbox"
    opt = roles(ADMIN)

    @get("/", name="admin_outbox")
    async def page(self, request: Request) -> Template:
        settings = request.app.state.settings
        pages = pager(raw_page=request.query_params.get("page"), total=await failed_count(),
                      base_url=request.app.route_reverse("admin_outbox"))
        return Template("admin/outbox.html", context={
            "failed": await failed_emails(limit=pages.per_page, offset=pages.offset), "pager": pages, "waiting": await waiting_count(), "sends_email": settings.sends_email,
            "max_attempts": settings.outbox_max_attempts,
            "notice": NOTICES.get(request.query_params.get("done", ""), "")})

    @post("/{email_id:int}/retry", name="admin_outbox_retry")
    async def retry(self, request: Request, email_id: FromPath[int]) -> Redirect:
        return await _act(request, email_id, retry_failed_email, action="outbox_email_retried", done="retried")

    @post("/{email_id:int}/discard", name="admin_outbox_discard")
    async def discard(self, request: Request, email_id: FromPath[int]) -> Redirect:
        return await _act(request, email_id, discard_failed_email, action="outbox_email_discarded", done="discarded")


async def _act(request: Request, email_id: int, act: Callable[[int], Awaitable[bool]], *, action: str, done: str) -> Redirect:
    """Retry or discard one failed email (404 when no failed email has that id), audited by id
    only: the audit log never holds an address."""
    if not await act(email_id):
        raise NotFoundException()
    await record_audit(actor=request.user.email, action=action, object_type="outbox_email", object_id=email_id,
                       ip_address=client_ip(request))
    return Redirect(path=request.app.route_reverse("admin_outbox") + f"?done={done}", status_code=303)
