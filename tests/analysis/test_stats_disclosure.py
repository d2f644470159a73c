"""Disclosure control: primary and secondary suppression, and that nothing hidden can be
recovered from the published totals."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.stats.disclosure import percent_shown, suppress_table


def _no_line_with_one_hidden(table):
    for row in range(table.counts.shape[0]):
        hidden = int(table.cell_hidden[row].sum()) + int(table.row_total_hidden[row])
        assert hidden != 1, f"row {row} has exactly one hidden entry"
    for column in range(table.counts.shape[1]):
        assert int(table.cell_hidden[:, column].sum()) != 1, f"column {column} has exactly one hidden cell"
    assert int(table.row_total_hidden.sum()) != 1, "one group total could be recovered from the grand total"


def test_secondary_suppression_is_needed_and_applied():
    counts = np.array([[40, 5, 30],
                       [25, 20, 35],
                       [50, 60, 45]])
    table = suppress_table(counts, threshold=10)
    # Primary: only the 5. Row 0 then needs a second hidden entry (its smallest other: 30),
    # column 1 needs another (20, the smallest visible), column 2 then has 30 hidden alone and
    # needs another (35), and row 1 now has 20 and 35 hidden: balanced.
    assert table.primary.sum() == 1 and table.primary[0, 1]
    expected = np.array([[False, True, True],
                         [False, True, True],
                         [False, False, False]])
    assert np.array_equal(table.cell_hidden, expected)
    assert not table.row_total_hidden.any()
    _no_line_with_one_hidden(table)


def test_small_group_total_hides_the_row_and_another_total():
    counts = np.array([[3, 4], [30, 40], [25, 35]])
    table = suppress_table(counts, threshold=10)
    assert table.row_total_hidden[0]
    assert table.row_total_hidden.sum() >= 2
    assert table.cell_hidden[0].all()
    assert not percent_shown(table)[0].any()
    _no_line_with_one_hidden(table)


def test_nothing_hidden_when_every_cell_is_large():
    table = suppress_table(np.array([[12, 30], [40, 11]]))
    assert not table.cell_hidden.any() and not table.row_total_hidden.any()
    assert percent_shown(table).all()


def test_multiple_choice_row_totals_are_respected():
    counts = np.array([[12, 15], [20, 25]])
    table = suppress_table(counts, threshold=10, row_totals=np.array([20, 30]))
    assert table.row_totals.tolist() == [20, 30]
    assert not table.cell_hidden.any()


@settings(max_examples=300)
@given(arrays(np.int64, st.tuples(st.integers(2, 7), st.integers(2, 6)), elements=st.integers(0, 60)),
       st.sampled_from([5, 10, 20]))
def test_no_hidden_cell_can_be_derived_from_totals(counts, threshold):
    table = suppress_table(counts, threshold=threshold)
    assert np.all(table.cell_hidden[counts < threshold])
    assert np.all(table.row_total_hidden[counts.sum(axis=1) < threshold])
    _no_line_with_one_hidden(table)
    shown = percent_shown(table)
    assert not np.any(shown & table.cell_hidden)


# --- Percentages must not give away a hidden total (audit of issue 6) --------------------------

LEAKY = np.array([[1, 5], [17, 18], [14, 39], [19, 31]])
"""A's cells are under 10, so A's total (6) is hidden; the line rule then hides B's total (35)
and B's 18 — but B's 17 stays visible. Publishing it as "17 (49%)" would give B's total
(17 / 0.49 ≈ 35), then B's hidden 18, then A's total from the grand total."""


def test_no_percentage_in_a_row_whose_total_is_hidden_regression():
    table = suppress_table(LEAKY, threshold=10)
    assert table.row_total_hidden.tolist() == [True, True, False, False]
    assert not table.cell_hidden[1, 0], "the 17 itself is published"
    shown = percent_shown(table)
    assert not shown[1].any(), "no percentage beside B's 17: it would reveal B's hidden total"
    assert not shown[0].any()
    assert shown[3].all()  # D: every cell and the total are published


def test_primary_and_secondary_reasons_are_told_apart():
    table = suppress_table(LEAKY, threshold=10)
    assert table.cell_suppression(0, 0) == "primary" and table.cell_suppression(0, 1) == "primary"
    assert table.cell_suppression(1, 1) == "secondary"  # 18 is not fewer than 10
    assert table.cell_suppression(1, 0) is None
    assert table.row_total_suppression(0) == "primary"  # 6
    assert table.row_total_suppression(1) == "secondary"  # 35
    assert table.row_total_suppression(3) is None
    for row, column in zip(*np.nonzero(table.cell_hidden)):
        reason = table.cell_suppression(row, column)
        assert (reason == "primary") == (LEAKY[row, column] < 10)


@settings(max_examples=400)
@given(arrays(np.int64, st.tuples(st.integers(2, 7), st.integers(2, 6)), elements=st.integers(0, 60)),
       st.sampled_from([5, 10, 20]), st.booleans(), st.data())
def test_no_shown_percentage_lets_a_hidden_total_be_recovered(counts, threshold, multiple, data):
    row_totals = None
    if multiple:  # multiple choice: a group's total is at least its largest tick count
        extra = data.draw(arrays(np.int64, counts.shape[0], elements=st.integers(0, 30)))
        row_totals = counts.max(axis=1) + extra
    table = suppress_table(counts, threshold=threshold, row_totals=row_totals)
    shown = percent_shown(table)
    # A published percentage p beside a published count c gives the total as c / p: so no row
    # with a hidden total may show any percentage, and none from a total under the threshold.
    assert not np.any(shown[table.row_total_hidden]), "a percentage reveals a hidden group total"
    assert not np.any(shown[table.row_totals < threshold])
    assert not np.any(shown & table.cell_hidden)
    # Every hidden total was hidden for a reason that is true of it.
    for row in np.flatnonzero(table.row_total_hidden):
        assert (table.row_total_suppression(row) == "primary") == (table.row_totals[row] < threshold)
