"""The restricted master LP of column generation, kept alive between iterations.

Model (maximise z): column 0 is z ∈ [0, ceiling] (ceiling 1, or 1 / min w for weighted LEXIMIN), columns 1.. are panel weights p_P ≥ 0.
Row t (one per type): Σ_P a_{t,P} p_P − [t unfixed] z ≥ f_t (0 while unfixed), where
a_{t,P} = Y_{P,t} / scale_t: with scale = type sizes this is LEXIMIN's level LP (π_t ≥ z), with
scale = type sizes × weights the weighted one (π_t / w_t ≥ z);
with scale = a target share x*_t, z = 1 means the panels reproduce x* exactly.
Last row: Σ_P p_P = 1. The duals y_t ≥ 0 of the type rows price new panels.

Solved by ``linear_program.LinearProgram`` (primal simplex from the previous basis: adding a
column keeps the basis primal feasible).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from panels.selection.linear_program import INFINITY, LinearProgram


class LevelProgram:
    """Master LP over a growing set of panel columns (see module docstring)."""

    def __init__(self, type_count: int, ceiling: float = 1.0) -> None:
        self.type_count = type_count
        self.unfixed = np.ones(type_count, dtype=bool)
        self.fixed_values = np.zeros(type_count)
        self.program = LinearProgram(primal_simplex=True)
        self.program.add_rows(np.zeros(type_count), np.full(type_count, INFINITY), sparse.csr_matrix((type_count, 0)))
        self.program.add_rows([1.0], [1.0], sparse.csr_matrix((1, 0)))
        z_column = sparse.csc_matrix(np.concatenate([np.full(type_count, -1.0), [0.0]]).reshape(-1, 1))
        self.program.add_columns([-1.0], [0.0], [ceiling], z_column)

    @property
    def panel_count(self) -> int:
        return self.program.column_count - 1

    def add_panels(self, contributions: np.ndarray) -> None:
        """Add panel columns; ``contributions`` is (types × new panels) of Y_t / scale_t."""
        contributions = np.atleast_2d(np.asarray(contributions, dtype=float).T).T
        columns = sparse.vstack(
            [sparse.csc_matrix(contributions), sparse.csc_matrix(np.ones((1, contributions.shape[1])))], format="csc"
        )
        count = contributions.shape[1]
        self.program.add_columns(np.zeros(count), np.zeros(count), np.full(count, INFINITY), columns)

    def add_panel(self, contribution: np.ndarray) -> None:
        """Add one panel column with entries Y_t / scale_t."""
        self.add_panels(np.asarray(contribution, dtype=float).reshape(-1, 1))

    def fix(self, types: np.ndarray, value: float) -> None:
        """Fix the given types at ``value``: their rows lose z and get bound ≥ value."""
        self.unfixed[types] = False
        self.fixed_values[types] = value
        for t in np.flatnonzero(types):
            self.program.set_coefficient(int(t), 0, 0.0)
            self.program.set_row_bounds(int(t), value, INFINITY)

    def solve(self) -> tuple[float, np.ndarray, np.ndarray]:
        """Return (z, panel weights p, type duals y ≥ 0)."""
        solution = self.program.solve()
        duals = np.maximum(solution.row_duals[: self.type_count], 0.0)
        return float(solution.values[0]), np.maximum(solution.values[1:], 0.0), duals
