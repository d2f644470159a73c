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


_LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str, *, max_length: int) -> str:
    """``text`` as one line of at most ``max_length`` characters: every run of line breaks, tabs
    and other control characters becomes one space, and the ends are stripped. For values that
    go into an email header (a subject built from a title), where a line break is refused by
    Python's ``email`` package or would start a new header."""
    return _LINE_BREAKS_AND_CONTROLS.sub(" ", text).strip()[:max_length].rstrip()


WHOLE_NUMBER_MAX_DIGITS = 9
"""At most 999,999,999: every count and id a form sends fits a database integer (PostgreSQL's
``integer`` stops at 2,147,483,647, and a larger value in a query is an error, not "no row")."""


def whole_number(text: object) -> int | None:
    """The whole number typed in ``text``, surrounding spaces ignored, or None when it is not one.

    Decimal digits only, of any script ("12", "١٢" in Arabic-Indic, "১২" in Bengali): the set
    ``int`` reads. ``str.isdigit`` is also true of "²" and "①", which ``int`` refuses, so a form
    that checked ``isdigit()`` and then called ``int()`` answered 500 to them. A sign, a decimal
    point, a thousands separator or more than ``WHOLE_NUMBER_MAX_DIGITS`` digits is not a whole
    number here either."""
    typed = str(text if text is not None else "").strip()
    if not typed or len(typed) > WHOLE_NUMBER_MAX_DIGITS or not typed.isdecimal():
        return None
    return int(typed)
