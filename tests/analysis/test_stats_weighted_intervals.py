"""Weighted percentages carry their own interval: Wilson on Kish's effective sample size,
checked against a bootstrap of the whole raking."""

import numpy as np
import pandas as pd
import pytest

from analysis.reports.you_said import build_you_said
from analysis.stats.frames import QuestionSpec
from analysis.stats.proportions import weighted_wilson_interval, wilson_interval
from common.raking import effective_sample_size, rake
from analysis.stats.rounding import round_half_up
from analysis.stats.weighting import census_counts_from_csv

CENSUS = census_counts_from_csv("dimension,category,count,source\nsex,Male,500,test\nsex,Female,500,test\n")
SEX = QuestionSpec(key="sex", text="Sex", type="single", options=("Male", "Female"), census_dimension="sex",
                   census_mapping={"Male": "Male", "Female": "Female"})
PARK = QuestionSpec(key="park", text="Park?", type="single", options=("Yes", "No"))


def test_weighted_interval_is_wilson_on_the_effective_sample_size():
    low, high = weighted_wilson_interval([0.3, 0.7], 50.0)
    expected_low, expected_high = wilson_interval([15.0, 35.0], [50.0, 50.0])
    assert low == pytest.approx(expected_low) and high == pytest.approx(expected_high)
    # With equal weights the effective size is n and the interval is the ordinary one.
    assert weighted_wilson_interval([0.25], 40.0)[0][0] == pytest.approx(float(wilson_interval(10, 40)[0]))


def _frame(rng, n=400):
    sex = np.where(rng.random(n) < 0.7, "Male", "Female")  # women under-represented: 30% against 50%
    park = np.where(rng.random(n) < 0.4, "Yes", "No")
    return pd.DataFrame({"reference": [f"R{i}" for i in range(n)], "channel": "online",
                         "sex": pd.Series(sex, dtype="string"), "park": pd.Series(park, dtype="string")})


def test_report_publishes_weighted_intervals():
    frame = _frame(np.random.default_rng(3))
    report = build_you_said([PARK, SEX], frame, census=CENSUS)
    yes = report.questions[0].options[0]
    male = (frame["sex"] == "Male").to_numpy()
    weights = np.where(male, 0.5 * len(frame) / male.sum(), 0.5 * len(frame) / (~male).sum())
    low, high = weighted_wilson_interval([yes.weighted_percent / 100], effective_sample_size(weights))
    assert (yes.weighted_ci_low, yes.weighted_ci_high) == pytest.approx((100 * low[0], 100 * high[0]))
    assert yes.weighted_ci_low < yes.weighted_percent < yes.weighted_ci_high
    published = report.to_json_dict()["questions"][0]["options"][0]
    assert (published["weighted_ci_low"], published["weighted_ci_high"]) == (round_half_up(100 * low[0], 1),
                                                                              round_half_up(100 * high[0], 1))
    unweighted = build_you_said([PARK, SEX], frame).to_json_dict()["questions"][0]["options"][0]
    assert unweighted["weighted_ci_low"] is None and unweighted["weighted_ci_high"] is None


@pytest.mark.slow
def test_weighted_interval_matches_a_bootstrap_of_the_whole_raking():
    rng = np.random.default_rng(11)
    frame = _frame(rng, n=600)
    report = build_you_said([PARK, SEX], frame, census=CENSUS)
    yes = report.questions[0].options[0]
    half_width = (yes.weighted_ci_high - yes.weighted_ci_low) / 2 / 100
    sex = (frame["sex"] == "Female").to_numpy().astype(int)
    park = (frame["park"] == "Yes").to_numpy()
    estimates = []
    for _ in range(400):
        sample = rng.integers(0, len(frame), len(frame))
        weights = rake([sex[sample]], [np.array([0.5, 0.5])]).weights
        estimates.append(weights[park[sample]].sum() / weights.sum())
    bootstrap_half_width = 1.959964 * np.std(estimates, ddof=1)
    assert 0.8 < half_width / bootstrap_half_width < 1.25
