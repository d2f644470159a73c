"""Seating members at tables: everyone once, sizes as even as possible, and each table's mix at
least as close to the panel's as the obvious round-robin deal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from panels.seating import mix_gap, seat_members, table_sizes

DIMENSIONS = ("sex", "age_band")
member = st.fixed_dictionaries({"sex": st.sampled_from(["Female", "Male"]),
                                "age_band": st.sampled_from(["18-29", "30-44", "45-64", "65+"])})


@settings(max_examples=25, deadline=None)
@given(st.lists(member, min_size=1, max_size=24), st.integers(min_value=1, max_value=6))
def test_everyone_is_seated_once_at_even_tables_no_worse_than_dealing_round(people, tables):
    answers = {f"m{i}": person for i, person in enumerate(people)}
    seating = seat_members(answers, tables=tables, dimensions=DIMENSIONS, time_limit=2)
    seated = [m for table in seating.tables for m in table]
    assert sorted(seated) == sorted(answers)
    assert sorted(map(len, seating.tables), reverse=True) == table_sizes(len(people), min(tables, len(people)))
    dealt = [list(answers)[t::len(seating.tables)] for t in range(len(seating.tables))]
    assert seating.gap <= mix_gap(dealt, answers, DIMENSIONS) + 1e-6


def test_a_panel_that_splits_evenly_gets_tables_exactly_like_it():
    """Twelve members, half women and half men, a third in each age band that pairs with sex:
    three tables of four can each hold exactly the panel's mix, and the seating finds it."""
    answers = {}
    for i in range(12):
        answers[f"m{i}"] = {"sex": "Female" if i % 2 else "Male", "age_band": ("18-29", "30-44")[i // 6]}
    seating = seat_members(answers, tables=3, dimensions=DIMENSIONS)
    assert seating.optimal and seating.gap == 0
    for table in seating.tables:
        assert sorted(answers[m]["sex"] for m in table) == ["Female", "Female", "Male", "Male"]


def test_table_sizes_are_as_even_as_possible():
    assert table_sizes(14, 3) == [5, 5, 4]
    assert table_sizes(20, 4) == [5, 5, 5, 5]
