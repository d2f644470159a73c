"""LEXIMIN selection probabilities (Flanigan, Gölz, Gupta, Hennig, Procaccia, Nature 596, 2021).

LEXIMIN is a distribution over quota-meeting panels that maximises the smallest selection
probability, then the next smallest, and so on. Volunteers of one type (``compression``) get
the same probability, so everything works over types: a type panel Y counts the members of
each type on a panel, and type t's probability is π_t = E[Y_t] / count_t.

The paper computes it level by level, each level by column generation over panels, which
needs an integer program to prove every level optimal and many LP re-solves over a thousand
rows. Here the work is reordered so that almost all of it is small LPs:

1. ``relaxed_leximin``: the LEXIMIN of the *expected* seats x over the LP relaxation Q of the
   panel constraints. conv(panels) ⊆ Q, so its point x* is lexicographically at least the true
   LEXIMIN.
2. ``decomposition``: write x* as a mixture of integer panels by walking down the faces of Q.
   If that succeeds, x* is achievable, hence *is* the LEXIMIN — no integer program proves
   anything level by level, because the bound of step 1 already does.
3. Otherwise, column generation (``column_generation``) maximises z with every type at
   ≥ z·x*_t, starting from the walk's panels. z = 1 (within ``REPRODUCE_TOLERANCE``)
   reproduces x*. If the exact integer program proves z < 1, its duals y give the valid
   inequality Σ_t (y_t / x*_t) Y_t ≤ bound, met by every panel but not by x*: it is added
   to Q and we return to step 1 (a cutting-plane loop, ``MAX_CUT_ROUNDS`` rounds).
4. As a last resort, the paper's level-by-level column generation, warm-started with every
   panel found.

The result is always an explicit distribution over valid panels; its probabilities are what
the engine reports.

Weighted LEXIMIN (volunteers whose chance is lowered, ``Volunteer.weight`` < 1) is the same
algorithm over the values π_t / w_t: steps 1 and 4 divide by w_t; steps 2 and 3 only reproduce
the target x* and need no change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from panels.selection.column_generation import ColumnGeneration, leximin_by_levels
from panels.selection.compression import CompressedPool
from panels.selection.decomposition import decompose
from panels.selection.feasibility import InfeasibleQuotasError, explain_infeasibility, feasible_panel
from panels.selection.linear_program import LinearProgramError
from panels.selection.lottery import panel_matrix
from panels.selection.model import SelectionProgress
from panels.selection.panel_program import PanelProgram, panel_constraints
from panels.selection.panel_search import SwapSearch
from panels.selection.relaxed_leximin import relaxed_leximin

#: Column generation reproduces x* when every type reaches this share of its target.
REPRODUCE_TOLERANCE = 1e-7
#: Types whose target is below this many seats are held at zero.
ZERO_TARGET = 1e-9
MAX_CUT_ROUNDS = 20
#: Panel weights below this are dropped from the distribution.
NEGLIGIBLE_WEIGHT = 1e-12


@dataclass(frozen=True)
class TypeDistribution:
    """A distribution over type panels: ``panels[j]`` (a count per type) has ``weights[j]``.

    ``method`` says how it was found: ``relaxation`` (steps 1–2 of the module docstring),
    ``cuts`` (step 3) or ``levels`` (step 4).
    """

    panels: tuple[np.ndarray, ...]
    weights: np.ndarray
    type_probabilities: np.ndarray
    iterations: int
    exact_pricings: int
    method: str = "relaxation"
    cut_rounds: int = 0


def leximin_distribution(
    pool: CompressedPool,
    initial_panel: np.ndarray | None = None,
    *,
    progress: Callable[[SelectionProgress], None] | None = None,
    max_cut_rounds: int | None = None,
    levels_only: bool = False,
) -> TypeDistribution:
    """The LEXIMIN distribution over type panels of ``pool`` (see module docstring).

    ``initial_panel`` is any quota-meeting type panel. Without one, the integer program of the
    feasibility check finds one only when steps 3–4 need it: when the face walk writes x* as a
    mixture of panels, those panels prove the quotas feasible (that saves 0.5–0.6 s on
    n = 20,000). Raises ``InfeasibleQuotasError`` if it finds none.
    ``levels_only`` skips steps 1–3 (the paper's algorithm alone; tests compare the two).
    """
    rounds = MAX_CUT_ROUNDS if max_cut_rounds is None else max_cut_rounds
    constraints = panel_constraints(pool)
    search = SwapSearch(pool)
    if levels_only and initial_panel is None:
        initial_panel = _some_panel(pool)
    known_panels: list[np.ndarray] = [] if initial_panel is None else [np.asarray(initial_panel, dtype=np.int64)]
    iterations = 0
    integer_programs = 0
    report = _Reporter(pool.type_count, progress)
    for cut_round in range(0 if levels_only else rounds + 1):
        try:
            relaxed = relaxed_leximin(constraints, pool.weights)
        except LinearProgramError:
            if not known_panels:
                _some_panel(pool)  # Q may be empty: then this says which quotas conflict
            raise
        iterations += relaxed.levels
        report.relaxed(iterations, relaxed.probabilities, constraints.cut_count)
        target = relaxed.expected_seats
        walk = decompose(pool, constraints, target, on_step=report.walk_step)
        integer_programs += walk.integer_programs
        iterations += walk.steps
        if walk.complete:
            weights = walk.weights / walk.weights.sum()
            return _distribution(pool, walk.panels, weights, iterations, integer_programs, "relaxation", cut_round)
        if not known_panels:
            known_panels.append(_some_panel(pool))
        if cut_round == rounds:
            known_panels += walk.panels
            break
        program = PanelProgram(pool, constraints)
        zero = target <= ZERO_TARGET
        generation = ColumnGeneration(pool, np.where(zero, 1.0, target), program, search, [*walk.panels, *known_panels])
        if zero.any():
            generation.fix(zero, 0.0)
        generation.cover(~zero, generation.panels[0])
        outcome = generation.run_level(lambda it: report.repair(iterations + it))
        iterations += generation.iterations
        integer_programs += generation.exact_pricings
        known_panels = generation.panels
        if outcome.z >= 1 - REPRODUCE_TOLERANCE:
            return _distribution(pool, generation.panels, outcome.weights, iterations, integer_programs, "cuts", cut_round)
        constraints = constraints.with_cut(outcome.pricing_weights, outcome.pricing_bound)
    generation = ColumnGeneration(pool, pool.weighted_counts, PanelProgram(pool), search, known_panels,
                                  ceiling=float(1.0 / pool.weights.min(initial=1.0)))
    generation.cover(np.ones(pool.type_count, dtype=bool), generation.panels[0])
    weights, _ = leximin_by_levels(generation, progress=progress)
    iterations += generation.iterations
    integer_programs += generation.exact_pricings
    return _distribution(pool, generation.panels, weights, iterations, integer_programs, "levels", rounds)


def _some_panel(pool: CompressedPool) -> np.ndarray:
    """A quota-meeting type panel, by the feasibility integer program."""
    panel = feasible_panel(pool)
    if panel is None:
        raise InfeasibleQuotasError(explain_infeasibility(pool))
    return np.asarray(panel, dtype=np.int64)


def _distribution(pool, panels, weights, iterations, integer_programs, method, cut_rounds) -> TypeDistribution:
    weights = np.asarray(weights, dtype=float)
    keep = weights > NEGLIGIBLE_WEIGHT
    kept_weights = weights[keep] / weights[keep].sum()
    kept_panels = tuple(np.asarray(panel, dtype=np.int64) for panel, flag in zip(panels, keep) if flag)
    seats = panel_matrix(kept_panels, pool.type_count).T @ kept_weights
    return TypeDistribution(
        panels=kept_panels,
        weights=kept_weights,
        type_probabilities=seats / pool.type_counts,
        iterations=int(iterations),
        exact_pricings=int(integer_programs),
        method=method,
        cut_rounds=int(cut_rounds),
    )


class _Reporter:
    """Progress for the CLI bar and the web poll: "settled" types have all their probability
    assigned to panels."""

    def __init__(self, type_count: int, progress: Callable[[SelectionProgress], None] | None) -> None:
        self.type_count = type_count
        self.progress = progress
        self.min_probability: float | None = None

    def _send(self, iteration: int, settled: int, message: str) -> None:
        if self.progress is not None:
            self.progress(
                SelectionProgress(
                    phase="leximin",
                    iteration=iteration,
                    fixed_types=settled,
                    total_types=self.type_count,
                    min_probability=self.min_probability,
                    message=message,
                )
            )

    def relaxed(self, iteration: int, probabilities: np.ndarray, cuts: int) -> None:
        self.min_probability = float(probabilities.min())
        levels = len(np.unique(np.round(probabilities, 6)))
        self._send(iteration, 0, f"bound: {levels} levels" + (f", {cuts} cuts" if cuts else ""))

    def walk_step(self, step: int, settled: int, mass: float) -> None:
        if step % 20 == 0:
            self._send(step, settled, f"{100 * (1 - mass):.1f}% of the distribution")

    def repair(self, iteration: int) -> None:
        if iteration % 5 == 0:
            self._send(iteration, self.type_count, "completing by column generation")
