"""The constraints whose integer points are exactly the quota-meeting panels, over types.

Variable ``Y_t`` (0 ≤ Y_t ≤ count_t) is how many members of type t sit on the panel.
Rows: Σ_t Y_t = seats; quota_min_q ≤ Σ_{t holds q} Y_t ≤ quota_max_q; Σ_{t in household h}
Y_t ≤ 1 for every shared household; and any number of *cuts* a·Y ≤ b that every integer
panel satisfies (added by LEXIMIN when the LP relaxation is too loose, see ``leximin``).

Integer points are panels; the real points form the polytope Q, the LP relaxation, whose
LEXIMIN point bounds the true one from above (``relaxed_leximin``). ``PanelProgram``
prices panels: the best integer panel for a weight vector, by scipy's ``milp`` (HiGHS
branch and cut).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from panels.selection.compression import CompressedPool

#: Relative MIP gap for pricing: small enough that a stage's optimality proof is tight to
#: ~1e-7 in probability units, large enough that HiGHS stops promptly.
PRICING_GAP = 1e-7


@dataclass(frozen=True)
class PanelConstraints:
    """``lower ≤ matrix @ Y ≤ upper`` and ``0 ≤ Y ≤ type_counts`` (see module docstring)."""

    matrix: sparse.csr_matrix
    lower: np.ndarray
    upper: np.ndarray
    type_counts: np.ndarray
    cut_count: int = 0

    @property
    def row_count(self) -> int:
        return self.matrix.shape[0]

    def with_cut(self, coefficients: np.ndarray, bound: float) -> PanelConstraints:
        """These constraints plus the valid inequality ``coefficients · Y ≤ bound``."""
        row = sparse.csr_matrix(np.asarray(coefficients, dtype=float).reshape(1, -1))
        return replace(
            self,
            matrix=sparse.vstack([self.matrix, row], format="csr"),
            lower=np.append(self.lower, -np.inf),
            upper=np.append(self.upper, float(bound)),
            cut_count=self.cut_count + 1,
        )

    def contains(self, type_panel: np.ndarray) -> bool:
        """Exact check of an integer type panel against every row and bound."""
        if np.any(type_panel < 0) or np.any(type_panel > self.type_counts):
            return False
        values = self.matrix @ type_panel
        return bool(np.all(values >= self.lower - 1e-9) and np.all(values <= self.upper + 1e-9))


def panel_constraints(pool: CompressedPool) -> PanelConstraints:
    """Size, quota and household rows of ``pool`` (no cuts)."""
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
    return PanelConstraints(
        matrix=sparse.vstack(rows).tocsr(),
        lower=np.concatenate(lower).astype(float),
        upper=np.concatenate(upper).astype(float),
        type_counts=np.asarray(pool.type_counts, dtype=float),
    )


@dataclass(frozen=True)
class PricedPanel:
    """Best panel for a weight vector, with HiGHS's proven upper bound on the optimum."""

    type_panel: np.ndarray | None
    value: float
    upper_bound: float


class PanelProgram:
    """Reusable constraint set for one compressed pool."""

    def __init__(self, pool: CompressedPool, constraints: PanelConstraints | None = None) -> None:
        self.pool = pool
        self.constraints = constraints if constraints is not None else panel_constraints(pool)
        self.constraint = LinearConstraint(self.constraints.matrix, self.constraints.lower, self.constraints.upper)
        self.bounds = Bounds(np.zeros(pool.type_count), pool.type_counts)
        self.integrality = np.ones(pool.type_count)

    def best_panel(
        self,
        weights: np.ndarray,
        *,
        time_limit: float | None = None,
        relative_gap: float = PRICING_GAP,
        bounds: tuple[np.ndarray, np.ndarray] | None = None,
        row_bounds: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> PricedPanel:
        """Maximise Σ_t weights_t · Y_t over quota-meeting panels.

        ``bounds``/``row_bounds`` narrow the variable and row bounds (a face of Q).
        Returns ``type_panel=None`` when the program is infeasible.
        """
        options = {"mip_rel_gap": relative_gap, "presolve": True}
        if time_limit is not None:
            options["time_limit"] = time_limit
        constraint = self.constraint
        if row_bounds is not None:
            constraint = LinearConstraint(self.constraints.matrix, *row_bounds)
        result = milp(
            c=-np.asarray(weights, dtype=float),
            constraints=constraint,
            bounds=self.bounds if bounds is None else Bounds(*bounds),
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
        return self.constraints.contains(type_panel)
