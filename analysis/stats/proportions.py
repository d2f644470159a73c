"""Proportions with honest uncertainty: the Wilson score interval, vectorised.

For x successes out of n, with z the normal quantile (1.959964 for 95%) and p̂ = x / n::

    centre = (p̂ + z²/2n) / (1 + z²/n)
    half   = z / (1 + z²/n) · sqrt(p̂(1 − p̂)/n + z²/4n²)

(Wilson, *JASA* 22, 1927; recommended over the Wald interval by Brown, Cai & DasGupta,
*Statistical Science* 16, 2001). It stays inside [0, 1] and is sensible at 0 and n, where the
Wald interval collapses. With n = 0 there is no estimate: the point and both bounds are NaN.
This is the same interval as ``scipy.stats.binomtest(x, n).proportion_ci(method="wilson")``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from analysis.stats.rounding import share_label

Z_95 = float(norm.ppf(0.975))
"""1.959963984540054: the two-sided 95% normal quantile."""


def wilson_interval(successes: ArrayLike, trials: ArrayLike, *, confidence: float = 0.95
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds (proportions in [0, 1]) of the Wilson score interval, elementwise.

    ``successes`` and ``trials`` broadcast together; weights are not counts, so pass whole numbers
    of respondents. Where ``trials`` is 0 both bounds are NaN."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("successes must lie between 0 and trials")
    z = Z_95 if confidence == 0.95 else float(norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_hat = x / n
        z2n = z * z / n
        denominator = 1.0 + z2n
        centre = (p_hat + z2n / 2.0) / denominator
        half = (z / denominator) * np.sqrt(p_hat * (1.0 - p_hat) / n + z2n / (4.0 * n))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    # At x = 0 and x = n the formula gives exactly 0 and 1 in exact arithmetic; pin them so
    # rounding never leaves the point estimate a hair outside its own interval.
    low = np.where(x == 0, 0.0, np.minimum(low, p_hat))
    high = np.where(x == n, 1.0, np.maximum(high, p_hat))
    empty = n == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def weighted_wilson_interval(weighted_shares: ArrayLike, effective_sample_size: float, *,
                             confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson interval for weighted shares, with Kish's effective sample size ``(Σw)²/Σw²`` of
    those who answered in place of n (Kish, *Survey Sampling*, 1965; as recommended for weighted
    proportions by Dean & Pagano, *J. Survey Stat. Methodol.* 3, 2015): the interval a simple
    random sample of that size would give for that share. It ignores the precision raking gains
    on answers related to the weighting variables, so it errs wide there."""
    shares = np.clip(np.asarray(weighted_shares, dtype=float), 0.0, 1.0)
    n_effective = float(effective_sample_size)
    return wilson_interval(shares * n_effective, np.full(shares.shape, n_effective), confidence=confidence)


def percent_text(successes: int, trials: int) -> str:
    """The issue's sentence form: ``73% (16 of 22; 95% CI 52% to 87%)``."""
    if trials == 0:
        return "no answers"
    low, high = wilson_interval(successes, trials)
    return (f"{share_label(successes / trials)} ({successes} of {trials}; "
            f"95% CI {share_label(float(low))} to {share_label(float(high))})")
