"""The facilitator's pages: the panels' sessions, and what is recorded at them. Facilitators see
members' names at their sessions, never contact details; officers reach these pages too."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.charter import review_forms, review_ratings, reviews
from common.clock import council_today
from panels import session_tables, store
from panels.tables import PanelSession
from server.audit import record_audit
from server.controllers.panels.recommendations_officer import panel_or_404
from server.web.forms import RepeatableFormData, last_values, ticked
from server.web.guards import SESSION_STAFF, roles
from server.web.request_info import client_ip


class FacilitatorController(Controller):
    path = "/facilitator"
    opt = roles(SESSION_STAFF)

    @get("/", name="facilitator_home")
    async def home(self) -> Template:
        today = council_today()
        return Template("panels/facilitator/home.html", context={
            "panels": await store.panels_with_sessions(today=today), "today": today,
            "open_reviews": await reviews.open_reviews_by_panel(today=today)})

    # --- a session's tables and what each table says --------------------------------------------

    async def _session(self, session_id: int) -> PanelSession:
        session = await session_tables.get_session(None, session_id)
        if session is None:
            raise NotFoundException()
        return session

    @get("/sessions/{session_id:int}", name="facilitator_session")
    async def session(self, session_id: FromPath[int]) -> Template:
        session = await self._session(session_id)
        return Template("panels/facilitator/session.html", context={
            "session": session, "panel": await store.get_panel(session.panel),
            "tables": await session_tables.list_tables(session.id)})

    async def _table_page(self, session_id: int, table_id: int, *, values: dict | None = None,
                          errors: dict | None = None, status_code: int = 200) -> Template:
        session = await self._session(session_id)
        table = next((table for table in await session_tables.list_tables(session.id) if table.id == table_id), None)
        if table is None:
            raise NotFoundException()
        return Template("panels/facilitator/table.html", status_code=status_code, context={
            "session": session, "panel": await store.get_panel(session.panel), "table": table,
            "values": values or {"kind": "point"}, "errors": errors or {}})

    @get("/sessions/{session_id:int}/tables/{table_id:int}", name="facilitator_table")
    async def table(self, session_id: FromPath[int], table_id: FromPath[int]) -> Template:
        return await self._table_page(session_id, table_id)

    @post("/sessions/{session_id:int}/tables/{table_id:int}", name="facilitator_table_record")
    async def record(self, request: Request, session_id: FromPath[int], table_id: FromPath[int],
                     data: RepeatableFormData) -> Template | Redirect:
        page = await self._table_page(session_id, table_id)
        values = last_values(data, ("kind", "text"))
        record, errors = session_tables.check_record(values)
        if errors:
            return await self._table_page(session_id, table_id, values=values, errors=errors,
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        kind, text = record
        await session_tables.add_record(table_id=page.context["table"].id, kind=kind, text=text,
                                        recorded_by=request.user.email)
        return Redirect(path=request.app.route_reverse("facilitator_table", session_id=session_id, table_id=table_id)
                        + f"?recorded={kind}", status_code=303)

    # --- paper review forms handed in at a session ---------------------------------------------

    async def _paper_page(self, panel_id: int, review_id: int, *, values: dict | None = None,
                          errors: dict | None = None, status_code: int = 200) -> Template:
        panel = await panel_or_404(panel_id)
        review = await reviews.get_review(review_id, panel_id=panel.id)
        if review is None:
            raise NotFoundException()
        return Template("panels/facilitator/review_paper.html", status_code=status_code, context={
            "panel": panel, "review": review, "open": review.is_open(council_today()),
            "principles": await reviews.principles_of(review), "sessions": await store.list_sessions(panel.id),
            "may_rate": await reviews.members_who_may_rate(review), "batches": await reviews.paper_batches(review.id),
            "ratings": review_ratings.RATINGS, "rating_labels": review_ratings.RATING_LABELS,
            "values": values or {}, "errors": errors or {}})

    @get("/panels/{panel_id:int}/reviews/{review_id:int}", name="review_paper")
    async def paper(self, panel_id: FromPath[int], review_id: FromPath[int]) -> Template:
        return await self._paper_page(panel_id, review_id)

    @post("/panels/{panel_id:int}/reviews/{review_id:int}", name="review_paper_enter")
    async def enter_paper(self, request: Request, panel_id: FromPath[int], review_id: FromPath[int],
                          data: RepeatableFormData) -> Template | Redirect:
        page = await self._paper_page(panel_id, review_id)
        context = page.context
        review, principles = context["review"], context["principles"]
        values = {**last_values(data, tuple(name for name in data if name not in ("_csrf_token", "members"))),
                  "members": ticked(data, "members")}
        paper, errors = review_forms.check_paper_forms(
            values, principle_ids=[item.id for item in principles],
            session_ids={session.id for session in context["sessions"]},
            member_ids={row["id"] for row in context["may_rate"]})
        if not errors:
            try:
                await reviews.record_paper_forms(review=review, paper=paper, entered_by=request.user.email,
                                                 today=council_today())
            except reviews.ReviewError as error:
                errors = {"forms": str(error)}
        if errors:
            return await self._paper_page(panel_id, review_id, values=values, errors=errors,
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="charter_review_paper_entered", object_type="charter_review",
                           object_id=review.id, detail=f"panel {panel_id}; session {paper.session_id}; {paper.forms} forms",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("review_paper", panel_id=panel_id, review_id=review.id)
                        + "?entered=1", status_code=303)
