"""Role guards. Every route handler declares who may reach it in its ``opt``:
``opt={"public": True}`` or ``opt={"roles": ("officer",)}``. The route-by-role test walks every
registered route and fails on a handler that declares neither, so a new route cannot be
forgotten."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
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
