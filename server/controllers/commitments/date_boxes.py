"""Dates typed in GOV.UK's three boxes (``name-day``, ``name-month``, ``name-year``).

The domain's forms read a date as text, as a CSV cell holds it (``YYYY-MM-DD`` or ``DD/MM/YYYY``),
so the boxes are joined into ``DD/MM/YYYY`` text here and the domain's own checks and messages
apply unchanged. A form posted with the single ``name`` field (a script, a CSV-minded client)
still works: the boxes are used only when one of them was sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from analysis.commitments.csv_import import parse_day

PARTS = ("day", "month", "year")


def joined_date(form: Mapping[str, object], name: str) -> str:
    """The date in ``form`` as text: ``DD/MM/YYYY`` from the boxes, the single field's text when no
    box was sent, and "" when nothing was typed."""
    boxes = [str(form.get(f"{name}-{part}", "")).strip() for part in PARTS]
    if not any(f"{name}-{part}" in form for part in PARTS):
        return str(form.get(name, "")).strip()
    return "/".join(boxes) if any(boxes) else ""


def box_values(form: Mapping[str, object], name: str) -> dict[str, str]:
    """What to show in the three boxes: what was typed in them, or the parts of a date given as
    ``YYYY-MM-DD`` / ``DD/MM/YYYY`` text (a stored value, a form posted without boxes)."""
    if any(f"{name}-{part}" in form for part in PARTS):
        return {f"{name}-{part}": str(form.get(f"{name}-{part}", "")).strip() for part in PARTS}
    day = parse_day(str(form.get(name, "")).strip())
    if day is None:
        return {f"{name}-{part}": "" for part in PARTS}
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def with_date_boxes(values: Mapping[str, object], names: Iterable[str]) -> dict[str, object]:
    """``values`` plus the boxes of each date field in ``names``, for drawing the form again."""
    shown = dict(values)
    for name in names:
        shown.update(box_values(values, name))
    return shown
