"""Dates typed in GOV.UK's three boxes (``name-day``, ``name-month``, ``name-year``).

The domains' forms read a date as ISO text (``2026-03-31``), as a CSV cell or the JSON API holds
it, so the boxes are joined into that text here and each domain's own checks and messages apply
unchanged. A form posted with the single ``name`` field (a script, a test) still works: the boxes
are used only when one of them was sent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from common.text import whole_number

PARTS = ("day", "month", "year")


def _sent(form: Mapping[str, object], name: str) -> bool:
    return any(f"{name}-{part}" in form for part in PARTS)


def joined_date(form: Mapping[str, object], name: str) -> str:
    """The date in ``form`` as text: ``YYYY-MM-DD`` from boxes holding numbers, what was typed
    (``31/2/x``) when they do not, so that the domain refuses it by name; the single field's text
    when no box was sent; "" when nothing was typed."""
    if not _sent(form, name):
        return str(form.get(name, "")).strip()
    day, month, year = (str(form.get(f"{name}-{part}", "")).strip() for part in PARTS)
    if not (day or month or year):
        return ""
    numbers = whole_number(day), whole_number(month), whole_number(year)
    if None not in numbers and len(year) == 4:
        return "{2:04d}-{1:02d}-{0:02d}".format(*numbers)
    return f"{day}/{month}/{year}"


def typed_boxes(form: Mapping[str, object], names: Iterable[str]) -> dict[str, str]:
    """The boxes of each date in ``names`` as they were sent, to show them again with the errors."""
    return {f"{name}-{part}": str(form.get(f"{name}-{part}", "")).strip()
            for name in names if _sent(form, name) for part in PARTS}


def with_date_boxes(values: Mapping[str, object], names: Iterable[str]) -> dict[str, object]:
    """``values`` with the boxes of each date in ``names`` filled: what was typed in them when
    they were sent, else the parts of the date held in the single field (``2022-02-30`` shows as
    30, 2, 2022 even though it is not a real date, so that what was typed is not lost)."""
    shown = dict(values)
    for name in names:
        if _sent(values, name):
            continue
        parts = re.fullmatch(r"(\d{1,4})-(\d{1,2})-(\d{1,2})", str(values.get(name, "")).strip())
        year, month, day = (str(int(part)) for part in parts.groups()) if parts else ("", "", "")
        shown.update({f"{name}-day": day, f"{name}-month": month, f"{name}-year": year})
    return shown
