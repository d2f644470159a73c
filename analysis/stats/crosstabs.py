"""Differences between groups: each closed question by each About-you question, as a
cross-table with a test of independence, Holm-corrected across every test shown.

Rows are the About-you categories in questionnaire order, then "Prefer not to say" (an option
like any other) and "Not answered" (answered the question, skipped the About-you question), so
that each option column adds up to its published overall count — which disclosure control
relies on. Columns are the question's options. Counts are unweighted.

The test uses only the rows that are census categories (not "Prefer not to say", not "Not
answered") and the rows and columns that are not all zero:

* a 2×2 table with any expected count below 5: Fisher's exact test (two-sided);
* otherwise Pearson's chi-square test of independence, without Yates's correction (the small
  2×2 case is already Fisher's); ``sparse`` says when more than a fifth of expected counts are
  below 5, the usual caveat on the chi-square approximation;
* multiple choice: no single test (options are not exclusive, so the table is not a
  contingency table); ``test`` is None and ``note`` says why.
* a weighted report (``cross_table(..., weights=…)``): the test is of the weighted figures, with
  Rao and Scott's second-order correction (``analysis.stats.rao_scott``), for every table of at
  least 2×2 (no Fisher's exact test: it has no weighted form); the published counts stay
  unweighted, and the note says both.

Holm's step-down correction (Holm, *Scand. J. Statist.* 6, 1979) runs over all tests in the
report; a breakdown is flagged ``significant`` when its adjusted p-value is below 0.05.
Cramér's V is given as the size of the difference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact

from analysis.stats.frames import MULTIPLE_CHOICE, PREFER_NOT_TO_SAY, QuestionSpec, answered_mask, choice_codes
from analysis.stats.rao_scott import rao_scott_test
from common.i18n import gettext, lazy_gettext

NOT_ANSWERED = "Not answered"
SIGNIFICANCE_LEVEL = 0.05


@dataclass(frozen=True)
class CrossTable:
    question_key: str
    group_key: str
    group_labels: tuple[str, ...]
    option_labels: tuple[str, ...]
    counts: np.ndarray
    """groups × options (unweighted)."""
    group_totals: np.ndarray
    """Per group, the number who answered the question."""
    testable_groups: np.ndarray
    """True for rows that are census categories (used in the test)."""
    weight_sums: np.ndarray | None = None
    """groups × options: Σ weights per cell, when the report is weighted (single answer only)."""
    weight_squares: np.ndarray | None = None
    """groups × options: Σ weights² per cell (for the Rao–Scott design effects)."""


@dataclass(frozen=True)
class GroupTest:
    test: str | None
    """``chi_square``, ``fisher_exact`` or None (no test possible)."""
    statistic: float | None
    degrees_of_freedom: int | None
    p_value: float | None
    cramers_v: float | None
    sparse: bool
    note: str
    p_value_holm: float | None = None
    corrected_degrees_of_freedom: float | None = None
    """Rao–Scott's ν (``rao_scott`` tests only)."""
    significant: bool = False
    withheld: bool = False
    """Computed but not published: the table has hidden figures the test would reveal."""


def cross_table(frame: pd.DataFrame, question: QuestionSpec, group: QuestionSpec, *,
                codes: Mapping[str, np.ndarray] | None = None, weights: np.ndarray | None = None) -> CrossTable:
    """Counts of each option by each group, vectorised with ``bincount``. ``codes`` may hold
    ``choice_codes`` already computed, by question key (a report reuses them 100 times).
    ``weights``: the report's weights, summed per cell (and squared) for the Rao–Scott test."""
    codes = codes or {}
    weight_sums = weight_squares = None
    group_labels = (*group.options, NOT_ANSWERED)
    group_codes = codes[group.key] if group.key in codes else choice_codes(frame, group)
    group_codes = np.where(group_codes < 0, len(group.options), group_codes)
    rows, columns = len(group_labels), len(question.options)
    if question.type == MULTIPLE_CHOICE:
        ticks = frame[question.option_columns()].to_numpy(dtype=bool)
        answered = ticks.any(axis=1)
        counts = np.column_stack([np.bincount(group_codes[ticks[:, option]], minlength=rows)
                                  for option in range(columns)]) if columns else np.zeros((rows, 0), dtype=np.int64)
    else:
        question_codes = codes[question.key] if question.key in codes else choice_codes(frame, question)
        valid = question_codes >= 0
        answered = valid
        cells = group_codes[valid] * columns + question_codes[valid]
        counts = np.bincount(cells, minlength=rows * columns).reshape(rows, columns)
        if weights is not None:
            weight_sums = np.bincount(cells, weights=weights[valid], minlength=rows * columns).reshape(rows, columns)
            weight_squares = np.bincount(cells, weights=weights[valid] ** 2,
                                         minlength=rows * columns).reshape(rows, columns)
    totals = np.bincount(group_codes[answered], minlength=rows)
    testable = np.array([label in group.census_mapping for label in group.options] + [False])
    return CrossTable(question_key=question.key, group_key=group.key, group_labels=group_labels,
                      option_labels=tuple(question.options), counts=counts.astype(np.int64),
                      group_totals=totals.astype(np.int64), testable_groups=testable,
                      weight_sums=weight_sums, weight_squares=weight_squares)


