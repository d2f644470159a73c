"""Aggregates of each panel: sizes, counts per quota category, sessions held and the attendance
rate. No names, contact details, postcodes or references ever enter these values.

The counts here are exact. Before cabinet sees them they pass the reports' disclosure rules
(small counts hidden, the rest rounded), because a live
count that moves by one when a known person registers gives away that person's group.
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
    members: int
    """Members holding a seat in this category."""
    pool: int
    """Volunteers in the pool (not withdrawn) in this category."""


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


async def panel_aggregate(panel: dict, *, today: date) -> PanelAggregate:
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
    categories = tuple(
        CategoryAggregate(q.dimension, q.category, int(q.quota_min), int(q.quota_max),
                          member_counts.get(q.dimension, Counter())[q.category],
                          pool_counts.get(q.dimension, Counter())[q.category])
        for q in quotas)
    sessions = await PanelSession.select(PanelSession.id, PanelSession.held_on).where(
        PanelSession.panel == panel["id"]).run()
    held = [row["id"] for row in sessions if row["held_on"] <= today]
    marks = await Attendance.select(Attendance.attended).where(Attendance.session.is_in(held)).run() if held else []
    attended = sum(1 for mark in marks if mark["attended"])
    return PanelAggregate(name=panel["name"], year=int(panel["year"]), panel_size=int(panel["panel_size"]),
                          pool_size=pool_size, members=members, categories=categories, sessions_total=len(sessions),
                          sessions_held=len(held), attendance_marks=len(marks),
                          attendance_rate=attended / len(marks) if marks else None)


async def panel_aggregates(*, today: date) -> list[PanelAggregate]:
    """Every panel, newest year first."""
    return [await panel_aggregate(panel, today=today) for panel in await list_panels()]
