"""Quotes in a report are residents' own words: a chosen quote must come from the source it
cites (a free-text answer or a published case-study comment), shortened with an ellipsis at
most — never reworded, never with a word added, never with a name.

``quote_problem(quote, source)`` says what is wrong with a quote, or None when it is the
source's words. The rule: split the quote at each ellipsis (``…`` or ``...``); every piece must
occur in the source, in order and without overlapping, starting and ending on word boundaries
(so "I do… like it" cannot be cut from "I don't like it", an apostrophe counting as part of
a word). Spacing and letter case are not
compared (an officer may capitalise the first word after a cut), everything else is.

Pure: no database, no web.
"""

from __future__ import annotations

import re

from common.i18n import gettext

ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
SPACES = re.compile(r"\s+")
WORD = re.compile(r"\w")


def _normal(text: str) -> str:
    return SPACES.sub(" ", text).strip().casefold()


def quote_pieces(quote: str) -> list[str]:
    """The quoted pieces between ellipses, spacing normalised (empty pieces dropped)."""
    return [piece for piece in (_normal(part) for part in ELLIPSIS.split(quote)) if piece]


def _piece_pattern(piece: str) -> re.Pattern[str]:
    """The piece as a whole-word match: an apostrophe counts as part of a word, so "don" is not
    a word of "don't"."""
    start = r"(?<![\w'’])" if WORD.match(piece[0]) else ""
    end = r"(?![\w'’])" if WORD.match(piece[-1]) else ""
    return re.compile(start + re.escape(piece) + end)


def quote_problem(quote: str, source: str) -> str | None:
    """None when ``quote`` is ``source``'s own words (possibly cut with ellipses); otherwise a
    GOV.UK-style message saying what to fix."""
    pieces = quote_pieces(quote)
    if not pieces:
        return gettext("Enter the words to quote")
    text = _normal(source)
    position = 0
    for piece in pieces:
        match = _piece_pattern(piece).search(text, position)
        if match is None:
            shown = piece if len(piece) <= 60 else piece[:57] + "..."
            return gettext("The quote must use the resident's own words: ‘%(words)s’ is not in the comment as "
                           "written (you may leave words out with …, but not change or add any)", words=shown)
        position = match.end()
    return None


def name_in_quote(quote: str, name: str) -> bool:
    """Whether the quote contains the commenter's display name (whole words, case and spacing
    ignored). Names are never published with a quote, nor inside one."""
    name = _normal(name)
    if len(name) < 2:
        return False
    return _piece_pattern(name).search(_normal(quote)) is not None
