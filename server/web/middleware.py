"""ASGI middleware: who is signed in, refusing input no layer below can take, and the security headers
every response carries."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from common.i18n import gettext
from server.accounts.staff import identity_for_session
from server.settings import Settings
from server.web.page_cache import OPT_KEY as PAGE_CACHE_OPT

SESSION_TOKEN_KEY = "staff_token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}


class StaffIdentityMiddleware(ASGIMiddleware):
    """Puts the signed-in staff member (a ``StaffIdentity``) or None in ``scope["user"]``.
    Runs after the session middleware, which has decoded the cookie into ``scope["session"]``."""

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        """Static files and the health check never need to know who is asking."""
        path = scope["path"]
        return path.startswith("/static/") or path == "/healthz"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session") or {}
        token = session.get(SESSION_TOKEN_KEY) if isinstance(session, dict) else None
        scope["user"] = await identity_for_session(token) if token else None
        await next_app(scope, receive, send)


class MalformedInputMiddleware(ASGIMiddleware):
    """Refuses, with a 4xx, what no browser sends and the layers below cannot take:

    - a NUL character in the path, the query string or a form field (400): PostgreSQL cannot
      store or even compare text holding one, so it was a 500 on any slug page or form;
    - a field of a ``multipart/form-data`` form that is not UTF-8 text (400): Litestar's parser
      raised UnicodeDecodeError, a 500 on every upload form;
    - a non-ASCII CSRF token in the header, cookie or form (the CSRF check's own 403): Litestar's
      CSRF middleware, which runs after this one, compares tokens with ``hmac.compare_digest``,
      which raises TypeError on non-ASCII text.

    The form is parsed once: Litestar keeps it on the connection for the CSRF check and the handler.
    Uploaded files are the upload handlers' to check."""

    def __init__(self, *, csrf_header: str, csrf_cookie: str) -> None:
        self.csrf_header = csrf_header
        self.csrf_cookie = csrf_cookie

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http":
            await next_app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            raise ClientException(gettext("The address contains a character that is not allowed"))
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            request: Request = Request(scope, receive)
            tokens = [request.headers.get(self.csrf_header), request.cookies.get(self.csrf_cookie)]
            if request.content_type[0] in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
                try:
                    form = await request.form()
                except UnicodeDecodeError as error:  # a multipart field that is not UTF-8 text
                    raise ClientException(gettext("The form contains a character that is not allowed")) from error
                tokens.append(form.get("_csrf_token"))
                if any("\x00" in key or (isinstance(value, str) and "\x00" in value) for key, value in form.multi_items()):
                    raise ClientException(gettext("The form contains a character that is not allowed"))
            if any(isinstance(token, str) and not token.isascii() for token in tokens):
                raise PermissionDeniedException(gettext("CSRF token verification failed"))
        await next_app(scope, receive, send)


STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
"""A year of HTTPS only, for the site and its subdomains (the NCSC's and OWASP's advice)."""


def sends_strict_transport_security(settings: Settings) -> bool:
    """HSTS in production, and only when the public address is HTTPS: a browser told to use
    HTTPS for a site that has none could not reach it for a year."""
    return settings.is_production and settings.site_url.lower().startswith("https://")
def may_be_stored(scope: Scope) -> bool:
    """Whether a browser or proxy may keep this response: only the public pages that are the same
    for everyone (``page_cache`` routes) seen by a visitor not signed in, and the static files.
    Everything else — staff pages, "your data" and other private-link pages, the questionnaire a
    resident is part-way through, downloads — may hold personal data, and is ``no-store``."""
    if scope["path"].startswith("/static/"):
        return True
    handler = scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(PAGE_CACHE_OPT) and scope.get("user") is None
                and not scope.get("session"))


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it runs for every response, including the router's own 404s,
    which never reach route middleware. A response that sets its own ``Cache-Control`` (a
    published report's image) keeps it."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in SECURITY_HEADERS.items():
            if name not in headers:
                headers[name] = value
        if sends_strict_transport_security(scope["litestar_app"].state.settings):
            headers["strict-transport-security"] = STRICT_TRANSPORT_SECURITY
        if "cache-control" not in headers and not may_be_stored(scope):
            headers["cache-control"] = "no-store"
        elif not scope["path"].startswith("/static/"):
            # A page others may keep differs by language (the ``lang`` cookie or Accept-Language).
            headers["vary"] = ", ".join(filter(None, (headers.get("vary"), "Accept-Language, Cookie")))
