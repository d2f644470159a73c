"""Disclosure control for published cross-tables: primary suppression of small cells and
secondary suppression so that a hidden cell cannot be worked out from the totals.

The published table is a grid of counts (groups × options) with, per group, its total (the
number in the group who answered) and, per option, the overall count — which is always public,
because overall question results are always shown. So the equations a reader can use are:

* each group's row: its cells add up to its total (for single-answer questions);
* each option's column: its cells add up to the published overall count;
* the column of group totals: they add up to the overall number who answered.

Primary suppression hides every count below the threshold (ONS practice, default 10), zero
included — a published zero says that nobody in a group gave an answer, which is itself a
disclosure about everyone in it. Secondary suppression then repeats, until nothing changes:
in any row (cells plus its total), any option column, or the column of group totals that holds
exactly one hidden entry, also hide the smallest visible entry of that line. When it stops no line
has exactly one hidden entry, so no single equation reveals a hidden value. (This is the
standard line rule; it does not claim to defeat interval attacks by linear programming over
all equations, nor differencing against other tables from the same responses.)

Percentages are shown only where the cell *and* its group total are both published and the
total is at least the threshold ("percentages from fewer than the threshold are not shown"). A
percentage beside a published count whose total is hidden would give the total away
(``17 (49%)`` says the total is about 35), and with it the hidden cells of that row and column.

Two reasons for hiding, which the report labels differently: *primary* (the count itself is
under the threshold: "fewer than 10") and *secondary* (a count of any size hidden only so that
the primary ones cannot be worked out: "[c]"). Saying "fewer than 10" of a secondary cell
would be false, and would itself narrow down the hidden values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 10
"""The smallest count published in a breakdown (settings: ``DISCLOSURE_THRESHOLD``)."""
PRIMARY = "primary"
SECONDARY = "secondary"
SECONDARY_MARK = "[c]"
SECONDARY_TEXT = "[c] hidden so that other hidden figures cannot be worked out"
"""What a secondarily suppressed figure reads as: "[c]" (confidential, as the ONS marks it)."""


@dataclass(frozen=True)
class SuppressedTable:
    counts: np.ndarray
    """groups × options, the true counts (never publish directly)."""
    row_totals: np.ndarray
    column_totals: np.ndarray
    """Always published (the overall result)."""
    cell_hidden: np.ndarray
    row_total_hidden: np.ndarray
    primary: np.ndarray
    """Cells hidden because they are under the threshold (the rest of ``cell_hidden`` is secondary)."""
    threshold: int

    @property
    def row_total_primary(self) -> np.ndarray:
        """Group totals hidden because they are under the threshold (the rest of
        ``row_total_hidden`` is secondary)."""
        return self.row_totals < self.threshold

    def cell_suppression(self, row: int, column: int) -> str | None:
        """``"primary"``, ``"secondary"`` or None (published)."""
        if not self.cell_hidden[row, column]:
            return None
        return PRIMARY if self.primary[row, column] else SECONDARY

    def row_total_suppression(self, row: int) -> str | None:
        if not self.row_total_hidden[row]:
            return None
        return PRIMARY if self.row_total_primary[row] else SECONDARY


def _hide_smallest(values: np.ndarray, hidden: np.ndarray, candidates: np.ndarray) -> int | None:
    """Index of the smallest visible candidate (first on ties), or None."""
    open_positions = np.flatnonzero(candidates & ~hidden)
    if open_positions.size == 0:
        return None
    return int(open_positions[np.argmin(values[open_positions])])


def suppress_table(counts: np.ndarray, *, threshold: int = DEFAULT_THRESHOLD,
                   row_totals: np.ndarray | None = None) -> SuppressedTable:
    """Hide small cells and enough others that none can be derived from a row, column or the
    totals column. ``row_totals`` defaults to the row sums; pass them for multiple-choice
    tables, where a group's total is the number who answered, not the sum of ticks."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("a cross-table is two-dimensional")
    totals = counts.sum(axis=1) if row_totals is None else np.asarray(row_totals, dtype=np.int64)
    rows, columns = counts.shape
    primary = counts < threshold
    hidden = primary.copy()
    total_hidden = totals < threshold
    changed = True
    while changed:
        changed = False
        for row in range(rows):
            line_hidden = int(hidden[row].sum()) + int(total_hidden[row])
            if line_hidden == 1:
                values = np.append(counts[row], totals[row])
                flags = np.append(hidden[row], total_hidden[row])
                position = _hide_smallest(values, flags, np.ones(columns + 1, dtype=bool))
                if position is not None:
                    if position < columns:
                        hidden[row, position] = True
                    else:
                        total_hidden[row] = True
                    changed = True
        for column in range(columns):
            if int(hidden[:, column].sum()) == 1:
                position = _hide_smallest(counts[:, column], hidden[:, column], np.ones(rows, dtype=bool))
                if position is not None:
                    hidden[position, column] = True
                    changed = True
        if int(total_hidden.sum()) == 1:
            position = _hide_smallest(totals, total_hidden, np.ones(rows, dtype=bool))
            if position is not None:
                total_hidden[position] = True
                changed = True
    return SuppressedTable(counts=counts, row_totals=totals, column_totals=counts.sum(axis=0), cell_hidden=hidden,
                           row_total_hidden=total_hidden, primary=primary, threshold=threshold)


