"""Column generation over panels (Flanigan et al., Nature 596, 2021, Methods).

A distribution p over the panels found so far gives type t the value Σ_P p_P Y_{P,t} / scale_t.
A *level* maximises the smallest value over the unfixed types U, with the fixed types F held
at f_t (``level_program``):

    primal   maximise z   s.t.  value_t ≥ z (t ∈ U),  value_t ≥ f_t (t ∈ F),  Σ_P p_P = 1
    dual     minimise μ − Σ_{t∈F} f_t y_t  s.t.  Σ_{t∈U} y_t = 1,  Σ_t y_t Y_{P,t}/scale_t ≤ μ ∀P

The duals y price a new panel, max Σ_t (y_t / scale_t) Y_t. A panel worth more than
μ + ``PRICING_TOLERANCE`` joins the set; when the exact integer program finds none, the level
is optimal. Cheap swap searches from the most-used panels try first, and once a level tails
off it also prices at a Wentges-smoothed dual (Math. Oper. Res. 1997).

Two uses: with scale = a target x* (``leximin``), one level with z = 1 proves the panels can
reproduce x*, and z < 1 yields a valid cut; with scale = type sizes × weights (weights 1 unless
chances are lowered, see ``relaxed_leximin``), levels repeat until all types are fixed
(``leximin_by_levels``, the paper's algorithm, used only as a last resort); there the level z
may exceed 1 (``ceiling``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from panels.selection.compression import CompressedPool
from panels.selection.level_program import LevelProgram
from panels.selection.model import SelectionProgress
from panels.selection.panel_program import PanelProgram
from panels.selection.panel_search import SwapSearch

PRICING_TOLERANCE = 1e-7
FIX_SLACK = 1e-9
POSITIVE_DUAL = 1e-9
#: How many of the most-used panels the swap search starts from per iteration.
SEARCH_STARTS = 8
#: Smoothing weight of the Wentges centre, and the iteration after which a level uses it.
STABILISATION = 0.7
STABILISE_AFTER = 4


class SelectionSolverError(RuntimeError):
    """HiGHS failed on a program that must be solvable (a bug or a numerical breakdown)."""


@dataclass(frozen=True)
class LevelOutcome:
    """An optimal level: z, the weights of ``ColumnGeneration.panels``, the duals, and the
    final exact pricing (weights y/scale and HiGHS's bound on the best panel's value)."""

    z: float
    weights: np.ndarray
    duals: np.ndarray
    pricing_weights: np.ndarray
    pricing_bound: float


class ColumnGeneration:
    """Panels found so far, mirrored as columns of one level LP (see module docstring)."""

    def __init__(
        self,
        pool: CompressedPool,
        scale: np.ndarray,
        program: PanelProgram,
        search: SwapSearch,
        panels: Sequence[np.ndarray] = (),
        ceiling: float = 1.0,
    ) -> None:
        self.pool = pool
        self.scale = np.asarray(scale, dtype=float)
        self.program = program
        self.search = search
        self.level_program = LevelProgram(pool.type_count, ceiling)
        self.panels: list[np.ndarray] = []
        self._keys: set[bytes] = set()
        self.iterations = 0
        self.exact_pricings = 0
        for panel in panels:
            self.add(panel)

    def add(self, type_panel: np.ndarray) -> bool:
        """Add a panel unless it is already there."""
        type_panel = np.asarray(type_panel, dtype=np.int64)
        key = type_panel.tobytes()
        if key in self._keys:
            return False
        self._keys.add(key)
        self.panels.append(type_panel)
        self.level_program.add_panel(type_panel / self.scale)
        return True

    def fix(self, types: np.ndarray, value: float) -> None:
        self.level_program.fix(types, value)

    def cover(self, wanted: np.ndarray, start: np.ndarray) -> None:
        """Add panels until every ``wanted`` type that fits on a panel sits on at least one.

        While a type is on no panel the level LP has z = 0 and its duals may sit on any
        uncovered type, so column generation would cover about one type per iteration.
        Greedy covering (swaps towards uncovered types, the integer program when swaps
        stall) needs about ``types / seats`` panels instead.
        """
        covered = ~np.asarray(wanted, dtype=bool)
        for panel in self.panels:
            covered |= panel > 0
        panel = start
        while not covered.all():
            weights = (~covered).astype(float)
            candidate = self.search.improve(panel, weights)
            if not np.any((candidate > 0) & ~covered):
                priced = self.program.best_panel(weights)
                self.exact_pricings += 1
                if priced.type_panel is None or not np.any((priced.type_panel > 0) & ~covered):
                    break  # the uncovered types fit on no quota-meeting panel
                candidate = priced.type_panel
            self.add(candidate)
            covered |= candidate > 0
            panel = candidate

    def run_level(self, on_iteration: Callable[[int], None] | None = None) -> LevelOutcome:
        """Column generation until the current level is optimal."""
        level_program = self.level_program
        unfixed = level_program.unfixed
        fixed_values = level_program.fixed_values
        centre: np.ndarray | None = None
        centre_bound = np.inf
        level_iterations = 0
        while True:
            self.iterations += 1
            level_iterations += 1
            z, weights, duals = level_program.solve()
            mu = z + float(np.dot(fixed_values[~unfixed], duals[~unfixed]))
            pricing_weights = duals / self.scale
            added = 0
            if level_iterations > STABILISE_AFTER and duals[unfixed].sum() > 0:
                normalised = duals / duals[unfixed].sum()
                point = normalised if centre is None else STABILISATION * centre + (1 - STABILISATION) * normalised
                smoothed = self.program.best_panel(point / self.scale)
                self.exact_pricings += 1
                if smoothed.type_panel is not None:
                    bound = smoothed.upper_bound - float(np.dot(fixed_values[~unfixed], point[~unfixed]))
                    if bound < centre_bound:
                        centre, centre_bound = point, bound
                    if float(np.dot(pricing_weights, smoothed.type_panel)) > mu + PRICING_TOLERANCE:
                        added += self.add(smoothed.type_panel)
            added += self._add_swap_improvements(pricing_weights, weights, mu)
            if not added:
                priced = self.program.best_panel(pricing_weights)
                self.exact_pricings += 1
                if priced.type_panel is None:
                    raise SelectionSolverError("pricing program became infeasible")
                if priced.value > mu + PRICING_TOLERANCE and self.add(priced.type_panel):
                    added = 1
                else:
                    return LevelOutcome(z, weights, duals, pricing_weights, priced.upper_bound)
            if on_iteration is not None:
                on_iteration(self.iterations)

    def _add_swap_improvements(self, pricing_weights: np.ndarray, weights: np.ndarray, mu: float) -> int:
        """Improve the most-used current panels by swaps; add those that beat μ."""
        added = 0
        for start in np.argsort(-weights)[:SEARCH_STARTS]:
            candidate = self.search.improve(self.panels[start], pricing_weights)
            if float(np.dot(pricing_weights, candidate)) > mu + PRICING_TOLERANCE:
                added += self.add(candidate)
        return added


def leximin_by_levels(
    generation: ColumnGeneration,
    *,
    progress: Callable[[SelectionProgress], None] | None = None,
) -> tuple[np.ndarray, LevelOutcome]:
    """The paper's LEXIMIN: levels until every type is fixed. ``generation.scale`` must be the
    type sizes (times the weights, for weighted LEXIMIN). Returns the final panel weights and the last level."""
    pool = generation.pool
    type_count = pool.type_count
    unfixed = np.ones(type_count, dtype=bool)
    min_probability: float | None = None

    def report(iteration: int, message: str) -> None:
        if progress is not None:
            progress(
                SelectionProgress(
                    phase="leximin",
                    iteration=iteration,
                    fixed_types=int((~unfixed).sum()),
                    total_types=type_count,
                    min_probability=min_probability,
                    message=message,
                )
            )

    while True:
        outcome = generation.run_level(lambda it: report(it, f"{len(generation.panels)} panels") if it % 5 == 0 else None)
        z, duals = outcome.z, outcome.duals
        if min_probability is None:
            min_probability = z
        newly_fixed = unfixed & (duals > POSITIVE_DUAL)
        if not newly_fixed.any():
            newly_fixed = unfixed & (duals == duals[unfixed].max())
        generation.fix(newly_fixed, max(z - FIX_SLACK, 0.0))
        unfixed &= ~newly_fixed
        report(generation.iterations, f"level {z:.6f} fixed for {int(newly_fixed.sum())} types")
        if not unfixed.any():
            return outcome.weights, outcome
