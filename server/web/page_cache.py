"""Anonymous visitors' copies of the public read pages, kept by each worker for a few seconds.

When a consultation goes out in a newsletter, thousands of residents load the same few pages:
the home page, the consultation hub, a case study with its comments, a published report.
Rendering each of them afresh costs milliseconds; a page kept for ``fresh_seconds`` costs a few
microseconds to send. What may be kept:

- only GET of route handlers marked ``opt={"page_cache": True}``, pages that show the
  same thing to every visitor who is not signed in;
- only for a visitor with no session cookie (staff, a panel member, a resident part-way through a
  questionnaire always get a fresh page), and never an htmx fragment;
- only a 200 ``text/html`` response that sets no cookie but the CSRF one;
- a page per language: the key holds the request's ``variant`` (its locale, chosen from the
  ``lang`` cookie or ``Accept-Language`` exactly as the page itself is drawn), so a page drawn in
  English is never sent to a visitor who reads Welsh.

Every page with a form carries the visitor's own CSRF token (Litestar's double-submit cookie), so
a stored page is split around the token it was drawn with, and each visitor gets their own
token put back in: the one from their valid CSRF cookie, or a new one with its ``Set-Cookie``,
exactly as Litestar's CSRF middleware would. The gzip body is assembled from pieces compressed
once (each piece its own deflate stream ending on a byte boundary, the token as a stored block),
so a visitor's compressed page costs no compression.

Freshness: a stored page is sent for ``fresh_seconds``; after that, one request draws it again
while the others are still sent the old copy, for at most ``STALE_SECONDS`` more (so a popular
page is never drawn by fifty requests at once). A write (any POST, PUT, PATCH, DELETE) handled by
this worker drops all its pages, so whoever changed something sees it at once; a refused one (a
4xx) changed nothing and drops nothing, so a stranger cannot empty the store at will.

A page is kept only when the token it was drawn with is known for sure: the CSRF cookie is read
exactly as Litestar reads it (two cookies of the name: the last one), and the page is kept only
when that token is found in it and every place that holds a token holds that one. Otherwise a
request with two cookies could leave a page with a stranger's token baked in, and every visitor
sent it would have their form refused. Other workers and
machines may show an anonymous visitor a page up to ``fresh_seconds`` old; nothing is shared
between them, and nothing here is needed for correctness: ``fresh_seconds = 0`` turns it off.

Litestar's own response cache stores whole responses, ``Set-Cookie`` and CSRF token included,
which would hand every visitor the first visitor's token; hence this.
"""

from __future__ import annotations

import gzip
import hmac
import secrets
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256

from litestar.connection import ASGIConnection
from litestar.datastructures.cookie import Cookie
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

OPT_KEY = "page_cache"
STALE_SECONDS = 10.0
MAX_PAGES = 256
MAX_PAGE_BYTES = 4 * 1024 * 1024
MAX_STORE_BYTES = 64 * 1024 * 1024
"""A worker's pages, identity and gzip together: the least recently used go first beyond this
(each query string is a page of its own, so the bound is on bytes, not only on pages)."""
GZIP_LEVEL = 6
CSRF_SECRET_LENGTH = 64
"""Hex characters of the random part of a Litestar CSRF token (32 bytes); an HMAC-SHA256 in hex follows."""
CSRF_TOKEN_LENGTH = CSRF_SECRET_LENGTH + 64
_HEX = frozenset(b"0123456789abcdef")
_FORM_TOKEN_SLOT = b'name="_csrf_token" value="'
"""Where a page's forms carry the token (``_forms.html``'s ``csrf_field`` and ``post_button.html``)."""
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_VARY = b"Accept-Encoding, Accept-Language, Cookie"
"""A kept page differs by compression and by language (the ``lang`` cookie or Accept-Language)."""
_DROPPED_HEADERS = {b"content-length", b"content-encoding", b"set-cookie", b"vary", b"date", b"server"}


def page_cache_opt() -> dict[str, bool]:
    """``opt`` for a route handler whose page is the same for every visitor who is not signed in."""
    return {OPT_KEY: True}


# --- CSRF tokens, as Litestar makes and checks them --------------------------------------------

