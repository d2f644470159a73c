"""The session cookie, written only when the session changed.

Litestar's cookie backend sets the session cookie again on every response, as the request brought
it. Two requests of one browser that overlap (a second tab, a page fetched while the resident
answers in the first) then race: the one answered last puts back the session it started with, and
a questionnaire's answers given meanwhile are lost. Here a response sets the cookie only when the
handler changed the session (an answer, a sign-in, a flash message), so a request that only reads
leaves the browser's newer cookie alone.

What this changes: the cookie's ``max_age`` now counts from the last change, not the last request.
Staff sign-ins expire on the server at a time fixed when they start (``accounts.staff``), with the
same length as the cookie's ``max_age``, so a staff session lasts as long as before.
"""

from __future__ import annotations

import copy
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.types import Empty, Message, ScopeSession

LOADED_KEY = "civicpanel.session_as_loaded"
"""The scope key holding a copy of the session as the request brought it."""


class ChangedOnlySessionBackend(ClientSideSessionBackend):
    """``ClientSideSessionBackend`` that leaves the cookie alone when the session is as it came."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope[LOADED_KEY] = copy.deepcopy(data)  # type: ignore[literal-required]
        return data

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        loaded = connection.scope.get(LOADED_KEY)  # type: ignore[misc]
        if scope_session and scope_session is not Empty and scope_session == loaded:
            return
        await super().store_in_message(scope_session, message, connection)


class ChangedOnlyCookieConfig(CookieBackendConfig):
    """``CookieBackendConfig`` whose backend writes the cookie only when the session changed."""

    _backend_class = ChangedOnlySessionBackend
