"""Aggregates of each panel that cabinet may read: sizes, counts per quota category with small
counts suppressed, sessions held and the attendance rate. No names, contact details, postcodes
or references ever enter these values.

Suppression follows ONS practice as DESIGN.md states it: a count below the disclosure threshold
is hidden (primary suppression); when a dimension would then have exactly one hidden cell, the
next smallest cell is hidden too (secondary suppression), because the cells of a dimension add
up to a total that is shown and the hidden one could be recovered by subtraction.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

from panels.membership import SEAT_STATUSES, WITHDRAWN_STATUSES
from panels.store import list_panels, load_quotas
from panels.tables import Attendance, PanelSession, Volunteer


@dataclass(frozen=True)
class CategoryAggregate:
    dimension: str
    category: str
    quota_min: int
    quota_max: int
    members: int | None
    """Members holding a seat in this category; None when suppressed."""
    pool: int | None
    """Volunteers in the pool (not withdrawn) in this category; None when suppressed."""


@dataclass(frozen=True)
class PanelAggregate:
    name: str
    year: int
    panel_size: int
    pool_size: int
    members: int
    categories: tuple[CategoryAggregate, ...]
    sessions_total: int
    sessions_held: int
    attendance_marks: int
    attendance_rate: float | None
    """Share of the attendance marks recorded for sessions held that say "attended"; None when none recorded."""


def suppress(counts: list[int], *, threshold: int) -> list[int | None]:
    """Hide counts below ``threshold``, and one more when only one would be hidden (see module doc)."""
    shown: list[int | None] = [count if count >= threshold else None for count in counts]
    hidden = [index for index, value in enumerate(shown) if value is None]
    if len(hidden) == 1 and len(counts) > 1:
        candidates = [index for index, value in enumerate(shown) if value is not None]
        smallest = min(candidates, key=lambda index: (counts[index], index))
        shown[smallest] = None
    return shown


def _suppressed_by_dimension(rows: list[tuple[str, int]], *, threshold: int) -> list[int | None]:
    """``suppress`` applied within each dimension, keeping the rows' order."""
    result: list[int | None] = [None] * len(rows)
    by_dimension: dict[str, list[int]] = {}
    for index, (dimension, _) in enumerate(rows):
        by_dimension.setdefault(dimension, []).append(index)
    for indexes in by_dimension.values():
        for index, value in zip(indexes, suppress([rows[i][1] for i in indexes], threshold=threshold)):
            result[index] = value
    return result


async def panel_aggregate(panel: dict, *, threshold: int, today: date) -> PanelAggregate:
    quotas = await load_quotas(panel["id"])
    volunteers = await Volunteer.select(Volunteer.answers, Volunteer.status).where(
        Volunteer.panel == panel["id"]).run()
    pool_counts: dict[str, Counter] = {}
    member_counts: dict[str, Counter] = {}
    pool_size = members = 0
    for row in volunteers:
        if row["status"] in WITHDRAWN_STATUSES:
            continue
        pool_size += 1
        answers = json.loads(row["answers"] or "{}")
        seated = row["status"] in SEAT_STATUSES
        members += seated
        for dimension, category in answers.items():
            pool_counts.setdefault(dimension, Counter())[category] += 1
            if seated:
                member_counts.setdefault(dimension, Counter())[category] += 1
    member_cells = _suppressed_by_dimension(
        [(q.dimension, member_counts.get(q.dimension, Counter())[q.category]) for q in quotas], threshold=threshold)
    pool_cells = _suppressed_by_dimension(
        [(q.dimension, pool_counts.get(q.dimension, Counter())[q.category]) for q in quotas], threshold=threshold)
    categories = tuple(CategoryAggregate(q.dimension, q.category, int(q.quota_min), int(q.quota_max), member, pool)
                       for q, member, pool in zip(quotas, member_cells, pool_cells))
    sessions = await PanelSession.select(PanelSession.id, PanelSession.held_on).where(
        PanelSession.panel == panel["id"]).run()
    held = [row["id"] for row in sessions if row["held_on"] <= today]
    marks = await Attendance.select(Attendance.attended).where(Attendance.session.is_in(held)).run() if held else []
    attended = sum(1 for mark in marks if mark["attended"])
    return PanelAggregate(name=panel["name"], year=int(panel["year"]), panel_size=int(panel["panel_size"]),
                          pool_size=pool_size, members=members, categories=categories, sessions_total=len(sessions),
                          sessions_held=len(held), attendance_marks=len(marks),
                          attendance_rate=attended / len(marks) if marks else None)


async def panel_aggregates(*, threshold: int, today: date) -> list[PanelAggregate]:
    """Every panel, newest year first."""
    return [await panel_aggregate(panel, threshold=threshold, today=today) for panel in await list_panels()]
