"""Administrators: staff accounts and roles, and the audit log (search and export)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from server.audit import audit_csv_chunks, count_audit, record_audit, search_audit
from server.web.date_boxes import joined_date, typed_boxes, with_date_boxes
from server.web.forms import FormData
from server.web.guards import ADMIN, roles
from server.web.request_info import client_ip
from server.web.pagination import pager
from server.web.responses import stream_download
from server.accounts.password_changes import issue_password_link
from server.accounts.two_factor import reset_two_factor, set_two_factor_required, two_factor_required
from server.accounts.staff import (
    StaffAccountError, create_staff_user, is_last_admin, role_names, last_admin_error, list_staff, role_change_problem, set_staff_active,
    set_staff_role,
)
from server.controllers.accounts.own_account import password_link_builder
from server.services.outbox import write_outbox
from server.tables import STAFF_ROLES

AUDIT_DATES = ("since", "until")
"""The audit search's dates, typed in three boxes each (GOV.UK's date input)."""


def role_explanation(role: str, *, yourself: bool) -> str:
    what = {
        "officer": gettext("Engagement officers run panels and consultations and see residents' personal data."),
        "facilitator": gettext("Facilitators record what tables say and review at panel sessions; they see "
                               "members' names at their sessions, never contact details or officer pages."),
        "cabinet": gettext("Cabinet members see reports and totals only, never personal data."),
        "admin": gettext("Administrators manage staff accounts, retention and the audit log."),
    }[role]
    if yourself:
        return what + " " + gettext("This is your own account: you will lose access to pages your new role cannot see.")
    return what


def _parse_day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = gettext("Enter a real date, for example 31 3 2026")
        return None


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None


class AdminController(Controller):
    path = "/admin"
    opt = roles(ADMIN)

    async def _users_page(self, *, values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Template:
        return Template(
            "admin/users.html",
            context={"users": await list_staff(), "roles": STAFF_ROLES, "role_names": role_names(),
                     "two_factor_required": await two_factor_required(), "values": values, "errors": errors},
            status_code=status_code,
        )

    @get("/", name="admin_home")
    async def users(self) -> Template:
        return await self._users_page(values={"role": "officer"}, errors={})

    @post("/users", name="admin_create_user")
    async def create_user(self, request: Request, data: FormData) -> Template | Redirect:
        """The new account has no password: its owner is emailed a one-time link to set one."""
        values = {key: str(data.get(key, "")) for key in ("email", "display_name", "role")}
        try:
            created = await create_staff_user(
                email=values["email"], display_name=values["display_name"], role=values["role"])
        except StaffAccountError as error:
            return await self._users_page(values=values, errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="staff_created", object_type="staff_user",
                           object_id=created.id, detail=f"{created.email} as {created.role}", ip_address=client_ip(request))
        await self._send_password_link(request, created.id)
        return Redirect(path=request.app.route_reverse("admin_home") + "?created=1", status_code=303)

    async def _send_password_link(self, request: Request, user_id: int) -> None:
        link = await issue_password_link(user_id=user_id, link_for_token=password_link_builder(request),
                                         council_name=request.app.state.settings.council_name)
        await write_outbox([link.email])
        await record_audit(actor=request.user.email, action="staff_password_link_sent", object_type="staff_user",
                           object_id=user_id, ip_address=client_ip(request))

    async def _person(self, user_id: int) -> dict:
        person = next((user for user in await list_staff() if user["id"] == user_id), None)
        if person is None:
            raise NotFoundException(gettext("There is no such staff account"))
        return person

    def _confirm(self, *, person: dict | None, question: str, explanation: str, action: str, button: str,
                 hidden: dict[str, str] | None = None, warning: bool = False) -> Template:
        return Template("admin/confirm.html", context={
            "person": person, "question": question, "explanation": explanation, "action": action,
            "button": button, "hidden": hidden or {}, "warning": warning})

    @get("/users/{user_id:int}/password-link", name="admin_password_link")
    async def password_link_confirm(self, request: Request, user_id: FromPath[int]) -> Template:
        person = await self._person(user_id)
        return self._confirm(
            person=person,
            question=gettext("Send %(name)s a link to set a new password?", name=person["display_name"]),
            explanation=gettext(
                "They will be emailed a link that works once, for 72 hours. Their current password keeps "
                "working until they use it; then they are signed out everywhere. You never see the password."),
            action=request.app.route_reverse("admin_password_link_send", user_id=user_id),
            button=gettext("Send the link"))

    @post("/users/{user_id:int}/password-link", name="admin_password_link_send")
    async def password_link_send(self, request: Request, user_id: FromPath[int]) -> Redirect:
        await self._person(user_id)
        await self._send_password_link(request, user_id)
        return Redirect(path=request.app.route_reverse("admin_home") + "?sent=1", status_code=303)

    @post("/users/{user_id:int}/role", name="admin_set_role")
    async def set_role(self, request: Request, user_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Asks for confirmation first (the form posts again with ``confirmed=1``)."""
        role = str(data.get("role", ""))
        person = await self._person(user_id)
        if role == person["role"]:
            return Redirect(path=request.app.route_reverse("admin_home"), status_code=303)
        try:
            problem = await role_change_problem(user_id=user_id, role=role)
            if problem:
                raise StaffAccountError({"role": problem})
            if data.get("confirmed") != "1":
                names = role_names()
                return self._confirm(
                    person=person,
                    question=gettext("Change the role of %(name)s from %(old)s to %(new)s?", name=person["display_name"],
                                     old=names[person["role"]], new=names[role]),
                    explanation=role_explanation(role, yourself=user_id == request.user.id),
                    action=request.app.route_reverse("admin_set_role", user_id=user_id),
                    button=gettext("Change the role"), hidden={"role": role})
            old_role = await set_staff_role(user_id=user_id, role=role)
        except StaffAccountError as error:
            return await self._users_page(values={"role": "officer"},
                                          errors={f"role-{user_id}": message for message in error.errors.values()},
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="staff_role_changed", object_type="staff_user",
                           object_id=user_id, detail=f"role changed from {old_role} to {role}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("admin_home") + "?changed=1", status_code=303)

    @post("/users/{user_id:int}/active", name="admin_set_active")
    async def set_active(self, request: Request, user_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Disabling asks for confirmation first (the form posts again with ``confirmed=1``)."""
        active = str(data.get("active", "")) == "1"
        if user_id == request.user.id and not active:
            return Redirect(path=request.app.route_reverse("admin_home") + "?error=self", status_code=303)
        person = await self._person(user_id)
        if not active and data.get("confirmed") != "1":
            if await is_last_admin(user_id):
                return await self._users_page(values={"role": "officer"},
                                              errors={f"active-{user_id}": last_admin_error()},
                                              status_code=HTTP_422_UNPROCESSABLE_ENTITY)
            return self._confirm(
                person=person, question=gettext("Disable the account of %(name)s?", name=person["display_name"]),
                explanation=gettext("They are signed out at once and cannot sign in until an administrator "
                                    "enables the account again. Nothing they did is deleted."),
                action=request.app.route_reverse("admin_set_active", user_id=user_id),
                button=gettext("Disable the account"), hidden={"active": "0"}, warning=True)
        try:
            await set_staff_active(user_id=user_id, active=active)
        except StaffAccountError as error:
            return await self._users_page(values={"role": "officer"},
                                          errors={f"active-{user_id}": message for message in error.errors.values()},
                                          status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="staff_enabled" if active else "staff_disabled",
                           object_type="staff_user", object_id=user_id, ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("admin_home") + "?changed=1", status_code=303)

    @post("/users/{user_id:int}/two-factor/reset", name="admin_reset_two_factor")
    async def reset_two_factor_of(self, request: Request, user_id: FromPath[int], data: FormData) -> Template | Redirect:
        """Asks for confirmation first (the form posts again with ``confirmed=1``)."""
        person = await self._person(user_id)
        if data.get("confirmed") != "1":
            return self._confirm(
                person=person,
                question=gettext("Reset the two-factor sign-in of %(name)s?", name=person["display_name"]),
                explanation=gettext(
                    "Do this when they have lost their phone and their recovery codes. Their app and recovery codes "
                    "stop working and they are signed out; they set up an app again at their next sign-in if "
                    "two-factor sign-in is required, or from their account page."),
                action=request.app.route_reverse("admin_reset_two_factor", user_id=user_id),
                button=gettext("Reset two-factor sign-in"), warning=True)
        await reset_two_factor(user_id)
        await record_audit(actor=request.user.email, action="staff_two_factor_reset", object_type="staff_user",
                           object_id=user_id, ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("admin_home") + "?changed=1", status_code=303)

    @post("/two-factor", name="admin_two_factor_policy")
    async def two_factor_policy(self, request: Request, data: FormData) -> Template | Redirect:
        """Require two-factor sign-in for everyone, or make it optional; asks for confirmation first."""
        required = str(data.get("required", "")) == "1"
        if data.get("confirmed") != "1":
            return self._confirm(
                person=None,
                question=(gettext("Require two-factor sign-in for everyone?") if required
                          else gettext("Make two-factor sign-in optional?")),
                explanation=(gettext(
                    "Everyone who has not set up an authenticator app will be asked to at their next sign-in, "
                    "before they can do anything else. People already signed in stay signed in until their session ends.")
                    if required else gettext(
                    "People who have set up an app keep using it; others sign in with their password only.")),
                action=request.app.route_reverse("admin_two_factor_policy"),
                button=gettext("Require it") if required else gettext("Make it optional"),
                hidden={"required": "1" if required else "0"}, warning=not required)
        await set_two_factor_required(required)
        await record_audit(actor=request.user.email, action="two_factor_policy_changed", object_type="site_setting",
                           object_id="require_two_factor", detail="required" if required else "optional",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("admin_home") + "?changed=1", status_code=303)

    @get("/audit", name="admin_audit")
    async def audit(self, request: HTMXRequest, actor: FromQuery[str] = "", action: FromQuery[str] = "") -> Template:
        """The dates come as ``since=2026-03-31`` from a link, or as the form's three boxes each;
        ``page`` is the page of entries, newest first."""
        errors: dict[str, str] = {}
        since, until = (joined_date(request.query_params, name) for name in AUDIT_DATES)
        since_day = _parse_day(since, "since", errors)
        until_day = _parse_day(until, "until", errors)
        filters = {"actor": actor, "action": action, "since": _start_of(since_day),
                   "until": _start_of(until_day + timedelta(days=1)) if until_day else None}
        pages = pager(raw_page=request.query_params.get("page"), total=await count_audit(**filters),
                      base_url=request.app.route_reverse("admin_audit"),
                      query={"actor": actor, "action": action, "since": since if since_day else "",
                             "until": until if until_day else ""}, keep=("actor", "action", "since", "until"))
        records = await search_audit(**filters, offset=pages.offset, limit=pages.per_page)
        return Template(
            "admin/_audit_partial.html" if request.htmx else "admin/audit.html",
            context={"records": records, "pager": pages, "errors": errors, "values": with_date_boxes(
                {"actor": actor, "action": action, "since": since, "until": until,
                 **typed_boxes(request.query_params, AUDIT_DATES)}, AUDIT_DATES)},
            status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else 200,
        )

    @get("/audit.csv", name="admin_audit_csv")
    async def audit_export(self, request: Request, actor: FromQuery[str] = "", action: FromQuery[str] = "", since: FromQuery[str] = "", until: FromQuery[str] = "") -> Stream:
        errors: dict[str, str] = {}
        since_day = _parse_day(since, "since", errors)
        until_day = _parse_day(until, "until", errors)
        if errors:
            raise ClientException(detail=gettext("Dates must be real dates, like 2026-03-31"))
        filters = {"actor": actor, "action": action, "since": _start_of(since_day),
                   "until": _start_of(until_day + timedelta(days=1)) if until_day else None}
        filters["until"] = filters["until"] or datetime.now(timezone.utc)  # not the export's own entry, written next
        count = await count_audit(**filters)
        await record_audit(actor=request.user.email, action="audit_exported", object_type="audit_log",
                           detail=f"{count} entries; actor={actor!r} action={action!r} since={since!r} until={until!r}",
                           ip_address=client_ip(request))
        return stream_download(
            audit_csv_chunks(**filters), media_type="text/csv; charset=utf-8", filename="audit-log.csv")
