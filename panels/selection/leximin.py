"""LEXIMIN selection probabilities by column generation (Flanigan et al., Nature 596, 2021).

Notation of the paper's Methods: a distribution p over panels P gives type t the selection
probability π_t = Σ_P p_P · Y_{P,t} / count_t (the share of the type's members on P).
LEXIMIN maximises the smallest π, then the next smallest, and so on. It is computed level
by level. At each level, with F the types already fixed at values f_t and U the rest:

    primal   maximise z   s.t.  π_t ≥ z (t ∈ U),  π_t ≥ f_t (t ∈ F),  Σ_P p_P = 1,  p ≥ 0
    dual     minimise μ − Σ_{t∈F} f_t y_t   s.t.  Σ_{t∈U} y_t = 1,  Σ_t y_t Y_{P,t}/count_t ≤ μ ∀P,  y ≥ 0

The primal runs over the panels found so far (HiGHS simplex, see ``level_program``); its
duals ``y`` price a new panel by the integer program max Σ_t (y_t / count_t) Y_t
(``milp``). A panel worth more than μ + ``PRICING_TOLERANCE`` violates the dual and joins
the set; otherwise the level is optimal to that tolerance, and every type with a positive
dual is fixed at z (complementary slackness: in every optimal distribution such a type sits
exactly at z). Levels repeat until all types are fixed; the last primal solution is the
distribution.

Tolerances, in probability units: a level stops when HiGHS proves no panel beats μ by
more than ``PRICING_TOLERANCE`` (so z is within that of the true level), and fixed values
are lowered by ``FIX_SLACK`` so floating-point noise can never make a later level
infeasible.
"""

from __future__ import annotations

from collections.abc import Callable
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
#: How many of the current panels the swap search starts from per iteration, and how many
#: improving panels it may add before the LP is re-solved.
SEARCH_STARTS = 8
SEARCH_ADDS = SEARCH_STARTS
#: The swap search only offers panels that beat μ by this relative margin, to keep the LP
#: from filling with panels that barely help; the exact pricing closes the last gap.
SEARCH_MARGIN = 0.0
#: Dual stabilisation (Wentges smoothing, Math. Oper. Res. 1997): each iteration also
#: prices exactly at s·centre + (1 − s)·y, where the centre is the dual with the lowest
#: Lagrangian bound on the level found so far. Extreme-point LP duals jump between a few
#: types and make column generation tail off; the smoothed point yields panels that move
#: the level further. The level still ends only when exact pricing at y finds nothing.
STABILISATION = 0.7
#: Levels that end within this many iterations (most levels of small pools) skip the extra
#: exact pricing; stabilisation pays off only once a level starts to tail off.
STABILISE_AFTER = 4


class SelectionSolverError(RuntimeError):
    """HiGHS failed on a program that must be solvable (a bug or a numerical breakdown)."""


@dataclass(frozen=True)
class TypeDistribution:
    """A distribution over type panels: ``panels[j]`` (a count per type) has ``weights[j]``."""

    panels: tuple[np.ndarray, ...]
    weights: np.ndarray
    type_probabilities: np.ndarray
    iterations: int
    exact_pricings: int


class _PanelSet:
    """Panels found so far, deduplicated, mirrored as columns of the level LP."""

    def __init__(self, type_counts: np.ndarray, level_program: LevelProgram) -> None:
        self.type_counts = type_counts
        self.level_program = level_program
        self.panels: list[np.ndarray] = []
        self.keys: set[bytes] = set()

    def add(self, type_panel: np.ndarray) -> bool:
        key = type_panel.tobytes()
        if key in self.keys:
            return False
        self.keys.add(key)
        self.panels.append(type_panel)
        self.level_program.add_panel(type_panel / self.type_counts)
        return True


def _add_swap_improvements(
    panel_set: _PanelSet,
    search: SwapSearch,
    pricing_weights: np.ndarray,
    weights: np.ndarray,
    mu: float,
) -> int:
    """Improve the most-used current panels by swaps; add those that beat μ. Returns how many."""
    starts = np.argsort(-weights)[:SEARCH_STARTS]
    added = 0
    for start in starts:
        candidate = search.improve(panel_set.panels[start], pricing_weights)
        if float(np.dot(pricing_weights, candidate)) > mu * (1 + SEARCH_MARGIN) + PRICING_TOLERANCE:
            added += panel_set.add(candidate)
            if added >= SEARCH_ADDS:
                break
    return added


