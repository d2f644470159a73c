"""Friendly error pages (HTML) and problem details (JSON under /api).

A user's mistake gets a 4xx with a page that says what to do next; anything unexpected is logged
with its trace and the user sees a 500 page that gives nothing away."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from common.i18n import gettext, lazy_gettext
from common.uploads import MAX_UPLOAD_LABEL
from server.web.request_limits import RequestTooLarge

logger = logging.getLogger("civicpanel")

TITLES = {
    400: lazy_gettext("There is a problem with your request"),
    403: lazy_gettext("You do not have access to this page"),
    404: lazy_gettext("Page not found"),
    405: lazy_gettext("Page not found"),
    413: lazy_gettext("The file is too large"),
    422: lazy_gettext("There is a problem with what you sent"),
    429: lazy_gettext("Too many requests"),
    500: lazy_gettext("Sorry, there is a problem with the service"),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(request: Request, status_code: int, detail: str, *, title: str | None = None) -> Response:
    title = title or str(TITLES.get(status_code) or gettext("There is a problem"))
    if _wants_json(request):
        return Response(
            content={"status": status_code, "title": title, "detail": detail},
            status_code=status_code,
            media_type="application/problem+json",
        )
    return Template(
        template_name="error.html",
        context={"status_code": status_code, "title": title, "detail": detail},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, NotAuthorizedException) and not _wants_json(request):
        target = request.app.route_reverse("login") + "?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request") == "true":
            return ClientRedirect(redirect_to=target)
        return Redirect(path=target, status_code=303)
    detail = exc.detail if exc.status_code < 500 else ""
    if exc.status_code == 404:
        detail = gettext("If you typed the web address, check it is correct. If you pasted it, check you copied it all.")
    if isinstance(exc, RequestTooLarge):  # a form over the limits of server/web/request_limits.py
        return _error_response(request, exc.status_code, detail, title=gettext("What you sent is too large"))
    if exc.status_code == 413:  # the request body is over the limit (Litestar's request_max_body_size)
        detail = gettext("Files must be smaller than %(size)s. Split the file and send each part.", size=MAX_UPLOAD_LABEL)
    return _error_response(request, exc.status_code, detail)


def _is_value_too_long(exc: BaseException) -> bool:
    """PostgreSQL refused a value longer than its ``Varchar`` column (SQLite stores it)."""
    try:
        from asyncpg.exceptions import StringDataRightTruncationError
    except ImportError:  # pragma: no cover - asyncpg is installed with the app
        return False
    return isinstance(exc, StringDataRightTruncationError)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    if _is_value_too_long(exc):
        # Every form checks its own lengths and says which field is too long; this is the net under
        # one that forgot: a 422 that says what to do, not a 500. Logged, so the form gets its check.
        logger.warning("A value too long for its column on %s %s: %s", request.method, request.url.path, exc)
        return _error_response(request, 422, gettext(
            "Something you typed is too long to keep. Go back, shorten the longest answer and send the form again."))
    logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, gettext(
        "Try again later. The problem has been recorded for the team that runs this service."))
