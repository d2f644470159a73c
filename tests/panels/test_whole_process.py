"""Chances from letter to panel (panels.selection.whole_process): hand-computed cases and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panels.selection.whole_process import (
    MIN_REGISTRATIONS, Borough, LetterFigures, Registrant, whole_process_chances,
)

HALVES = {"sex": {"Male": 0.5, "Female": 0.5}}


def people(count: int, answers: dict, selection: float, *, start: int = 0, final: float | None = None) -> list[Registrant]:
    return [Registrant(id=f"RP-{start + n}", answers=answers, selection=selection, final=final) for n in range(count)]


def group(result, dimension: str, category: str):
    return next(g for g in result.groups if (g.dimension, g.category) == (dimension, category))


def test_equal_response_rates_give_equal_end_to_end_chances():
    # 1,000 adults in 500 households; 100 letters: a = 0.2, 200 adults reached, 100 of each sex.
    borough = Borough(adults=1000, households=500, shares=HALVES)
    pool = people(10, {"sex": "Male"}, 0.5) + people(10, {"sex": "Female"}, 0.5, start=10)
    result = whole_process_chances(borough=borough, registrants=pool, seats=10,
                                   letters=LetterFigures(letters=100, addresses=500))
    assert result.letter_chance == pytest.approx(0.2)
    assert result.reached == pytest.approx(200)
    assert result.equal_chance == pytest.approx(10 / 1000)
    for category in ("Male", "Female"):
        row = group(result, "sex", category)
        assert row.registration == pytest.approx(0.1)  # 10 of the 100 reached
        assert row.selection == pytest.approx(0.5)
        assert row.end_to_end == pytest.approx(0.2 * 0.1 * 0.5)
        assert row.ratio == pytest.approx(1.0)
        assert not row.under_represented
    assert {round(member.response, 9) for member in result.members} == {0.1}
    assert all(member.ratio == pytest.approx(1.0) for member in result.members)
    assert result.under_represented == []


def test_a_group_registering_at_half_the_rate_has_half_the_chance():
    # Everyone gets a letter; women, 5% of the borough, register at half the rate of men.
    borough = Borough(adults=10_000, households=5_000, shares={"sex": {"Male": 0.95, "Female": 0.05}})
    pool = people(1900, {"sex": "Male"}, 0.01) + people(50, {"sex": "Female"}, 0.01, start=1900)
    result = whole_process_chances(borough=borough, registrants=pool, seats=20,
                                   letters=LetterFigures(letters=5_000, addresses=5_000))
    men, women = group(result, "sex", "Male"), group(result, "sex", "Female")
    assert men.registration == pytest.approx(0.2)
    assert women.registration == pytest.approx(0.1)
    assert women.end_to_end / men.end_to_end == pytest.approx(0.5)
    assert women.ratio == pytest.approx(0.5, abs=0.02)
    assert result.under_represented == [women]
    by_sex = {member.id: member for member in result.members}
    assert by_sex["RP-1900"].response == pytest.approx(0.1)
    assert by_sex["RP-0"].response == pytest.approx(0.2)
    assert result.members[0].id == "RP-1900"  # the worst ratio first
    assert result.members[0].ratio == pytest.approx(women.ratio)


def test_selection_that_makes_up_for_self_selection_restores_equal_chances():
    # pi proportional to 1 / q (the paper's condition): women get twice the selection chance.
    borough = Borough(adults=10_000, households=5_000, shares={"sex": {"Male": 0.95, "Female": 0.05}})
    pool = people(1900, {"sex": "Male"}, 0.01) + people(50, {"sex": "Female"}, 0.02, start=1900)
    result = whole_process_chances(borough=borough, registrants=pool, seats=20,
                                   letters=LetterFigures(letters=5_000, addresses=5_000))
    assert group(result, "sex", "Female").ratio == pytest.approx(1.0)
    assert group(result, "sex", "Male").ratio == pytest.approx(1.0)
    assert all(member.ratio == pytest.approx(1.0) for member in result.members)


def test_groups_with_few_registrations_are_too_few_to_say():
    borough = Borough(adults=1000, households=500, shares={"sex": {"Male": 0.5, "Female": 0.5},
                                                           "age_band": {"18-24": 0.2, "25-34": 0.8}})
    pool = (people(30, {"sex": "Male", "age_band": "25-34"}, 0.2)
            + people(3, {"sex": "Female", "age_band": "18-24"}, 0.2, start=30))
    result = whole_process_chances(borough=borough, registrants=pool, seats=6,
                                   letters=LetterFigures(letters=250, addresses=500))
    women, young = group(result, "sex", "Female"), group(result, "age_band", "18-24")
    assert women.registered == 3 < MIN_REGISTRATIONS
    assert women.too_few and young.too_few
    assert women.ratio < 0.8 and not women.under_represented
    assert [g.category for g in result.too_few] == ["18-24", "Female"]
    assert result.under_represented == []


def test_a_category_nobody_registered_in_is_named_and_gets_no_chance():
    borough = Borough(adults=1000, households=500, shares={"sex": {"Male": 0.5, "Female": 0.5}})
    result = whole_process_chances(borough=borough, registrants=people(20, {"sex": "Male"}, 0.5), seats=10,
                                   letters=LetterFigures(letters=100, addresses=500))
    women = group(result, "sex", "Female")
    assert women.registered == 0 and women.selection is None
    assert women.end_to_end == 0 and women.ratio == 0
    assert result.not_fitted == (("sex", "Female"),)


def test_unanswered_dimensions_scale_the_answers_and_prefer_not_to_say_is_not_a_group():
    borough = Borough(adults=1000, households=500, shares=HALVES)
    pool = (people(10, {"sex": "Male"}, 0.5) + people(10, {"sex": "Female"}, 0.5, start=10)
            + people(20, {"sex": "Prefer not to say"}, 0.5, start=20))
    result = whole_process_chances(borough=borough, registrants=pool, seats=20,
                                   letters=LetterFigures(letters=100, addresses=500))
    assert [row.category for row in result.groups] == ["Male", "Female"]
    assert group(result, "sex", "Male").registration == pytest.approx(0.2)  # 10 × 40/20 of 100
    assert group(result, "sex", "Male").ratio == pytest.approx(1.0)


def test_final_chances_after_drop_outs_are_used_when_simulated():
    borough = Borough(adults=1000, households=500, shares=HALVES)
    pool = people(10, {"sex": "Male"}, 0.5, final=0.5) + people(10, {"sex": "Female"}, 0.5, start=10, final=0.25)
    result = whole_process_chances(borough=borough, registrants=pool, seats=10,
                                   letters=LetterFigures(letters=100, addresses=500))
    assert result.final_letter_seats == pytest.approx(7.5)
    women = group(result, "sex", "Female")
    assert women.selection == pytest.approx(0.5) and women.final == pytest.approx(0.25)
    assert women.ratio == pytest.approx(0.25 / 0.375)
    assert result.under_represented == [women]


def test_without_letters_only_the_selection_stage_is_given():
    borough = Borough(adults=1000, households=500, shares=HALVES)
    pool = people(12, {"sex": "Male"}, 0.25) + people(12, {"sex": "Female"}, 0.75, start=12)
    result = whole_process_chances(borough=borough, registrants=pool, seats=12, letters=None)
    assert result.letter_chance is None and result.equal_chance is None and result.members == ()
    women = group(result, "sex", "Female")
    assert women.selection == pytest.approx(0.75)
    assert women.registration is None and women.end_to_end is None and women.ratio is None
    assert result.under_represented == []


def test_no_census_households_uses_the_address_file():
    borough = Borough(adults=1000, households=None, shares=HALVES)
    result = whole_process_chances(borough=borough, registrants=people(4, {"sex": "Male"}, 1.0), seats=4,
                                   letters=LetterFigures(letters=50, addresses=400))
    assert result.adults_per_household == pytest.approx(2.5)
    assert result.reachable == pytest.approx(1000)


SEXES = ("Male", "Female")
BANDS = ("18-34", "35-64", "65+")


@st.composite
def processes(draw):
    count = draw(st.integers(min_value=1, max_value=60))
    registrants = [Registrant(id=f"RP-{n}", answers={"sex": draw(st.sampled_from(SEXES)),
                                                     "age": draw(st.sampled_from(BANDS))},
                              selection=draw(st.floats(min_value=0, max_value=1)))
                   for n in range(count)]
    sex_share = draw(st.floats(min_value=0.05, max_value=0.95))
    band_weights = [draw(st.floats(min_value=0.05, max_value=1)) for _ in BANDS]
    shares = {"sex": {"Male": sex_share, "Female": 1 - sex_share},
              "age": {band: weight / sum(band_weights) for band, weight in zip(BANDS, band_weights)}}
    addresses = draw(st.integers(min_value=count, max_value=50_000))
    letters = draw(st.integers(min_value=1, max_value=addresses))
    adults = addresses * draw(st.floats(min_value=1, max_value=3))
    return Borough(adults=adults, households=None, shares=shares), registrants, LetterFigures(letters, addresses)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(processes())
def test_end_to_end_chances_add_up_to_the_letters_seats(case):
    borough, registrants, letters = case
    result = whole_process_chances(borough=borough, registrants=registrants, seats=10, letters=letters)
    seats = sum(person.selection for person in registrants)
    assert result.letter_seats == pytest.approx(seats)
    # Each registrant stands for 1 / (a q_i) adults: their end-to-end chances, so weighted, are the seats.
    if result.response_capped == 0:
        assert sum(m.stands_for for m in result.members) == pytest.approx(result.reachable)
    assert sum(m.stands_for * m.end_to_end for m in result.members) == pytest.approx(seats, abs=1e-9)
    # The groups of each dimension partition the adults the letters could reach (everyone answered).
    for dimension, shares in borough.shares.items():
        total = sum(result.reachable * g.census_share * g.end_to_end for g in result.groups if g.dimension == dimension)
        assert total == pytest.approx(seats, abs=1e-9)
    for chance in [*result.groups, *result.members]:
        assert chance.ratio is None or (chance.ratio >= 0 and math.isfinite(chance.ratio))
    for member in result.members:
        assert 0 < member.response <= 1 + 1e-12 and member.stands_for > 0


def test_the_census_gives_the_adults_and_households_or_the_adult_age_bands():
    from panels.census import load_shipped_census, parse_census
    from panels.letter_chances import census_bases

    assert census_bases(load_shipped_census("camden-2011.csv")) == (181333.0, 97534.0)
    bands = "dimension,category,count\nage_band,0-15,50\nage_band,16-17,10\nage_band,18-24,30\nage_band,25-34,70\n"
    assert census_bases(parse_census(bands)) == (100.0, None)
    assert census_bases(parse_census("dimension,category,count\nsex,Male,5\nsex,Female,5\n")) == (None, None)
