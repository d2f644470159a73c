"""The Resident Panel figures cabinet reads, under the reports' disclosure rules.

``panels.aggregates`` counts exactly; this is where those counts become publishable: every count
of people under ``DISCLOSURE_THRESHOLD`` is hidden, one more in a dimension while only one is
hidden (so it cannot be worked out by subtraction), and everything shown is rounded to the
nearest 5 (``analysis.stats.disclosure.ROUNDING_BASE``) so that a known person's registration
does not show up as one more in their group. Seats, sessions and attendance describe the panel,
not its people's characteristics, and are shown as counted. Officers keep the exact counts on
their own pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from analysis.stats.disclosure import PublishedCount, publish_count, publish_line
from panels.aggregates import PanelAggregate, panel_aggregates
from panels.census import DIMENSION_LABELS


@dataclass(frozen=True)
class CabinetCategory:
    dimension: str
    dimension_name: str
    """What a reader sees for ``dimension``: "Sex", "Age band (adults)", never the key."""
    category: str
    quota_min: int
    quota_max: int
    members: PublishedCount
    pool: PublishedCount


@dataclass(frozen=True)
class CabinetPanel:
    name: str
    year: int
    panel_size: int
    members: PublishedCount
    pool_size: PublishedCount
    categories: tuple[CabinetCategory, ...]
    sessions_total: int
    sessions_held: int
    attendance_marks: int
    attendance_rate: float | None


def _by_dimension(aggregate: PanelAggregate, field: str, *, threshold: int) -> list[PublishedCount]:
    """``publish_line`` within each dimension, in the categories' order."""
    positions: dict[str, list[int]] = {}
    for position, row in enumerate(aggregate.categories):
        positions.setdefault(row.dimension, []).append(position)
    published: list[PublishedCount] = [PublishedCount(None)] * len(aggregate.categories)
    for line in positions.values():
        counts = [getattr(aggregate.categories[position], field) for position in line]
        for position, figure in zip(line, publish_line(counts, threshold=threshold)):
            published[position] = figure
    return published


def cabinet_panel(aggregate: PanelAggregate, *, threshold: int) -> CabinetPanel:
    """One panel's figures as cabinet may read them."""
    members = _by_dimension(aggregate, "members", threshold=threshold)
    pool = _by_dimension(aggregate, "pool", threshold=threshold)
    categories = tuple(CabinetCategory(row.dimension, dimension_name(row.dimension), row.category, row.quota_min,
                                       row.quota_max, member, in_pool)
                       for row, member, in_pool in zip(aggregate.categories, members, pool))
    return CabinetPanel(
        name=aggregate.name, year=aggregate.year, panel_size=aggregate.panel_size,
        members=publish_count(aggregate.members, threshold=threshold),
        pool_size=publish_count(aggregate.pool_size, threshold=threshold), categories=categories,
        sessions_total=aggregate.sessions_total, sessions_held=aggregate.sessions_held,
        attendance_marks=aggregate.attendance_marks, attendance_rate=aggregate.attendance_rate)


def dimension_name(dimension: str) -> str:
    """The census dimension's name in words; an officer's own dimension with its key made readable."""
    label = DIMENSION_LABELS.get(dimension)
    if label is not None:
        return str(label)
    words = dimension.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


async def cabinet_panels(*, threshold: int, today: date) -> list[CabinetPanel]:
    """Every panel, newest year first, as cabinet may read it."""
    return [cabinet_panel(aggregate, threshold=threshold) for aggregate in await panel_aggregates(today=today)]
