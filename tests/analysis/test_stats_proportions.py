"""Wilson score intervals against scipy's independent implementation, and their invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from analysis.stats.proportions import percent_text, wilson_interval


@pytest.mark.parametrize("successes,trials", [(16, 22), (0, 1), (1, 1), (0, 30), (30, 30), (3, 7), (500, 1000), (1, 100000)])
def test_wilson_matches_scipy(successes, trials):
    expected = binomtest(successes, trials).proportion_ci(method="wilson")
    low, high = wilson_interval(successes, trials)
    assert float(low) == pytest.approx(expected.low, abs=1e-12)
    assert float(high) == pytest.approx(expected.high, abs=1e-12)


def test_vectorised_matches_elementwise():
    successes = np.array([0, 5, 9, 12])
    trials = np.array([10, 10, 10, 40])
    low, high = wilson_interval(successes, trials)
    for index in range(4):
        single = wilson_interval(successes[index], trials[index])
        assert (low[index], high[index]) == pytest.approx((float(single[0]), float(single[1])))


def test_no_answers_gives_no_interval():
    low, high = wilson_interval(0, 0)
    assert np.isnan(low) and np.isnan(high)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_issue_example_sentence():
    assert percent_text(16, 22) == "73% (16 of 22; 95% CI 52% to 87%)"


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=10**6).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_contains_estimate_and_lies_in_unit_interval(case):
    successes, trials = case
    low, high = wilson_interval(successes, trials)
    estimate = successes / trials
    assert 0.0 <= float(low) <= estimate <= float(high) <= 1.0
