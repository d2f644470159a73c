"""The request bodies controllers take, declared once.

``FormData`` is for forms whose every field is one text value: a field sent twice does not fit
``dict[str, str]`` and Litestar answers 400, so a controller never stores ``"['a', 'b']"``.
``RepeatableFormData`` is for forms with checkbox groups or fields a page may send twice: a
repeated field arrives as a list, and the controller reads it as one (or takes the last value)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""An HTML form posted as ``application/x-www-form-urlencoded``, one value a field."""
RepeatableFormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""An HTML form whose fields may repeat (a repeated field is a list)."""
UploadData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
"""A form with a file (``multipart/form-data``); read files with ``server.web.uploads.read_upload``."""


def last_values(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """One text per field of a ``RepeatableFormData`` (a repeated field counts as its last value)."""
    values = {}
    for name in names:
        value = data.get(name, "")
        values[name] = str(value[-1] if isinstance(value, list) and value else value)
    return values


def ticked(data: dict[str, Any], name: str) -> list[str]:
    """The values of a checkbox group in a ``RepeatableFormData``: none, one or several."""
    value = data.get(name, [])
    return [str(item) for item in (value if isinstance(value, list) else [value])]
