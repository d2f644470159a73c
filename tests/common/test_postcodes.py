"""UK postcodes in the official format, their normalised spelling, and districts and sectors."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, strategies as st

from common.postcodes import (
    FOURTH_AA9A, THIRD_A9A, clean_postcode, format_areas, in_areas, is_postcode, normalise_postcode, parse_areas,
)

FIRST = [c for c in string.ascii_uppercase if c not in "QVX"]
SECOND = [c for c in string.ascii_uppercase if c not in "IJZ"]
UNIT = [c for c in string.ascii_uppercase if c not in "CIKMOV"]
digit = st.sampled_from(string.digits)
letter = st.sampled_from


@st.composite
def outward_codes(draw) -> str:
    shape = draw(st.sampled_from(["A9", "A99", "AA9", "AA99", "A9A", "AA9A"]))
    first = draw(letter(FIRST))
    if shape == "A9":
        return first + draw(digit)
    if shape == "A99":
        return first + draw(digit) + draw(digit)
    if shape == "AA9":
        return first + draw(letter(SECOND)) + draw(digit)
    if shape == "AA99":
        return first + draw(letter(SECOND)) + draw(digit) + draw(digit)
    if shape == "A9A":
        return first + draw(digit) + draw(letter(list(THIRD_A9A)))
    return first + draw(letter(SECOND)) + draw(digit) + draw(letter(list(FOURTH_AA9A)))


@st.composite
def postcodes(draw) -> str:
    return f"{draw(outward_codes())} {draw(digit)}{draw(letter(UNIT))}{draw(letter(UNIT))}"


@given(postcodes())
def test_every_official_shape_is_accepted(postcode):
    assert is_postcode(postcode)
    assert clean_postcode(postcode) == postcode


@given(postcodes(), st.lists(st.sampled_from([" ", "  ", "\t"]), max_size=3), st.booleans())
def test_spacing_and_case_do_not_matter(postcode, spaces, lower):
    compact = postcode.replace(" ", "")
    typed = "".join(spaces) + (compact.lower() if lower else compact) + "".join(spaces)
    assert clean_postcode(typed) == postcode


@given(st.text(alphabet=string.ascii_letters + string.digits + " ", max_size=10))
def test_whatever_is_accepted_is_upper_case_with_one_space_before_three_characters(text):
    cleaned = clean_postcode(text)
    if cleaned is not None:
        outward, inward = cleaned.split(" ")
        assert cleaned == cleaned.upper() and 2 <= len(outward) <= 4 and len(inward) == 3
        assert normalise_postcode(cleaned) == cleaned  # idempotent


@given(postcodes())
def test_a_postcode_lies_in_its_own_district_and_sector_only(postcode):
    outward, inward = postcode.split(" ")
    assert in_areas(postcode, [outward]) and in_areas(postcode, [f"{outward} {inward[0]}"])
    other_sector = f"{outward} {(int(inward[0]) + 1) % 10}"
    assert not in_areas(postcode, [other_sector])
    assert not in_areas(postcode, [outward + "9"])  # another district, of which this one is a prefix


@pytest.mark.parametrize("postcode", ["WC1N 3AX", "WC1R 4HE", "WC1V 6AA", "WC1X 8DA", "EC1M 6BQ", "NW1 2RU",
                                      "N19 5RQ", "W1D 3QU", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "GIR 0AA"])
def test_real_postcodes_are_accepted(postcode):
    """"WC1N 3AX" was refused as not a real UK postcode (WC1N, WC1R, WC1V, WC1X, EC1M were)."""
    assert is_postcode(postcode)


@pytest.mark.parametrize("text", ["QC1 1AA", "AI1 1AA", "W1L 1AA", "WC1C 1AA", "NW1 1CA", "NW1 AAA", "NW12 3",
                                  "WC1N3AX", "12345", "", "XYZ"])
def test_malformed_postcodes_are_refused(text):
    assert not is_postcode(text)


def test_areas_by_district_or_sector():
    areas, bad = parse_areas("wc1n 3, WC1X  NW1\nEC1M, 7 WC1")
    assert areas == ["WC1N 3", "WC1X", "NW1", "EC1M", "WC1"] and bad == ["7"]
    assert format_areas(areas) == "WC1N 3, WC1X, NW1, EC1M, WC1"
    assert parse_areas(format_areas(areas)) == (areas, [])
    assert parse_areas("WC1N 33 XYZ")[1] == ["33", "XYZ"]
    assert in_areas("WC1N 3AX", ["WC1N 3"]) and not in_areas("WC1N 4AX", ["WC1N 3"])
    assert not in_areas("WC1N 3AX", ["WC1"])  # WC1 is no district: WC1A to WC1X are named one by one
    assert not in_areas("N19 5RQ", ["N1"])  # a district is not a prefix of another
    assert in_areas("E1 6AN", [])
