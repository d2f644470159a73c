"""The request bodies controllers take, declared once.

``FormData`` is for forms whose every field is one text value: a field sent twice does not fit
``dict[str, str]`` and Litestar answers 400, so a controller never stores ``"['a', 'b']"``.
``RepeatableFormData`` is for forms with checkbox groups or fields a page may send twice: a
repeated field arrives as a list, and the controller reads it as one (or takes the last value)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body

from common.text import whole_number

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""An HTML form posted as ``application/x-www-form-urlencoded``, one value a field."""
RepeatableFormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""An HTML form whose fields may repeat (a repeated field is a list)."""
UploadData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
"""A form with a file (``multipart/form-data``); read files with ``server.web.uploads.read_upload``."""


def last_value(data: dict[str, Any], name: str, default: object = "") -> str:
    """One field of a ``RepeatableFormData`` as text: a repeated field counts as its last value
    (``str()`` of it would be ``"['a', 'b']"``), a missing one as ``default``."""
    value = data.get(name, default)
    if isinstance(value, list):
        value = value[-1] if value else default
    return str(value)


def last_values(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """One text per field of a ``RepeatableFormData`` (a repeated field counts as its last value)."""
    return {name: last_value(data, name) for name in names}


def ticked(data: dict[str, Any], name: str) -> list[str]:
    """The values of a checkbox group in a ``RepeatableFormData``: none, one or several."""
    value = data.get(name, [])
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def offered_id(data: dict[str, Any], name: str) -> int:
    """The id in a field the page wrote (a hidden field, a button's value) of a ``RepeatableFormData``.
    Anything but a whole number that fits a database integer names nothing the page offered: 404,
    as an unknown id does (``int()`` took 19 digits, and the database query then failed: a 500)."""
    number = whole_number(last_values(data, (name,))[name])
    if number is None:
        raise NotFoundException()
    return number
