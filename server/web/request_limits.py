"""How much a request may send, checked before anything parses it.

A form is parsed before the CSRF check can refuse it (the token is one of its fields), so without
limits anyone could make a worker parse a 9 MB form of 2.3 million fields (4 s, 780 MB) for free.
Here, in the order a request meets them:

- the whole body: Litestar's ``request_max_body_size`` (``MAX_BODY_BYTES``), which refuses a
  larger ``Content-Length`` without reading, and stops reading a body without one at the limit;
- a form that is not an upload (``application/x-www-form-urlencoded``): at most
  ``MAX_FORM_BYTES``, and at most ``MAX_FORM_FIELDS`` fields, counted as the ``&`` that separate
  them before any field is decoded;
- a multipart form (uploads): at most ``MAX_FORM_FIELDS`` parts, counted the same way as the
  boundaries that separate them.

Each is a 413 with a page that says what was too large; nothing below runs.
"""

from __future__ import annotations

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ASGIApp, Receive, Scope, Send

from common.i18n import gettext
from common.uploads import MAX_UPLOAD_BYTES

MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 1_000_000
"""Any request: the largest upload and the rest of its form, with room to spare (an upload a
little over its own limit still gets the upload's own clear message)."""
MAX_FORM_BYTES = 1_000_000
"""A form without a file: a long report text, percent-encoded, is a few hundred kilobytes."""
MAX_FORM_FIELDS = 1_000
"""Fields (or multipart parts) in one form: the longest form (an officer typing in a paper
questionnaire) has a field per question and option, well under this."""


class RequestTooLarge(HTTPException):
    status_code = HTTP_413_REQUEST_ENTITY_TOO_LARGE


def _multipart_boundary(content_type_options: dict[str, str]) -> bytes | None:
    boundary = content_type_options.get("boundary")
    return f"--{boundary}".encode("latin-1", "replace") if boundary else None


class FormLimitsMiddleware(ASGIMiddleware):
    """Refuses, with a 413, a form too large or with too many fields, before it is parsed.
    The body read here is kept on the connection: the form parser reads it from there."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http":
            await next_app(scope, receive, send)
            return
        request: Request = Request(scope, receive)
        content_type, options = request.content_type
        if content_type == RequestEncodingType.URL_ENCODED:
            announced = request.content_length
            if announced is not None and announced > MAX_FORM_BYTES:
                raise RequestTooLarge(detail=_too_long_form())
            body = await request.body()
            if len(body) > MAX_FORM_BYTES:
                raise RequestTooLarge(detail=_too_long_form())
            if body.count(b"&") >= MAX_FORM_FIELDS:
                raise RequestTooLarge(detail=_too_many_fields())
        elif content_type == RequestEncodingType.MULTI_PART:
            boundary = _multipart_boundary(options)
            body = await request.body()
            if boundary is not None and body.count(boundary) > MAX_FORM_FIELDS + 1:
                raise RequestTooLarge(detail=_too_many_fields())
        await next_app(scope, receive, send)


def _too_long_form() -> str:
    return gettext("What you sent is too long. Shorten the longest answers and send the form again.")


def _too_many_fields() -> str:
    return gettext("The form has more than %(count)s fields. Send it again from the page it came from.",
                   count=MAX_FORM_FIELDS)
