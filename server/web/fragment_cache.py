"""Rendered page fragments kept for reuse, keyed by a digest of everything they are drawn from.

The key is computed from the data the fragment shows (read from the database on every request),
so a fragment is never stale: changed data gives a new key and a fresh render. Each worker keeps
its own small LRU; nothing here needs sharing between workers or machines. Only fragments that
hold no per-visitor value (no CSRF token, nothing about the visitor) may be cached.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable

from markupsafe import Markup

MAX_FRAGMENTS = 256


class FragmentCache:
    def __init__(self, max_entries: int = MAX_FRAGMENTS) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, Markup] = OrderedDict()

    @staticmethod
    def key(*parts: object) -> bytes:
        """A digest of the parts' ``repr``: dataclasses, datetimes and strings all repr fully."""
        return hashlib.sha256(repr(parts).encode("utf-8")).digest()

    def get_or_render(self, key: bytes, render: Callable[[], str]) -> Markup:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        fragment = Markup(render())
        self._entries[key] = fragment
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return fragment

    def __len__(self) -> int:
        return len(self._entries)