def percent_shown(table: SuppressedTable) -> np.ndarray:
    """groups × options: True where a row percentage may be published — the cell and its
    group total are both shown and the total is at least the threshold. (A percentage beside a
    shown count reveals the total, so a hidden total forbids every percentage in its row.)"""
    row_ok = ~table.row_total_hidden & (table.row_totals >= table.threshold)
    return ~table.cell_hidden & row_ok[:, None]


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def hidden_text(suppression: str, threshold: int) -> str:
    """The words a hidden figure is published as: true for the reason it was hidden."""
    return fewer_than(threshold) if suppression == PRIMARY else SECONDARY_TEXT


ROUNDING_BASE = 5
"""Live counts of people (a panel's pool while registration is open) are published rounded to
the nearest multiple of this, as ONS rounds census counts. A count that is published exactly and
moves from 33 to 34 when one known person registers tells a reader that person's group; rounded,
most single registrations move no published figure. (A registration that carries a count across
a rounding boundary still moves one: rounding makes differencing rare and uncertain, not
impossible. Hidden counts stay hidden whatever moves.)"""


@dataclass(frozen=True)
class PublishedCount:
    """A count as it may be published: ``value`` rounded, or None with the reason it is hidden."""

    value: int | None
    suppression: str | None = None
    """``"primary"`` (under the threshold), ``"secondary"`` (hidden so that others cannot be
    worked out) or None (published)."""


def round_to_base(count: int, base: int = ROUNDING_BASE) -> int:
    """The nearest multiple of ``base``, halves rounded up (12 → 10, 13 → 15)."""
    return (int(count) + base // 2) // base * base


def publish_count(count: int, *, threshold: int = DEFAULT_THRESHOLD, base: int = ROUNDING_BASE) -> PublishedCount:
    """A single count of people: hidden under the threshold, otherwise rounded."""
    if count < threshold:
        return PublishedCount(None, PRIMARY)
    return PublishedCount(round_to_base(count, base))


def publish_line(counts: list[int], *, threshold: int = DEFAULT_THRESHOLD,
                 base: int = ROUNDING_BASE) -> list[PublishedCount]:
    """The groups of one dimension (they add up to its total): the line rule of ``suppress_table``
    (small counts hidden, and one more while only one is), then every shown count rounded."""
    if not counts:
        return []
    exact = np.asarray(counts, dtype=np.int64)
    primary = exact < threshold
    # The next smallest is chosen by rounded value (ties: the first). Chosen by exact value, the
    # hidden "[c]" would move from one group to another when one person joins, and so say which
    # group they joined; rounded values change only when a published figure would change anyway.
    ranking = np.where(primary, 0, np.maximum([round_to_base(count, base) for count in counts], threshold))
    table = suppress_table(ranking[np.newaxis, :], threshold=threshold, row_totals=np.array([exact.sum()]))
    published = [PublishedCount(None, table.cell_suppression(0, column)) if table.cell_hidden[0, column]
                 else PublishedCount(round_to_base(count, base)) for column, count in enumerate(counts)]
    hidden = [column for column, figure in enumerate(published) if figure.value is None]
    if len(hidden) == 1 and len(counts) > 1:
        # The line rule lets a hidden 0 stand alone (nothing to protect in the table of answers),
        # but a count of people hidden alone is the line's total less the others: hide one more.
        shown = [column for column, figure in enumerate(published) if figure.value is not None]
        smallest = min(shown, key=lambda column: (ranking[column], column))
        published[smallest] = PublishedCount(None, SECONDARY)
    return published
