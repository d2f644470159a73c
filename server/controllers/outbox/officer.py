"""The email outbox, so that officers can see what was sent in development (no SMTP there)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from server.tables import OutboxEmail
from server.web.guards import OFFICER, roles


class OutboxController(Controller):
    """The last hundred emails queued, newest first; not served in production."""

    path = "/officer/outbox"
    opt = roles(OFFICER)

    @get("/", name="outbox")
    async def outbox(self, request: Request) -> Template:
        if request.app.state.settings.is_production:
            raise NotFoundException()
        emails = await OutboxEmail.select().order_by(OutboxEmail.id, ascending=False).limit(100).run()
        return Template("panels/officer/outbox.html", context={"emails": emails})
