"""ASGI middleware: who is signed in, and the security headers every response carries."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.staff import identity_for_session

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


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it runs for every response, including the router's own 404s,
    which never reach route middleware."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in SECURITY_HEADERS.items():
            if name not in headers:
                headers[name] = value
