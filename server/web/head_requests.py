"""``HEAD`` answered as ``GET`` without the body, on every route that answers ``GET``.

Link checkers, uptime monitors and some proxies ask with ``HEAD``; Litestar routes a ``HEAD``
only to a handler declared for it, so every page answered 405. This wraps the whole app (it
must run before routing, which Litestar's middleware does not): the request goes on as a
``GET`` in a copy of the scope (the server's own scope, which its access log reads, still says
``HEAD``), and the response keeps its status and headers, ``Content-Length`` included, but sends
no body. No route declares a ``HEAD`` handler of its own.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)  # type: ignore[typeddict-item]