class CsrfTokens:
    def __init__(self, secret: str, cookie: Cookie, header_name: str = "x-csrftoken") -> None:
        self._secret = secret.encode()
        self.cookie_name = cookie.key
        self.slots = (_FORM_TOKEN_SLOT, f'"{header_name}": "'.encode("latin-1"))
        """What comes just before the token wherever a page holds it (forms, and the
        ``hx-headers`` of ``base.html``)."""
        stand_in = "0" * CSRF_TOKEN_LENGTH  # a token needs no quoting: the header is the same around any token
        header = Cookie(**{**cookie.dict, "value": stand_in}).to_header(header="")
        self._cookie_before, self._cookie_after = (part.encode("latin-1") for part in header.split(stand_in, 1))

    def _signature(self, random_part: str) -> str:
        return hmac.new(self._secret, random_part.encode(), sha256).hexdigest()

    def new(self) -> str:
        random_part = secrets.token_hex(CSRF_SECRET_LENGTH // 2)
        return random_part + self._signature(random_part)

    def is_valid(self, token: str | None) -> bool:
        if token is None or len(token) != CSRF_TOKEN_LENGTH or not _HEX.issuperset(token.encode("ascii", "replace")):
            return False
        return hmac.compare_digest(token[CSRF_SECRET_LENGTH:], self._signature(token[:CSRF_SECRET_LENGTH]))

    def set_cookie_header(self, token: str) -> bytes:
        return self._cookie_before + token.encode("ascii") + self._cookie_after


# --- a stored page ----------------------------------------------------------------------------

def _stored_block(data: bytes) -> bytes:
    """``data`` as one non-final stored deflate block (it starts on a byte boundary)."""
    return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def _crc_shift(length: int) -> tuple[int, ...]:
    """The linear part of ``crc -> zlib.crc32(any data of this length, crc)``, as the images of
    the 32 one-bit values: CRC-32 is affine in its starting value, and the part that depends on
    the starting value depends only on the data's length."""
    zeros = bytes(length)
    base = zlib.crc32(zeros, 0)
    return tuple(zlib.crc32(zeros, 1 << bit) ^ base for bit in range(32))


def _apply(shift: tuple[int, ...], value: int) -> int:
    result, bit = 0, 0
    while value:
        if value & 1:
            result ^= shift[bit]
        value >>= 1
        bit += 1
    return result


@dataclass
class Page:
    """A page split around its CSRF token: ``pieces[0] token pieces[1] token ... pieces[-1]``."""

    status: int
    headers: list[tuple[bytes, bytes]]
    pieces: list[bytes]
    fresh_until: float
    stale_until: float
    deflated: list[bytes] = field(default_factory=list)
    """Each piece as raw deflate: all but the last end with a sync flush, the last is final."""
    crcs: list[int] = field(default_factory=list)
    """``zlib.crc32`` of each piece on its own."""
    shifts: list[tuple[int, ...]] = field(default_factory=list)
    refreshing_since: float | None = None

    @classmethod
    def of(cls, status: int, headers: list[tuple[bytes, bytes]], body: bytes | list[bytes], token: str | None, *,
           now: float, fresh_seconds: float) -> "Page":
        """``body`` is the page, or the pieces ``split_exactly`` cut it into."""
        if isinstance(body, list):
            pieces = body
        else:
            pieces = body.split(token.encode("ascii")) if token else [body]
        deflated = []
        for number, piece in enumerate(pieces):
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            last = number == len(pieces) - 1
            deflated.append(compressor.compress(piece) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        return cls(status=status, headers=headers, pieces=pieces, fresh_until=now + fresh_seconds,
                   stale_until=now + fresh_seconds + STALE_SECONDS, deflated=deflated,
                   crcs=[zlib.crc32(piece) for piece in pieces], shifts=[_crc_shift(len(piece)) for piece in pieces])

    @staticmethod
    def split_exactly(body: bytes, token: str, slots: tuple[bytes, ...]) -> list[bytes] | None:
        """``body`` split around ``token``, or None when the page cannot be kept: the token is not
        in it, or some place that holds a token (a form field, the htmx header) holds something
        else. Such a page was drawn with another token than the one believed, and every visitor
        sent it would post a token that is not theirs."""
        pieces = body.split(token.encode("ascii"))
        if len(pieces) < 2:
            return None
        for piece in pieces:
            for slot in slots:
                if piece.count(slot) > (1 if piece.endswith(slot) else 0):
                    return None
        if any(pieces[-1].endswith(slot) for slot in slots):
            return None
        return pieces

    @property
    def size(self) -> int:
        return sum(map(len, self.pieces)) + sum(map(len, self.deflated))

    def body(self, token: str) -> bytes:
        return token.encode("ascii").join(self.pieces)

    def gzip_body(self, token: str) -> bytes:
        """The gzip member of ``body(token)``, with no compression work: the pieces' deflate
        streams with the token between them as stored blocks, and the CRC-32 combined from the
        pieces' own."""
        token_bytes = token.encode("ascii")
        token_block = _stored_block(token_bytes)
        parts = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", self.deflated[0]]
        crc, size = self.crcs[0], len(self.pieces[0])
        for number in range(1, len(self.pieces)):
            parts += (token_block, self.deflated[number])
            crc = zlib.crc32(token_bytes, crc)
            crc = _apply(self.shifts[number], crc) ^ self.crcs[number]
            size += len(token_bytes) + len(self.pieces[number])
        parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(parts)


# --- the store and the middleware -------------------------------------------------------------

class PageStore:
    """One worker's pages, least recently used dropped first."""

    def __init__(self, fresh_seconds: float, max_pages: int = MAX_PAGES, max_bytes: int = MAX_STORE_BYTES) -> None:
        self.fresh_seconds = fresh_seconds
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._bytes = 0

    @property
    def enabled(self) -> bool:
        return self.fresh_seconds > 0

    def get(self, key: tuple) -> Page | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: tuple, page: Page) -> None:
        self.drop(key)
        self._pages[key] = page
        self._bytes += page.size
        while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= dropped.size

    def drop(self, key: tuple) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self._bytes -= page.size

    def clear(self) -> None:
        self._pages.clear()
        self._bytes = 0

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._pages)


