"""Text helpers shared by the domains."""

from __future__ import annotations

import re

SLUG_MAX_LENGTH = 80
"""Slugs live in 100-character columns; 80 leaves room for a ``-2`` style suffix on a clash."""
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = SLUG_MAX_LENGTH) -> str:
    """A web address name from a title: case-folded, every run of characters other than ``a``–``z``
    and ``0``–``9`` made one hyphen, at most ``max_length`` characters, no hyphen at either end.

    The result always matches ``^[a-z0-9]+(?:-[a-z0-9]+)*$`` or is empty (a title with no letter
    or digit); callers choose their own fallback. Slugs made by earlier rules (lower-cased, cut
    at 80 or 90) keep working: slugs are stored, never recomputed."""
    return _NOT_SLUG.sub("-", text.casefold()).strip("-")[:max_length].strip("-")
