"""Exact optima of the small integer programs that replacements and the cover solve, found cheaply.

Each program is solved in up to three steps, every one exact:

1. The linear relaxation (HiGHS through ``linprog``, which also gives the reduced costs). When its
   optimum is integral it is the integer optimum too.
2. Otherwise the integer program over only the columns the relaxation uses or could use at no cost
   (reduced cost zero). When that optimum reaches the relaxation's bound it is optimal overall.
3. Otherwise reduced-cost fixing: with L the relaxation's optimum and R the step-2 solution's value,
   any solution that takes column j (at zero in the relaxation, with reduced cost d_j) at least
   once is worth at least L + d_j. So a column with L + d_j ≥ R is in no solution better than R,
   and the integer program over the other columns has the true optimum (R's own columns kept).

On the n = 20,000, k = 150 pool's cover (150 alternates; ``alternates._cover_step``), 48 of its 91
programs had a fractional relaxation: step 2 settled 37 of them and step 3 the other 11, 1.4 s in
all, where the integer program over every column had taken 84 ms each (5.1 s for 61). The
replacement programs (``ReplacementSolver``) are smaller, and fixing did not pay there (1.1 s
against 1.0 s on the cover's 100 judged patterns), so they take the integer program over every
column when their relaxation is fractional.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

#: A value counts as whole within this.
WHOLE = 1e-6
#: Values of ``integer_solution``'s first objective closer than this count as equal. Its values are
#: misrepresentations, sums of whole numbers of 1/max over the quotas: far further apart than this.
FIRST_TOLERANCE = 1e-7


def integer_solution(objective: np.ndarray, constraints: LinearConstraint, bounds: Bounds, integers: int, *,
                     fix_columns: bool = False, first: np.ndarray | None = None) -> np.ndarray:
    """The first ``integers`` variables (whole numbers, at least zero) of an exact optimum of the
    program min ``objective``·x subject to ``constraints`` and ``bounds``, whose other variables
    are continuous. Without ``fix_columns``, the relaxation (step 1) and then the whole integer
    program; with it, steps 1 to 3 of the module docstring, which pays where the relaxation is often
    fractional and leaves many columns unused. Raises ``RuntimeError`` when there is no solution.

    With ``first``, ``first``·x is minimised before ``objective``·x (lexicographically), whatever the
    scales: see ``_first_then``."""
    best = _optimum(objective, constraints, bounds, integers, fix_columns)
    if first is not None:
        best = _first_then(objective, first, constraints, bounds, integers, fix_columns, best)
    return np.rint(best[:integers]).astype(int)


def _first_then(objective, first, constraints: LinearConstraint, bounds: Bounds, integers: int, fix_columns: bool,
                best: np.ndarray) -> np.ndarray:
    """The optimum of ``objective`` among the optima of ``first``, given ``best``, an optimum of
    ``objective`` alone. The callers weigh ``first`` far above the rest of ``objective``, so ``best``
    is usually the answer already; but ``first``'s values can differ by less than any scale assumes
    (1/3 − 1/4 of a quota's weight), so ``best`` is checked: when ``first`` is zero there it is least
    (``first`` is never negative where it is used); otherwise the least ``first`` is found, and where
    it is lower, ``objective`` is minimised again with ``first`` held at that least value."""
    value = float(first @ best)
    if value <= FIRST_TOLERANCE:
        return best
    least = float(first @ _optimum(first, constraints, bounds, integers, fix_columns))
    if least >= value - FIRST_TOLERANCE:
        return best
    held = LinearConstraint(sparse.vstack([sparse.csr_matrix(constraints.A), sparse.csr_matrix(first)]).tocsr(),
                            np.append(np.asarray(constraints.lb, dtype=float), -np.inf),
                            np.append(np.asarray(constraints.ub, dtype=float), least + FIRST_TOLERANCE))
    return _optimum(objective, held, bounds, integers, fix_columns)


def _optimum(objective, constraints: LinearConstraint, bounds: Bounds, integers: int, fix_columns: bool) -> np.ndarray:
    """Every variable of an exact optimum (``integer_solution``)."""
    if not fix_columns:
        relaxed = milp(c=objective, constraints=constraints, bounds=bounds)
        if relaxed.x is not None and _whole(relaxed.x[:integers]):
            return relaxed.x
        solved = _integer_program(objective, constraints, bounds, integers, np.ones(integers, dtype=bool))
        best = None if solved is None else solved.x
    else:
        best = _fixed_columns(objective, constraints, bounds, integers)
    if best is None:
        raise RuntimeError("a replacement program found no solution")
    return best


def _fixed_columns(objective, constraints, bounds: Bounds, integers: int) -> np.ndarray | None:
    relaxed = _relaxation(objective, constraints, bounds)
    if relaxed is None:  # no solution, or HiGHS could not tell: the integer program over every column decides
        solved = _integer_program(objective, constraints, bounds, integers, np.ones(integers, dtype=bool))
        return None if solved is None else solved.x
    x, reduced = relaxed.x, relaxed.lower.marginals
    if _whole(x[:integers]):
        return x
    bound = float(relaxed.fun)
    tolerance = 1e-7 * max(1.0, abs(bound))
    used = (x[:integers] > WHOLE) | (reduced[:integers] <= tolerance)
    restricted = _integer_program(objective, constraints, bounds, integers, used)
    if restricted is not None and restricted.fun <= bound + tolerance:
        return restricted.x
    kept = (np.ones(integers, dtype=bool) if restricted is None
            else used | (bound + reduced[:integers] < restricted.fun + tolerance))
    best = _integer_program(objective, constraints, bounds, integers, kept)
    return None if best is None else best.x


def _whole(values: np.ndarray) -> bool:
    return bool(np.abs(values - np.rint(values)).max(initial=0.0) <= WHOLE)


def _relaxation(objective, constraints: LinearConstraint, bounds: Bounds):
    """``linprog``'s optimum of the relaxation (``None`` when there is none): ``linprog`` takes
    only upper-bounded rows, so a row with a finite lower bound enters again negated."""
    matrix = sparse.csr_matrix(constraints.A)
    low, high = np.asarray(constraints.lb, dtype=float), np.asarray(constraints.ub, dtype=float)
    above, below = np.isfinite(high), np.isfinite(low)
    result = linprog(objective, A_ub=sparse.vstack([matrix[above], -matrix[below]]).tocsr(),
                     b_ub=np.concatenate([high[above], -low[below]]),
                     bounds=np.column_stack([bounds.lb, bounds.ub]), method="highs")
    return result if result.status == 0 else None


def _integer_program(objective, constraints, bounds: Bounds, integers: int, columns: np.ndarray):
    """HiGHS's proved optimum with only ``columns`` of the first ``integers`` variables open (the
    others held at zero), or ``None`` when that program has no solution."""
    upper = np.array(bounds.ub, dtype=float)
    upper[:integers][~columns & (np.asarray(bounds.lb, dtype=float)[:integers] <= 0)] = 0.0
    result = milp(c=objective, constraints=constraints, bounds=Bounds(bounds.lb, upper),
                  integrality=np.concatenate([np.ones(integers), np.zeros(len(objective) - integers)]),
                  options={"mip_rel_gap": 0.0})
    return result if result.x is not None else None
