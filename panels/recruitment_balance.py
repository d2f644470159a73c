"""Who has registered, against the borough: for each quota category, the people in the pool, those
who came by an invitation letter, their share of the pool and the category's census share, so an
officer sees before selection which residents the recruitment is missing (and can send more
letters, or reach those groups another way).

The ratio is the pool's share over the census share: 1 is as many as in the borough, 0.5 half
as many. A category below ``UNDER_REPRESENTED`` is flagged. A letter's response rate cannot be
given by group, since the group of a household that did not answer is unknown: the census share
is the comparison that can be made."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from panels.membership import WITHDRAWN_STATUSES
from panels.quotas import QuotaRow
from panels.store import load_quotas
from panels.tables import Volunteer

UNDER_REPRESENTED = 0.8
"""A category with less than this share of its census share is flagged as missing."""


@dataclass(frozen=True)
class GroupResponse:
    dimension: str
    category: str
    registered: int
    by_letter: int
    pool_share: float | None
    """Share of the people in the pool who answered this dimension (None: nobody has)."""
    census_share: float | None

    @property
    def ratio(self) -> float | None:
        if self.pool_share is None or not self.census_share:
            return None
        return self.pool_share / self.census_share

    @property
    def under_represented(self) -> bool:
        return self.ratio is not None and self.ratio < UNDER_REPRESENTED


def group_response(pool: Sequence[tuple[Mapping[str, str], bool]], quotas: Sequence[QuotaRow]) -> list[GroupResponse]:
    """For each quota row, in the quotas' order: ``pool`` is each registration's answers and
    whether it came with a letter's code. Shares are of those who answered that dimension."""
    dimensions = list(dict.fromkeys(row.dimension for row in quotas))
    counts = {dimension: Counter(answers[dimension] for answers, _ in pool if dimension in answers) for dimension in dimensions}
    letters = {dimension: Counter(answers[dimension] for answers, by_letter in pool if by_letter and dimension in answers)
               for dimension in dimensions}
    rows = []
    for quota in quotas:
        answered = sum(counts[quota.dimension].values())
        registered = counts[quota.dimension][quota.category]
        rows.append(GroupResponse(dimension=quota.dimension, category=quota.category, registered=registered,
                                  by_letter=letters[quota.dimension][quota.category],
                                  pool_share=registered / answered if answered else None, census_share=quota.census_share))
    return rows


async def response_by_group(panel_id: int) -> list[GroupResponse]:
    """``group_response`` for the panel's pool: everyone registered who has not withdrawn."""
    quotas = await load_quotas(panel_id)
    if not quotas:
        return []
    rows = await Volunteer.select(Volunteer.answers, Volunteer.letter, Volunteer.status).where(
        Volunteer.panel == panel_id).run()
    pool = [(json.loads(row["answers"] or "{}"), row["letter"] is not None) for row in rows
            if row["status"] not in WITHDRAWN_STATUSES]
    return group_response(pool, quotas)
