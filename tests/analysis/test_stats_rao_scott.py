"""Rao–Scott second-order corrected chi-square (issue #18, item 6): equal weights give Pearson's
test back; under independence with unequal weights it holds its 5% level in a simulation where
Pearson's X² on the weighted table does not."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2, chi2_contingency

from analysis.stats.rao_scott import rao_scott_test


def _cells(rows, columns, weights, shape):
    cell = rows * shape[1] + columns
    size = shape[0] * shape[1]
    return (np.bincount(cell, weights=weights, minlength=size).reshape(shape),
            np.bincount(cell, weights=weights ** 2, minlength=size).reshape(shape),
            np.bincount(cell, minlength=size).reshape(shape))


def test_equal_weights_give_pearsons_test_with_the_n_over_n_minus_1_factor():
    counts = np.array([[30, 20, 10], [15, 25, 40]])
    rows = np.repeat([0, 0, 0, 1, 1, 1], counts.reshape(-1))
    columns = np.repeat([0, 1, 2, 0, 1, 2], counts.reshape(-1))
    result = rao_scott_test(*_cells(rows, columns, np.full(len(rows), 2.5), counts.shape))
    pearson, _, dof, _ = chi2_contingency(counts, correction=False)
    n = counts.sum()
    assert result.pearson == pytest.approx(pearson)
    assert result.design_effects == pytest.approx([n / (n - 1)] * 2)  # every δ = n/(n−1)
    assert result.degrees_of_freedom == pytest.approx(dof)
    assert result.statistic == pytest.approx(pearson * (n - 1) / n)
    assert result.p_value == pytest.approx(chi2.sf(pearson * (n - 1) / n, dof))


def test_hand_checked_design_effects_for_a_2x2_table():
    # 2×2: one contrast c = (1, −1, −1, 1) (the interaction, orthogonal to the main effects), so
    # Δ is the scalar δ = n · cᵀD⁻¹VD⁻¹c / cᵀD⁻¹c, ν = 1 and X²_RS = X²/δ. Here V is computed the
    # long way, from each respondent's linearised score, not from the per-cell sums.
    counts = np.array([[20, 30], [25, 25]])
    rows = np.repeat([0, 0, 1, 1], counts.reshape(-1))
    columns = np.repeat([0, 1, 0, 1], counts.reshape(-1))
    weights = np.where(rows == 0, 2.0, 1.0)
    sums, squares, cells = _cells(rows, columns, weights, counts.shape)
    result = rao_scott_test(sums, squares, cells)
    n = len(weights)
    w = weights / weights.sum()
    p = sums.reshape(-1) / weights.sum()
    y = np.eye(4)[rows * 2 + columns]
    z = w[:, None] * (y - p)
    v = n / (n - 1) * z.T @ z
    c = np.array([1.0, -1.0, -1.0, 1.0])
    d_inv = np.diag(1 / p)
    delta = n * (c @ d_inv @ v @ d_inv @ c) / (c @ d_inv @ c)
    assert result.degrees_of_freedom == pytest.approx(1.0)
    assert result.design_effects == pytest.approx([delta])
    assert result.statistic == pytest.approx(result.pearson / delta)


def test_rao_scott_holds_its_level_under_independence_where_weighted_pearson_does_not():
    rng = np.random.default_rng(20261205)
    replications, n = 400, 400
    rejected_rs = rejected_naive = 0
    for _ in range(replications):
        rows = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
        columns = rng.choice(3, size=n, p=[0.4, 0.4, 0.2])  # independent of rows: the null is true
        weights = rng.lognormal(0.0, 0.9, size=n)  # Kish design effect about 2.2
        result = rao_scott_test(*_cells(rows, columns, weights, (3, 3)))
        rejected_rs += result.p_value < 0.05
        rejected_naive += chi2.sf(result.pearson, 4) < 0.05
    assert 0.025 <= rejected_rs / replications <= 0.08
    assert rejected_naive / replications > 0.15


def test_too_small_a_table_is_refused():
    with pytest.raises(ValueError):
        rao_scott_test(np.ones((1, 3)), np.ones((1, 3)), np.ones((1, 3)))
