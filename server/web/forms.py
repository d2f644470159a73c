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