def independence_test(table: CrossTable, *, multiple_choice: bool = False) -> GroupTest:
    if multiple_choice:
        return GroupTest(test=None, statistic=None, degrees_of_freedom=None, p_value=None, cramers_v=None,
                         sparse=False, note="No test: a person can choose several options, so the options are not "
                                            "exclusive.")
    observed = table.counts[table.testable_groups]
    kept_rows, kept_columns = observed.sum(axis=1) > 0, observed.sum(axis=0) > 0
    observed = observed[kept_rows][:, kept_columns]
    if observed.shape[0] < 2 or observed.shape[1] < 2:
        return GroupTest(test=None, statistic=None, degrees_of_freedom=None, p_value=None, cramers_v=None,
                         sparse=False, note="No test: fewer than two groups or two answers with any responses.")
    total = observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total
    if table.weight_sums is not None and table.weight_squares is not None:
        def kept(cells: np.ndarray) -> np.ndarray:
            return cells[table.testable_groups][kept_rows][:, kept_columns]

        return _rao_scott(kept(table.weight_sums), kept(table.weight_squares), observed, expected)
    chi2, p_value, dof, _ = chi2_contingency(observed, correction=False)
    cramers_v = float(np.sqrt(chi2 / (total * (min(observed.shape) - 1))))
    if observed.shape == (2, 2) and np.any(expected < 5):
        _, p_fisher = fisher_exact(observed, alternative="two-sided")
        return GroupTest(test="fisher_exact", statistic=None, degrees_of_freedom=None, p_value=float(p_fisher),
                         cramers_v=cramers_v, sparse=True,
                         note="Fisher's exact test (a 2×2 table with an expected count below 5).")
    sparse = bool(np.mean(expected < 5) > 0.2)
    note = "Chi-square test of independence."
    if sparse:
        note += " More than a fifth of expected counts are below 5: treat the p-value as approximate."
    return GroupTest(test="chi_square", statistic=float(chi2), degrees_of_freedom=int(dof), p_value=float(p_value),
                     cramers_v=cramers_v, sparse=sparse, note=note)


RAO_SCOTT_NOTE = lazy_gettext("Chi-square test of independence on the weighted figures, with Rao and Scott's "
                              "second-order correction for the weighting (the counts in the table are unweighted).")


def _rao_scott(sums: np.ndarray, squares: np.ndarray, observed: np.ndarray, expected: np.ndarray) -> GroupTest:
    """The Rao–Scott test of a weighted table (``analysis.stats.rao_scott``); Cramér's V of the
    weighted proportions."""
    result = rao_scott_test(sums, squares, observed)
    total = observed.sum()
    cramers_v = float(np.sqrt(result.pearson / (total * (min(observed.shape) - 1))))
    sparse = bool(np.mean(expected < 5) > 0.2)
    note = str(RAO_SCOTT_NOTE)
    if sparse:
        note += " " + gettext("More than a fifth of expected counts are below 5: treat the p-value as approximate.")
    return GroupTest(test="rao_scott", statistic=result.statistic,
                     degrees_of_freedom=(observed.shape[0] - 1) * (observed.shape[1] - 1), p_value=result.p_value,
                     cramers_v=cramers_v, sparse=sparse, note=note,
                     corrected_degrees_of_freedom=result.degrees_of_freedom)


def holm_adjust(p_values: Sequence[float], family: int | None = None) -> np.ndarray:
    """Holm's step-down adjusted p-values: sorted ascending, p₍ᵢ₎ × (m − i + 1), made monotone,
    capped at 1; returned in the input order. ``family``: the number of tests m when some are not
    given (withheld): they are placed last, as if their p were 1, which never gives a smaller
    adjusted p than Holm over all m (each given test keeps or improves its rank's multiplier)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size if family is None else max(int(family), p.size)
    if p.size == 0:
        return p
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * (m - np.arange(p.size))))
    result = np.empty(p.size)
    result[order] = adjusted
    return result


WITHHELD_NOTE = "Test not shown: it would reveal hidden figures."


def withhold(test: GroupTest) -> GroupTest:
    """A test on a table with hidden figures, as published: nothing of it. Its statistic (to 3
    decimals), p-value and Cramér's V are functions of the hidden cells and narrow them beyond
    what the audit allows for; even a banded p-value ("p < 0.01") is a non-linear constraint on
    them that the audit cannot check, so it is withheld too. It still counts in Holm's family."""
    if test.p_value is None:
        return test
    return GroupTest(test=None, statistic=None, degrees_of_freedom=None, p_value=None, cramers_v=None, sparse=False,
                     note=WITHHELD_NOTE, withheld=True)


def apply_holm(tests: Sequence[GroupTest], *, level: float = SIGNIFICANCE_LEVEL) -> list[GroupTest]:
    """The tests with ``p_value_holm`` and ``significant`` filled in, across every test given
    (withheld tests count in the family, placed last: see ``holm_adjust``)."""
    indices = [index for index, test in enumerate(tests) if test.p_value is not None]
    family = len(indices) + sum(1 for test in tests if test.withheld)
    adjusted = holm_adjust([tests[index].p_value for index in indices], family)
    result = list(tests)
    for index, p_holm in zip(indices, adjusted):
        result[index] = replace(tests[index], p_value_holm=float(p_holm), significant=bool(p_holm < level))
    return result


def demographic_groups(specs: Sequence[QuestionSpec]) -> list[QuestionSpec]:
    """The About-you questions breakdowns are by (those mapped to a census dimension)."""
    return [spec for spec in specs if spec.about_you]


def is_prefer_not_to_say(label: str) -> bool:
    return label == PREFER_NOT_TO_SAY
