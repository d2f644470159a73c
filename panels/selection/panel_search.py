"""Cheap search for a better panel by single swaps, tried before the integer program.

Column generation needs *some* panel that beats the current dual price μ, not the best one;
only the last pricing of each level must be exact (it proves the level optimal). Starting
from the panels already found, one swap "one member of type a out, one of type b in" keeps
the panel size; it keeps the quotas when, in every category where a and b differ, a's
value stays ≥ its minimum and b's value stays ≤ its maximum; and it keeps the household
rule when b's household has nobody else on the panel. Greedy best-gain swaps are repeated
until none improves. This finds most improving panels for a fraction of a MILP's cost.
"""

from __future__ import annotations

import numpy as np

from panels.selection.compression import CompressedPool

MAX_SWAPS = 60
#: Only the highest-weighted types are tried as joiners in one step: the best swap almost
#: always uses one of them, and the cost of a step grows with panel size × joiners.
MAX_CANDIDATES = 160


class SwapSearch:
    """Precomputed per-type quota rows and household groups for one pool."""

    def __init__(self, pool: CompressedPool) -> None:
        membership = pool.membership.tocsr()
        category_of_row = []
        for quota in pool.problem.quotas:
            category_of_row.append(pool.problem.categories.index(quota.category))
        # value_rows[t, c] = quota row of type t's value in category c.
        columns = membership.tocsc()
        self.value_rows = np.zeros((pool.type_count, len(pool.problem.categories)), dtype=np.int64)
        for t in range(pool.type_count):
            for row in columns.indices[columns.indptr[t] : columns.indptr[t + 1]]:
                self.value_rows[t, category_of_row[row]] = row
        self.membership = membership
        self.type_counts = pool.type_counts
        self.quota_min = pool.quota_min
        self.quota_max = pool.quota_max
        self.group_of_type = np.full(pool.type_count, -1, dtype=np.int64)
        for index, group in enumerate(pool.household_groups):
            self.group_of_type[list(group)] = index
        self.group_count = len(pool.household_groups)

    def improve(self, type_panel: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Best-gain swaps from ``type_panel`` under ``weights``; returns a (possibly same) panel."""
        panel = type_panel.astype(np.int64).copy()
        counts = self.membership @ panel
        occupied = np.zeros(self.group_count, dtype=np.int64)
        in_group = self.group_of_type >= 0
        np.add.at(occupied, self.group_of_type[in_group], panel[in_group])
        for _ in range(MAX_SWAPS):
            present = np.flatnonzero(panel > 0)
            floor = weights[present].min()
            candidates = np.flatnonzero((weights > floor + 1e-15) & (panel < self.type_counts))
            if candidates.size == 0:
                return panel
            if self.group_count:
                groups = self.group_of_type[candidates]
                candidates = candidates[(groups < 0) | (occupied[np.maximum(groups, 0)] == 0)]
                if candidates.size == 0:
                    return panel
            if candidates.size > MAX_CANDIDATES:
                top = np.argpartition(-weights[candidates], MAX_CANDIDATES)[:MAX_CANDIDATES]
                candidates = candidates[top]
            down_ok = counts - 1 >= self.quota_min - 1e-9
            up_ok = counts + 1 <= self.quota_max + 1e-9
            out_rows = self.value_rows[present]
            in_rows = self.value_rows[candidates]
            feasible = np.ones((present.size, candidates.size), dtype=bool)
            for category in range(out_rows.shape[1]):
                leaving_rows, joining_rows = out_rows[:, category], in_rows[:, category]
                feasible &= (leaving_rows[:, None] == joining_rows[None, :]) | (
                    down_ok[leaving_rows][:, None] & up_ok[joining_rows][None, :]
                )
            gain = np.where(feasible, weights[candidates][None, :] - weights[present][:, None], -np.inf)
            best = np.unravel_index(np.argmax(gain), gain.shape)
            if not gain[best] > 1e-15:
                return panel
            leaving, joining = present[best[0]], candidates[best[1]]
            panel[leaving] -= 1
            panel[joining] += 1
            counts[self.value_rows[leaving]] -= 1
            counts[self.value_rows[joining]] += 1
            if self.group_of_type[leaving] >= 0:
                occupied[self.group_of_type[leaving]] -= 1
            if self.group_of_type[joining] >= 0:
                occupied[self.group_of_type[joining]] += 1
        return panel
