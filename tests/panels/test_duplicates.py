"""Who is left out of a draw as the same person as someone who withdrew, or as a flagged duplicate."""

from __future__ import annotations

from panels.duplicates import left_out_as_duplicates, name_key
from panels.membership import WITHDRAWN_STATUSES


def person(reference, status="pool", email="", name="", household="", duplicate_of=""):
    return {"reference": reference, "status": status, "email": email, "full_name": name, "household_key": household,
            "duplicate_of": duplicate_of}


def test_names_match_whatever_the_case_spaces_and_punctuation():
    assert name_key("Ann  O'Neill") == name_key("ann oneill") != name_key("Ann Neill")


def test_the_same_person_as_someone_who_withdrew_is_left_out():
    rows = [person("A", "declined", "ann@example.com", "Ann Smith", "1road|nw12ru"),
            person("B", email="ANN@example.com ", name="Someone", household="9road|nw32qg"),   # same email
            person("C", email="c@example.com", name="ann smith", household="1road|nw12ru"),   # same name and address
            person("D", email="d@example.com", name="Ann Smith", household="2road|nw12ru"),   # another address
            person("E", "selected", "ann@example.com", "Ann Smith", "1road|nw12ru")]         # keeps a seat
    assert left_out_as_duplicates(rows, withdrawn_statuses=WITHDRAWN_STATUSES) == {"B": "withdrawn", "C": "withdrawn"}


def test_a_flagged_duplicate_is_left_out_only_while_the_earlier_registration_stands():
    rows = [person("A", "pool", "a@example.com"), person("B", "pool", "b@example.com", duplicate_of="A"),
            person("C", "pool", "c@example.com", duplicate_of="GONE")]
    assert left_out_as_duplicates(rows, withdrawn_statuses=WITHDRAWN_STATUSES) == {"B": "duplicate"}
