"""Goldilocks selection probabilities (Baharav & Flanigan, "Fair, Manipulation-Robust, and
Transparent Sortition", 2024).

With e = k / n the equal chance (for a replacement round: free seats over eligible volunteers),
Goldilocks_γ chooses the distribution over quota-meeting panels that minimises

    max_i π_i / e  +  γ · max_i e / π_i,

so nobody's chance is far above e (which limits what a group gains by misreporting its answers)
and nobody's is far below it (fairness). The paper recommends γ = 1, used here. In plain words:
every chance is kept between a lower limit ℓ·e and an upper limit u·e, and the limits are chosen
to make u + γ/ℓ as small as possible.

Computation, over types of interchangeable volunteers (``compression``; by symmetry and
convexity an optimum gives members of a type the same chance):

1. ℓ_max = the largest possible smallest chance over e: the first level of LEXIMIN, by column
   generation (``column_generation``). Types that fit on no panel are held at zero and left
   out of both limits, as LEXIMIN leaves them at zero.
2. For a lower limit ℓ, U(ℓ) = the smallest upper limit u such that some distribution keeps
   every chance in [ℓ·e, u·e]: a linear program over the panels found so far (HiGHS), with new
   panels priced by the exact integer program (``panel_program``) from its duals until none
   improves it. U is convex and non-decreasing in ℓ (the value of a linear program as a function
   of a bound), so F(ℓ) = U(ℓ) + γ/ℓ is convex.
3. F is minimised by golden-section search on [γ / (F(ℓ_max) − 1), ℓ_max] (below that left end
   γ/ℓ alone exceeds F(ℓ_max), as U ≥ 1 always: the chances average e), to a relative width of
   ``SEARCH_TOLERANCE``.

The result is an explicit distribution over valid panels, with its limits (``lower``, ``upper``
in probability units), which every type's chance lies within.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from panels.selection.column_generation import ColumnGeneration, SelectionSolverError
from panels.selection.compression import CompressedPool
from panels.selection.model import SelectionProgress
from panels.selection.panel_program import PanelProgram
from panels.selection.panel_search import SwapSearch

GAMMA = 1.0
PRICING_TOLERANCE = 1e-7
SEARCH_TOLERANCE = 1e-4
NEGLIGIBLE_WEIGHT = 1e-12


@dataclass(frozen=True)
class GoldilocksDistribution:
    """Type panels and their weights, each type's chance, and the limits [lower, upper] that hold
    every chance (of the types that fit on some panel) in probability units."""

    panels: tuple[np.ndarray, ...]
    weights: np.ndarray
    type_probabilities: np.ndarray
    lower: float
    upper: float
    objective: float
    iterations: int


class _BoundedProgram:
    """U(ℓ) by column generation over a growing set of panels (step 2 of the module docstring)."""

    def __init__(self, pool: CompressedPool, generation: ColumnGeneration, covered: np.ndarray, equal: float) -> None:
        self.pool = pool
        self.generation = generation
        self.covered = covered
        self.equal = equal
        self.iterations = 0

    def solve(self, lower: float) -> tuple[float, np.ndarray]:
        """(U(lower), weights of ``generation.panels``)."""
        counts = self.pool.type_counts.astype(float)
        covered = np.flatnonzero(self.covered)
        type_count = len(counts)
        while True:
            self.iterations += 1
            shares = np.array(self.generation.panels, dtype=float).T / counts[:, None]  # types × panels
            panel_count = shares.shape[1]
            objective = np.zeros(panel_count + 1)  # panel weights, then u; minimise u
            objective[-1] = 1.0
            upper_rows = np.hstack([shares, np.full((type_count, 1), -self.equal)])
            lower_rows = np.hstack([-shares[covered], np.zeros((len(covered), 1))])
            result = linprog(objective, A_ub=np.vstack([upper_rows, lower_rows]),
                             b_ub=np.concatenate([np.zeros(type_count), np.full(len(covered), -lower * self.equal)]),
                             A_eq=np.concatenate([np.ones(panel_count), [0.0]]).reshape(1, -1), b_eq=[1.0],
                             bounds=[(0, None)] * (panel_count + 1), method="highs")
            if result.status != 0:
                raise SelectionSolverError(f"Goldilocks program: {result.message}")
            upper_duals = result.ineqlin.marginals[:type_count]
            lower_duals = np.zeros(type_count)
            lower_duals[covered] = result.ineqlin.marginals[type_count:]
            # a panel Y improves the program when Σ_t (λ_upper − λ_lower)_t Y_t / count_t + μ > 0
            pricing = (upper_duals - lower_duals) / counts
            priced = self.generation.program.best_panel(pricing)
            if priced.type_panel is None:
                raise SelectionSolverError("pricing program became infeasible")
            if priced.value + float(result.eqlin.marginals[0]) <= PRICING_TOLERANCE or not self.generation.add(
                    priced.type_panel):
                return float(result.x[-1]), np.maximum(result.x[:-1], 0.0)


def goldilocks_distribution(
    pool: CompressedPool, initial: np.ndarray, *, gamma: float = GAMMA,
    progress: Callable[[SelectionProgress], None] | None = None,
) -> GoldilocksDistribution:
    """The Goldilocks_γ distribution of ``pool`` (see module docstring)."""
    generation = ColumnGeneration(pool, pool.type_counts, PanelProgram(pool), SwapSearch(pool), [initial])
    generation.cover(np.ones(pool.type_count, dtype=bool), initial)
    covered = np.zeros(pool.type_count, dtype=bool)
    for panel in generation.panels:
        covered |= panel > 0
    if not covered.all():
        generation.fix(~covered, 0.0)
    equal = pool.seats / float(pool.type_counts[covered].sum())
    # step 1: the largest smallest chance, over e (a hair below, so the program stays feasible)
    highest = generation.run_level().z / equal * (1 - 1e-9)
    program = _BoundedProgram(pool, generation, covered, equal)

    def value(lower: float) -> float:
        upper, _ = program.solve(lower)
        if progress is not None:
            progress(SelectionProgress(phase="goldilocks", iteration=program.iterations, fixed_types=0,
                                       total_types=pool.type_count, min_probability=lower * equal,
                                       message=f"chances from {lower:.3f} to {upper:.3f} times k/n"))
        return upper + gamma / lower

    evaluated = {highest: value(highest)}
    low, high = min(gamma / max(evaluated[highest] - 1.0, 1e-9), highest), highest
    ratio = (math.sqrt(5) - 1) / 2
    left, right = high - ratio * (high - low), low + ratio * (high - low)
    evaluated[left], evaluated[right] = value(left), value(right)
    while high - low > SEARCH_TOLERANCE * highest:
        if evaluated[left] <= evaluated[right]:
            high, right = right, left
            left = high - ratio * (high - low)
            evaluated[left] = value(left)
        else:
            low, left = left, right
            right = low + ratio * (high - low)
            evaluated[right] = value(right)
    lower = min(evaluated, key=evaluated.__getitem__)
    upper, weights = program.solve(lower)  # the panels grew since: the weights for this limit now
    keep = weights > NEGLIGIBLE_WEIGHT
    weights = weights[keep] / weights[keep].sum()
    panels = tuple(np.asarray(panel, dtype=np.int64) for panel, flag in zip(generation.panels, keep) if flag)
    probabilities = (np.array(panels, dtype=float).T @ weights) / pool.type_counts
    return GoldilocksDistribution(panels=panels, weights=weights, type_probabilities=probabilities,
                                  lower=lower * equal, upper=upper * equal, objective=upper + gamma / lower,
                                  iterations=generation.iterations + program.iterations)
