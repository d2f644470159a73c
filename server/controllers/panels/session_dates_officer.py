"""Officers add, change and remove a panel's sessions (date, times and place), as many as the
panel needs; a session with attendance recorded keeps its date and is never removed. Audited."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from analysis.charter.reviews import session_has_paper_reviews
from common.clock import council_today
from common.i18n import gettext
from panels import session_dates, session_tables
from panels.panel_form import SESSION_FIELDS, check_session
from panels.tables import Panel, PanelSession
from server.audit import record_audit
from server.controllers.panels.recommendations_officer import panel_or_404
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip



async def _removal_refusal(panel: Panel, session: PanelSession) -> str:
    """Why the session cannot be removed ("" when it can): the panel's own records, then the
    reviews against the charter whose paper forms were entered at it."""
    reason = await session_dates.removal_refusal(panel=panel, session=session)
    if not reason and await session_has_paper_reviews(session.id):
        reason = gettext("Paper review forms have been entered for this session, so it cannot be removed.")
    return reason


def _session_values(session: PanelSession) -> dict[str, str]:
    return {"title": session.title, "date": session.held_on.isoformat(), "start": session.starts_at.strftime("%H:%M"),
            "end": session.ends_at.strftime("%H:%M"), "place": session.place}


class PanelSessionDatesController(Controller):
    path = "/officer/panels/{panel_id:int}/sessions"
    opt = roles(OFFICER)

    async def _session(self, panel: Panel, session_id: int) -> PanelSession:
        session = await session_tables.get_session(panel.id, session_id)
        if session is None:
            raise NotFoundException()
        return session

    def _form(self, panel: Panel, session: PanelSession | None, *, values: dict, errors: dict,
              status_code: int = 200) -> Template:
        return Template("panels/officer/session_form.html", status_code=status_code, context={
            "panel": panel, "session": session, "values": with_date_boxes(values, ("date",)), "errors": errors})

    @staticmethod
    def _read(data: RepeatableFormData) -> tuple[dict[str, str], dict[str, str]]:
        """The fields as typed (with the date's boxes), and the same with the date joined as ISO text."""
        typed = last_values(data, (*SESSION_FIELDS, "date-day", "date-month", "date-year"))
        return {**typed, **typed_boxes(data, ("date",))}, {**typed, "date": joined_date(typed, "date")}

    @get("/new", name="session_new")
    async def new(self, panel_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        return self._form(panel, None, values={"start": "10:00", "end": "16:00"}, errors={})

    @post("/new", name="session_add")
    async def add(self, request: Request, panel_id: FromPath[int], data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        shown, values = self._read(data)
        session, errors = check_session(values)
        if session is not None:
            try:
                row = await session_dates.add_session(panel=panel, session=session, today=council_today())
            except session_dates.SessionChangeError as error:
                errors = {error.field: str(error)}
        if errors:
            return self._form(panel, None, values=shown, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="session_added", object_type="panel_session",
                           object_id=row.id, detail=f"panel {panel.id}; {session.held_on.isoformat()} {session.title}",
                           ip_address=client_ip(request))
        request.app.state.recruiting.forget()  # a panel without a deadline closes when its first session starts
        return Redirect(path=request.app.route_reverse("sessions_officer", panel_id=panel.id) + "?saved=added",
                        status_code=303)

    @get("/{session_id:int}/edit", name="session_edit")
    async def edit(self, panel_id: FromPath[int], session_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        return self._form(panel, session, values=_session_values(session), errors={})

    @post("/{session_id:int}/edit", name="session_save")
    async def save(self, request: Request, panel_id: FromPath[int], session_id: FromPath[int],
                   data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        shown, values = self._read(data)
        new, errors = check_session(values)
        changes: list[str] = []
        if new is not None:
            try:
                changes = await session_dates.change_session(panel=panel, session=session, new=new)
            except session_dates.SessionChangeError as error:
                errors = {error.field: str(error)}
        if errors:
            return self._form(panel, session, values=shown, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        if changes:
            await record_audit(actor=request.user.email, action="session_changed", object_type="panel_session",
                               object_id=session.id, detail=f"panel {panel.id}; " + "; ".join(changes),
                               ip_address=client_ip(request))
        request.app.state.recruiting.forget()  # a panel without a deadline closes when its first session starts
        return Redirect(path=request.app.route_reverse("sessions_officer", panel_id=panel.id)
                        + ("?saved=changed" if changes else "?saved=nothing"), status_code=303)

    @get("/{session_id:int}/remove", name="session_remove_confirm")
    async def remove_confirm(self, panel_id: FromPath[int], session_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        return Template("panels/officer/session_remove.html", context={
            "panel": panel, "session": session,
            "reason": await _removal_refusal(panel, session)})

    @post("/{session_id:int}/remove", name="session_remove")
    async def remove(self, request: Request, panel_id: FromPath[int], session_id: FromPath[int]) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        reason = await _removal_refusal(panel, session)
        if not reason:
            try:
                await session_dates.remove_session(panel=panel, session=session)
            except session_dates.SessionChangeError as error:
                reason = str(error)
        if reason:
            return Template("panels/officer/session_remove.html", status_code=HTTP_409_CONFLICT,
                            context={"panel": panel, "session": session, "reason": reason})
        await record_audit(actor=request.user.email, action="session_removed", object_type="panel_session",
                           object_id=session.id, detail=f"panel {panel.id}; {session.held_on.isoformat()} {session.title}",
                           ip_address=client_ip(request))
        request.app.state.recruiting.forget()  # a panel without a deadline closes when its first session starts
        return Redirect(path=request.app.route_reverse("sessions_officer", panel_id=panel.id) + "?saved=removed",
                        status_code=303)
