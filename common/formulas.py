"""Cells of CSV files the platform writes must not run as formulas in a spreadsheet (OWASP "CSV
injection").

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe, which spreadsheets show as text. Numbers are left alone (``-3.5`` is a number, not a
formula). A cell that already starts with an apostrophe gets one more, so ``unguard_cell`` can
always tell the added apostrophe from one the writer typed: a file the platform wrote reads back
unchanged.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text == text.strip()


def safe_cell(value: object) -> str:
    """The value as CSV cell text (None as empty), guarded as the module says."""
    text = "" if value is None else str(value)
    if text.startswith((*FORMULA_PREFIXES, GUARD)) and not _is_number(text):
        return GUARD + text
    return text


def unguard_cell(text: str) -> str:
    """Undo ``safe_cell`` on a cell read back from a file the platform wrote."""
    if text.startswith(GUARD) and text[1:].startswith((*FORMULA_PREFIXES, GUARD)):
        return text[1:]
    return text
