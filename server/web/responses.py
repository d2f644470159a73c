"""Responses that download a file.

``Content-Disposition`` follows RFC 6266: a plain ASCII ``filename="..."`` every browser reads,
plus ``filename*=UTF-8''...`` (RFC 8187 percent-encoding) when the real name is not plain ASCII.
Quotes, backslashes, path separators and control characters (a newline would end the header)
never reach the header as they are."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Mapping
from urllib.parse import quote

from litestar.response import Response, Stream

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]+')
_NOT_PLAIN = re.compile(r"[^\x20-\x7e]+")


def content_disposition(filename: str, *, disposition: str = "attachment") -> str:
    """The header value for ``filename`` (see the module's docstring)."""
    name = _UNSAFE.sub("_", filename).strip() or "download"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")  # é → e
    plain = _NOT_PLAIN.sub("_", ascii_name).strip() or "download"
    value = f'{disposition}; filename="{plain}"'
    if plain != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def download(content: str | bytes, *, media_type: str, filename: str,
             headers: Mapping[str, str] | None = None) -> Response:
    """A file to save as ``filename``; ``headers`` adds others (e.g. ``cache-control: no-store``
    for personal data)."""
    return Response(content=content, media_type=media_type,
                    headers={"content-disposition": content_disposition(filename), **(headers or {})})


def stream_download(chunks: AsyncIterator[str | bytes], *, media_type: str, filename: str,
                    headers: Mapping[str, str] | None = None) -> Stream:
    """``download`` for a whole data set, sent as ``chunks`` come: the first bytes leave at once
    and the server never holds the whole file."""
    return Stream(chunks, media_type=media_type,
                  headers={"content-disposition": content_disposition(filename), **(headers or {})})
