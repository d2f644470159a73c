"""A staff member's own account: what it is, changing their password; and the one-time link that
sets a password (public: its owner is not signed in)."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_404_NOT_FOUND, HTTP_422_UNPROCESSABLE_ENTITY

from server.accounts.password_changes import account_for_password_link, change_own_password, set_password_with_link
from server.accounts.staff import StaffAccountError, role_names
from server.accounts.two_factor import has_two_factor
from server.audit import record_audit
from server.tables import STAFF_ROLES
from server.web.forms import FormData
from server.web.guards import public, roles
from server.web.middleware import SESSION_TOKEN_KEY
from server.web.request_info import client_ip


def password_link_builder(request: Request) -> Callable[[str], str]:
    """Turns a set-password token into the full link for an email, from ``SITE_URL`` (never from
    the request's Host header, which whoever sends the request chooses)."""
    base = request.app.state.settings.site_url
    return lambda token: base + request.app.route_reverse("set_password", token=token)


class OwnAccountController(Controller):
    path = "/account"
    opt = roles(STAFF_ROLES)

    @get("/", name="account_home")
    async def home(self, request: Request) -> Template:
        return Template("account/home.html", context={"role_names": role_names(),
                                                      "two_factor": await has_two_factor(request.user.id)})

    @get("/password", name="account_password")
    async def password_form(self) -> Template:
        return Template("account/change_password.html", context={"errors": {}})

    @post("/password", name="account_password_submit")
    async def change_password(self, request: Request, data: FormData) -> Template | Redirect:
        try:
            await change_own_password(
                identity=request.user, current_password=str(data.get("current_password", "")),
                password=str(data.get("password", "")), confirmation=str(data.get("confirm_password", "")),
                session_token=str((request.session or {}).get(SESSION_TOKEN_KEY, "")),
            )
        except StaffAccountError as error:
            return Template("account/change_password.html", context={"errors": error.errors},
                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=request.user.email, action="staff_password_changed", object_type="staff_user",
                           object_id=request.user.id, detail="by its owner", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("account_home") + "?changed=password", status_code=303)


class SetPasswordController(Controller):
    path = "/set-password"
    opt = public()

    @get("/{token:str}", name="set_password")
    async def form(self, token: FromPath[str]) -> Template:
        person = await account_for_password_link(token)
        return Template("account/set_password.html", context={"person": person, "token": token, "errors": {}},
                        status_code=200 if person else HTTP_404_NOT_FOUND)

    @post("/{token:str}", name="set_password_submit")
    async def submit(self, request: Request, token: FromPath[str], data: FormData) -> Template | Redirect:
        try:
            person = await set_password_with_link(
                token=token, password=str(data.get("password", "")), confirmation=str(data.get("confirm_password", "")))
        except StaffAccountError as error:
            if "link" in error.errors:
                return Template("account/set_password.html", context={"person": None, "token": token, "errors": {}},
                                status_code=HTTP_404_NOT_FOUND)
            return Template("account/set_password.html",
                            context={"person": await account_for_password_link(token), "token": token,
                                     "errors": error.errors},
                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor=person.email, action="staff_password_changed", object_type="staff_user",
                           object_id=person.id, detail="with a one-time link", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("login") + "?password_set=1", status_code=303)
