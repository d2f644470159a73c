"""Weighted percentages must not undo disclosure control (issue #18, item 1).

A weighted percentage is one more linear equation on the hidden figures. Weighted by sex alone,
every man has one weight w_M and every woman w_F, so "Yes: 41.3% weighted" says

    100 · (w_M·x_M + w_F·x_F + x_rest) ∈ (41.25, 41.35) · (w_M·T_M + w_F·T_F + T_rest)

about the cells x and group totals T of the table by sex. With the overall count of "Yes"
(x_M + x_F + x_rest) published, two hidden cells of that column are then pinned down to within
rounding: suppression undone. An attacker who knows the weights (they follow from the census
shares and the published group sizes) can do exactly that.

``unsafe_weighted_questions`` decides, per question, whether its weighted percentages can be
published:

* a question none of whose tables by group hides anything gives nothing away (the hidden
  figures are elsewhere, and its weighted percentages involve only its own cells);
* where weights are the same for everyone in each row of a table by group (weighting by that one
  group's question), the attacker's inequalities above are added to the disclosure audit
  (``disclosure_audit.failures``, HiGHS) on top of everything else published; a question whose
  weighted percentages let the audit narrow any hidden figure below the threshold is unsafe;
* otherwise (weights varying within each row: raking on several dimensions) the percentages are
  functions of the unpublished joint table, which the audit does not model; they are treated as
  unsafe whenever a table of that question hides anything: hidden, not guessed safe.

About-you questions are judged the same way on their own hidden counts: weighted percentages on the
census base (``weighted_base == "census_category"``) equal the census shares and say nothing;
on any other base they are unsafe when the question hides a count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.stats.disclosure_audit import LinearSystem, failures
from analysis.stats.published_tables import BreakdownView, QuestionView, add_publication, cell_key, total_key

ROUNDING_HALF_WIDTH = 0.05
"""Published weighted percentages have 1 decimal place: the true value is within ±0.05."""


def row_weights(weights: np.ndarray, group_codes: np.ndarray, rows: int) -> np.ndarray | None:
    """The weight of each row of a table by group (codes −1 = "Not answered", the last row), or
    None when the weights differ within a row."""
    codes = np.where(group_codes < 0, rows - 1, group_codes)
    result = np.ones(rows)
    for row in range(rows):
        members = weights[codes == row]
        if members.size == 0:
            continue
        if np.ptp(members) > 1e-9 * max(1.0, float(members.max())):
            return None
        result[row] = float(members[0])
    return result


def add_weighted_percentages(system: LinearSystem, prefix: object, question_key: str, group_key: str,
                             weights: np.ndarray, percents: Sequence[float | None]) -> None:
    """The two inequalities each published weighted percentage gives, on the cells and group totals
    of the table of ``question_key`` by ``group_key`` (``weights``: one per row)."""
    rows = len(weights)
    totals = {total_key(prefix, question_key, group_key, row): float(weights[row]) for row in range(rows)}
    for column, percent in enumerate(percents):
        if percent is None or not np.isfinite(percent):
            continue
        cells = {cell_key(prefix, question_key, group_key, row, column): 100.0 * float(weights[row])
                 for row in range(rows)}
        high, low = percent + ROUNDING_HALF_WIDTH, percent - ROUNDING_HALF_WIDTH
        system.add_constraint({**cells, **{key: -high * weight for key, weight in totals.items()}}, equality=False)
        system.add_constraint({**{key: -value for key, value in cells.items()},
                               **{key: low * weight for key, weight in totals.items()}}, equality=False)


def unsafe_weighted_questions(*, n_responses: int, threshold: int, questions: Sequence[QuestionView],
                              tables: Sequence[BreakdownView], weighted_percents: Mapping[str, Sequence[float | None]],
                              table_row_weights: Sequence[np.ndarray | None],
                              census_based: frozenset[str] = frozenset()) -> set[str]:
    """Question keys whose weighted percentages must not be published.

    ``questions`` and ``tables`` hold the true counts and what is hidden (as published);
    ``weighted_percents``: the weighted percentages as they would be published (1 dp), by
    question key; ``table_row_weights``: per table, the weight of each row (``row_weights``) or
    None; ``census_based``: About-you questions whose weighted percentages are of the census base."""
    unsafe: set[str] = set()
    hides = {question.key: bool(np.any(question.hidden)) for question in questions}
    for table in tables:
        if np.any(table.cell_hidden) or np.any(table.total_hidden):
            hides[table.question_key] = True
    for question in questions:
        if question.key not in weighted_percents or not hides[question.key]:
            continue
        if question.about_you:
            if question.key not in census_based:
                unsafe.add(question.key)
            continue
        own = [(table, weights) for table, weights in zip(tables, table_row_weights)
               if table.question_key == question.key]
        if not own or any(weights is None and (np.any(table.cell_hidden) or np.any(table.total_hidden))
                          for table, weights in own):
            unsafe.add(question.key)
    candidates = [question.key for question in questions
                  if question.key in weighted_percents and hides[question.key] and question.key not in unsafe]
    while candidates:
        system = LinearSystem()
        add_publication(system, "now", n_responses=n_responses, questions=questions, breakdowns=tables)
        for table, weights in zip(tables, table_row_weights):
            if table.question_key in candidates and weights is not None:
                add_weighted_percentages(system, "now", table.question_key, table.group_key, weights,
                                         weighted_percents[table.question_key])
        narrow = failures(system, threshold)
        culprits = {key[2] for key in narrow if key[1] in ("cell", "total") and key[2] in candidates}
        if narrow and not culprits:
            culprits = set(candidates)  # an About-you count narrowed: every candidate is suspect
        if not culprits:
            break
        unsafe |= culprits
        candidates = [key for key in candidates if key not in culprits]
    return unsafe
