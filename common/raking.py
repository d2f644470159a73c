"""Raking (iterative proportional fitting) of respondents to census margins, and Kish's
design effect.

Classic IPF (Deming & Stephan, *Ann. Math. Stat.* 11, 1940): start from weight 1 for everyone;
then, for each dimension d in turn and each category c of d, multiply the weight of every
respondent in c by ``target(c) / current weighted total of c``. One pass over all dimensions is
one iteration. Iterate until every margin is within ``tolerance`` of its target — measured as the
largest absolute difference between weighted and target *shares* — or ``max_iterations`` passes
have been made (then ``converged`` is False and the caller must say so).

Respondents who did not give a category on a dimension ("Prefer not to say", not answered, an
option not mapped to the census) have code -1 there and keep a factor of 1 on that dimension:
the dimension's targets are ``census share × the current weighted total of those who did
answer it``, so the step rescales the answerers among themselves and leaves the total weight
unchanged. Weights therefore always sum to n (mean 1). With nobody missing this is exactly the
textbook algorithm (as in ``balance.rake``, up to that package's final rescaling to the
population total, which cancels in every percentage and in the design effect).

Respondents sharing the same combination of categories always share a weight, so the fit runs
on the (small) table of distinct combinations, not on the respondents: 100,000 respondents
with five dimensions cost a few milliseconds per iteration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_TOLERANCE = 1e-10
"""Largest allowed |weighted share − census share| over every category of every dimension."""
DEFAULT_MAX_ITERATIONS = 1000


class EmptyTargetError(ValueError):
    """Respondents chose a category whose target share is 0 (a census population of 0).

    Raking would give every one of them weight 0 — and, when they are everyone who answered a
    dimension, every weight 0 while still reporting convergence — so it refuses instead.
    ``dimension`` and ``category`` are the indices in the call; ``respondents`` how many chose it."""

    def __init__(self, dimension: int, category: int, respondents: int) -> None:
        super().__init__(f"dimension {dimension}: category {category} has a target share of 0 but "
                         f"{respondents} respondent(s) chose it")
        self.dimension = dimension
        self.category = category
        self.respondents = respondents


@dataclass(frozen=True)
class RakingResult:
    weights: np.ndarray
    """One weight per respondent, mean 1 (sum n)."""
    converged: bool
    iterations: int
    max_share_error: float
    """Largest |weighted share − target share| after the last iteration."""


def rake(codes: Sequence[np.ndarray], target_shares: Sequence[np.ndarray], *,
         tolerance: float = DEFAULT_TOLERANCE, max_iterations: int = DEFAULT_MAX_ITERATIONS,
         cap: float | None = None) -> RakingResult:
    """Weights that make each dimension's weighted distribution match ``target_shares``.

    ``codes[d]`` holds each respondent's category index on dimension d (``-1`` = not given;
    that respondent is untouched by dimension d). ``target_shares[d][c]`` is the census share of
    category c (non-negative, summing to 1). A category with a positive target and nobody in it
    cannot be fitted: drop it and renormalise first (``analysis.stats.weighting`` does, and reports
    it); here it simply prevents convergence. A category with target 0 that somebody chose raises
    ``EmptyTargetError``: no weighting can represent those respondents.

    ``cap`` trims extreme weights: after every pass each weight above ``cap`` × the mean weight is
    set to it, and the next pass re-rakes (trimming and raking alternate). Converged then means the
    margins fit *and* no weight exceeds the cap; a cap the margins cannot meet does not converge
    (``analysis.stats.weighting`` then keeps the untrimmed weights and says so)."""
    if len(codes) != len(target_shares):
        raise ValueError("one target per dimension")
    n = len(codes[0]) if codes else 0
    if n == 0 or not codes:
        return RakingResult(weights=np.ones(n), converged=True, iterations=0, max_share_error=0.0)
    targets = [np.asarray(shares, dtype=float) for shares in target_shares]
    for dimension, (column, shares) in enumerate(zip(codes, targets)):
        if len(column) != n:
            raise ValueError("every dimension needs a code per respondent")
        if np.any(column >= len(shares)) or np.any(column < -1):
            raise ValueError(f"dimension {dimension}: a code has no target share")
        if np.any(shares < 0) or not np.isclose(shares.sum(), 1.0):
            raise ValueError(f"dimension {dimension}: target shares must be non-negative and sum to 1")
        chosen = np.bincount(column[column >= 0], minlength=len(shares))
        for category in np.flatnonzero((shares <= 0) & (chosen > 0)):
            raise EmptyTargetError(dimension, int(category), int(chosen[category]))
    # Collapse respondents into distinct combinations of categories (cells).
    # A mixed-radix key per respondent (code + 1 per dimension) makes this a 1-d unique.
    sizes = [len(shares) for shares in targets]
    key = np.zeros(n, dtype=np.int64)
    for column, size in zip(codes, sizes):
        key = key * (size + 1) + (np.asarray(column, dtype=np.int64) + 1)
    cell_keys, respondent_cell, cell_size = np.unique(key, return_inverse=True, return_counts=True)
    respondent_cell = respondent_cell.reshape(-1)
    cells = np.empty((len(cell_keys), len(sizes)), dtype=np.int64)
    remainder = cell_keys.copy()
    for dimension in range(len(sizes) - 1, -1, -1):
        cells[:, dimension] = remainder % (sizes[dimension] + 1) - 1
        remainder //= sizes[dimension] + 1
    cell_weight = cell_size.astype(float)  # total weight of each cell (each member has weight 1)
    # Per dimension, the cells that gave a category and that category: fixed for the whole run,
    # so each pass only gathers, counts and scales (no masks rebuilt a thousand times).
    given_cells = [np.flatnonzero(cells[:, dimension] >= 0) for dimension in range(len(sizes))]
    given_codes = [cells[given, dimension] for dimension, given in enumerate(given_cells)]
    plan = list(zip(targets, given_cells, given_codes, sizes))

    def share_error() -> float:
        worst = 0.0
        for shares, given, column, size in plan:
            totals = np.bincount(column, weights=cell_weight[given], minlength=size)
            answered = totals.sum()
            if answered > 0:
                worst = max(worst, float(np.max(np.abs(totals / answered - shares))))
        return worst

    iterations = 0
    error = share_error()
    with np.errstate(divide="ignore", invalid="ignore"):
        while error > tolerance and iterations < max_iterations:
            for shares, given, column, size in plan:
                totals = np.bincount(column, weights=cell_weight[given], minlength=size)
                factors = np.where(totals > 0, shares * totals.sum() / totals, 1.0)
                cell_weight[given] *= factors[column]
            if cap is not None:
                cell_weight = np.minimum(cell_weight, cap * cell_weight.sum() / n * cell_size)
            iterations += 1
            error = share_error()
    weights = (cell_weight / cell_size)[respondent_cell]
    # Each step keeps the total in exact arithmetic; remove the floating-point drift so that the
    # weights sum to n (mean 1) exactly as documented.
    weights *= n / weights.sum()
    return RakingResult(weights=weights, converged=bool(error <= tolerance), iterations=iterations,
                        max_share_error=error)


def kish_design_effect(weights: np.ndarray) -> float:
    """Kish's design effect due to unequal weights, ``n Σw² / (Σw)²`` (Kish, *Survey Sampling*,
    1965): how much the variance of a weighted mean grows against equal weights. 1 means none."""
    weights = np.asarray(weights, dtype=float)
    if weights.size == 0 or weights.sum() <= 0:
        return float("nan")
    return float(weights.size * np.square(weights).sum() / np.square(weights.sum()))


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` = n / design effect."""
    weights = np.asarray(weights, dtype=float)
    if weights.size == 0 or weights.sum() <= 0:
        return float("nan")
    return float(np.square(weights.sum()) / np.square(weights).sum())
