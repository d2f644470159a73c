"""The one census → About-you mapping (issue #18, item 3): every category of both census years
lands on an About-you category or is left out by name, quotas use it, and an officer's file with
a category it does not know is refused with its row named."""

from __future__ import annotations

import pytest

from common.about_you import ABOUT_YOU_CATEGORIES
from panels.census import CensusFormatError, dimension_margin, load_shipped_census, parse_census, shipped_census_files
from panels.census_mapping import CensusMappingError, about_you_margin, check_category
from panels.quotas import compute_quotas

FILES = shipped_census_files()
YEARS = {"2011": [name for name in FILES if name.endswith("-2011.csv")],
         "2021": [name for name in FILES if name.endswith("-2021.csv")]}


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("dimension", list(ABOUT_YOU_CATEGORIES))
def test_every_census_category_of_both_years_is_mapped_and_nothing_is_lost(name, dimension):
    census = load_shipped_census(name)
    if dimension not in census.dimensions:
        pytest.skip(f"{name} has no {dimension}")  # disability: Barnet and B&D 2011 (see the README)
    counts = census.counts(dimension)
    margin = about_you_margin(dimension, counts)  # no restriction: every About-you category
    # Every About-you category has census people, in About-you order …
    assert list(margin.counts) == list(ABOUT_YOU_CATEGORIES[dimension])
    assert all(count > 0 for count in margin.counts.values())
    # … and every person of the base is either in one or left out by name.
    households = {c: n for c, n in counts.items() if not c.startswith("persons:")}
    assert margin.total + sum(margin.left_out.values()) == sum(households.values())
    allowed_out = {"age_band": {"0-15"}, "tenure": {"Private rented: Other private rented",
                                                    "Private rented: Other (employer, relative/friend, other)"}}
    assert set(margin.left_out) <= allowed_out.get(dimension, set())


def test_both_years_are_covered():
    assert len(YEARS["2011"]) == 3 and len(YEARS["2021"]) == 3


def test_camden_2021_in_about_you_categories():
    census = load_shipped_census("camden-2021.csv")
    ethnicity = about_you_margin("ethnicity", census.counts("ethnicity")).shares()
    assert round(100 * ethnicity["White"], 1) == 59.5  # the report had published 89.8
    assert ethnicity["Asian/Asian British"] == pytest.approx(38042 / 210136)
    disability = about_you_margin("disability", census.counts("disability"))
    assert disability.counts["Day-to-day activities not limited"] == 12053 + 166198
    tenure = dimension_margin(census, "tenure")
    assert tenure.counts["Living rent free"] == 276
    assert tenure.counts["Shared ownership (part owned and part rented)"] == 729
    assert tenure.counts["Social rented: Rented from council (Local Authority)"] == 21057
    # Private landlord: a share of households (92,784), less the 2,627 renting from others, not 44.6%.
    assert tenure.shares()["Private rented: Private landlord or letting agency"] == pytest.approx(30393 / (92784 - 2627))
    assert tenure.left_out == {"Private rented: Other private rented": 2627}
    assert "households" in tenure.base() and "Other private rented (2.8%)" in tenure.base()


def test_2011_and_2021_give_the_same_categories_to_quotas():
    dimensions = ["sex", "age_band", "ethnicity", "disability", "tenure"]
    old = compute_quotas(load_shipped_census("camden-2011.csv"), dimensions, k=60)
    new = compute_quotas(load_shipped_census("camden-2021.csv"), dimensions, k=60)
    assert [(row.dimension, row.category) for row in old] == [(row.dimension, row.category) for row in new]
    assert {row.category for row in new if row.dimension == "ethnicity"} == set(ABOUT_YOU_CATEGORIES["ethnicity"])
    white = next(row for row in new if row.category == "White")
    assert white.census_share == pytest.approx(125064 / 210136)


def test_bases_are_stated_in_words():
    census = load_shipped_census("camden-2011.csv")
    assert dimension_margin(census, "age_band").base() == "usual residents aged 18 and over"
    assert "16 and over" in about_you_margin("age_band", census.counts("age_band"),
                                             offered=ABOUT_YOU_CATEGORIES["age_band"]).base()
    assert "all ages" in dimension_margin(census, "sex").base()
    assert "per person" in dimension_margin(census, "tenure", tenure_prefix="persons").base()
    assert "not per person" in dimension_margin(census, "tenure").base()


def test_an_officers_file_with_an_unknown_category_names_it_and_its_row():
    text = ("dimension,category,count,source\nsex,Male,10,mine\nsex,Female,12,mine\n"
            "ethnicity,White,15,mine\nethnicity,Asian,7,mine\n")
    with pytest.raises(CensusFormatError) as caught:
        parse_census(text)
    assert caught.value.row == 5 and caught.value.column == "category"
    assert "row 5, column 'category': ‘Asian’ is not a category of ‘ethnicity’" in str(caught.value)
    assert "Asian/Asian British" in str(caught.value)  # says what it could have been


def test_an_officers_file_in_2021_spellings_or_about_you_spellings_is_accepted():
    text = ("dimension,category,count,source\n"
            "ethnicity,\"Asian, Asian British or Asian Welsh\",30,mine\nethnicity,White,70,mine\n"
            "tenure,Lives rent free,5,mine\ntenure,Owned outright,95,mine\n"
            "economic_activity,Anything the officer counts,4,mine\n")
    census = parse_census(text)
    assert dimension_margin(census, "ethnicity").shares() == {"White": 0.7, "Asian/Asian British": 0.3}
    assert dimension_margin(census, "tenure").counts == {"Owned outright": 95, "Living rent free": 5}


def test_check_category():
    assert check_category("tenure", "households: Lives rent free") == "Living rent free"
    assert check_category("age_band", "0-15") is None
    assert check_category("economic_activity", "Retired") == "Retired"  # not an About-you dimension
    with pytest.raises(CensusMappingError):
        check_category("disability", "Disabled")
