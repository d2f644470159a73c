"""Quotas from census shares: target, min and max seats per category, and officers' edits.

For a panel of ``k`` seats and a category with census share ``s`` (on the right base, see
``panels.census.dimension_shares``), the target is ``k × s`` seats. With a tolerance ``t``
(a fraction of the target, e.g. 0.2 for ±20 %):

    quota_min = max(0, ⌊k·s·(1 − t)⌋)        quota_max = min(k, ⌈k·s·(1 + t)⌉)

Rounding down the minimums and up the maximums keeps ``sum(min) ≤ k ≤ sum(max)`` in every
dimension, because the targets of a dimension add up to exactly ``k``: Σ⌊x⌋ ≤ Σx = k ≤ Σ⌈x⌉.

Where the officer lets residents answer "Prefer not to say", that answer is one more
category of the dimension with no census share, minimum 0 and maximum the seats the other
minimums leave free; the census categories keep their quotas.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from common.i18n import gettext
from panels.census import Census, dimension_shares
from panels.plain_words import dimension_label, group_label

PREFER_NOT_TO_SAY = "Prefer not to say"
NO_PREFER_NOT_TO_SAY = frozenset({"age_band"})
"""Age is worked out from the age or date of birth the resident gives, so it has no opt-out."""
DEFAULT_TOLERANCE = 0.2


@dataclass(frozen=True)
class QuotaRow:
    """One category's quota. ``census_share`` is ``None`` for "Prefer not to say"."""

    dimension: str
    category: str
    census_share: float | None
    target: float
    quota_min: int
    quota_max: int


class QuotaError(ValueError):
    """Quotas that no panel could meet, or an edit out of range; ``problems`` maps a field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def compute_quotas(
    census: Census,
    dimensions: Sequence[str],
    *,
    k: int,
    tolerance: float = DEFAULT_TOLERANCE,
    tenure_prefix: str = "households",
    prefer_not_to_say: bool = False,
) -> list[QuotaRow]:
    if k < 1:
        raise QuotaError({"panel_size": gettext("The panel must have at least 1 seat")})
    if not 0 <= tolerance <= 1:
        raise QuotaError({"tolerance": gettext("Tolerance must be between 0 and 100 per cent")})
    rows: list[QuotaRow] = []
    for dimension in dimensions:
        shares = dimension_shares(census, dimension, tenure_prefix=tenure_prefix)
        dimension_rows = []
        for category, share in shares.items():
            target = k * share
            quota_min = max(0, math.floor(target * (1 - tolerance) + 1e-9))
            quota_max = min(k, math.ceil(target * (1 + tolerance) - 1e-9))
            dimension_rows.append(QuotaRow(dimension, category, share, target, quota_min, max(quota_min, quota_max)))
        if prefer_not_to_say and dimension not in NO_PREFER_NOT_TO_SAY:
            free = k - sum(row.quota_min for row in dimension_rows)
            dimension_rows.append(QuotaRow(dimension, PREFER_NOT_TO_SAY, None, 0.0, 0, max(0, free)))
        rows.extend(dimension_rows)
    return rows


def quota_problems(rows: Iterable[QuotaRow], *, k: int) -> dict[str, str]:
    """Why these quotas cannot be met by any panel of ``k``, per dimension (empty when fine)."""
    by_dimension: dict[str, list[QuotaRow]] = defaultdict(list)
    problems: dict[str, str] = {}
    for row in rows:
        by_dimension[row.dimension].append(row)
        if row.quota_min < 0 or row.quota_max < row.quota_min or row.quota_max > k:
            problems[f"{row.dimension}:{row.category}"] = gettext(
                "%(group)s: the minimum must be 0 or more, the maximum at least the minimum and at most the %(seats)s seats",
                group=group_label(row.dimension, row.category), seats=k)
    for dimension, dimension_rows in by_dimension.items():
        minimum = sum(row.quota_min for row in dimension_rows)
        maximum = sum(row.quota_max for row in dimension_rows)
        if minimum > k:
            problems[dimension] = gettext("%(dimension)s: the minimums add up to %(total)s, more than the %(seats)s seats",
                                          dimension=dimension_label(dimension), total=minimum, seats=k)
        elif maximum < k:
            problems[dimension] = gettext("%(dimension)s: the maximums add up to %(total)s, fewer than the %(seats)s seats",
                                          dimension=dimension_label(dimension), total=maximum, seats=k)
    return problems


def edit_quota(rows: Sequence[QuotaRow], *, dimension: str, category: str, quota_min: int, quota_max: int,
               k: int) -> list[QuotaRow]:
    """The quotas with one category's bounds changed; raises ``QuotaError`` if the result cannot be met."""
    found = False
    edited = []
    for row in rows:
        if row.dimension == dimension and row.category == category:
            row = replace(row, quota_min=quota_min, quota_max=quota_max)
            found = True
        edited.append(row)
    if not found:
        raise QuotaError({"category": gettext("No quota for %(dimension)s: %(category)s", dimension=dimension, category=category)})
    problems = quota_problems(edited, k=k)
    if problems:
        raise QuotaError(problems)
    return edited


def relaxation_key(relaxations: Iterable) -> str:
    """A short fingerprint of a proposed relaxation (``panels.selection.Relaxation``s): the
    officer's one click applies the change only while it is still the one they were shown."""
    text = ";".join(sorted(f"{r.category}={r.name}:{r.relaxed_min}-{r.relaxed_max}" for r in relaxations))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def relaxed_quotas(rows: Sequence[QuotaRow], relaxations: Iterable) -> list[QuotaRow]:
    """The quotas with each relaxation's new minimum and maximum (other rows unchanged)."""
    bounds = {(r.category, r.name): (int(r.relaxed_min), int(r.relaxed_max)) for r in relaxations}
    return [replace(row, quota_min=bounds[(row.dimension, row.category)][0], quota_max=bounds[(row.dimension, row.category)][1])
            if (row.dimension, row.category) in bounds else row for row in rows]
