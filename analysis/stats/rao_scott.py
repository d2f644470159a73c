"""Rao–Scott second-order corrected chi-square test of independence for a weighted table.

Weighted percentages do not follow the multinomial law Pearson's chi-square assumes: unequal
weights inflate the variance of every cell proportion, so Pearson's X² computed on the weighted
table rejects a true null far more often than 5%. Rao and Scott (*Ann. Statist.* 12, 1984,
pp. 46–60; *J. Amer. Statist. Assoc.* 76, 1981) correct it with the generalised design effects
δ₁ … δ_k, the eigenvalues of

    Δ = (Cᵀ D⁻¹ C / n)⁻¹ (Cᵀ D⁻¹ V D⁻¹ C)

where p is the vector of weighted cell proportions (R × C cells), D = diag(p), V the covariance of
p under the design, and C the (R − 1)(C − 1) independence contrasts (the row × column interaction
columns made orthogonal to the main effects). With X² = n Σ (p_ij − p_i+ p_+j)² / (p_i+ p_+j),
the second-order (Satterthwaite) correction matches the mean and variance of Σ δᵢ χ²₁:

    X²_RS = X² · ν / Σδᵢ    on ν = (Σδᵢ)² / Σδᵢ²  degrees of freedom.

This is what R's ``survey::svychisq`` computes (its ``"F"`` statistic is X²/Σδᵢ on (ν, ν·df)
degrees of freedom; with the design's degrees of freedom large, ν·F is this χ²_ν).

V is the linearisation (with-replacement) estimate for a design whose only feature is the
weights, each respondent its own unit: with weights normalised to sum 1, zₖ = wₖ (yₖ − p) and
V = n/(n − 1) Σₖ zₖ zₖᵀ. It needs only, per cell, the sum of the weights and the sum of their
squares, so the report passes those. It treats the weights as fixed (the variance the raking
itself adds is not included), the usual approximation for calibrated weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2


@dataclass(frozen=True)
class RaoScottResult:
    statistic: float
    """X²_RS, the corrected statistic."""
    degrees_of_freedom: float
    """ν, the corrected (usually non-integer) degrees of freedom."""
    p_value: float
    pearson: float
    """Pearson's X² on the weighted table scaled to n (uncorrected)."""
    design_effects: np.ndarray
    """The generalised design effects δᵢ (eigenvalues of Δ)."""


def _contrasts(rows: int, columns: int) -> np.ndarray:
    """Interaction columns of a rows × columns table (cells in row-major order), made orthogonal
    to the intercept and main effects."""
    row_of = np.repeat(np.arange(rows), columns)
    column_of = np.tile(np.arange(columns), rows)
    main = np.column_stack([np.ones(rows * columns)]
                           + [(row_of == r).astype(float) for r in range(1, rows)]
                           + [(column_of == c).astype(float) for c in range(1, columns)])
    interaction = np.column_stack([((row_of == r) & (column_of == c)).astype(float)
                                   for r in range(1, rows) for c in range(1, columns)])
    fitted = main @ np.linalg.lstsq(main, interaction, rcond=None)[0]
    return interaction - fitted


def rao_scott_test(weight_sums: np.ndarray, weight_squares: np.ndarray, counts: np.ndarray) -> RaoScottResult:
    """Test independence of rows and columns of a weighted table.

    ``weight_sums[i, j]``: Σ wₖ over the respondents in cell (i, j); ``weight_squares[i, j]``:
    Σ wₖ²; ``counts[i, j]``: how many respondents (n is their total). Rows and columns with no
    weight should be dropped first (at least a 2 × 2 table is needed)."""
    sums = np.asarray(weight_sums, dtype=float)
    squares = np.asarray(weight_squares, dtype=float)
    rows, columns = sums.shape
    if rows < 2 or columns < 2:
        raise ValueError("a test of independence needs at least two rows and two columns")
    n = float(np.asarray(counts).sum())
    total = sums.sum()
    if n < 2 or total <= 0:
        raise ValueError("a test of independence needs at least two respondents with weight")
    table = sums / total
    row_shares, column_shares = table.sum(axis=1), table.sum(axis=0)
    expected = np.outer(row_shares, column_shares)
    pearson = float(n * np.sum(np.where(expected > 0, (table - expected) ** 2 / np.where(expected > 0, expected, 1), 0)))
    p = table.reshape(-1)
    a = squares.reshape(-1) / total ** 2  # Σ wₖ² per cell, weights normalised to sum 1
    s2 = a.sum()
    covariance = n / (n - 1) * (np.diag(a) - np.outer(a, p) - np.outer(p, a) + s2 * np.outer(p, p))
    contrasts = _contrasts(rows, columns)
    inverse = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    scaled = contrasts * inverse[:, None]  # D⁻¹ C
    denominator = contrasts.T @ scaled / n
    numerator = scaled.T @ covariance @ scaled
    delta = np.linalg.solve(denominator, numerator)
    effects = np.sort(np.real(np.linalg.eigvals(delta)))[::-1]
    trace, trace_squared = float(np.trace(delta)), float(np.trace(delta @ delta))
    if trace <= 0 or trace_squared <= 0:
        raise ValueError("the weighted table has no variation to test")
    nu = trace ** 2 / trace_squared
    statistic = pearson * nu / trace
    return RaoScottResult(statistic=float(statistic), degrees_of_freedom=float(nu),
                          p_value=float(chi2.sf(statistic, nu)), pearson=pearson, design_effects=effects)
