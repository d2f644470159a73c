"""Residents and panel members: the expression-of-interest form, its confirmation, the public
"How we chose the panel" page, and a volunteer's private page (no account: a private link)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_429_TOO_MANY_REQUESTS

from analysis.charter.reviews import open_reviews_for_member
from analysis.commitments.responses import outcome_counts, responses_to_rate
from analysis.translations.reading import shown_panel
from common.clock import council_today
from common.i18n import active_locale, gettext
from common.text import whole_number
from panels import apologies, ballots
from panels.attendance import session_started
from panels.calendar import CALENDAR_FILE_NAME, CALENDAR_MEDIA_TYPE, sessions_calendar
from panels import materials as material_store
from panels import runs as run_store
from panels import service_records
from panels import store
from panels.recruitment import list_public_panels, registration_state
from panels.run_rules import with_drawn_counts
from panels.census import DIMENSION_LABELS
from panels.duplicates import DuplicateRegistration
from panels.letter_draw import normalise_code
from panels.letters import LetterCodeError, find_letter
from panels.registration import check_registration
from panels.tables import Panel, Volunteer
from server.audit import record_audit
from server.web.forms import RepeatableFormData, last_value, last_values
from server.controllers.your_data.links import link_not_working
from server.web.guards import public
from server.services.member_consultations import MEMBER_STATUS, confirmed_member, open_consultations_for_member
from server.services.outbox import write_outbox
from server.services.send_limits import claim_send
from server.web.request_info import absolute_link, client_ip, private_link_builder, site_domain
from server.web.responses import download

FIELDS = ("full_name", "email", "phone", "address", "postcode", "age")
MEMBER_SAVED = ("confirmed", "declined", "apology", "apology_withdrawn", "access")
"""What the member's page can say it has just saved (``?saved=``)."""


def _form_values(data: dict[str, Any]) -> dict[str, str]:
    """One text per field: a field sent more than once (never by our form) counts as its last
    value (as most frameworks read it) instead of being stored as "['a', 'b']"."""
    return last_values(data, tuple(key for key in data if key != "_csrf_token"))


async def _panel_by_slug(slug: str) -> Panel:
    panel = await store.get_panel_by_slug(slug)
    if panel is None:
        raise NotFoundException()
    return panel


