"""The registration form's rules as plain data: postcodes, age or date of birth, answers, consent."""

from __future__ import annotations

from datetime import date

import pytest

from panels.registration import Question, age_band_for, check_registration, normalise_postcode, parse_age

TODAY = date(2026, 3, 1)
QUESTIONS = [Question("sex", "What is your sex?", ("Female", "Male", "Prefer not to say"))]
GOOD = {"full_name": "Ann Example", "email": "ann@example.com", "address": "1 Road", "postcode": "nw1 2ru",
        "age": "40", "sex": "Female", "consent": "yes"}


@pytest.mark.parametrize("raw, expected", [("nw12ru", "NW1 2RU"), (" WC1H  9SE ", "WC1H 9SE"), ("n6 6ba", "N6 6BA")])
def test_postcodes_are_normalised(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw, expected", [("42", 42), ("1986-03-01", 40), ("02/03/1986", 39), ("31/02/1980", None),
                                           ("2030-01-01", None), ("forty", None)])
def test_age_from_years_or_date_of_birth(raw, expected):
    assert parse_age(raw, today=TODAY) == expected


def test_age_bands_cover_every_adult_age():
    assert [age_band_for(age) for age in (18, 24, 25, 74, 75, 101)] == ["18-24", "18-24", "25-34", "65-74", "75+", "75+"]


def test_a_good_registration_is_cleaned():
    registration, errors = check_registration(GOOD, questions=QUESTIONS, postcode_prefixes=["NW1"], today=TODAY)
    assert errors == {} and registration.postcode == "NW1 2RU" and registration.answers == {"sex": "Female"}


@pytest.mark.parametrize("change, field", [
    ({"postcode": "XX1 1XX1"}, "postcode"), ({"postcode": "E1 6AN"}, "postcode"), ({"age": "17"}, "age"),
    ({"sex": "Robot"}, "sex"), ({"consent": ""}, "consent"), ({"email": "ann"}, "email"), ({"full_name": " "}, "full_name"),
    ({"phone": "call me"}, "phone"),
])
def test_each_bad_answer_is_named(change, field):
    registration, errors = check_registration({**GOOD, **change}, questions=QUESTIONS, postcode_prefixes=["NW1"],
                                              today=TODAY)
    assert registration is None and field in errors


def test_digits_typed_on_a_bengali_or_arabic_keyboard_are_accepted():
    """A resident reading the form in Bengali or Arabic may type their own script's digits."""
    assert parse_age("৪২", today=TODAY) == 42 and parse_age("٤٢", today=TODAY) == 42
    assert parse_age("০২/০৩/১৯৮৬", today=TODAY) == 39
    registration, errors = check_registration({**GOOD, "phone": "০৭৭০০ ৯০০ ৯৮২", "age": "৪০", "postcode": "nw১ ২ru"},
                                              questions=QUESTIONS, today=TODAY)
    assert not errors and registration.phone == "07700 900 982" and registration.postcode == "NW1 2RU"
    assert registration.age == 40
    _, errors = check_registration({**GOOD, "phone": "٠٧٧٠٠ ٩٠٠ ٩٨٢"}, questions=QUESTIONS, today=TODAY)
    assert not errors
