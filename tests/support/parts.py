"""Splitting a long crawl into parts that pytest-xdist runs side by side.

A crawl that walks the site and then sends every form it found is one test of minutes, which one
xdist worker runs while the others finish. Split into parts, every part walks the same pages (the
walk only reads, so each part finds the same forms and addresses), and each thing found is then
checked by exactly one part, chosen by a stable hash of its key (``zlib.crc32``, not the salted
``hash``: a key keeps its part from run to run and on every worker)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Part:
    """Part ``number`` (counted from 1) of ``count``."""

    number: int = 1
    count: int = 1

    def owns(self, key: object) -> bool:
        """Whether this part checks the thing with this key (a tuple of strings: its ``repr`` is stable)."""
        return zlib.crc32(repr(key).encode()) % self.count == self.number - 1

    def __str__(self) -> str:
        return f"part{self.number}of{self.count}"


def parts_of(count: int) -> list[Part]:
    """The ``count`` parts that together make the whole."""
    return [Part(number, count) for number in range(1, count + 1)]


def split(names: Iterable[str], counts: Mapping[str, int]) -> list:
    """Parameters ``(name, part)`` for ``parametrize``: each name once per part (``counts`` says how
    many; one unless given), with ids such as ``officer-part1of2``, and the name alone when whole."""
    return [pytest.param(name, part, id=name if part.count == 1 else f"{name}-{part}")
            for name in names for part in parts_of(counts.get(name, 1))]
