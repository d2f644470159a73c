import pytest
from hypothesis import given, strategies as st

from common.formulas import FORMULA_PREFIXES, safe_cell, unguard_cell


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"), ("-more", "'-more"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("'quoted", "''quoted"),
    ("-3.5", "-3.5"), ("+44", "+44"), (-2, "-2"), (None, ""), ("plain", "plain"), ("", ""),
])
def test_formulas_are_guarded_and_numbers_are_not(value, expected):
    assert safe_cell(value) == expected


@given(st.text())
def test_a_guarded_cell_never_starts_a_formula_unless_it_is_a_number(text):
    guarded = safe_cell(text)
    if guarded.startswith(FORMULA_PREFIXES):
        float(guarded)


@given(st.text())
def test_guarding_reads_back_unchanged(text):
    assert unguard_cell(safe_cell(text)) == text
