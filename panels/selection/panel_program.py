"""The integer program whose feasible points are quota-meeting panels, over types.

Variable ``Y_t`` (integer, 0 ≤ Y_t ≤ count_t) is how many members of type t sit on the
panel. Constraints: Σ_t Y_t = seats; quota_min_q ≤ Σ_{t holds q} Y_t ≤ quota_max_q; and
Σ_{t in household h} Y_t ≤ 1 for every shared household. Solved with scipy's ``milp``
(HiGHS branch and cut).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from panels.selection.compression import CompressedPool

#: Relative MIP gap for pricing: small enough that a stage's optimality proof is tight to
#: ~1e-7 in probability units, large enough that HiGHS stops promptly.
PRICING_GAP = 1e-7


@dataclass(frozen=True)
class PricedPanel:
    """Best panel for a weight vector, with HiGHS's proven upper bound on the optimum."""

    type_panel: np.ndarray | None
    value: float
    upper_bound: float


class PanelProgram:
    """Reusable constraint set for one compressed pool."""

    def __init__(self, pool: CompressedPool) -> None:
        self.pool = pool
        rows = [sparse.csr_matrix(np.ones((1, pool.type_count))), pool.membership]
        lower = [np.array([pool.seats], dtype=float), pool.quota_min]
        upper = [np.array([pool.seats], dtype=float), pool.quota_max]
        if pool.household_groups:
            group_rows = [row for row, group in enumerate(pool.household_groups) for _ in group]
            group_cols = [t for group in pool.household_groups for t in group]
            rows.append(
                sparse.csr_matrix(
                    (np.ones(len(group_rows)), (group_rows, group_cols)),
                    shape=(len(pool.household_groups), pool.type_count),
                )
            )
            lower.append(np.zeros(len(pool.household_groups)))
            upper.append(np.ones(len(pool.household_groups)))
        self.constraint = LinearConstraint(sparse.vstack(rows).tocsr(), np.concatenate(lower), np.concatenate(upper))
        self.bounds = Bounds(np.zeros(pool.type_count), pool.type_counts)
        self.integrality = np.ones(pool.type_count)

    def best_panel(self, weights: np.ndarray, *, time_limit: float | None = None) -> PricedPanel:
        """Maximise Σ_t weights_t · Y_t over quota-meeting panels.

        Returns ``type_panel=None`` when the program is infeasible.
        """
        options = {"mip_rel_gap": PRICING_GAP, "presolve": True}
        if time_limit is not None:
            options["time_limit"] = time_limit
        result = milp(
            c=-np.asarray(weights, dtype=float),
            constraints=self.constraint,
            bounds=self.bounds,
            integrality=self.integrality,
            options=options,
        )
        if result.x is None:
            return PricedPanel(None, float("-inf"), float("-inf"))
        type_panel = np.rint(result.x).astype(np.int64)
        value = float(np.dot(weights, type_panel))
        bound = getattr(result, "mip_dual_bound", None)
        upper_bound = value if bound is None or not np.isfinite(bound) else max(value, -float(bound))
        return PricedPanel(type_panel, value, upper_bound)

    def is_valid(self, type_panel: np.ndarray) -> bool:
        """Exact integer check of a type panel against every constraint."""
        if np.any(type_panel < 0) or np.any(type_panel > self.pool.type_counts):
            return False
        values = self.constraint.A @ type_panel
        return bool(np.all(values >= self.constraint.lb - 1e-9) and np.all(values <= self.constraint.ub + 1e-9))
