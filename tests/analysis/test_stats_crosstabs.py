"""Cross-tables, tests of independence against scipy, and Holm's correction."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency, fisher_exact

from analysis.stats.crosstabs import apply_holm, cross_table, holm_adjust, independence_test
from analysis.stats.frames import QuestionSpec

SEX = QuestionSpec(key="sex", text="Sex", type="single", options=("Male", "Female", "Prefer not to say"),
                   census_dimension="sex", census_mapping={"Male": "Male", "Female": "Female"})
PARK = QuestionSpec(key="park", text="Park?", type="yes_no")
PRIORITIES = QuestionSpec(key="pri", text="Priorities", type="multiple", options=("Parks", "Roads"))


def _frame(sex, park, parks=None, roads=None):
    data = {"sex": pd.Series(sex, dtype="string"), "park": pd.Series(park, dtype="string")}
    if parks is not None:
        data["pri: Parks"] = parks
        data["pri: Roads"] = roads
    return pd.DataFrame(data)


def test_cross_table_counts_rows_for_prefer_not_and_not_answered():
    frame = _frame(["Male", "Male", "Female", "Prefer not to say", None, "Female"],
                   ["Yes", "No", "Yes", "Yes", "Don't know", None])
    table = cross_table(frame, PARK, SEX)
    assert table.group_labels == ("Male", "Female", "Prefer not to say", "Not answered")
    assert table.counts.tolist() == [[1, 1, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1]]
    assert table.group_totals.tolist() == [2, 1, 1, 1]
    assert table.counts.sum(axis=0).tolist() == [3, 1, 1]  # columns add up to the overall counts


def test_multiple_choice_cross_table_and_no_test():
    frame = _frame(["Male", "Female", "Female"], ["Yes"] * 3, parks=[True, True, False], roads=[True, False, False])
    table = cross_table(frame, PRIORITIES, SEX)
    assert table.counts[:2].tolist() == [[1, 1], [1, 0]]
    assert table.group_totals.tolist() == [1, 1, 0, 0]
    assert independence_test(table, multiple_choice=True).test is None


def test_chi_square_matches_scipy():
    rng = np.random.default_rng(3)
    sex = rng.choice(["Male", "Female", "Prefer not to say"], 400, p=[0.45, 0.45, 0.1])
    park = np.where(sex == "Male", rng.choice(["Yes", "No", "Don't know"], 400, p=[0.6, 0.3, 0.1]),
                    rng.choice(["Yes", "No", "Don't know"], 400, p=[0.4, 0.5, 0.1]))
    table = cross_table(_frame(sex, park), PARK, SEX)
    result = independence_test(table)
    chi2, p, dof, _ = chi2_contingency(table.counts[:2], correction=False)
    assert result.test == "chi_square"
    assert result.statistic == pytest.approx(chi2) and result.p_value == pytest.approx(p) and result.degrees_of_freedom == dof


def test_small_two_by_two_uses_fisher():
    sex = ["Male"] * 6 + ["Female"] * 6
    park = ["Yes"] * 5 + ["No"] + ["No"] * 5 + ["Yes"]
    table = cross_table(_frame(sex, park), PARK, SEX)
    result = independence_test(table)
    assert result.test == "fisher_exact"
    assert result.p_value == pytest.approx(fisher_exact([[5, 1], [1, 5]])[1])


def test_holm_matches_hand_computation():
    # Sorted 0.01, 0.02, 0.04 with m = 3 → 0.03, 0.04, 0.04 (monotone).
    assert holm_adjust([0.04, 0.01, 0.02]).tolist() == pytest.approx([0.04, 0.03, 0.04])
    assert holm_adjust([0.5, 0.9]).tolist() == pytest.approx([1.0, 1.0])


def test_flagged_only_after_holm():
    from analysis.stats.crosstabs import GroupTest

    tests = [GroupTest(test="chi_square", statistic=1.0, degrees_of_freedom=1, p_value=p, cramers_v=0.1,
                       sparse=False, note="") for p in (0.03, 0.04, 0.001)]
    adjusted = apply_holm(tests)
    assert [test.significant for test in adjusted] == [False, False, True]


@settings(max_examples=40)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=8), st.lists(st.floats(0, 1), max_size=4))
def test_holm_with_withheld_tests_is_never_less_conservative(published, withheld):
    """Withheld tests count in the family, placed last: every published adjusted p is at least
    what Holm over all the tests would give, whatever the withheld p-values were."""
    family = len(published) + len(withheld)
    together = holm_adjust([*published, *withheld])[:len(published)]
    assert np.all(holm_adjust(published, family) >= together - 1e-12)
