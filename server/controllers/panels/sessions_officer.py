"""Officers prepare a panel's sessions: the agenda, the tables (seated automatically so each
looks like the panel, then moved by hand), and turn the points tables made into draft
recommendations."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from common.text import whole_number
from panels import session_tables, store
from panels.census import DIMENSION_LABELS
from panels.tables import Panel, PanelSession
from server.audit import record_audit
from server.controllers.panels.recommendations_officer import panel_or_404
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import OFFICER, roles
from server.web.request_info import client_ip


class PanelSessionsController(Controller):
    path = "/officer/panels/{panel_id:int}/sessions"
    opt = roles(OFFICER)

    @get("/", name="sessions_officer")
    async def index(self, panel_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        return Template("panels/officer/sessions.html", context={
            "panel": panel, "sessions": await store.list_sessions(panel.id)})

    async def _session(self, panel: Panel, session_id: int) -> PanelSession:
        session = await session_tables.get_session(panel.id, session_id)
        if session is None:
            raise NotFoundException()
        return session

    async def _page(self, panel: Panel, session: PanelSession, *, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
        tables = await session_tables.list_tables(session.id)
        return Template("panels/officer/session.html", status_code=status_code, context={
            "panel": panel, "session": session, "tables": tables, "labels": DIMENSION_LABELS,
            "mix": await session_tables.session_mix(panel.id, tables),
            "values": values or {"agenda": session.agenda, "tables": str(len(tables) or max(1, round(panel.panel_size / 6)))},
            "errors": errors or {}})

    @get("/{session_id:int}", name="session_officer")
    async def show(self, panel_id: FromPath[int], session_id: FromPath[int]) -> Template:
        panel = await panel_or_404(panel_id)
        return await self._page(panel, await self._session(panel, session_id))

    @post("/{session_id:int}/agenda", name="session_agenda")
    async def agenda(self, request: Request, panel_id: FromPath[int], session_id: FromPath[int],
                     data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        values = last_values(data, ("agenda",))
        agenda, errors = session_tables.check_agenda(values)
        if errors:
            return await self._page(panel, session, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await session_tables.save_agenda(session_id=session.id, agenda=agenda)
        await record_audit(actor=request.user.email, action="session_agenda_saved", object_type="panel_session",
                           object_id=session.id, detail=f"panel {panel.id}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("session_officer", panel_id=panel.id, session_id=session.id)
                        + "?saved=agenda", status_code=303)

    @post("/{session_id:int}/seat", name="session_seat")
    async def seat(self, request: Request, panel_id: FromPath[int], session_id: FromPath[int],
                   data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        values = last_values(data, ("tables",))
        raw = values["tables"].strip()
        try:
            tables = whole_number(raw)
            if tables is None:
                raise session_tables.TablesError(gettext("Enter a number of tables from 1 to %(limit)s",
                                                         limit=session_tables.MAX_TABLES))
            gap = await session_tables.seat_session(panel_id=panel.id, session_id=session.id, tables=tables)
        except session_tables.TablesError as error:
            return await self._page(panel, session, values={"agenda": session.agenda, **values},
                                    errors={"tables": str(error)}, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="session_tables_seated", object_type="panel_session",
                           object_id=session.id, detail=f"panel {panel.id}; {tables} tables; gap {gap:.2f}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("session_officer", panel_id=panel.id, session_id=session.id)
                        + "?saved=tables#tables", status_code=303)

    @post("/{session_id:int}/moves", name="session_moves")
    async def moves(self, request: Request, panel_id: FromPath[int], session_id: FromPath[int],
                    data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        tables = await session_tables.list_tables(session.id)
        members = {seat.volunteer_id for table in tables for seat in table.seats}
        values = last_values(data, tuple(f"m{member}" for member in members))
        moves, errors = session_tables.check_moves(values, members=members, tables=len(tables))
        if not errors:
            try:
                await session_tables.move_members(session_id=session.id, moves=moves)
            except session_tables.TablesError as error:
                errors = {f"m{min(members)}": str(error)}
        if errors:
            return await self._page(panel, session, values={"agenda": session.agenda, "tables": str(len(tables)), **values},
                                    errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="session_tables_edited", object_type="panel_session",
                           object_id=session.id, detail=f"panel {panel.id}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("session_officer", panel_id=panel.id, session_id=session.id)
                        + "?saved=moves#tables", status_code=303)

    @post("/{session_id:int}/points/{record_id:int}/draft", name="session_point_draft")
    async def draft(self, request: Request, panel_id: FromPath[int], session_id: FromPath[int], record_id: FromPath[int],
                    data: RepeatableFormData) -> Template | Redirect:
        panel = await panel_or_404(panel_id)
        session = await self._session(panel, session_id)
        values = last_values(data, ("title",))
        try:
            item = await session_tables.draft_from_point(panel_id=panel.id, session=session, record_id=record_id,
                                                         title=values["title"], edited_by=request.user.email)
        except session_tables.TablesError as error:
            return await self._page(panel, session, values={"agenda": session.agenda, f"title-{record_id}": values["title"]},
                                    errors={f"title-{record_id}": str(error)}, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="recommendation_drafted", object_type="panel_recommendation",
                           object_id=item.id, detail=f"panel {panel.id}; {item.label} from point {record_id}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("recommendation_officer", panel_id=panel.id,
                                                       recommendation_id=item.id), status_code=303)
