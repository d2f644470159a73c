"""The LEXIMIN level LP, kept alive between column-generation iterations.

Column generation adds one panel (a column) at a time and changes a few row bounds when a
level is fixed; re-solving from scratch each time spends most of its effort rebuilding the
model. This keeps one HiGHS instance — the very solver ``scipy.optimize.linprog`` wraps,
through scipy's own binding ``scipy.optimize._highspy._core._Highs`` — and warm-starts the
simplex from the previous basis, which makes an iteration about 10× cheaper. If that
binding is missing (a future scipy may move it), the same LP is solved with ``linprog``.

Model (maximise z): column 0 is z ∈ [0, 1], columns 1.. are panel weights p_P ≥ 0.
Row t (one per type): Σ_P (Y_{P,t}/count_t) p_P − [t unfixed] z ≥ f_t (0 while unfixed).
Last row: Σ_P p_P = 1. The dual y_t ≥ 0 of row t prices new panels.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

try:
    from scipy.optimize._highspy import _core as _highs_core
except ImportError:  # pragma: no cover - depends on the scipy build
    _highs_core = None


class LevelProgramError(RuntimeError):
    """HiGHS did not solve a level LP that is feasible by construction."""


class LevelProgram:
    """Level LP over a growing set of panel columns (see module docstring)."""

    def __init__(self, type_count: int) -> None:
        self.type_count = type_count
        self.columns: list[np.ndarray] = []
        self.unfixed = np.ones(type_count, dtype=bool)
        self.fixed_values = np.zeros(type_count)
        self._highs = None
        if _highs_core is not None:
            self._highs = _highs_core._Highs()
            self._highs.setOptionValue("output_flag", False)
            self._highs.setOptionValue("presolve", "off")
            self._highs.setOptionValue("simplex_strategy", 4)
            inf = _highs_core.kHighsInf
            self._highs.addVar(0.0, 1.0)
            self._highs.changeColCost(0, 1.0)
            self._highs.changeObjectiveSense(_highs_core.ObjSense.kMaximize)
            starts = np.arange(type_count, dtype=np.int32)
            self._highs.addRows(
                type_count,
                np.zeros(type_count),
                np.full(type_count, inf),
                type_count,
                starts,
                np.zeros(type_count, dtype=np.int32),
                np.full(type_count, -1.0),
            )
            self._highs.addRow(1.0, 1.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))

    def add_panel(self, contribution: np.ndarray) -> None:
        """Add a panel column with entries Y_t / count_t."""
        self.columns.append(contribution)
        if self._highs is not None:
            rows = np.flatnonzero(contribution).astype(np.int32)
            indices = np.append(rows, np.int32(self.type_count))
            values = np.append(contribution[rows], 1.0)
            self._highs.addCol(0.0, 0.0, _highs_core.kHighsInf, indices.size, indices, values)

    def fix(self, types: np.ndarray, value: float) -> None:
        """Fix the given types at ``value``: their rows lose z and get bound ≥ value."""
        self.unfixed[types] = False
        self.fixed_values[types] = value
        if self._highs is not None:
            for t in np.flatnonzero(types):
                self._highs.changeCoeff(int(t), 0, 0.0)
                self._highs.changeRowBounds(int(t), value, _highs_core.kHighsInf)

    def solve(self) -> tuple[float, np.ndarray, np.ndarray]:
        """Return (z, panel weights p, type duals y ≥ 0)."""
        if self._highs is None:
            return self._solve_with_linprog()
        self._highs.run()
        status = self._highs.getModelStatus()
        if status != _highs_core.HighsModelStatus.kOptimal:
            # A warm start can stall on a degenerate basis; retry once from scratch.
            self._highs.clearSolver()
            self._highs.run()
            status = self._highs.getModelStatus()
            if status != _highs_core.HighsModelStatus.kOptimal:
                raise LevelProgramError(f"level LP: {self._highs.modelStatusToString(status)}")
        solution = self._highs.getSolution()
        values = np.asarray(solution.col_value)
        duals = np.abs(np.asarray(solution.row_dual)[: self.type_count])
        return float(values[0]), np.maximum(values[1:], 0.0), duals

    def _solve_with_linprog(self) -> tuple[float, np.ndarray, np.ndarray]:
        contributions = sparse.csc_matrix(np.column_stack(self.columns))
        panel_count = contributions.shape[1]
        z_column = sparse.csc_matrix(self.unfixed.astype(float).reshape(-1, 1))
        a_ub = sparse.hstack([z_column, -contributions], format="csc")
        b_ub = np.where(self.unfixed, 0.0, -self.fixed_values)
        a_eq = np.concatenate([[0.0], np.ones(panel_count)]).reshape(1, -1)
        cost = np.zeros(panel_count + 1)
        cost[0] = -1.0
        bounds = [(0, 1)] + [(0, None)] * panel_count
        result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
        if result.status != 0:
            raise LevelProgramError(f"level LP: {result.message}")
        duals = np.maximum(-np.asarray(result.ineqlin.marginals), 0.0)
        return float(result.x[0]), np.maximum(result.x[1:], 0.0), duals
