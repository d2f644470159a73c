"""Two-factor sign-in: the code asked for after the password, setting up an authenticator app
(at sign-in when it is required, or from "Your account"), and the recovery codes shown once."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_422_UNPROCESSABLE_ENTITY, HTTP_429_TOO_MANY_REQUESTS

from common.i18n import gettext
from server.accounts.staff import StaffIdentity, active_identity, start_session
from server.accounts.throttle import (
    forget_failures, policy_from_settings, record_failure, too_many_attempts_message, wait_before_next_attempt,
)
from server.accounts.two_factor import check_second_factor, confirm_enrolment, enrolment_qr, start_enrolment
from server.audit import record_audit
from server.controllers.accounts.pending import read_pending_sign_in
from server.controllers.accounts.sign_in import HOME_FOR_ROLE
from server.tables import STAFF_ROLES
from server.web.forms import FormData
from server.web.guards import public, roles
from server.web.middleware import SESSION_TOKEN_KEY
from server.web.request_info import client_ip


def _issuer(request: Request) -> str:
    return f"Civic Panel ({request.app.state.settings.council_name})".replace(":", " ")


async def _setup_page(request: Request, identity: StaffIdentity, *, action: str, errors: dict[str, str],
                      signing_in: bool) -> Template:
    settings = request.app.state.settings
    qr = await enrolment_qr(user_id=identity.id, email=identity.email, issuer=_issuer(request),
                            secret_key=settings.secret_key)
    if qr is None:
        await start_enrolment(user_id=identity.id, secret_key=settings.secret_key)
        qr = await enrolment_qr(user_id=identity.id, email=identity.email, issuer=_issuer(request),
                                secret_key=settings.secret_key)
    secret, svg = qr
    return Template("account/two_factor_setup.html",
                    context={"secret": secret, "qr_svg": svg, "action": action, "errors": errors,
                             "signing_in": signing_in},
                    status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else 200)


def _sign_in_again() -> Template:
    """No half-done sign-in in the session (never started, lapsed, or the account was disabled)."""
    return Template("account/sign_in_again.html", status_code=HTTP_400_BAD_REQUEST)


def _codes_page(codes: list[str], continue_to: str) -> Template:
    return Template("account/recovery_codes.html", context={"codes": codes, "continue_to": continue_to})


class TwoFactorSignInController(Controller):
    """The second step of signing in, reachable only with a half-done sign-in in the session."""

    path = "/login/two-factor"
    opt = public()

    async def _pending(self, request: Request, step: str) -> tuple[dict, StaffIdentity] | None:
        pending = read_pending_sign_in(request, step)
        identity = await active_identity(pending["user"]) if pending else None
        return (pending, identity) if identity else None

    async def _finish(self, request: Request, pending: dict, identity: StaffIdentity, detail: str) -> str:
        token = await start_session(identity=identity, ip_address=client_ip(request),
                                    session_hours=request.app.state.settings.session_max_age_hours, detail=detail)
        request.clear_session()
        request.set_session({SESSION_TOKEN_KEY: token})
        return pending.get("next") or request.app.route_reverse(HOME_FOR_ROLE[identity.role])

    @get("/", name="login_two_factor")
    async def code_form(self, request: Request) -> Template | Redirect:
        if await self._pending(request, "code") is None:
            return _sign_in_again()
        return Template("account/two_factor_code.html", context={"errors": {}})

    @post("/", name="login_two_factor_submit")
    async def code_submit(self, request: Request, data: FormData) -> Template | Redirect:
        found = await self._pending(request, "code")
        if found is None:
            return _sign_in_again()
        pending, identity = found
        settings = request.app.state.settings
        throttle = policy_from_settings(settings)
        address = client_ip(request)
        code = str(data.get("code", ""))[:64]
        wait = await wait_before_next_attempt(policy=throttle, email=identity.email, ip_address=address)
        if wait.total_seconds() > 0:
            return Template("account/two_factor_code.html", context={"errors": {"code": too_many_attempts_message(wait)}},
                            status_code=HTTP_429_TOO_MANY_REQUESTS)
        used = await check_second_factor(user_id=identity.id, code=code, secret_key=settings.secret_key) if code.strip() else None
        if used is None:
            await record_failure(policy=throttle, email=identity.email, ip_address=address)
            await record_audit(actor="anonymous", action="login_failed", object_type="staff_user",
                               object_id=identity.id, detail="wrong two-factor code", ip_address=address)
            message = (gettext("Enter the 6-digit code from your authenticator app, or a recovery code") if not code.strip()
                       else gettext("The code is not right, or has already been used: enter the current code"))
            return Template("account/two_factor_code.html", context={"errors": {"code": message}},
                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await forget_failures(policy=throttle, email=identity.email, ip_address=address)
        detail = "with an authenticator app" if used == "app" else "with a recovery code"
        return Redirect(path=await self._finish(request, pending, identity, detail), status_code=303)

    @get("/set-up", name="login_two_factor_setup")
    async def setup_form(self, request: Request) -> Template | Redirect:
        found = await self._pending(request, "enrol")
        if found is None:
            return _sign_in_again()
        return await _setup_page(request, found[1], action=request.app.route_reverse("login_two_factor_setup_submit"),
                                 errors={}, signing_in=True)

    @post("/set-up", name="login_two_factor_setup_submit")
    async def setup_submit(self, request: Request, data: FormData) -> Template | Redirect:
        found = await self._pending(request, "enrol")
        if found is None:
            return _sign_in_again()
        pending, identity = found
        codes = await confirm_enrolment(user_id=identity.id, code=str(data.get("code", ""))[:64],
                                        secret_key=request.app.state.settings.secret_key)
        if codes is None:
            return await _setup_page(request, identity, action=request.app.route_reverse("login_two_factor_setup_submit"),
                                     errors={"code": gettext("Enter the 6-digit code your app shows now")},
                                     signing_in=True)
        await record_audit(actor=identity.email, action="staff_two_factor_enabled", object_type="staff_user",
                           object_id=identity.id, ip_address=client_ip(request))
        continue_to = await self._finish(request, pending, identity, "after setting up two-factor sign-in")
        return _codes_page(codes, continue_to)


class TwoFactorAccountController(Controller):
    """A signed-in person sets up (or sets up again) their authenticator app."""

    path = "/account/two-factor"
    opt = roles(STAFF_ROLES)

    @get("/", name="account_two_factor")
    async def setup_form(self, request: Request) -> Template:
        await start_enrolment(user_id=request.user.id, secret_key=request.app.state.settings.secret_key)
        return await _setup_page(request, request.user, action=request.app.route_reverse("account_two_factor_submit"),
                                 errors={}, signing_in=False)

    @post("/", name="account_two_factor_submit")
    async def setup_submit(self, request: Request, data: FormData) -> Template:
        codes = await confirm_enrolment(user_id=request.user.id, code=str(data.get("code", ""))[:64],
                                        secret_key=request.app.state.settings.secret_key)
        if codes is None:
            return await _setup_page(request, request.user, action=request.app.route_reverse("account_two_factor_submit"),
                                     errors={"code": gettext("Enter the 6-digit code your app shows now")},
                                     signing_in=False)
        await record_audit(actor=request.user.email, action="staff_two_factor_enabled", object_type="staff_user",
                           object_id=request.user.id, ip_address=client_ip(request))
        return _codes_page(codes, request.app.route_reverse("account_home"))
