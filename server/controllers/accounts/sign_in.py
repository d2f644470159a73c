"""Staff sign in and sign out."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_429_TOO_MANY_REQUESTS

from common.i18n import gettext
from server.web.guards import public
from server.web.middleware import SESSION_TOKEN_KEY
from server.web.request_info import client_ip, safe_next_path
from server.accounts.staff import log_in, log_out
from server.accounts.throttle import policy_from_settings
from server.controllers.accounts.pending import PENDING_SIGN_IN_KEY, pending_sign_in

HOME_FOR_ROLE = {"officer": "officer_home", "facilitator": "facilitator_home", "cabinet": "cabinet_home",
                 "admin": "admin_home"}
"""The route name of each role's home page, where signing in leads when no page was asked for."""


class AuthController(Controller):
    opt = public()

    @get("/login", name="login")
    async def login_form(self, next: FromQuery[str] = "") -> Template:
        return Template("login.html", context={"values": {"email": ""}, "errors": {}, "next": safe_next_path(next)})

    @post("/login", name="login_submit")
    async def login_submit(
        self, request: Request, data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Template | Redirect:
        email = str(data.get("email", "")).strip()
        password = str(data.get("password", ""))
        next_path = safe_next_path(str(data.get("next", "")))
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = gettext("Enter your email address")
        if not password:
            errors["password"] = gettext("Enter your password")
        status = HTTP_422_UNPROCESSABLE_ENTITY
        if not errors:
            settings = request.app.state.settings
            result = await log_in(
                email=email,
                password=password,
                ip_address=client_ip(request),
                throttle=policy_from_settings(settings),
                session_hours=settings.session_max_age_hours,
            )
            if result.identity is not None and result.second_step is not None:
                request.clear_session()
                request.set_session({PENDING_SIGN_IN_KEY: pending_sign_in(
                    user_id=result.identity.id, step=result.second_step, next_path=next_path)})
                route = "login_two_factor" if result.second_step == "code" else "login_two_factor_setup"
                return Redirect(path=request.app.route_reverse(route), status_code=303)
            if result.identity is not None and result.session_token is not None:
                request.clear_session()
                request.set_session({SESSION_TOKEN_KEY: result.session_token})
                return Redirect(path=next_path or request.app.route_reverse(HOME_FOR_ROLE[result.identity.role]),
                                status_code=303)
            errors["email"] = result.error or gettext("Enter a correct email address and password")
            if result.locked_out:
                status = HTTP_429_TOO_MANY_REQUESTS
        return Template(
            "login.html",
            context={"values": {"email": email}, "errors": errors, "next": next_path},
            status_code=status,
        )

    @post("/logout", name="logout")
    async def logout(self, request: Request) -> Redirect:
        token = (request.session or {}).get(SESSION_TOKEN_KEY)
        if token:
            await log_out(session_token=token, ip_address=client_ip(request))
        request.clear_session()
        return Redirect(path=request.app.route_reverse("home") + "?signed_out=1", status_code=303)
