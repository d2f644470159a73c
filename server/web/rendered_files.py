"""Files that cost a lot to draw (a report's PDF: most of a second of CPU), drawn once and kept.

Keyed, like ``fragment_cache``, by a digest of everything the file is drawn from, read on every
request: a republished or corrected version has other content, so a new key and a fresh
drawing, and an old file is never sent. Requests that arrive while a file is being drawn wait for
that drawing rather than starting their own. Each worker keeps its own, bounded in bytes, least
recently used dropped first; nothing is written anywhere, so nothing outlives what it was drawn
from for longer than the worker runs.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable

MAX_BYTES = 32 * 1024 * 1024


class RenderedFiles:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._files: OrderedDict[bytes, bytes] = OrderedDict()
        self._bytes = 0
        self._drawing: dict[bytes, asyncio.Lock] = {}

    @staticmethod
    def key(*parts: str | bytes | int) -> bytes:
        digest = hashlib.sha256()
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.digest()

    async def get_or_render(self, key: bytes, render: Callable[[], Awaitable[bytes]]) -> bytes:
        found = self._take(key)
        if found is not None:
            return found
        lock = self._drawing.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                found = self._take(key)
                if found is not None:
                    return found
                content = await render()
                self._keep(key, content)
                return content
        finally:
            if not lock.locked():
                self._drawing.pop(key, None)

    def _take(self, key: bytes) -> bytes | None:
        found = self._files.get(key)
        if found is not None:
            self._files.move_to_end(key)
        return found

    def _keep(self, key: bytes, content: bytes) -> None:
        if len(content) > self.max_bytes:
            return
        self._files[key] = content
        self._bytes += len(content)
        while self._bytes > self.max_bytes:
            _, dropped = self._files.popitem(last=False)
            self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._files)
