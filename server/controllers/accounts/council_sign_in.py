"""Sign in with the council's identity provider (OpenID Connect), when it is configured."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST

from common.i18n import gettext
from server.accounts.oidc import OidcConfig, OidcError, finish_sign_in, staff_for, start_sign_in
from server.accounts.staff import start_session
from server.audit import record_audit
from server.controllers.accounts.sign_in import HOME_FOR_ROLE
from server.web.guards import public
from server.web.middleware import SESSION_TOKEN_KEY
from server.web.request_info import client_ip

OIDC_SESSION_KEY = "oidc_sign_in"


def oidc_config(request: Request) -> OidcConfig:
    settings = request.app.state.settings
    if not settings.oidc_enabled:
        raise NotFoundException(gettext("Signing in with a council account is not set up"))
    return OidcConfig(issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
                      client_secret=settings.oidc_client_secret, group_roles=dict(settings.oidc_group_roles),
                      redirect_uri=settings.site_url + request.app.route_reverse("login_council_callback"))


def _refused(message: str) -> Template:
    return Template("login.html", context={"values": {"email": ""}, "errors": {"council-sign-in": message}, "next": ""},
                    status_code=HTTP_400_BAD_REQUEST)


class CouncilSignInController(Controller):
    path = "/login/council"
    opt = public()

    @get("/", name="login_council")
    async def start(self, request: Request) -> Redirect | Template:
        config = oidc_config(request)
        try:
            started = await start_sign_in(config)
        except OidcError as error:
            return _refused(str(error))
        request.clear_session()
        request.set_session({OIDC_SESSION_KEY: {"state": started.state, "nonce": started.nonce,
                                                "code_verifier": started.code_verifier}})
        return Redirect(path=started.url, status_code=303)

    @get("/callback", name="login_council_callback")
    async def callback(
        self, request: Request, code: FromQuery[str] = "",
        returned_state: Annotated[str, QueryParameter(name="state")] = "",  # "state" is Litestar's own keyword
    ) -> Redirect | Template:
        config = oidc_config(request)
        kept = (request.session or {}).get(OIDC_SESSION_KEY)
        request.clear_session()
        try:
            person = await finish_sign_in(config, code=code, state=returned_state, kept=kept if isinstance(kept, dict) else {})
            identity, changes = await staff_for(person)
        except OidcError as error:
            await record_audit(actor="anonymous", action="login_failed", object_type="staff_user",
                               detail=f"council identity provider: {error}"[:500], ip_address=client_ip(request))
            return _refused(str(error))
        token = await start_session(identity=identity, ip_address=client_ip(request),
                                    session_hours=request.app.state.settings.session_max_age_hours,
                                    detail="with the council's identity provider" + (f"; {changes}" if changes else ""))
        request.set_session({SESSION_TOKEN_KEY: token})
        return Redirect(path=request.app.route_reverse(HOME_FOR_ROLE[identity.role]), status_code=303)
