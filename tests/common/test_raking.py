"""Raking: a hand-checked example, the margins property, prefer-not-to-say, design effect."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.frames import QuestionSpec
from common.raking import EmptyTargetError, effective_sample_size, kish_design_effect, rake
from analysis.stats.weighting import census_counts_from_csv, weight_to_census


def test_one_dimension_is_post_stratification():
    # 3 men and 1 woman, census 50/50: men get 4*0.5/3 = 2/3, the woman 4*0.5/1 = 2.
    result = rake([np.array([0, 0, 0, 1])], [np.array([0.5, 0.5])])
    assert result.converged
    assert result.weights == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2])


def test_two_dimensions_hand_checked():
    # Sex (M, F) × age (young, old); respondents: M-young 1, M-old 2, F-young 1, F-old 0... plus F-old 1.
    # Counts table [[1, 2], [1, 1]], targets sex 50/50 and age 50/50 of n = 5 → 2.5 each.
    # The raked table is the 2×2 table with those margins closest to the start in the
    # Kullback–Leibler sense: m11 = m22 (by symmetry of the margins) and m11·m22/(m12·m21) keeps
    # the starting odds ratio 1·1/(2·1) = 1/2.  With m11 = a, m12 = m21 = 2.5 − a:
    # a² / (2.5 − a)² = 1/2 → a = 2.5/(1 + √2).
    sex = np.array([0, 0, 0, 1, 1])
    age = np.array([0, 1, 1, 0, 1])
    result = rake([sex, age], [np.array([0.5, 0.5]), np.array([0.5, 0.5])])
    a = 2.5 / (1 + np.sqrt(2))
    expected = np.array([a, (2.5 - a) / 2, (2.5 - a) / 2, 2.5 - a, a])
    assert result.converged
    assert result.weights == pytest.approx(expected, abs=1e-9)


def test_prefer_not_to_say_keeps_weight_one_and_total_is_kept():
    sex = np.array([0, 0, 0, 1, -1, -1])
    result = rake([sex], [np.array([0.5, 0.5])])
    assert result.weights[4:] == pytest.approx([1, 1])
    assert result.weights.sum() == pytest.approx(6)
    assert result.weights[:4] == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2])


def test_unfittable_margin_is_reported_not_hidden():
    # Nobody in category 2 yet it has a target: cannot converge.
    result = rake([np.array([0, 1, 0, 1])], [np.array([0.4, 0.4, 0.2])], max_iterations=50)
    assert not result.converged
    assert result.iterations == 50
    assert result.max_share_error > 0.1


def test_design_effect_and_effective_sample_size():
    weights = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_design_effect(weights) == pytest.approx(4 * 22 / 64)
    assert effective_sample_size(weights) == pytest.approx(64 / 22)
    assert kish_design_effect(np.ones(10)) == pytest.approx(1.0)


@st.composite
def raking_problems(draw):
    sizes = draw(st.lists(st.integers(2, 5), min_size=1, max_size=4))
    n = draw(st.integers(30, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    codes = []
    for size in sizes:
        column = np.concatenate([np.arange(size), rng.integers(-1, size, n - size)])  # every category present
        codes.append(rng.permutation(column))
    shares = [rng.dirichlet(np.ones(size)) * 0.9 + 0.1 / size for size in sizes]
    return codes, shares


@pytest.mark.slow
@settings(max_examples=80)
@given(raking_problems())
def test_raked_weights_reproduce_the_margins(problem):
    codes, shares = problem
    result = rake(codes, shares, max_iterations=5000)
    if not result.converged:  # sparse cross-classifications can make some margins unreachable
        return
    weights = result.weights
    assert np.all(weights > 0)
    assert weights.sum() == pytest.approx(len(weights))
    for column, target in zip(codes, shares):
        given = column >= 0
        totals = np.bincount(column[given], weights=weights[given], minlength=len(target))
        assert totals / totals.sum() == pytest.approx(target, abs=1e-8)
        assert np.all(weights[~given] > 0)


CENSUS = """dimension,category,count,source
population,All usual residents,1000,test
sex,Male,400,test
sex,Female,600,test
age_band,0-15,200,test
age_band,18-24,300,test
age_band,25-34,500,test
tenure,households: Owned outright,30,test
tenure,households: Living rent free,70,test
"""


def _about_you(key, dimension, labels):
    return QuestionSpec(key=key, text=key.title(), type="single", options=(*labels, "Prefer not to say"),
                        census_dimension=dimension, census_mapping={label: label for label in labels})


def test_weighting_to_census_file_with_gaps_reported():
    census = census_counts_from_csv(CENSUS)
    specs = [_about_you("sex", "sex", ("Male", "Female")), _about_you("age", "age_band", ("18-24", "25-34")),
             _about_you("tenure", "tenure", ("Owned outright", "Living rent free"))]
    frame = pd.DataFrame({
        "sex": pd.Series(["Male"] * 6 + ["Female"] * 3 + ["Prefer not to say"], dtype="string"),
        "age": pd.Series(["18-24", "25-34"] * 5, dtype="string"),
        "tenure": pd.Series(["Living rent free"] * 9 + [None], dtype="string"),
    })
    weights, summary = weight_to_census(frame, specs, census, min_effective_sample_size=0)  # 10 respondents
    assert summary.applied and summary.converged
    assert weights[9] > 0
    male = weights[:6].sum()
    female = weights[6:9].sum()
    assert male / (male + female) == pytest.approx(0.4, abs=1e-9)
    age = frame["age"].to_numpy()
    assert weights[age == "18-24"].sum() / weights.sum() == pytest.approx(300 / 800, abs=1e-9)
    by_dimension = {dimension.dimension: dimension for dimension in summary.dimensions}
    assert by_dimension["sex"].not_given == 1
    assert by_dimension["age_band"].census_categories_not_offered == ("0-15",)
    assert by_dimension["tenure"].empty_categories == ("Owned outright",)
    assert any("Owned outright" in note and "left out" in note for note in summary.notes)
    assert any("Female (sex)" in note for note in summary.notes)  # 33% against 60%
    assert summary.design_effect == pytest.approx(kish_design_effect(weights))
    assert summary.effective_sample_size == pytest.approx(10 / summary.design_effect)


def test_weighting_not_applied_when_raking_does_not_converge():
    census = census_counts_from_csv(CENSUS)
    specs = [_about_you("sex", "sex", ("Male", "Female")), _about_you("age", "age_band", ("18-24", "25-34"))]
    # Every man is 18-24 and every woman 25-34: the margins 40/60 and 37.5/62.5 conflict.
    frame = pd.DataFrame({"sex": pd.Series(["Male", "Female"] * 5, dtype="string"),
                          "age": pd.Series(["18-24", "25-34"] * 5, dtype="string")})
    weights, summary = weight_to_census(frame, specs, census, max_iterations=30)
    assert weights is None
    assert not summary.applied and not summary.converged
    assert summary.design_effect is None and summary.effective_sample_size is None
    assert any("did not converge" in note for note in summary.notes)


def test_no_about_you_questions_means_unweighted():
    specs = [QuestionSpec(key="q", text="Q", type="yes_no")]
    frame = pd.DataFrame({"q": pd.Series(["Yes"], dtype="string")})
    assert weight_to_census(frame, specs, census_counts_from_csv(CENSUS)) == (None, None)


def test_category_with_no_census_population_that_someone_chose_is_refused():
    # Everyone is in a category whose target is 0: the old code multiplied every weight by 0 and
    # then reported convergence (no answered weight left, so no margin error).
    with pytest.raises(EmptyTargetError) as refused:
        rake([np.array([1, 1, 1])], [np.array([1.0, 0.0])])
    assert (refused.value.dimension, refused.value.category, refused.value.respondents) == (0, 1, 3)
    with pytest.raises(EmptyTargetError):
        rake([np.array([0, 1, 0, 0]), np.array([0, 1, 1, 0])], [np.array([0.5, 0.5]), np.array([0.0, 1.0])])


def test_a_zero_target_nobody_chose_is_harmless_and_weights_sum_to_n():
    result = rake([np.array([0, 0, 1, -1])], [np.array([0.5, 0.5, 0.0])])
    assert result.converged
    assert result.weights.sum() == len(result.weights)
    assert np.all(result.weights > 0)


ZERO_CENSUS = CENSUS + "tenure,households: Shared ownership,0,test\n"


def test_weighting_names_a_chosen_category_with_census_population_zero():
    census = census_counts_from_csv(ZERO_CENSUS)
    shared = "Shared ownership (part owned and part rented)"  # 2021's "Shared ownership", with 0 households here
    specs = [_about_you("tenure", "tenure", ("Owned outright", shared)),
             _about_you("age", "age_band", ("18-24", "25-34"))]
    frame = pd.DataFrame({"tenure": pd.Series([shared] * 4 + ["Prefer not to say"], dtype="string"),
                          "age": pd.Series(["18-24", "25-34", "18-24", "25-34", "25-34"], dtype="string")})
    weights, summary = weight_to_census(frame, specs, census)
    assert weights is None
    assert not summary.applied and not summary.converged
    assert summary.design_effect is None
    refusal = [note for note in summary.notes if f"no residents in {shared}" in note]
    assert len(refusal) == 1 and "4 respondents" in refusal[0] and "‘Tenure’" in refusal[0]
    assert not any("did not converge" in note for note in summary.notes)


def test_weighting_notes_a_question_everyone_preferred_not_to_answer():
    census = census_counts_from_csv(CENSUS)
    specs = [_about_you("sex", "sex", ("Male", "Female")), _about_you("age", "age_band", ("18-24", "25-34"))]
    frame = pd.DataFrame({"sex": pd.Series(["Prefer not to say"] * 4, dtype="string"),
                          "age": pd.Series(["18-24", "25-34", "25-34", "25-34"], dtype="string")})
    weights, summary = weight_to_census(frame, specs, census, min_effective_sample_size=0)  # 4 respondents
    assert summary.applied
    assert weights.sum() == pytest.approx(4)
    assert [dimension.dimension for dimension in summary.dimensions] == ["age_band"]
    assert any("‘Sex’" in note and "not used for weighting" in note for note in summary.notes)


def _sex_frame(men: int, women: int) -> pd.DataFrame:
    return pd.DataFrame({"sex": pd.Series(["Male"] * men + ["Female"] * women, dtype="string")})


def test_weights_leaving_too_small_an_effective_sample_are_not_applied():
    census = census_counts_from_csv(CENSUS)  # 40% men, 60% women
    specs = [_about_you("sex", "sex", ("Male", "Female"))]
    # 95 men and 5 women: women get weight 12, men 0.42; the effective sample is (Σw)²/Σw² ≈ 13.6 of 100.
    weights, summary = weight_to_census(_sex_frame(95, 5), specs, census)
    assert weights is None
    assert summary.converged and not summary.applied
    assert summary.design_effect is None and summary.effective_sample_size is None
    assert any("worth only 14 equally weighted answers" in note and "fewer than 30" in note for note in summary.notes)
    assert not any(note.startswith("Weighting assumes") or "did not converge" in note for note in summary.notes)
    # The same imbalance in a sample large enough to carry it is weighted, and says what that assumes.
    weights, summary = weight_to_census(_sex_frame(950, 50), specs, census)
    assert summary.applied and summary.effective_sample_size == pytest.approx(kish_n(weights))
    assert summary.notes[0].startswith("Weighting assumes that, within the groups it adjusts for")


def kish_n(weights):
    return weights.sum() ** 2 / (weights ** 2).sum()


def _skewed_two_dimensions(n=1000, seed=1):
    rng = np.random.default_rng(seed)
    a = (rng.random(n) < 0.3).astype(int)
    b = np.where(rng.random(n) < 0.1, 0, rng.integers(1, 3, n))
    a[(a == 1) & (b == 0) & (rng.random(n) < 0.8)] = 0  # the cell (a=1, b=0) is rare: its weight is extreme
    return [a, b], [np.array([0.5, 0.5]), np.array([0.2, 0.4, 0.4])]


def test_capped_raking_trims_extreme_weights_and_still_matches_the_margins():
    codes, targets = _skewed_two_dimensions()
    uncapped = rake(codes, targets)
    assert uncapped.weights.max() > 6
    capped = rake(codes, targets, cap=4.0)
    assert capped.converged
    assert capped.weights.max() == pytest.approx(4.0, abs=1e-6)
    assert capped.weights.sum() == pytest.approx(len(codes[0]))
    for column, target in zip(codes, targets):
        totals = np.bincount(column, weights=capped.weights)
        assert totals / totals.sum() == pytest.approx(target, abs=1e-9)
    # A cap the margins cannot meet (one dimension needing weights above it) does not converge.
    assert not rake([codes[0]], [np.array([0.5, 0.5])], cap=1.2, max_iterations=50).converged


def test_weighting_reports_the_cap_and_how_many_weights_it_reduced():
    census = census_counts_from_csv("dimension,category,count,source\nsex,Male,400,test\nsex,Female,600,test\n"
                                    "age_band,18-24,200,test\nage_band,25-34,400,test\nage_band,35-44,400,test\n")
    (a, b), _ = _skewed_two_dimensions()
    frame = pd.DataFrame({"sex": pd.Series(np.array(["Male", "Female"])[a], dtype="string"),
                          "age": pd.Series(np.array(["18-24", "25-34", "35-44"])[b], dtype="string")})
    specs = [_about_you("sex", "sex", ("Male", "Female")), _about_you("age", "age_band", ("18-24", "25-34", "35-44"))]
    weights, summary = weight_to_census(frame, specs, census, weight_cap=3.0)
    assert summary.applied and summary.weight_cap == 3.0
    assert weights.max() == pytest.approx(3.0, abs=1e-6) and summary.largest_weight == pytest.approx(weights.max())
    assert summary.weights_capped > 0
    assert any(note.startswith("Weights were capped at 3 times the average weight")
               and f"{summary.weights_capped} respondents" in note for note in summary.notes)
    # Without extreme weights the cap changes nothing, and the notes say no weight reached it.
    weights, summary = weight_to_census(frame, specs, census, weight_cap=50.0)
    assert summary.weights_capped == 0 and any("No weight was above the cap of 50" in note for note in summary.notes)
