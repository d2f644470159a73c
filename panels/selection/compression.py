"""Compress a pool into types of interchangeable volunteers.

Two volunteers are interchangeable when swapping them maps every quota-meeting panel to a
quota-meeting panel and leaves the objective unchanged: same value in every quota category,
the same weight (``Volunteer.weight``, the relative chance LEXIMIN aims for), and neither
shares a household with anyone else who can be selected. Swapping them is then a symmetry of the problem, and
the LEXIMIN marginals are unique, so they get the same probability: we can work with one
integer variable per type (how many of its members are on the panel) instead of one binary
per volunteer. That is exact, not a heuristic.

Volunteers in a household of two or more selectable members stay types of their own
(count 1) and carry an "at most one per household" constraint.

Fixed members (replacement rounds) are taken out here: the remaining seats are
``k − |fixed|``, every quota bound is reduced by the fixed members it already holds, and
the household mates of fixed members become ineligible.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from panels.selection.model import SelectionProblem


@dataclass(frozen=True)
class CompressedPool:
    """The selectable part of a problem, as types.

    Arrays are indexed by quota row q (order of ``problem.quotas``) and type t.
    ``membership`` is a sparse (quotas × types) 0/1 matrix: type t holds quota q's value.
    ``quota_min``/``quota_max`` are the bounds left for the ``seats`` still to fill.
    ``household_groups`` lists, for each household with ≥ 2 selectable members, its types.
    ``type_weights[t]`` is the weight shared by type t's members (1.0 unless lowered).
    """

    problem: SelectionProblem
    seats: int
    type_members: tuple[tuple[str, ...], ...]
    type_counts: np.ndarray
    membership: sparse.csr_matrix
    quota_min: np.ndarray
    quota_max: np.ndarray
    household_groups: tuple[tuple[int, ...], ...]
    fixed_ids: tuple[str, ...]
    ineligible_ids: tuple[str, ...]
    type_weights: np.ndarray | None = None

    @property
    def type_count(self) -> int:
        return len(self.type_members)

    @property
    def weights(self) -> np.ndarray:
        """Weight per type (all 1.0 when the pool has none below 1)."""
        return np.ones(self.type_count) if self.type_weights is None else self.type_weights

    @property
    def weighted_counts(self) -> np.ndarray:
        """count_t · w_t: expected seats divided by this is the value weighted LEXIMIN maximises."""
        return self.type_counts * self.weights

    @property
    def eligible_count(self) -> int:
        return int(self.type_counts.sum())


def compress_pool(problem: SelectionProblem) -> CompressedPool:
    """Group the selectable volunteers of ``problem`` into types (see module docstring)."""
    quota_index = {(quota.category, quota.name): row for row, quota in enumerate(problem.quotas)}
    categories = problem.categories
    fixed = [volunteer for volunteer in problem.volunteers if volunteer.id in problem.fixed_ids]
    fixed_households = {volunteer.household for volunteer in fixed if volunteer.household is not None}

    eligible = []
    ineligible = []
    for volunteer in problem.volunteers:
        if volunteer.id in problem.fixed_ids:
            continue
        if problem.enforce_households and volunteer.household in fixed_households:
            ineligible.append(volunteer.id)
        else:
            eligible.append(volunteer)

    household_sizes: dict[str, int] = defaultdict(int)
    if problem.enforce_households:
        for volunteer in eligible:
            if volunteer.household is not None:
                household_sizes[volunteer.household] += 1

    def quota_rows(volunteer) -> tuple[int, ...]:
        return tuple(quota_index[(category, volunteer.features[category])] for category in categories)

    type_of_signature: dict[tuple, int] = {}
    members: list[list[str]] = []
    rows_of_type: list[tuple[int, ...]] = []
    weight_of_type: list[float] = []
    groups: dict[str, list[int]] = defaultdict(list)
    for volunteer in eligible:
        rows = quota_rows(volunteer)
        shared = volunteer.household is not None and household_sizes.get(volunteer.household, 0) >= 2
        if shared:
            type_index = len(members)
            members.append([volunteer.id])
            rows_of_type.append(rows)
            weight_of_type.append(float(volunteer.weight))
            groups[volunteer.household].append(type_index)
            continue
        signature = (rows, float(volunteer.weight))
        type_index = type_of_signature.get(signature)
        if type_index is None:
            type_index = len(members)
            type_of_signature[signature] = type_index
            members.append([])
            rows_of_type.append(rows)
            weight_of_type.append(float(volunteer.weight))
        members[type_index].append(volunteer.id)

    data_rows = [row for rows in rows_of_type for row in rows]
    data_cols = [t for t, rows in enumerate(rows_of_type) for _ in rows]
    membership = sparse.csr_matrix(
        (np.ones(len(data_rows)), (data_rows, data_cols)),
        shape=(len(problem.quotas), len(members)),
    )
    fixed_per_quota = np.zeros(len(problem.quotas))
    for volunteer in fixed:
        for row in quota_rows(volunteer):
            fixed_per_quota[row] += 1
    quota_min = np.array([quota.quota_min for quota in problem.quotas], dtype=float) - fixed_per_quota
    quota_max = np.array([quota.quota_max for quota in problem.quotas], dtype=float) - fixed_per_quota
    return CompressedPool(
        problem=problem,
        seats=problem.k - len(fixed),
        type_members=tuple(tuple(type_members) for type_members in members),
        type_counts=np.array([len(type_members) for type_members in members], dtype=float),
        membership=membership,
        quota_min=np.maximum(quota_min, 0.0),
        quota_max=quota_max,
        household_groups=tuple(tuple(group) for group in groups.values()),
        fixed_ids=tuple(volunteer.id for volunteer in fixed),
        ineligible_ids=tuple(ineligible),
        type_weights=np.array(weight_of_type, dtype=float) if any(w != 1.0 for w in weight_of_type) else None,
    )