def _cover_every_type(
    panel_set: _PanelSet, search: SwapSearch, program: PanelProgram, start: np.ndarray
) -> int:
    """Add panels until every type that can sit on a panel sits on at least one.

    While some type is on no panel, the level LP has z = 0 and its duals may sit on any
    uncovered type, so column generation would cover about one type per iteration. Greedy
    covering (swaps towards uncovered types, the integer program when swaps stall) needs
    about ``types / seats`` panels instead. Returns the number of exact pricings used.
    """
    covered = np.zeros(panel_set.type_counts.size, dtype=bool)
    for panel in panel_set.panels:
        covered |= panel > 0
    panel = start
    pricings = 0
    while not covered.all():
        weights = (~covered).astype(float)
        candidate = search.improve(panel, weights)
        if not np.any((candidate > 0) & ~covered):
            priced = program.best_panel(weights)
            pricings += 1
            if priced.type_panel is None or not np.any((priced.type_panel > 0) & ~covered):
                break  # the uncovered types fit on no quota-meeting panel: their level is 0
            candidate = priced.type_panel
        panel_set.add(candidate)
        covered |= candidate > 0
        panel = candidate
    return pricings


def leximin_distribution(
    pool: CompressedPool,
    initial_panel: np.ndarray,
    *,
    progress: Callable[[SelectionProgress], None] | None = None,
) -> TypeDistribution:
    """Column generation for the LEXIMIN distribution over type panels of ``pool``.

    ``initial_panel`` is any quota-meeting type panel (from the feasibility check).
    """
    program = PanelProgram(pool)
    search = SwapSearch(pool)
    exact_pricings = 0
    level_program = LevelProgram(pool.type_count)
    panel_set = _PanelSet(pool.type_counts, level_program)
    panel_set.add(initial_panel)
    exact_pricings += _cover_every_type(panel_set, search, program, initial_panel)
    type_count = pool.type_count
    unfixed = np.ones(type_count, dtype=bool)
    fixed_values = np.zeros(type_count)
    iterations = 0
    min_probability: float | None = None
    weights = np.zeros(0)
    while unfixed.any():
        centre: np.ndarray | None = None
        centre_bound = np.inf
        level_iterations = 0
        while True:
            iterations += 1
            level_iterations += 1
            z, weights, duals = level_program.solve()
            mu = z + float(np.dot(fixed_values[~unfixed], duals[~unfixed]))
            pricing_weights = duals / pool.type_counts
            added = 0
            if level_iterations > STABILISE_AFTER and duals[unfixed].sum() > 0:
                # Wentges smoothing: price at a point between the best dual found so far
                # (lowest Lagrangian bound on the level) and the LP's dual.
                normalised = duals / duals[unfixed].sum()
                point = normalised if centre is None else STABILISATION * centre + (1 - STABILISATION) * normalised
                smoothed = program.best_panel(point / pool.type_counts)
                exact_pricings += 1
                if smoothed.type_panel is not None:
                    bound = smoothed.upper_bound - float(np.dot(fixed_values[~unfixed], point[~unfixed]))
                    if bound < centre_bound:
                        centre, centre_bound = point, bound
                    if float(np.dot(pricing_weights, smoothed.type_panel)) > mu + PRICING_TOLERANCE:
                        added += panel_set.add(smoothed.type_panel)
            added += _add_swap_improvements(panel_set, search, pricing_weights, weights, mu)
            if not added:
                priced = program.best_panel(pricing_weights)
                if priced.type_panel is None:
                    raise SelectionSolverError("pricing program became infeasible")
                added = priced.value > mu + PRICING_TOLERANCE and panel_set.add(priced.type_panel)
                exact_pricings += 1
            if added:
                if progress is not None and iterations % 5 == 0:
                    progress(
                        SelectionProgress(
                            phase="leximin",
                            iteration=iterations,
                            fixed_types=int((~unfixed).sum()),
                            total_types=type_count,
                            min_probability=min_probability,
                            message=f"{len(panel_set.panels)} panels",
                        )
                    )
                continue
            break
        if min_probability is None:
            min_probability = z
        newly_fixed = unfixed & (duals > POSITIVE_DUAL)
        if not newly_fixed.any():
            newly_fixed = unfixed & (duals == duals[unfixed].max())
        fixed_values[newly_fixed] = max(z - FIX_SLACK, 0.0)
        level_program.fix(newly_fixed, max(z - FIX_SLACK, 0.0))
        unfixed &= ~newly_fixed
        if progress is not None:
            progress(
                SelectionProgress(
                    phase="leximin",
                    iteration=iterations,
                    fixed_types=int((~unfixed).sum()),
                    total_types=type_count,
                    min_probability=min_probability,
                    message=f"level {z:.6f} fixed for {int(newly_fixed.sum())} types",
                )
            )
    keep = weights > 1e-12
    kept_weights = weights[keep] / weights[keep].sum()
    kept_panels = tuple(panel for panel, flag in zip(panel_set.panels, keep) if flag)
    contributions = np.array([panel / pool.type_counts for panel in kept_panels]).T
    return TypeDistribution(
        panels=kept_panels,
        weights=kept_weights,
        type_probabilities=contributions @ kept_weights,
        iterations=iterations,
        exact_pricings=exact_pricings,
    )
