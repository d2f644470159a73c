"""Write a point x* of Q as a mixture of integer panels, by walking down the faces of Q.

Carathéodory's construction: with the unspent mass m (initially 1) and residual r (initially
x*), r / m lies in Q. Take the face F of Q on which r / m lies (every bound and row that is
tight there stays tight), find an integer panel v in F, and move away from it:

    r ← r − λ v,  m ← m − λ,  with λ as large as keeps r / m in Q.

Because v lies in F, r / m stays in F, and at least one more bound or row becomes tight, so F
shrinks by a dimension or more each step: at most (types + 1) steps, usually far fewer,
since a step that moves many types with equal probability tightens them all at once.

The panel in F is a vertex of F found by the LP "maximise Σ (π_t + noise_t) Y_t over F"
(HiGHS, warm-started; favouring types with high remaining probability π_t makes long steps).
π_t is measured against the mass at the last refresh (when the mass halves, the noise is
redrawn too), so between refreshes a step changes only the costs of the types on its panel
and the warm basis needs few pivots. The LP holds only the rows and columns it needs
(``_FaceProgram``): pricing the rest with its duals keeps its vertex optimal for all of F.
When Q has fractional vertices the LP may return one (on n = 20,000, at nine steps in ten:
equality quota rows meet in odd cycles); it is re-solved a few times with fresh noise on the
fractional coordinates, then rounded by a small integer program over those coordinates, then
by one over the face LP's columns (the others at zero: on n = 20,000, 0.03–0.2 s where the
next one takes 0.5–1.8 s), and finally the integer program over all of F is solved. A re-solve takes the first integral
vertex of the restricted LP that lies in F, before pricing in better columns: it only needs a
panel near the best one, and the pricing rounds cost more LP solves than the slightly better
panel saves (n = 20,000: 7,101 LP solves instead of 8,515 and 1,874 steps instead of 1,871;
camden_2000_80: 796 LP solves instead of 990 and no integer program instead of six at
0.1–0.25 s each, as the re-solves keep finding integral panels). If F holds no integer panel at all, r / m is not
a mixture of panels — which can happen only when x* is not, or when the walk has left the
integer hull — and the walk stops; column generation takes over from the panels found
(``leximin``). Everything is deterministic (fixed noise seed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from panels.selection.compression import CompressedPool
from panels.selection.linear_program import INFINITY, LinearProgram, LinearProgramError
from panels.selection.panel_program import PanelConstraints, PanelProgram

#: Residual mass at which the walk stops (the last panels' weights are this small).
COMPLETE_MASS = 1e-9
#: A walk that stalls (floating point) with at most this mass left still counts as complete:
#: renormalising the weights moves no probability by more than about this much.
ACCEPTABLE_MASS = 1e-7
#: A bound or row counts as tight when its slack, in unnormalised residual units, is below this.
TIGHT = 1e-11
#: Re-solves with fresh noise before a fractional vertex is rounded by an integer program
#: (``LARGE_POOL_RETRIES`` on large pools).
NOISE_RETRIES = 10
#: Scale of the fresh noise. On large pools (``SMALL_NOISE_TYPES`` types or more) as small as the
#: first: a larger one moves the vertex far from the best panel, costing pivots and shorter steps
#: (n = 20,000, 5,675 types: 0.1 took 2,129 steps and 39 s, 1e-3 1,871 steps and 26 s under the
#: same load). On smaller pools the small noise keeps returning the same fractional vertex until
#: an integer program rounds it (camden_500_40: 2.3 s with 1e-3, 0.44 s with 0.1).
NOISE = 0.1
SMALL_NOISE = 1e-3
SMALL_NOISE_TYPES = 4000
#: First-noise scale: enough to break ties between types of equal probability.
TIE_NOISE = 1e-3
#: On large pools (``SMALL_NOISE_TYPES`` types or more) the first noise is smaller, so that the
#: face LP follows the remaining probabilities more closely and its panels make longer steps;
#: its vertices are fractional more often, and more re-solves round them without an integer
#: program (n = 20,000, three pools: 1,697, 1,721 and 1,755 steps instead of 1,915, 1,975 and
#: 1,938, no integer program, walk CPU 4.8, 4.5 and 5.0 s instead of 5.4, 5.5 and 5.2 s under a
#: load of 2.7 on two cores; 1e-4 with 10 re-solves took 10–13 integer programs, 3e-5 was no faster).
LARGE_POOL_TIE_NOISE = 1e-4
LARGE_POOL_RETRIES = 25
#: The integer program over a whole face only needs a good panel, not the best one.
FACE_GAP = 0.05
NOISE_SEED = 2021
REFRESH_MASS = 0.5
#: The face LP starts with this many of the highest-weighted columns (see ``_FaceProgram``).
INITIAL_COLUMNS = 400
#: A left-out column joins the face LP when its reduced cost is below minus this.
REDUCED_COST = 1e-9
#: At most this many columns join per round, the most improving first.
COLUMNS_PER_ROUND = 50
#: Before a step's first solve, this many left-out columns, those with the lowest reduced cost
#: at the last duals, join the face LP: the step's new costs and bounds move the duals, and
#: these are the columns most likely to price in, so fewer pricing rounds follow (n = 20,000:
#: 4,798 LP solves instead of 7,052 and 1,911 steps instead of 1,867; walk CPU 6.8 s instead
#: of 7.1 s, and 7.1 instead of 8.4 s and 6.8 instead of 8.0 s on two more pools of that size
#: drawn with other seeds; 30 columns gained less, 150 made more fractional vertices).
PRICE_AHEAD = 60
#: Above this many columns, idle ones leave the face LP before the next solve; likewise above
#: ``MAX_ROWS`` rows, the household rows with a basic slack. A smaller LP makes every simplex
#: pivot cheaper, and pricing brings back what a vertex needs (n = 20,000, three pools:
#: 500 and 60 instead of 800 and no limit, mean LP 362 × 48 instead of 510 × 170; HiGHS CPU
#: 3.4–3.6 s instead of 5.4–5.6 s and walk CPU 6.0–6.9 s instead of 9.1–9.3 s, under a load of 5–8
#: on two cores; 40 rows made more LP solves).
MAX_COLUMNS = 500
MAX_ROWS = 60
#: Cost of a seat of an artificial column: far above any panel's weight.
ARTIFICIAL_COST = 1e4


@dataclass(frozen=True)
class Decomposition:
    """``weights[j]`` of ``panels[j]`` add up to 1 − ``residual_mass``."""

    panels: tuple[np.ndarray, ...]
    weights: np.ndarray
    residual_mass: float
    steps: int
    integer_programs: int

    @property
    def complete(self) -> bool:
        return self.residual_mass <= ACCEPTABLE_MASS


def decompose(
    pool: CompressedPool,
    constraints: PanelConstraints,
    target: np.ndarray,
    *,
    on_step: Callable[[int, int, float], None] | None = None,
) -> Decomposition:
    """Walk from ``target`` (expected seats per type, a point of Q) down the faces of Q.

    ``on_step(step, settled_types, residual_mass)`` is called after every step; a type is
    settled when its whole target is assigned to panels.
    """
    walk = _FaceWalk(pool, constraints)
    return walk.run(np.asarray(target, dtype=float), on_step)


class _FaceWalk:
    def __init__(self, pool: CompressedPool, constraints: PanelConstraints) -> None:
        self.constraints = constraints
        self.counts = constraints.type_counts
        self.type_count = self.counts.size
        self.program = PanelProgram(pool, constraints)
        self.products = _RowProducts(pool, constraints)
        self.lp = _FaceProgram(constraints, self.products)
        self.col_lower = np.zeros(self.type_count)
        self.col_upper = self.counts.copy()
        self.row_lower = constraints.lower.copy()
        self.row_upper = constraints.upper.copy()
        self.finite_lower, self.finite_upper = np.isfinite(constraints.lower), np.isfinite(constraints.upper)
        self.rng = np.random.default_rng(NOISE_SEED)
        large = self.type_count >= SMALL_NOISE_TYPES
        self.retry_noise = SMALL_NOISE if large else NOISE
        self.tie_noise = LARGE_POOL_TIE_NOISE if large else TIE_NOISE
        self.retries = LARGE_POOL_RETRIES if large else NOISE_RETRIES
        self.reference_mass = 1.0
        self.noise = self.tie_noise * self.rng.random(self.type_count)
        self.integer_programs = 0
        # Row activities of the residual (set by ``_restrict_to_face`` at the start of each step)
        # and of the last panel ``_in_face`` checked, reused by ``_step_length``.
        self.activity = np.zeros(constraints.row_count)
        self.panel_activity: tuple[np.ndarray | None, np.ndarray] = (None, self.activity)

    def run(self, target: np.ndarray, on_step: Callable[[int, int, float], None] | None) -> Decomposition:
        residual = target.copy()
        mass = 1.0
        panels: list[np.ndarray] = []
        weights: list[float] = []
        steps = 0
        # Each step tightens a bound or row for good, so this cap is only a guard against
        # floating-point trouble making steps that tighten nothing.
        max_steps = 2 * (self.type_count + self.constraints.row_count) + 10
        while mass > COMPLETE_MASS and steps < max_steps:
            steps += 1
            self._restrict_to_face(residual, mass)
            panel = self._panel_in_face(residual, mass)
            if panel is None:
                break
            step = self._step_length(residual, mass, panel)
            if step <= 1e-15:
                break
            panels.append(panel)
            weights.append(step)
            residual = residual - step * panel
            residual[np.abs(residual) < 1e-14] = 0.0
            mass -= step
            if on_step is not None:
                on_step(steps, int(np.count_nonzero(residual == 0.0)), mass)
        return Decomposition(
            panels=tuple(panels),
            weights=np.array(weights),
            residual_mass=max(mass, 0.0),
            steps=steps,
            integer_programs=self.integer_programs,
        )

    def _restrict_to_face(self, residual: np.ndarray, mass: float) -> None:
        """Turn every bound and row that is tight at residual / mass into an equality."""
        counts, constraints = self.counts, self.constraints
        lower = np.where(residual >= counts * mass - TIGHT, counts, 0.0)
        upper = np.where(residual <= TIGHT, 0.0, counts)
        changed = np.flatnonzero((lower != self.col_lower) | (upper != self.col_upper))
        self.col_lower, self.col_upper = lower, upper
        if changed.size:
            self.lp.set_column_bounds(changed, lower, upper)
        activity = self.activity = self.products.times(residual)
        at_lower = activity <= constraints.lower * mass + TIGHT
        at_upper = activity >= constraints.upper * mass - TIGHT
        row_lower = np.where(at_upper, constraints.upper, constraints.lower)
        row_upper = np.where(at_lower, constraints.lower, constraints.upper)
        changed = np.flatnonzero((row_lower != self.row_lower) | (row_upper != self.row_upper))
        self.row_lower, self.row_upper = row_lower, row_upper
        if changed.size:
            self.lp.set_row_bounds(changed, row_lower, row_upper)

    def _panel_in_face(self, residual: np.ndarray, mass: float) -> np.ndarray | None:
        """An integer panel in the current face, or ``None`` if there is none."""
        if mass < REFRESH_MASS * self.reference_mass:
            self.reference_mass = mass
            self.noise = self.tie_noise * self.rng.random(self.type_count)
        preference = residual / (self.counts * self.reference_mass)
        weights = preference + self.noise
        self.lp.set_weights(weights)
        vertex = None
        for attempt in range(self.retries + 1):
            if attempt:
                # Re-draw the noise of the fractional coordinates only: the re-solve starts
                # from the fractional vertex and usually needs a handful of pivots.
                fractional = np.flatnonzero(np.abs(vertex - np.rint(vertex)) > 1e-6)
                weights[fractional] = preference[fractional] + self.retry_noise * self.rng.random(fractional.size)
                self.lp.set_weights(weights)
            try:
                # A re-solve only needs an integral panel near the best: it takes the first one.
                vertex = self.lp.solve(accept_integral=attempt > 0)
            except LinearProgramError:
                vertex = None
                break
            panel = self._integral(vertex)
            if panel is not None:
                return panel
        face_bounds = (self.col_lower, self.col_upper)
        face_rows = (self.row_lower, self.row_upper)
        if vertex is not None:
            # Round: keep the vertex's integral coordinates, solve for the fractional ones.
            fractional = np.abs(vertex - np.rint(vertex)) > 1e-6
            rounded = np.rint(vertex)
            self.integer_programs += 1
            priced = self.program.best_panel(
                weights,
                relative_gap=FACE_GAP,
                bounds=(np.where(fractional, self.col_lower, rounded), np.where(fractional, self.col_upper, rounded)),
                row_bounds=face_rows,
            )
            if priced.type_panel is not None and self._in_face(priced.type_panel):
                return priced.type_panel
            # The face LP's columns free, the others at zero (their lower bound in F).
            self.integer_programs += 1
            priced = self.program.best_panel(
                weights,
                relative_gap=FACE_GAP,
                bounds=(self.col_lower, np.where(self.lp.lp_column >= 0, self.col_upper, 0.0)),
                row_bounds=face_rows,
            )
            if priced.type_panel is not None and self._in_face(priced.type_panel):
                return priced.type_panel
        self.integer_programs += 1
        priced = self.program.best_panel(weights, relative_gap=FACE_GAP, bounds=face_bounds, row_bounds=face_rows)
        if priced.type_panel is not None and self._in_face(priced.type_panel):
            return priced.type_panel
        return None

    def _integral(self, vertex: np.ndarray) -> np.ndarray | None:
        if np.abs(vertex - np.rint(vertex)).max(initial=0.0) > 1e-6:
            return None
        panel = np.rint(vertex).astype(np.int64)
        return panel if self._in_face(panel) else None

    def _in_face(self, panel: np.ndarray) -> bool:
        if np.any(panel < self.col_lower - 1e-9) or np.any(panel > self.col_upper + 1e-9):
            return False
        activity = self.products.times(panel, np.flatnonzero(panel))
        self.panel_activity = (panel, activity)
        return bool(np.all(activity >= self.row_lower - 1e-9) and np.all(activity <= self.row_upper + 1e-9))

    def _step_length(self, residual: np.ndarray, mass: float, panel: np.ndarray) -> float:
        """Largest λ ≤ mass with (residual − λ panel) / (mass − λ) still in Q."""
        counts, constraints = self.counts, self.constraints
        step = mass
        support = np.flatnonzero(panel)
        seats = panel[support]
        if support.size:
            step = min(step, float(np.min(residual[support] / seats)))
        below = support[seats < counts[support]]
        if below.size:
            step = min(step, float(np.min((counts[below] * mass - residual[below]) / (counts[below] - panel[below]))))
        # A type off the panel reaches its count at (count·mass − residual) / count, first where
        # residual / count is largest: one maximum instead of that ratio for every type.
        share = residual / counts
        share[support] = -np.inf
        if support.size < share.size:
            top = int(np.argmax(share))
            step = min(step, float((counts[top] * mass - residual[top]) / counts[top]))
        # Both products were taken for this panel and residual by ``_in_face`` and ``_restrict_to_face``.
        checked, panel_activity = self.panel_activity
        if checked is not panel:
            panel_activity = self.products.times(panel, support)
        activity = self.activity
        above_lower = (panel_activity > constraints.lower + 1e-9) & self.finite_lower
        if above_lower.any():
            slack = activity[above_lower] - constraints.lower[above_lower] * mass
            step = min(step, float(np.min(slack / (panel_activity[above_lower] - constraints.lower[above_lower]))))
        below_upper = (panel_activity < constraints.upper - 1e-9) & self.finite_upper
        if below_upper.any():
            slack = constraints.upper[below_upper] * mass - activity[below_upper]
            step = min(step, float(np.min(slack / (constraints.upper[below_upper] - panel_activity[below_upper]))))
        return max(step, 0.0)


class _RowProducts:
    """Products with the constraint matrix, faster than the sparse ones, which the walk needs
    some 9,000 times (n = 20,000, 1,932 rows × 5,675 types: Aᵀy 105 µs sparse, 34 µs for the
    dense part; A·panel 87 µs sparse, 17 µs dense). The size, quota and cut rows ("base" rows)
    cover every type: they are kept dense. Each type is in at most one household row, with
    coefficient 1 (households are disjoint), so the household rows are a gather or a bincount."""

    def __init__(self, pool: CompressedPool, constraints: PanelConstraints) -> None:
        quota_rows = pool.membership.shape[0]
        self.row_count = constraints.row_count
        self.lazy = np.zeros(self.row_count, dtype=bool)
        self.lazy[1 + quota_rows : 1 + quota_rows + len(pool.household_groups)] = True
        self.base_rows = np.flatnonzero(~self.lazy)
        self.base = constraints.matrix[self.base_rows].toarray()
        # The household row of each type (−1 for none).
        self.household_row = np.full(constraints.type_counts.size, -1)
        for index, group in enumerate(pool.household_groups):
            self.household_row[list(group)] = 1 + quota_rows + index
        self.in_household = np.flatnonzero(self.household_row >= 0)
        # ``household_row`` with the types of no household sent to an extra row of dual zero.
        self.dual_index = np.where(self.household_row >= 0, self.household_row, self.row_count)

    def times(self, values: np.ndarray, support: np.ndarray | None = None) -> np.ndarray:
        """``matrix @ values``; ``support`` (optional) holds the indices of every nonzero value."""
        activity = np.zeros(self.row_count)
        if support is None:
            activity[self.base_rows] = self.base @ values
            support = self.in_household
        else:
            activity[self.base_rows] = self.base[:, support] @ values[support]
        rows = self.household_row[support]
        kept = rows >= 0
        activity += np.bincount(rows[kept], weights=values[support[kept]], minlength=self.row_count)
        return activity

    def transpose_times(self, rows: np.ndarray, duals: np.ndarray) -> np.ndarray:
        """``matrix.T @ y`` for y zero except ``y[rows] = duals``, where ``rows`` starts with
        every base row, in order (as the face LP's rows do)."""
        base = self.base_rows.size
        household = np.zeros(self.row_count + 1)
        household[rows[base:]] = duals[base:]
        return duals[:base] @ self.base + household[self.dual_index]


def _smallest(items: np.ndarray, keys: np.ndarray, count: int) -> np.ndarray:
    """``count`` items of smallest key, in order of key (equal keys in the order of ``items``):
    a partition first, as sorting thousands of keys to keep sixty cost 0.2 ms a step."""
    if items.size > count:
        kept = np.sort(np.argpartition(keys, count - 1)[:count])
        items, keys = items[kept], keys[kept]
    return items[np.argsort(keys, kind="stable")]


class _FaceProgram:
    """The LP "maximise weights · Y over the face", holding only the rows and columns it needs.

    Q has one column per type (thousands) and one row per shared household (most of its
    rows), but a vertex uses a panel's worth of columns and meets few household rows, and a
    simplex pivot costs time in proportion to the LP's size. So the LP starts with the
    highest-weighted columns and the size and quota rows, and after each solve adds

    * the household rows the vertex breaks (or that the face has made tight), and
    * the columns whose reduced cost, priced with the LP's row duals, says they would
      improve the vertex (at most ``COLUMNS_PER_ROUND`` a round, the best first),

    and solves again, until there are none. Artificial columns at a prohibitive cost keep the
    restricted LP feasible so that its duals can price; if one is still used when nothing
    prices in (or the LP is infeasible through a tight household row), every remaining
    column is added. A column left out sits at zero, its lower bound (columns the face fixes
    above zero are always in), so the final vertex, padded with zeros, is an optimal vertex
    of the whole LP: the same answer, from a smaller program. Before a solve, once the LP
    has more than ``MAX_COLUMNS`` columns, those the last vertex left idle are dropped, and
    once it has more than ``MAX_ROWS`` rows, the household rows whose slack is basic (the
    vertex check adds back any that a later vertex breaks).
    """

    def __init__(self, constraints: PanelConstraints, products: _RowProducts) -> None:
        self.constraints = constraints
        self.products = products
        self.matrix_csc = constraints.matrix.tocsc()
        type_count = constraints.type_counts.size
        self.lp = LinearProgram()
        self.col_lower = np.zeros(type_count)
        self.col_upper = np.asarray(constraints.type_counts, dtype=float).copy()
        self.row_lower = constraints.lower.copy()
        self.row_upper = constraints.upper.copy()
        self.weights = np.zeros(type_count)
        self.vertex: np.ndarray | None = None
        self.reduced = np.zeros(type_count)
        self.lp_column = np.full(type_count, -1)
        self.column_types = np.zeros(0, dtype=np.int64)
        self.lp_row = np.full(constraints.row_count, -1)
        self.row_indices = np.zeros(0, dtype=np.int64)
        self.lazy = products.lazy
        self.household_row = products.household_row
        self.artificials = 0
        self._add_rows(products.base_rows)
        # Artificial columns (one adding to and one taking from each size, quota and cut
        # row, at a prohibitive cost) keep the restricted LP feasible, so that its duals
        # always price the left-out columns; at an optimum of the whole LP they are zero.
        base = self.row_indices.size
        self.artificials = 2 * base
        self.lp.add_columns(
            np.full(2 * base, ARTIFICIAL_COST),
            np.zeros(2 * base),
            np.full(2 * base, INFINITY),
            sparse.hstack([sparse.identity(base), -sparse.identity(base)], format="csc"),
        )

    def set_column_bounds(self, types: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Take the bounds of ``types`` from the full-length ``lower`` and ``upper``."""
        self.col_lower[types], self.col_upper[types] = lower[types], upper[types]
        present = types[self.lp_column[types] >= 0]
        if present.size:
            self.lp.set_column_bounds(self.lp_column[present], lower[present], upper[present])
        self._add_columns(types[(self.lp_column[types] < 0) & (lower[types] > 0)])

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Take the bounds of ``rows`` from the full-length ``lower`` and ``upper``."""
        self.row_lower[rows], self.row_upper[rows] = lower[rows], upper[rows]
        for row in rows[self.lp_row[rows] >= 0]:
            self.lp.set_row_bounds(int(self.lp_row[row]), lower[row], upper[row])
        # A household row tight at its lower bound (0) only repeats its columns' bounds.
        self._add_rows(rows[(self.lp_row[rows] < 0) & (lower[rows] > self.constraints.lower[rows])])

    def set_weights(self, weights: np.ndarray) -> None:
        changed = np.flatnonzero(weights != self.weights)
        self.weights = weights.copy()
        changed = changed[self.lp_column[changed] >= 0]
        if changed.size:
            self.lp.set_costs(self.lp_column[changed], -weights[changed])

    def solve(self, *, accept_integral: bool = False) -> np.ndarray:
        """An optimal vertex of the whole LP (raises ``LinearProgramError`` if it has none).

        With ``accept_integral``, the first integral vertex of the restricted LP that lies in
        the face is returned as it is, before pricing in columns that might improve it.
        """
        if self.vertex is None:  # the first solve
            live = np.flatnonzero((self.col_upper > 0) & (self.lp_column < 0))
            self._add_columns(live[np.argsort(-self.weights[live], kind="stable")[:INITIAL_COLUMNS]])
        elif self.column_types.size > MAX_COLUMNS:
            self._drop_idle_columns()
        if self.vertex is not None and self.row_indices.size > MAX_ROWS:
            self._drop_idle_rows()
        if self.vertex is not None and not accept_integral:
            outside = np.flatnonzero((self.lp_column < 0) & (self.col_upper > 0))
            self._add_columns(_smallest(outside, self.reduced[outside], PRICE_AHEAD))
        while True:
            solution = self.lp.solve(allow_infeasible=True)
            if solution is None:
                # Only a tight household row can make it infeasible: take every column.
                self._add_missing_columns()
                continue
            values = solution.values[self.artificials :]
            broken = self._broken_rows(values)
            reduced = -self.weights - self.products.transpose_times(self.row_indices, solution.row_duals)
            improving = np.flatnonzero(reduced < -REDUCED_COST)
            improving = improving[(self.lp_column[improving] < 0) & (self.col_upper[improving] > 0)]
            if improving.size > COLUMNS_PER_ROUND:
                improving = _smallest(improving, reduced[improving], COLUMNS_PER_ROUND)
            if accept_integral and broken.size == 0 and improving.size:
                if np.all(np.abs(values - np.rint(values)) <= 1e-6) and not np.any(solution.values[: self.artificials] > 1e-9):
                    improving = improving[:0]
            if broken.size == 0 and improving.size == 0:
                if np.any(solution.values[: self.artificials] > 1e-9):
                    self._add_missing_columns()
                    continue
                vertex = np.zeros(self.lp_column.size)
                vertex[self.column_types] = values
                self.vertex, self.reduced = vertex, reduced
                return vertex
            self._add_rows(broken)
            self._add_columns(improving)

    def _broken_rows(self, values: np.ndarray) -> np.ndarray:
        """The household rows left out of the LP that its solution ``values`` breaks, in order:
        households are disjoint, so their activities are one bincount over the nonzero columns."""
        nonzero = values != 0.0
        rows = self.household_row[self.column_types[nonzero]]
        kept = rows >= 0
        rows, weights = rows[kept], values[nonzero][kept]
        if rows.size == 0:
            return rows
        activity = np.bincount(rows, weights=weights, minlength=self.lp_row.size)
        rows = np.unique(rows)
        return rows[(activity[rows] > self.row_upper[rows] + 1e-9) & (self.lp_row[rows] < 0)]

    def _add_missing_columns(self) -> None:
        """Add every column not fixed at zero (raises ``LinearProgramError`` if all are in)."""
        missing = np.flatnonzero((self.lp_column < 0) & (self.col_upper > 0))
        if missing.size == 0:
            raise LinearProgramError("the face holds no point")
        self._add_columns(missing)

    def _drop_idle_columns(self) -> None:
        """Remove the columns fixed at zero, and those the last vertex left at zero with a
        positive reduced cost (nonbasic, so the basis stays valid); pricing brings back any
        that become worth having."""
        types = self.column_types
        idle = (self.col_upper[types] == 0) | (
            (self.vertex[types] == 0) & (self.reduced[types] > REDUCED_COST) & (self.col_lower[types] == 0)
        )
        if not idle.any():
            return
        self.lp.delete_columns(self.lp_column[types[idle]])
        self.lp_column[types[idle]] = -1
        self.column_types = types[~idle]
        self.lp_column[self.column_types] = self.artificials + np.arange(self.column_types.size)

    def _drop_idle_rows(self) -> None:
        """Remove the household rows of the LP whose slack is basic and that the face has not
        made tight: the basis stays valid, and the vertex's check brings back any it breaks."""
        rows = self.row_indices
        idle = self.lazy[rows] & self.lp.basic_rows() & (self.row_lower[rows] == self.constraints.lower[rows])
        if not idle.any():
            return
        self.lp.delete_rows(self.lp_row[rows[idle]])
        self.lp_row[rows[idle]] = -1
        self.row_indices = rows[~idle]
        self.lp_row[self.row_indices] = np.arange(self.row_indices.size)

    def _add_rows(self, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        self.lp_row[rows] = self.lp.row_count + np.arange(rows.size)
        self.row_indices = np.concatenate([self.row_indices, rows])
        entries = sparse.hstack(
            [sparse.csr_matrix((rows.size, self.artificials)), self.constraints.matrix[rows][:, self.column_types]]
        )
        self.lp.add_rows(self.row_lower[rows], self.row_upper[rows], entries)

    def _add_columns(self, types: np.ndarray) -> None:
        if types.size == 0:
            return
        self.lp_column[types] = self.lp.column_count + np.arange(types.size)
        self.column_types = np.concatenate([self.column_types, types])
        # The columns' entries in the LP's rows, gathered from the CSC arrays directly
        # (fancy indexing of a sparse matrix costs more than the solve it feeds).
        columns = self.matrix_csc
        starts, lengths = columns.indptr[types], np.diff(columns.indptr)[types]
        offsets = np.cumsum(lengths) - lengths
        entries = np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)
        rows = self.lp_row[columns.indices[entries]]
        kept = rows >= 0
        column_of_entry = np.repeat(np.arange(types.size), lengths)[kept]
        rows, values = rows[kept], columns.data[entries][kept]
        order = np.lexsort((rows, column_of_entry))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(column_of_entry, minlength=types.size))])
        self.lp.add_columns_csc(
            -self.weights[types], self.col_lower[types], self.col_upper[types], indptr, rows[order], values[order]
        )
