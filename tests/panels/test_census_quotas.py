"""Census loading and quota computation: the README's base rules, and sum(min) ≤ k ≤ sum(max) always."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from common.about_you import ABOUT_YOU_CATEGORIES
from panels.census import (
    CensusFormatError, census_label, dimension_shares, load_shipped_census, parse_census, shipped_census_files,
    tenure_prefixes,
)
from panels.quotas import PREFER_NOT_TO_SAY, QuotaError, compute_quotas, edit_quota, quota_problems


def test_all_six_census_files_are_shipped_and_parse():
    files = shipped_census_files()
    assert len(files) == 6
    for name in files:
        census = load_shipped_census(name)
        assert {"sex", "age_band", "ethnicity", "tenure"} <= set(census.dimensions)
    assert census_label("barking-and-dagenham-2021.csv") == "Barking and Dagenham 2021"


def test_age_shares_use_the_adult_base():
    census = load_shipped_census("camden-2011.csv")
    shares = dimension_shares(census, "age_band")
    assert "0-15" not in shares and "16-17" not in shares
    assert shares["18-24"] == pytest.approx(29041 / 181333)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_tenure_uses_one_prefix_family():
    census = load_shipped_census("camden-2011.csv")
    assert tenure_prefixes(census) == ("households", "persons")
    households = dimension_shares(census, "tenure", tenure_prefix="households")
    persons = dimension_shares(census, "tenure", tenure_prefix="persons")
    # The private "other" landlords (employer, relative or friend) are not an About-you answer: left out.
    assert households["Owned outright"] == pytest.approx(16644 / (97534 - 1728))
    assert persons["Owned outright"] == pytest.approx(33901 / (212443 - 567 - 2004 - 846))
    assert not any(":" in category and category.startswith(("households", "persons")) for category in households)


def test_camden_quotas_for_a_panel_of_20():
    census = load_shipped_census("camden-2011.csv")
    rows = compute_quotas(census, ["sex", "age_band"], k=20, tolerance=0.2)
    male = next(row for row in rows if row.category == "Male")
    assert male.target == pytest.approx(20 * 107885 / 220338)
    assert (male.quota_min, male.quota_max) == (7, 12)
    assert quota_problems(rows, k=20) == {}


def test_prefer_not_to_say_is_added_except_for_age():
    census = load_shipped_census("camden-2011.csv")
    rows = compute_quotas(census, ["age_band", "ethnicity"], k=30, prefer_not_to_say=True)
    extra = [row for row in rows if row.category == PREFER_NOT_TO_SAY]
    assert [row.dimension for row in extra] == ["ethnicity"]
    assert extra[0].quota_min == 0 and extra[0].census_share is None


@pytest.mark.parametrize("text, row, column", [
    ("", 1, None),
    ("dimension,category\nsex,Male\n", 1, "count"),
    ("dimension,category,count\nsex,Male,lots\n", 2, "count"),
    ("dimension,category,count\nsex,Male,1\nsex,,2\n", 3, "category"),
    ("dimension,category,count\nsex,Male,1\nsex,Male,2\n", 3, "category"),
    ("dimension,category,count\nsex,Male,-1\n", 2, "count"),
])
def test_bad_census_files_name_the_row_and_column(text, row, column):
    with pytest.raises(CensusFormatError) as caught:
        parse_census(text)
    assert caught.value.row == row
    assert caught.value.column == column


def test_edit_quota_keeps_the_sums_possible():
    census = load_shipped_census("camden-2011.csv")
    rows = compute_quotas(census, ["sex"], k=20)
    edited = edit_quota(rows, dimension="sex", category="Male", quota_min=8, quota_max=10, k=20)
    assert next(row for row in edited if row.category == "Male").quota_max == 10
    with pytest.raises(QuotaError):
        edit_quota(rows, dimension="sex", category="Male", quota_min=15, quota_max=16, k=20)  # mins 15 + 8 > 20
    with pytest.raises(QuotaError):
        edit_quota(rows, dimension="sex", category="Male", quota_min=5, quota_max=4, k=20)


@st.composite
def censuses(draw):
    groups = ABOUT_YOU_CATEGORIES["ethnicity"]
    counts = draw(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=len(groups))
                  .filter(lambda c: sum(c) > 0))
    body = "".join(f"ethnicity,{group},{count}\n" for group, count in zip(groups, counts))
    return parse_census("dimension,category,count\n" + body)


@settings(max_examples=200)
@given(census=censuses(), k=st.integers(min_value=1, max_value=200), tolerance=st.floats(min_value=0, max_value=1),
       prefer=st.booleans())
def test_rounding_always_keeps_sum_min_le_k_le_sum_max(census, k, tolerance, prefer):
    rows = compute_quotas(census, ["ethnicity"], k=k, tolerance=tolerance, prefer_not_to_say=prefer)
    assert sum(row.quota_min for row in rows) <= k <= sum(row.quota_max for row in rows)
    assert all(0 <= row.quota_min <= row.target + 1e-9 and row.quota_min <= row.quota_max <= k for row in rows)
    assert quota_problems(rows, k=k) == {}
