""""Follow by email": the form on consultation, panel, recommendation and commitment pages (and
on a page of its own, where it comes back with its errors), the confirmation link, and the
one-click link that stops the emails. See ``server.services.follows``."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template
from litestar.status_codes import HTTP_404_NOT_FOUND, HTTP_422_UNPROCESSABLE_ENTITY, HTTP_429_TOO_MANY_REQUESTS

from common.emails import clean_email
from common.i18n import active_locale
from server.audit import record_audit
from server.controllers.follows.links import follow_links, page_path
from server.services.follows import (
    FOLLOWING_WHAT, SUBJECT_KINDS, Subject, check_follow_form, confirm_follow, find_subject, start_follow, stop,
)
from server.services.outbox import write_outbox
from server.services.send_limits import claim_send
from server.web.forms import FormData
from server.web.guards import public
from server.web.request_info import client_ip


async def _subject_or_404(kind: str, key: str) -> Subject:
    subject = await find_subject(kind, key) if kind in SUBJECT_KINDS and key else None
    if subject is None:
        raise NotFoundException()
    return subject


class FollowController(Controller):
    path = "/follow"
    opt = public()

    def _page(self, request: Request, subject: Subject, *, status_code: int = 200, **context: object) -> Template:
        return Template("follows/page.html", status_code=status_code, context={
            "subject": subject, "page_url": page_path(request.app, subject),
            "following_what": FOLLOWING_WHAT[subject.kind], "values": {}, "errors": {}, **context})

    @get("/{kind:str}", name="follow_form")
    async def form(self, request: Request, kind: FromPath[str], subject: FromQuery[str] = "") -> Template:
        return self._page(request, await _subject_or_404(kind, subject))

    @post("/{kind:str}", name="follow_send")
    async def send(self, request: Request, kind: FromPath[str], data: FormData) -> Template:
        subject = await _subject_or_404(kind, str(data.get("subject", "")))
        values, errors = check_follow_form(data)
        if errors:
            return self._page(request, subject, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        settings = request.app.state.settings
        limit = await claim_send(settings=settings, client_address=client_ip(request), recipient=values["email"])
        if limit is not None:
            return self._page(request, subject, values=values, errors={"email": limit.message(settings)},
                              status_code=HTTP_429_TOO_MANY_REQUESTS)
        email = await start_follow(subject=subject, email=values["email"], locale=active_locale.get(),
                                   links=follow_links(request))
        await write_outbox([email])
        await record_audit(actor="resident", action="follow_requested", object_type="follow",
                           object_id=email.about.partition(":")[2], detail=f"{subject.kind} {subject.key}",
                           ip_address=client_ip(request))
        return self._page(request, subject, sent=True, email=clean_email(values["email"]))

    @get("/confirm/{token:str}", name="follow_confirm")
    async def confirm(self, request: Request, token: FromPath[str]) -> Template:
        confirmed = await confirm_follow(token, links=follow_links(request))
        if confirmed is None:
            return Template("follows/not_working.html", status_code=HTTP_404_NOT_FOUND)
        if confirmed.newly:
            await record_audit(actor="resident", action="follow_confirmed", object_type="follow",
                               object_id=confirmed.follow_id, detail=f"{confirmed.subject_kind} {confirmed.subject_key}",
                               ip_address=client_ip(request))
        subject = await find_subject(confirmed.subject_kind, confirmed.subject_key)
        return Template("follows/confirmed.html", context={
            "title": confirmed.subject_title, "page_url": page_path(request.app, subject) if subject else "",
            "following_what": FOLLOWING_WHAT[confirmed.subject_kind], "stop_link": confirmed.stop_link})

    async def _stop(self, request: Request, what: str, record_id: int, signature: str):
        stopped = await stop(what=what, record_id=record_id, signature=signature,
                             secret_key=request.app.state.settings.secret_key)
        if stopped is not None:
            await record_audit(actor="resident", action="follow_stopped" if what == "follow" else "response_contact_removed",
                               object_type="follow" if what == "follow" else "consultation_response",
                               object_id=record_id, detail="stop link in an email", ip_address=client_ip(request))
        return stopped

    @get("/stop/{what:str}/{record_id:int}/{signature:str}", name="follow_stop")
    async def stop_page(self, request: Request, what: FromPath[str], record_id: FromPath[int],
                        signature: FromPath[str]) -> Template:
        """One click from the email: the emails stop at once (a second click finds nothing to stop,
        and says so the same way)."""
        stopped = await self._stop(request, what, record_id, signature)
        return Template("follows/stopped.html", context={"stopped": stopped, "what": what})

    @post("/stop/{what:str}/{record_id:int}/{signature:str}", name="follow_stop_one_click",
          opt={"exclude_from_csrf": True})
    async def stop_one_click(self, request: Request, what: FromPath[str], record_id: FromPath[int],
                             signature: FromPath[str]) -> Response:
        """RFC 8058's one-click POST, made by a mail program from the ``List-Unsubscribe`` header
        (no cookie, so no CSRF token: the signature in the address is the proof)."""
        await self._stop(request, what, record_id, signature)
        return Response(content="", status_code=200)
