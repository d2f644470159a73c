"""Write a point x* of Q as a mixture of integer panels, by walking down the faces of Q.

Carathéodory's construction: with the unspent mass m (initially 1) and residual r (initially
x*), r / m lies in Q. Take the face F of Q on which r / m lies (every bound and row that is
tight there stays tight), find an integer panel v in F, and move away from it:

    r ← r − λ v,  m ← m − λ,  with λ as large as keeps r / m in Q.

Because v lies in F, r / m stays in F, and at least one more bound or row becomes tight, so F
shrinks by a dimension or more each step: at most (types + 1) steps, usually far fewer,
since a step that moves many types with equal probability tightens them all at once.

The panel in F is a vertex of F found by the LP "maximise Σ (π_t + noise_t) Y_t over F"
(HiGHS, warm-started; favouring types with high remaining probability makes long steps).
When Q has fractional vertices the LP may return one; it is re-solved a few times with fresh
noise on the fractional coordinates, then rounded by a small integer program over those
coordinates, and finally the integer program over all of F is solved. If F holds no integer panel at all, r / m is not
a mixture of panels — which can happen only when x* is not, or when the walk has left the
integer hull — and the walk stops; column generation takes over from the panels found
(``leximin``). Everything is deterministic (fixed noise seed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from panels.selection.compression import CompressedPool
from panels.selection.linear_program import LinearProgram, LinearProgramError
from panels.selection.panel_program import PanelConstraints, PanelProgram

#: Residual mass at which the walk stops (the last panels' weights are this small).
COMPLETE_MASS = 1e-9
#: A walk that stalls (floating point) with at most this mass left still counts as complete:
#: renormalising the weights moves no probability by more than about this much.
ACCEPTABLE_MASS = 1e-7
#: A bound or row counts as tight when its slack, in unnormalised residual units, is below this.
TIGHT = 1e-11
#: Re-solves with fresh noise before a fractional vertex is rounded by an integer program.
NOISE_RETRIES = 10
NOISE = 0.1
#: First-noise scale: enough to break ties between types of equal probability.
TIE_NOISE = 1e-3
#: The integer program over a whole face only needs a good panel, not the best one.
FACE_GAP = 0.05
NOISE_SEED = 2021


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
        self.lp = LinearProgram()
        self.lp.add_columns(np.zeros(self.type_count), np.zeros(self.type_count), self.counts)
        self.lp.add_rows(constraints.lower, constraints.upper, constraints.matrix)
        self.col_lower = np.zeros(self.type_count)
        self.col_upper = self.counts.copy()
        self.row_lower = constraints.lower.copy()
        self.row_upper = constraints.upper.copy()
        self.rng = np.random.default_rng(NOISE_SEED)
        self.integer_programs = 0

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
            panel = self._panel_in_face(residual / mass)
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
        if changed.size:
            self.lp.set_column_bounds(changed, lower[changed], upper[changed])
            self.col_lower[changed], self.col_upper[changed] = lower[changed], upper[changed]
        activity = constraints.matrix @ residual
        at_lower = activity <= constraints.lower * mass + TIGHT
        at_upper = activity >= constraints.upper * mass - TIGHT
        row_lower = np.where(at_upper, constraints.upper, constraints.lower)
        row_upper = np.where(at_lower, constraints.lower, constraints.upper)
        for row in np.flatnonzero((row_lower != self.row_lower) | (row_upper != self.row_upper)):
            self.lp.set_row_bounds(int(row), row_lower[row], row_upper[row])
        self.row_lower, self.row_upper = row_lower, row_upper

    def _panel_in_face(self, point: np.ndarray) -> np.ndarray | None:
        """An integer panel in the current face, or ``None`` if there is none."""
        preference = point / self.counts
        all_types = np.arange(self.type_count)
        vertex = None
        weights = preference + TIE_NOISE * self.rng.random(self.type_count)
        self.lp.set_costs(all_types, -weights)
        for attempt in range(NOISE_RETRIES + 1):
            if attempt:
                # Re-draw the noise of the fractional coordinates only: the re-solve starts
                # from the fractional vertex and usually needs a handful of pivots.
                fractional = np.flatnonzero(np.abs(vertex - np.rint(vertex)) > 1e-6)
                weights[fractional] = preference[fractional] + NOISE * self.rng.random(fractional.size)
                self.lp.set_costs(fractional, -weights[fractional])
            try:
                vertex = self.lp.solve().values
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
        activity = self.constraints.matrix @ panel
        return bool(np.all(activity >= self.row_lower - 1e-9) and np.all(activity <= self.row_upper + 1e-9))

    def _step_length(self, residual: np.ndarray, mass: float, panel: np.ndarray) -> float:
        """Largest λ ≤ mass with (residual − λ panel) / (mass − λ) still in Q."""
        counts, constraints = self.counts, self.constraints
        step = mass
        present = panel > 0
        if present.any():
            step = min(step, float(np.min(residual[present] / panel[present])))
        below = panel < counts
        if below.any():
            step = min(step, float(np.min((counts[below] * mass - residual[below]) / (counts[below] - panel[below]))))
        panel_activity = constraints.matrix @ panel
        activity = constraints.matrix @ residual
        above_lower = (panel_activity > constraints.lower + 1e-9) & np.isfinite(constraints.lower)
        if above_lower.any():
            slack = activity[above_lower] - constraints.lower[above_lower] * mass
            step = min(step, float(np.min(slack / (panel_activity[above_lower] - constraints.lower[above_lower]))))
        below_upper = (panel_activity < constraints.upper - 1e-9) & np.isfinite(constraints.upper)
        if below_upper.any():
            slack = constraints.upper[below_upper] * mass - activity[below_upper]
            step = min(step, float(np.min(slack / (constraints.upper[below_upper] - panel_activity[below_upper]))))
        return max(step, 0.0)
