"""Officers send the invitations after the draw, once they have reviewed them, and record replies
that came by telephone, letter, in person or email. Both are audited."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.clock import council_today
from common.i18n import gettext, language_name
from panels import invitations, membership, service_records, store
from panels.calendar import sessions_calendar
from panels.tables import Panel
from server.audit import record_audit
from server.controllers.panels.recommendations_officer import panel_or_404
from server.services.outbox import write_outbox
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip, private_link_builder, site_domain


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class PanelInvitationsController(Controller):
    path = "/officer/panels/{panel_id:int}"
    opt = roles(OFFICER)

    async def _review_page(self, request: Request, panel: Panel, *, values: dict, errors: dict,
                           status_code: int = 200) -> Template:
        sessions = await store.list_sessions(panel.id)
        pending = await invitations.pending_invitations(panel.id)
        reply_by = parse_day(joined_date(values, "reply_by")) or invitations.default_reply_by(council_today())
        preview = invitations.preview_email(panel, sessions=sessions, reply_by=reply_by,
                                            postal_address=request.app.state.settings.council_postal_address)
        return Template("panels/officer/invitations.html", status_code=status_code, context={
            "panel": panel, "pending": pending, "sessions": sessions, "preview": preview, "values": values,
            "errors": errors, "languages": {member.locale: language_name(member.locale) for member in pending}})

    @get("/invitations", name="panels_invitations")
    async def review(self, request: Request, panel_id: FromPath[int]) -> Template:
        """Who will be invited and what they will read, with the reply-by date to set."""
        panel = await panel_or_404(panel_id)
        values = with_date_boxes({"reply_by": invitations.default_reply_by(council_today()).isoformat()}, ("reply_by",))
        return await self._review_page(request, panel, values=values, errors={})

    @post("/invitations", name="panels_invitations_send")
    async def send(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        sessions = await store.list_sessions(panel.id)
        typed = joined_date(data, "reply_by")
        values = with_date_boxes({"reply_by": typed, **typed_boxes(data, ("reply_by",))}, ("reply_by",))
        reply_by = parse_day(typed)
        today = council_today()
        problem = (gettext("Enter the reply-by date as a real date, for example %(example)s",
                           example=invitations.default_reply_by(today).strftime("%-d %-m %Y"))
                   if typed and reply_by is None else
                   invitations.reply_by_problem(reply_by, today=today, first_session=next(
                       (session.held_on for session in sessions if session.held_on > today), None)))
        if problem:
            return await self._review_page(request, panel, values=values, errors={"reply_by": problem},
                                           status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        settings = request.app.state.settings
        emails = await invitations.send_invitations(
            panel=panel, reply_by=reply_by, private_link=private_link_builder(request, "member_page"), sessions=sessions,
            postal_address=settings.council_postal_address,
            calendar=sessions_calendar(panel, sessions, domain=site_domain(request)))
        await write_outbox(emails)
        await record_audit(actor=request.user.email, action="invitations_sent", object_type="panel", object_id=panel.id,
                           detail=f"{len(emails)} invitations; reply by {reply_by.isoformat()}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_members", panel_id=panel.id) + f"?sent={len(emails)}",
                        status_code=303)

    # --- replies recorded by the officer ----------------------------------------------------------

    async def _reply_page(self, panel: Panel, volunteer_id: int, *, values: dict, errors: dict,
                          status_code: int = 200) -> Template:
        volunteer = await store.get_volunteer(panel.id, volunteer_id)
        if volunteer is None or volunteer.status != "selected":
            raise NotFoundException()
        return Template("panels/officer/record_reply.html", status_code=status_code, context={
            "panel": panel, "member": volunteer, "values": values, "errors": errors,
            "channels": invitations.REPLY_CHANNELS, "status_labels": membership.STATUS_LABELS})

    @get("/members/{volunteer_id:int}/reply", name="panels_member_reply_form")
    async def reply_form(self, panel_id: FromPath[int], volunteer_id: FromPath[int]) -> Template:
        return await self._reply_page(await panel_or_404(panel_id), volunteer_id, values={}, errors={})

    @post("/members/{volunteer_id:int}/reply", name="panels_member_reply")
    async def reply(self, request: Request, panel_id: FromPath[int], volunteer_id: FromPath[int],
                    data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        values = last_values(data, ("answer", "channel", "note"))
        reply, errors = invitations.check_reply(values)
        if reply is not None:
            accepted, channel, note = reply
            try:
                volunteer = await invitations.record_reply(panel_id=panel.id, volunteer_id=volunteer_id,
                                                           accepted=accepted, channel=channel, note=note)
            except invitations.ReplyError as error:
                errors = {"answer": str(error)}
        if errors:
            return await self._reply_page(panel, volunteer_id, values=values, errors=errors,
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await service_records.record_service(secret_key=request.app.state.settings.secret_key, panel_ids=[panel.id])
        await record_audit(actor=request.user.email, action=f"reply_recorded_{volunteer.status}", object_type="volunteer",
                           object_id=volunteer.reference, detail=f"panel {panel.id}; {channel}", reason=note,
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_members", panel_id=panel.id)
                        + f"?replied={volunteer.reference}", status_code=303)