class PanelPublicController(Controller):
    path = "/panels"
    opt = public()

    async def _form_context(self, panel: Panel, *, values: dict, errors: dict) -> dict[str, Any]:
        quotas = await store.load_quotas(panel.id)
        is_open, drawn, ended = await registration_state(panel, now=datetime.now(timezone.utc))
        panel, shown = await shown_panel(panel, active_locale.get())
        return {"panel": panel, "content_shown": shown, "drawn": drawn, "ended": ended, "sessions": await store.list_sessions(panel.id), "questions": store.questions_for(quotas),
                "values": values, "errors": errors, "has_quotas": bool(quotas),
                "open": is_open, "produced": (await outcome_counts([panel.id])).get(panel.id)}

    @get("/", name="panels_index")
    async def index(self) -> Template:
        """Every Resident Panel, recruiting ones first: what it is for, its status and dates."""
        panels = await list_public_panels(now=datetime.now(timezone.utc))
        return Template("panels/public/index.html", context={
            "recruiting": [panel for panel in panels if panel.status == "recruiting"],
            "others": [panel for panel in panels if panel.status != "recruiting" and not panel.past],
            "past": [panel for panel in panels if panel.past],
            "outcomes": await outcome_counts([panel.id for panel in panels])})

    @get("/{slug:str}", name="panel_public")
    async def show(self, slug: FromPath[str], code: FromQuery[str] = "") -> Template:
        """The panel and its form; ``?code=`` (the QR code on an invitation letter) fills in the letter's code."""
        panel = await _panel_by_slug(slug)
        values = {"letter_code": normalise_code(code) or ""} if code else {}
        return Template("panels/public/register.html", context=await self._form_context(panel, values=values, errors={}))

    @post("/{slug:str}/register", name="panel_register")
    async def register(self, request: Request, slug: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        panel = await _panel_by_slug(slug)
        values = _form_values(data)
        context = await self._form_context(panel, values=values, errors={})
        if not context["open"] or not context["has_quotas"]:
            # The page that says registration has closed, with nothing stored; 410: the form is gone.
            return Template("panels/public/register.html", context={**context, "values": {}}, status_code=410)
        registration, errors = check_registration(values, questions=context["questions"], postcode_prefixes=panel.postcode_prefixes,
                                                  today=date.today())
        letter_id = None
        if values.get("letter_code", "").strip():
            values["letter_code"] = normalise_code(values["letter_code"]) or values["letter_code"].strip()
            letter_id, code_error = await find_letter(panel, values["letter_code"])
            if code_error:
                errors = {"letter_code": code_error, **errors}
        if errors:
            context["errors"] = errors
            return Template("panels/public/register.html", context=context, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        settings = request.app.state.settings
        limit = await claim_send(settings=settings, client_address=client_ip(request), recipient=registration.email)
        if limit is not None:
            context["errors"] = {"email": limit.message(settings)}
            return Template("panels/public/register.html", context=context, status_code=HTTP_429_TOO_MANY_REQUESTS)
        quotas = await store.load_quotas(panel.id)
        try:
            volunteer, token, email = await store.register_volunteer(
                panel=panel, registration=registration, quotas=quotas,
                private_link=private_link_builder(request, "member_page"), letter_id=letter_id,
                source="letter" if letter_id else "form", locale=active_locale.get())
        except LetterCodeError as error:  # the code's last place went while this form was being filled in
            context["errors"] = {"letter_code": str(error)}
            return Template("panels/public/register.html", context=context, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        except DuplicateRegistration:
            context["errors"] = {"email": gettext(
                "This email address is already registered for this panel, so we have not registered it again. "
                "Use the private link in the email we sent you to see or change your registration")}
            return Template("panels/public/register.html", context=context, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await write_outbox([email])
        await record_audit(actor="resident", action="volunteer_registered", object_type="volunteer",
                           object_id=volunteer.reference, detail=f"panel {panel.id}; consent {volunteer.consent_version}",
                           ip_address=client_ip(request))
        request.session["panel_registered"] = {"reference": volunteer.reference, "token": token, "slug": panel.slug}
        return Redirect(path=request.app.route_reverse("panel_registered", slug=panel.slug), status_code=303)

    @post("/{slug:str}/register/check/{field:str}", name="panel_register_check")
    async def check(self, request: HTMXRequest, slug: FromPath[str], field: FromPath[str], data: RepeatableFormData) -> Template:
        """htmx inline validation of one field: the same rules as the full form, one message back."""
        panel = await _panel_by_slug(slug)
        context = await self._form_context(panel, values=_form_values(data), errors={})
        known = {*FIELDS, "letter_code", *(question.dimension for question in context["questions"])}
        if field not in known:
            raise NotFoundException()
        _, errors = check_registration(context["values"], questions=context["questions"],
                                       postcode_prefixes=panel.postcode_prefixes, today=date.today())
        if field == "letter_code" and context["values"].get(field, "").strip():
            errors["letter_code"] = (await find_letter(panel, context["values"][field]))[1] or ""
            errors = {name: message for name, message in errors.items() if message}
        context["errors"] = {field: errors[field]} if field in errors and context["values"].get(field) else {}
        context["field"] = field
        return Template("panels/public/_field.html", context=context)

    @get("/{slug:str}/registered", name="panel_registered")
    async def registered(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        panel = await _panel_by_slug(slug)
        shown = request.session.pop("panel_registered", None) if request.session else None
        if not shown or shown.get("slug") != panel.slug:
            return Redirect(path=request.app.route_reverse("panel_public", slug=panel.slug), status_code=303)
        return Template("panels/public/registered.html", context={
            "panel": panel, "reference": shown["reference"], "link": absolute_link(request, "member_page", token=shown["token"])})

    @get("/{slug:str}/how-we-chose", name="panel_how_we_chose")
    async def how_we_chose(self, slug: FromPath[str]) -> Template:
        """Method, quotas, pool size, min and max probability, the seed and the recipe: no personal data."""
        panel = await _panel_by_slug(slug)
        runs, announced = [], []
        for summary in await run_store.list_runs(panel.id):
            if summary["status"] == "done":  # computed, not drawn: public once its fingerprint is announced
                run = await run_store.get_run(panel.id, summary["id"])
                if run.announced_at is not None and run.status == "done":
                    announced.append({"kind": run.kind, "lottery_digest": run.lottery_digest,
                                      "inputs_hash": run.inputs_hash, "seed_source": run.seed_source,
                                      "announced_at": run.announced_at,
                                      "lottery_size": json.loads(run.result_json)["lottery_size"]})
                continue
            if summary["status"] != "drawn":
                continue
            run = await run_store.get_run(panel.id, summary["id"])
            record = json.loads(run.result_json)
            inputs = json.loads(run.inputs_json)
            runs.append({"kind": run.kind, "seed": run.seed, "ticket": run.ticket, "lottery_size": record["lottery_size"],
                         "lottery_digest": run.lottery_digest, "inputs_hash": run.inputs_hash,
                         "pool_size": record["n"], "k": record["k"], "fixed": len(inputs.get("fixed_ids", [])),
                         "min_probability": record["min_probability"], "max_probability": record["max_probability"],
                         "drawn_at": run.drawn_at, "quotas": with_drawn_counts(record["quotas"], run.panel_counts_json),
                         "new_members": len(json.loads(run.drawn_json or "[]")),
                         "seed_source": run.seed_source, "announced_at": run.announced_at,
                         "algorithm": run.algorithm, "robust_floor": record.get("robust", {}).get("floor"),
                         "recent_rule": run.recent_rule,
                         "recent_since": inputs.get("recent_service", {}).get("since_year"),
                         "recent_factor": run.recent_factor,
                         "alternates": len(json.loads(run.alternates_json)["alternates"]["ids"])
                         if run.alternates_json else None})
        selections = [run for run in runs if run["kind"] == "selection"]
        return Template("panels/public/how_we_chose.html", context={
            "panel": panel, "runs": runs, "announced": announced, "recipe": run_store.VERIFY_RECIPE,
            "labels": DIMENSION_LABELS, "method": selections[-1]["algorithm"] if selections else "leximin",
            "robust_floor": selections[-1]["robust_floor"] if selections else None})


class MemberLinkController(Controller):
    """A volunteer's own page, reached from the private link in their email."""

    path = "/my-panel"
    opt = public()

    @get("/{token:str}", name="member_page")
    async def page(self, request: Request, token: FromPath[str]) -> Template:
        volunteer = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        if volunteer is None:
            return link_not_working(request)
        saved = request.query_params.get("saved", "")
        return await self._page(request, volunteer, token, saved=saved if saved in MEMBER_SAVED else "")

    async def _page(self, request: Request, volunteer: Volunteer, token: str, *, saved: str = "",
                    values: dict | None = None, errors: dict | None = None, status_code: int = 200) -> Template:
        panel = await store.get_panel(volunteer.panel)
        confirmed = volunteer.status == MEMBER_STATUS
        materials_whole, materials_by_session = material_store.group_by_session(
            await material_store.list_materials(panel.id) if confirmed else [])
        consultations = await open_consultations_for_member(
            member_reference=volunteer.reference, secret_key=request.app.state.settings.secret_key,
            today=date.today()) if confirmed and await confirmed_member(token) is not None else []
        return Template("panels/public/member.html", context={
            "votes": await ballots.open_votes_for_member(panel_id=panel.id, volunteer_id=volunteer.id,
                                                         today=council_today()) if confirmed else [],
            "responses": await responses_to_rate(panel_id=panel.id, volunteer_id=volunteer.id) if confirmed else [],
            "reviews": await open_reviews_for_member(panel_id=panel.id, volunteer_id=volunteer.id,
                                                     today=council_today()) if confirmed else [],
            "panel": panel, "volunteer": volunteer, "token": token, "sessions": await store.list_sessions(panel.id),
            "answers": json.loads(volunteer.answers or "{}"), "labels": DIMENSION_LABELS,
            "materials_whole": materials_whole, "materials_by_session": materials_by_session,
            "consultations": consultations, "saved": saved, "apologies": await apologies.apologies_of(volunteer.id),
            "now": datetime.now(timezone.utc), "session_started": session_started,
            "values": values or {"access_needs": volunteer.access_needs}, "errors": errors or {}},
            status_code=status_code)

    @post("/{token:str}/respond", name="member_respond")
    async def respond(self, request: Request, token: FromPath[str], data: RepeatableFormData) -> Redirect:
        volunteer = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        if volunteer is None:
            raise NotFoundException()
        answer = last_value(data, "answer", "")
        if answer not in ("confirm", "decline"):
            raise HTTPException(status_code=400, detail=gettext("Choose whether to confirm or decline your place."))
        answered = await store.respond_to_invitation(volunteer=volunteer, accept=answer == "confirm")
        if answered:
            if answer == "confirm":
                await service_records.record_service(secret_key=request.app.state.settings.secret_key,
                                                     panel_ids=[volunteer.panel])
            await record_audit(actor="resident", action="invitation_confirmed" if answer == "confirm" else "invitation_declined",
                               object_type="volunteer", object_id=volunteer.reference, ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("member_page", token=token)
                        + (f"?saved={answer}ed" if answered else ""), status_code=303)

    @get("/{token:str}/sessions.ics", name="member_calendar")
    async def calendar(self, request: Request, token: FromPath[str]) -> Response:
        """The panel's sessions as a calendar file, for someone invited or confirmed."""
        volunteer = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        if volunteer is None or volunteer.status not in ("selected", "confirmed") or volunteer.invitation_pending:
            raise NotFoundException()
        panel = await store.get_panel(volunteer.panel)
        text = sessions_calendar(panel, await store.list_sessions(panel.id), domain=site_domain(request))
        return download(text, media_type=CALENDAR_MEDIA_TYPE, filename=CALENDAR_FILE_NAME)

    @post("/{token:str}/apologies", name="member_apology")
    async def apology(self, request: Request, token: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        """Send (``sorry=yes``) or take back apologies for one session that has not started."""
        volunteer = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        if volunteer is None:
            raise NotFoundException()
        values = last_values(data, ("session", "sorry"))
        sorry = values["sorry"] == "yes"
        try:
            session = await apologies.set_apology(volunteer=volunteer, session_id=whole_number(values["session"]) or 0,
                                                  sorry=sorry, now=datetime.now(timezone.utc))
        except apologies.ApologyError as error:
            return await self._page(request, volunteer, token, errors={"apologies": str(error)},
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor="resident", action="apology_sent" if sorry else "apology_withdrawn",
                           object_type="volunteer", object_id=volunteer.reference, detail=f"session {session.id}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("member_page", token=token)
                        + ("?saved=apology" if sorry else "?saved=apology_withdrawn"), status_code=303)

    @post("/{token:str}/access-needs", name="member_access_needs")
    async def access_needs(self, request: Request, token: FromPath[str], data: RepeatableFormData) -> Template | Redirect:
        volunteer = await store.volunteer_by_token(token, idle_days=request.app.state.settings.private_link_idle_days)
        if volunteer is None or volunteer.status not in ("selected", "confirmed") or volunteer.invitation_pending:
            raise NotFoundException()
        values = last_values(data, ("access_needs",))
        text, problem = apologies.check_access_needs(values["access_needs"])
        if problem:
            return await self._page(request, volunteer, token, values=values, errors={"access_needs": problem},
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await apologies.save_access_needs(volunteer=volunteer, text=text)
        await record_audit(actor="resident", action="access_needs_saved", object_type="volunteer",
                           object_id=volunteer.reference, ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("member_page", token=token) + "?saved=access", status_code=303)