def _request_headers(scope: Scope) -> tuple[bytes, bytes, bool]:
    cookie, accept_encoding, htmx = b"", b"", False
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookie = cookie + b"; " + value if cookie else value
        elif name == b"accept-encoding":
            accept_encoding = value
        elif name == b"hx-request":
            htmx = True
    return cookie, accept_encoding, htmx


def _cookie_value(cookie_header: str, name: str) -> str | None:
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _accepts_gzip(accept_encoding: bytes) -> bool:
    for part in accept_encoding.lower().split(b","):
        coding, _, params = part.partition(b";")
        if coding.strip() in (b"gzip", b"*"):
            params = params.replace(b" ", b"")
            if not params.startswith(b"q="):
                return True
            try:
                return float(params[2:]) > 0
            except ValueError:
                return False
    return False


class PageCacheMiddleware:
    """Outermost of the app's middleware: a page from the store is sent before the session is
    decoded or the CSRF middleware runs. See the module's docstring."""

    def __init__(self, app: ASGIApp, *, store: PageStore, csrf: CsrfTokens, session_cookie: str,
                 variant: Callable[[Scope], str] = lambda scope: "") -> None:
        self.app = app
        self.variant = variant
        self.store = store
        self.csrf = csrf
        self.session_cookie = session_cookie.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.store.enabled:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in _SAFE_METHODS:
            await self._write(scope, receive, send)
            return
        handler = scope.get("route_handler")
        if method != "GET" or handler is None or not handler.opt.get(OPT_KEY):
            await self.app(scope, receive, send)
            return
        cookie, accept_encoding, htmx = _request_headers(scope)
        if htmx or self.session_cookie in cookie:
            await self.app(scope, receive, send)
            return
        # The CSRF cookie exactly as Litestar's CSRF middleware will read it (with two cookies of
        # the name, the last; quoted values unquoted): the page below is drawn with that value.
        cookie_value = ASGIConnection(scope).cookies.get(self.csrf.cookie_name) if cookie else None
        visitor_token = cookie_value if self.csrf.is_valid(cookie_value) else None
        key = (_host(scope), scope["path"], scope.get("query_string", b""), self.variant(scope))
        now = time.monotonic()
        page = self.store.get(key)
        if page is not None:
            refreshing = page.refreshing_since is not None and now - page.refreshing_since < STALE_SECONDS
            if now < page.fresh_until or (now < page.stale_until and refreshing):
                await self._send_page(page, send, visitor_token, gzip=_accepts_gzip(accept_encoding))
                return
            page.refreshing_since = now
        await self.app(scope, receive, self._recorder(key, send, visitor_token, had_cookie=cookie_value is not None))

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A write drops this worker's pages, so whoever changed something sees it on their next
        page; a refused one (a 4xx: no CSRF token, a form error, too large) changed nothing, and
        must not let anyone empty the store at will."""
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except HTTPException as refusal:  # raised by middleware (CSRF, size limits): sent further out
            status.append(refusal.status_code)
            raise
        finally:
            if not status or not 400 <= status[0] < 500:
                self.store.clear()

    async def _send_page(self, page: Page, send: Send, visitor_token: str | None, *, gzip: bool) -> None:
        token = visitor_token or self.csrf.new()
        body = page.gzip_body(token) if gzip else page.body(token)
        headers = [*page.headers, (b"content-length", str(len(body)).encode()), (b"vary", _VARY)]
        if gzip:
            headers.append((b"content-encoding", b"gzip"))
        if visitor_token is None:
            headers.append((b"set-cookie", self.csrf.set_cookie_header(token)))
        await send({"type": "http.response.start", "status": page.status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _recorder(self, key: tuple, send: Send, visitor_token: str | None, *, had_cookie: bool) -> Send:
        """Passes the app's response on unchanged and, when it is a page that may be kept, keeps it."""
        started: dict = {}
        chunks: list[bytes] = []
        state = {"keep": False, "size": 0}

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
                state["keep"] = self._may_keep(message, visitor_token, had_cookie)
            elif message["type"] == "http.response.body" and state["keep"]:
                body = message.get("body", b"")
                state["size"] += len(body)
                if state["size"] > MAX_PAGE_BYTES:
                    state["keep"] = False
                else:
                    chunks.append(body)
                if state["keep"] and not message.get("more_body", False):
                    self._keep(key, started, b"".join(chunks), visitor_token)
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False) and not state["keep"]:
                page = self.store.get(key)
                if page is not None and page.refreshing_since is not None:
                    self.store.drop(key)  # the page is gone or changed kind: stop sending the old copy

        return record

    def _may_keep(self, message: Message, visitor_token: str | None, had_cookie: bool) -> bool:
        if message["status"] != 200:
            return False
        content_type = b""
        for name, value in message.get("headers", []):
            name = name.lower()
            if name == b"set-cookie":
                if not value.startswith(self.csrf.cookie_name.encode() + b"="):
                    return False
            elif name == b"content-type":
                content_type = value
        # A visitor whose CSRF cookie was not valid got a page drawn with that invalid value:
        # nothing to split it on, so it is not kept.
        return content_type.startswith(b"text/html") and (visitor_token is not None or not had_cookie)

    def _keep(self, key: tuple, started: Message, body: bytes, visitor_token: str | None) -> None:
        headers = [(name.lower(), value) for name, value in started.get("headers", [])]
        token = visitor_token
        if token is None:
            for name, value in headers:
                if name == b"set-cookie":
                    token = _cookie_value(value.decode("latin-1").split(";", 1)[0], self.csrf.cookie_name)
        encoding = next((value for name, value in headers if name == b"content-encoding"), b"")
        if encoding == b"gzip":
            body = gzip.decompress(body)
        elif encoding:
            return
        if not self.csrf.is_valid(token):
            return
        pieces = Page.split_exactly(body, token, self.csrf.slots)
        if pieces is None:
            return
        kept_headers = [(name, value) for name, value in headers if name not in _DROPPED_HEADERS]
        self.store.put(key, Page.of(started["status"], kept_headers, pieces, token, now=time.monotonic(),
                                    fresh_seconds=self.store.fresh_seconds))


def _host(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"host":
            return value
    return b""
