"""Role guards. Every route handler declares who may reach it in its ``opt``:
``opt={"public": True}`` or ``opt={"roles": ("officer",)}``. The route-by-role test walks every
registered route and fails on a handler that declares neither, so a new route cannot be
forgotten. ``ids_in_range`` runs after it, on every route too."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from common.i18n import gettext

OFFICER = ("officer",)
SESSION_STAFF = ("facilitator", "officer")
"""Who works at a panel session: facilitators record tables and paper reviews; officers may too."""
CABINET_READERS = ("cabinet", "officer", "admin")
"""Aggregates only: anyone on the staff may read what cabinet reads."""
ADMIN = ("admin",)


def public(**extra: object) -> dict[str, object]:
    return {"public": True, **extra}


def roles(allowed: tuple[str, ...], **extra: object) -> dict[str, object]:
    return {"roles": allowed, **extra}


def role_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public"):
        return
    allowed = handler.opt.get("roles")
    if not allowed:
        raise PermissionDeniedException(gettext("This page has no access rule"))
    identity = connection.scope.get("user")
    if identity is None:
        raise NotAuthorizedException(gettext("Sign in to see this page"))
    if identity.role not in allowed:
        raise PermissionDeniedException(gettext("Your account does not have access to this page"))


DATABASE_INTEGER_MAX = 2**31 - 1
"""The largest id a row can have: PostgreSQL's ``integer``."""


def ids_in_range(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """An id in the address (an ``{name:int}`` path parameter) that no database integer holds
    names no row: 404, as any unknown id does. Such a number reached the query, where SQLite
    cannot take 19 digits and PostgreSQL's ``integer`` stops at 2,147,483,647: a 500."""
    if any(isinstance(value, int) and abs(value) > DATABASE_INTEGER_MAX for value in connection.path_params.values()):
        raise NotFoundException()
