"""A linear program kept alive between solves, on HiGHS, with a public-API fallback.

Column generation and the decomposition walk solve long sequences of LPs that differ by a
few columns, bounds or costs. Re-solving from the previous basis is many times cheaper than
rebuilding, so the LP lives in one HiGHS instance reached through scipy's own binding
(``scipy.optimize._highspy._core``, the solver ``scipy.optimize.linprog`` wraps). That module
is private: if a scipy build lacks it, or ``USE_HIGHS_CORE`` is set to ``False`` (the tests
do, to check both give the same answers), every solve rebuilds the same LP and calls the
public ``scipy.optimize.linprog`` instead — slower, same results.

Conventions (HiGHS's, for *minimisation*): rows are ranged, ``row_lower ≤ A x ≤ row_upper``;
``row_duals`` y satisfy reduced cost = c − Aᵀy, so a row binding at its lower bound has
y ≥ 0 and one binding at its upper bound y ≤ 0. Callers that maximise negate the costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

try:
    from scipy.optimize._highspy import _core as _highs_core
except ImportError:  # pragma: no cover - depends on the scipy build
    _highs_core = None

#: Use scipy's private HiGHS binding when it is importable (tests switch it off).
USE_HIGHS_CORE = _highs_core is not None
INFINITY = np.inf


class LinearProgramError(RuntimeError):
    """HiGHS did not reach an optimal solution of an LP that should have one."""


@dataclass(frozen=True)
class LPSolution:
    """Primal values, row duals (convention in the module docstring), objective, pivots."""

    values: np.ndarray
    row_duals: np.ndarray
    objective: float
    iterations: int


class LinearProgram:
    """min cᵀx  s.t.  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper."""

    def __init__(self, *, primal_simplex: bool = False) -> None:
        self.column_count = 0
        self.row_count = 0
        # The model is mirrored in Python only for the linprog fallback.
        self.costs: list[float] = []
        self.col_lower: list[float] = []
        self.col_upper: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self._entries: dict[tuple[int, int], float] = {}
        self._highs = None
        if USE_HIGHS_CORE:
            self._highs = _highs_core._Highs()
            self._highs.setOptionValue("output_flag", False)
            self._highs.setOptionValue("presolve", "off")
            if primal_simplex:
                self._highs.setOptionValue("simplex_strategy", 4)

    def add_columns(self, costs, lower, upper, matrix: sparse.spmatrix | None = None) -> None:
        """Append columns; ``matrix`` (rows × new columns) holds their entries in existing rows."""
        costs, lower, upper = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (costs, lower, upper))
        start = self.column_count
        self.column_count += costs.size
        matrix = sparse.csc_matrix((self.row_count, costs.size)) if matrix is None else sparse.csc_matrix(matrix)
        if self._highs is None:
            self.costs += costs.tolist()
            self.col_lower += lower.tolist()
            self.col_upper += upper.tolist()
            coo = matrix.tocoo()
            for row, col, value in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()):
                self._entries[(row, start + col)] = value
            return
        matrix.sort_indices()
        self._highs.addCols(
            costs.size,
            costs,
            _finite(lower),
            _finite(upper),
            matrix.nnz,
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data.astype(float),
        )

    def add_columns_csc(self, costs, lower, upper, indptr, indices, data) -> None:
        """``add_columns`` with the new columns' entries as CSC arrays (row indices sorted
        within each column), without building a sparse matrix: for many small additions."""
        if self._highs is None:
            matrix = sparse.csc_matrix((data, indices, indptr), shape=(self.row_count, len(costs)))
            self.add_columns(costs, lower, upper, matrix)
            return
        costs = np.asarray(costs, dtype=float)
        self.column_count += costs.size
        self._highs.addCols(
            costs.size,
            costs,
            _finite(lower),
            _finite(upper),
            len(indices),
            np.asarray(indptr[:-1], dtype=np.int32),
            np.asarray(indices, dtype=np.int32),
            np.asarray(data, dtype=float),
        )

    def add_rows(self, lower, upper, matrix: sparse.spmatrix) -> None:
        """Append rows; ``matrix`` is (new rows × all columns)."""
        lower, upper = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (lower, upper))
        start = self.row_count
        self.row_count += lower.size
        matrix = sparse.csr_matrix(matrix)
        if self._highs is None:
            self.row_lower += lower.tolist()
            self.row_upper += upper.tolist()
            coo = matrix.tocoo()
            for row, col, value in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()):
                self._entries[(start + row, col)] = value
            return
        matrix.sort_indices()
        self._highs.addRows(
            lower.size,
            _finite(lower),
            _finite(upper),
            matrix.nnz,
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data.astype(float),
        )

    def set_column_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        columns = np.asarray(columns, dtype=np.int64)
        lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        if columns.size == 0:
            return
        if self._highs is None:
            for col, low, high in zip(columns.tolist(), lower.tolist(), upper.tolist()):
                self.col_lower[col], self.col_upper[col] = low, high
            return
        self._highs.changeColsBounds(columns.size, columns.astype(np.int32), _finite(lower), _finite(upper))

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        if self._highs is None:
            self.row_lower[row], self.row_upper[row] = float(lower), float(upper)
            return
        self._highs.changeRowBounds(int(row), *_finite(np.array([lower, upper], dtype=float)).tolist())

    def set_costs(self, columns: np.ndarray, costs: np.ndarray) -> None:
        columns = np.asarray(columns, dtype=np.int64)
        costs = np.asarray(costs, dtype=float)
        if self._highs is None:
            for col, cost in zip(columns.tolist(), costs.tolist()):
                self.costs[col] = cost
            return
        self._highs.changeColsCost(columns.size, columns.astype(np.int32), costs)

    def delete_columns(self, columns: np.ndarray) -> None:
        """Remove ``columns``; the later columns move down to fill the gaps, in order."""
        columns = np.unique(np.asarray(columns, dtype=np.int64))
        if columns.size == 0:
            return
        keep = np.ones(self.column_count, dtype=bool)
        keep[columns] = False
        self.column_count -= columns.size
        if self._highs is None:
            kept = np.flatnonzero(keep).tolist()
            self.costs = [self.costs[col] for col in kept]
            self.col_lower = [self.col_lower[col] for col in kept]
            self.col_upper = [self.col_upper[col] for col in kept]
            position = {old: new for new, old in enumerate(kept)}
            self._entries = {(row, position[col]): value for (row, col), value in self._entries.items() if col in position}
            return
        self._highs.deleteCols(columns.size, columns.astype(np.int32))

    def delete_rows(self, rows: np.ndarray) -> None:
        """Remove ``rows``; the later rows move up to fill the gaps, in order. Rows whose slack
        is basic (``basic_rows``) can go without spoiling the basis of the next warm start."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if rows.size == 0:
            return
        self.row_count -= rows.size
        if self._highs is None:
            keep = np.ones(self.row_count + rows.size, dtype=bool)
            keep[rows] = False
            kept = np.flatnonzero(keep).tolist()
            self.row_lower = [self.row_lower[row] for row in kept]
            self.row_upper = [self.row_upper[row] for row in kept]
            position = {old: new for new, old in enumerate(kept)}
            self._entries = {(position[row], col): value for (row, col), value in self._entries.items() if row in position}
            return
        self._highs.deleteRows(rows.size, rows.astype(np.int32))

    def basic_rows(self) -> np.ndarray:
        """Whether each row's slack is basic in the last solution (all ``True`` without HiGHS,
        whose fallback solves from scratch and keeps no basis)."""
        if self._highs is None:
            return np.ones(self.row_count, dtype=bool)
        status = self._highs.getBasis().row_status
        return np.array([entry == _highs_core.HighsBasisStatus.kBasic for entry in status], dtype=bool)

    def set_coefficient(self, row: int, column: int, value: float) -> None:
        if self._highs is None:
            if value == 0.0:
                self._entries.pop((row, column), None)
            else:
                self._entries[(row, column)] = value
            return
        self._highs.changeCoeff(int(row), int(column), float(value))

    def solve(self, *, allow_infeasible: bool = False) -> LPSolution | None:
        """Solve from the previous basis (or from scratch with ``linprog``).

        With ``allow_infeasible``, an infeasible LP returns ``None`` instead of raising.
        """
        if self._highs is None:
            return self._solve_with_linprog(allow_infeasible)
        highs = self._highs
        highs.run()
        status = highs.getModelStatus()
        if allow_infeasible and status == _highs_core.HighsModelStatus.kInfeasible:
            return None
        if status != _highs_core.HighsModelStatus.kOptimal:
            # A warm start can stall on a degenerate basis; retry once from scratch.
            highs.clearSolver()
            highs.run()
            status = highs.getModelStatus()
            if status != _highs_core.HighsModelStatus.kOptimal:
                raise LinearProgramError(f"LP: {highs.modelStatusToString(status)}")
        solution = highs.getSolution()
        info = highs.getInfo()
        return LPSolution(
            values=np.asarray(solution.col_value, dtype=float),
            row_duals=np.asarray(solution.row_dual, dtype=float),
            objective=float(info.objective_function_value),
            iterations=int(info.simplex_iteration_count),
        )

    def _solve_with_linprog(self, allow_infeasible: bool = False) -> LPSolution | None:
        rows, cols = self.row_count, self.column_count
        if self._entries:
            keys = np.array(list(self._entries.keys()), dtype=np.int64)
            values = np.array(list(self._entries.values()), dtype=float)
            matrix = sparse.csr_matrix((values, (keys[:, 0], keys[:, 1])), shape=(rows, cols))
        else:
            matrix = sparse.csr_matrix((rows, cols))
        lower, upper = np.array(self.row_lower), np.array(self.row_upper)
        equal = lower == upper
        has_upper = ~equal & np.isfinite(upper)
        has_lower = ~equal & np.isfinite(lower)
        a_ub = sparse.vstack([matrix[has_upper], -matrix[has_lower]], format="csr")
        b_ub = np.concatenate([upper[has_upper], -lower[has_lower]])
        bounds = list(zip(_none(self.col_lower), _none(self.col_upper)))
        result = linprog(
            np.array(self.costs),
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=matrix[equal] if equal.any() else None,
            b_eq=lower[equal] if equal.any() else None,
            bounds=bounds,
            method="highs",
        )
        if allow_infeasible and result.status == 2:
            return None
        if result.status != 0:
            raise LinearProgramError(f"LP: {result.message}")
        duals = np.zeros(rows)
        if equal.any():
            duals[equal] = result.eqlin.marginals
        if a_ub.shape[0]:
            marginals = np.asarray(result.ineqlin.marginals)
            upper_count = int(has_upper.sum())
            duals[has_upper] += marginals[:upper_count]
            duals[has_lower] -= marginals[upper_count:]
        return LPSolution(
            values=np.asarray(result.x, dtype=float), row_duals=duals, objective=float(result.fun), iterations=int(result.nit)
        )


def _finite(values: np.ndarray) -> np.ndarray:
    """HiGHS's own infinity for ±inf bounds."""
    infinity = _highs_core.kHighsInf
    return np.clip(np.asarray(values, dtype=float), -infinity, infinity)


def _none(values: list[float]) -> list[float | None]:
    return [None if not np.isfinite(value) else value for value in values]
