"""The email outbox, so that officers can see what was sent in development (no SMTP there)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from server.platform.mailer import outbox_count, outbox_emails
from server.web.guards import OFFICER, roles
from server.web.pagination import pager


class OutboxController(Controller):
    """The emails queued, newest first, a page at a time (``to``: addresses containing it); not
    served in production."""

    path = "/officer/outbox"
    opt = roles(OFFICER)

    @get("/", name="outbox")
    async def outbox(self, request: Request) -> Template:
        if request.app.state.settings.is_production:
            raise NotFoundException()
        to = request.query_params.get("to", "").strip()[:254]
        pages = pager(raw_page=request.query_params.get("page"), total=await outbox_count(to=to),
                      base_url=request.app.route_reverse("outbox"), query={"to": to}, keep=("to",))
        emails = await outbox_emails(to=to, offset=pages.offset, limit=pages.per_page)
        return Template("panels/officer/outbox.html", context={"emails": emails, "pager": pages, "filters": {"to": to}})
