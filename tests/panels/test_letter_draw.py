"""The civic lottery by post, as plain data: the address file, the stratified draw, codes, mailing file."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panels.address_file import AddressFileError, file_fingerprint, read_address_file
from panels.letter_draw import (
    CODE_ALPHABET, allocate_letters, draw_letters, new_codes, normalise_code, parse_ward_weights,
)
from panels.mailing import LetterRow, mailing_csv
from panels.wards import BOROUGH_WARDS

HEADER = "UPRN,Address 1,Address 2,Town,Postcode,Ward\n"


def _file(rows: int = 60) -> str:
    wards = ("Kilburn", "Gospel Oak", "Bloomsbury")
    body = "".join(f"{5000 + n},{n} Example Road,,London,NW6 7{'ABD'[n % 3]}{'EFG'[n % 3]},{wards[n % 3]}\n"
                   for n in range(rows))
    return HEADER + body


def test_a_good_file_reads_with_normalised_postcode_and_ward():
    addresses = read_address_file(HEADER + "5045218,Flat 2,10 Agar Grove,London,nw1 9sl,camden square\n",
                                  wards=BOROUGH_WARDS)
    assert len(addresses) == 1
    assert addresses[0].postcode == "NW1 9SL" and addresses[0].ward == "Camden Square"
    assert addresses[0].lines == ("Flat 2", "10 Agar Grove", "London")


def test_every_bad_row_is_named_at_once():
    text = HEADER + ("1,1 Road,,London,NW1 9SL,Kilburn\n"
                     ",2 Road,,London,NW1 9SL,Kilburn\n"        # row 3: missing UPRN
                     "3,3 Road,,London,NW1 ZZZ,Kilburn\n"       # row 4: bad postcode
                     "1,4 Road,,London,NW1 9SL,Kilburn\n"       # row 5: duplicate UPRN
                     "5,5 Road,,London,NW1 9SL,Narnia\n")       # row 6: unknown ward
    with pytest.raises(AddressFileError) as caught:
        read_address_file(text, wards=BOROUGH_WARDS)
    found = {(problem.row, problem.column) for problem in caught.value.problems}
    assert found == {(3, "uprn"), (4, "postcode"), (5, "uprn"), (6, "ward")}
    messages = " ".join(str(problem) for problem in caught.value.problems)
    assert "row 2" in messages and "Narnia" in messages


def test_a_header_without_the_required_columns_is_refused():
    with pytest.raises(AddressFileError, match="missing: ward"):
        read_address_file("uprn,address_1,postcode\n1,1 Road,NW1 9SL\n", wards=BOROUGH_WARDS)


def test_the_draw_is_deterministic_and_stratified():
    addresses = read_address_file(_file(), wards=BOROUGH_WARDS)
    first = draw_letters(addresses, letters=30, seed="National Lottery 3 January 2027: 4 8 15 16 23 42")
    again = draw_letters(list(reversed(addresses)), letters=30, seed="National Lottery 3 January 2027: 4 8 15 16 23 42")
    other = draw_letters(addresses, letters=30, seed="another seed")
    assert first == again
    assert first.addresses != other.addresses
    assert {ward.ward: ward.letters for ward in first.wards} == {"Kilburn": 10, "Gospel Oak": 10, "Bloomsbury": 10}
    assert len({address.uprn for address in first.addresses}) == 30


def test_a_weighted_ward_gets_more_letters():
    addresses = read_address_file(_file(), wards=BOROUGH_WARDS)
    draw = draw_letters(addresses, letters=30, seed="s", weights={"Kilburn": 2})
    assert {ward.ward: ward.letters for ward in draw.wards} == {"Kilburn": 15, "Gospel Oak": 8, "Bloomsbury": 7} or \
        {ward.ward: ward.letters for ward in draw.wards} == {"Kilburn": 15, "Gospel Oak": 7, "Bloomsbury": 8}


def test_the_file_fingerprint_changes_with_the_file():
    assert file_fingerprint(b"a") != file_fingerprint(b"b") and len(file_fingerprint(b"a")) == 64


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(BOROUGH_WARDS), st.integers(0, 40), min_size=1),
       st.dictionaries(st.sampled_from(BOROUGH_WARDS), st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])),
       st.data())
def test_allocation_is_exact_and_never_exceeds_a_ward(counts, weights, data):
    total = sum(counts.values())
    letters = data.draw(st.integers(0, total))
    allocation = allocate_letters(counts, letters, weights)
    assert sum(allocation.values()) == letters
    assert all(0 <= allocation[ward] <= counts[ward] for ward in counts)


def test_ward_weights_are_parsed_with_errors_per_entry():
    weights, errors = parse_ward_weights("kilburn = 2, Gospel Oak=1.5", wards=BOROUGH_WARDS)
    assert weights == {"Kilburn": 2.0, "Gospel Oak": 1.5} and errors == []
    _, errors = parse_ward_weights("Narnia = 2, Kilburn = lots", wards=BOROUGH_WARDS)
    assert len(errors) == 2 and "Narnia" in errors[0]


def test_codes_are_unique_unambiguous_and_typed_loosely():
    codes = new_codes(500)
    assert len(set(codes)) == 500
    assert all(len(code) == 9 and code[4] == "-" for code in codes)
    assert not set("".join(codes)) & set("01OI")
    assert set("".join(codes).replace("-", "")) <= set(CODE_ALPHABET)
    assert normalise_code(" 7kqm 3xrp ") == "7KQM-3XRP"
    assert normalise_code("7KQM-3XR0") is None and normalise_code("7KQM") is None


def test_the_mailing_file_guards_formulas():
    text = mailing_csv([LetterRow(uprn="1", lines=("=HYPERLINK(\"x\")", "10 Road"), postcode="NW1 9SL",
                                  ward="Kilburn", code="ABCD-EFGH")])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "uprn" and rows[0][-1] == "code"
    assert rows[1][1].startswith("'=") and rows[1][2] == "10 Road" and rows[1][-1] == "ABCD-EFGH"
