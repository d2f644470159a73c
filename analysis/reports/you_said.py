"""The "You said" report of issue #6 ("We asked, You said, We did"): every statistic in one
frozen value, and the published JSON contract.

``build_you_said(specs, frame, census=…)`` takes the questionnaire (``QuestionSpec`` values),
the responses frame (``analysis.stats.frames``) and optionally census margins, and returns
``YouSaid``. ``YouSaid.to_json_dict()`` is the open-data document (also described in
``docs/report-json.md``). Word clouds are rendered separately (``word_cloud_images``): half a
second each, for the caller to cache.

JSON contract (version 1): the statistics part. ``analysis.reports.build`` adds the officer's
part (``we_asked``, ``responses_by_week``, ``themes``, ``quotes``, ``actions``; ``report`` once
published), and ``docs/report-json.md`` documents the whole document as a published contract.
Keys always present; numbers rounded as stated; lists in questionnaire order (options in option
order, groups in About-you option order):

.. code-block:: text

    {
      "format": "civicpanel-you-said", "version": 1,
      "n_responses": int,
      "by_channel": {"email": int, "focus_group": int, "online": int, "panel_session": int, "paper": int},
                                               # sorted keys, zeros included; any other channel found is added
      "design_effect": float | null,           # Kish, 3 dp; null when unweighted
      "effective_sample_size": float | null,   # 1 dp; null when unweighted
      "disclosure_threshold": int,
      "questions": [                           # closed questions (overall results: never suppressed)
        {"key": str, "text": str, "type": "single_choice" | "multiple_choice" | "likert" | "yes_no_dont_know",
         "n_answered": int,                    # multiple choice: ticked at least one option
         "options": [
           {"label": str, "count": int | null,   # null: a hidden About-you count
            "percent": float | null,           # 0–100, 1 dp, of n_answered; null when n_answered is 0
            "ci_low": float | null, "ci_high": float | null,   # 95% Wilson, 0–100, 1 dp
            "weighted_percent": float | null,  # 1 dp; null when unweighted
            "weighted_ci_low": float | null, "weighted_ci_high": float | null,  # 95% Wilson on the effective n
            "suppressed": bool}],              # true only for hidden About-you counts
         "rounding_note": bool,                # the shown percentages of one answer each do not add to 100
         "weighted_base": null | "answered" | "census_category"}],  # who weighted_percent is of
      "weighting": null | {
         "applied": bool, "converged": bool, "iterations": int, "max_share_error": float,
         "tolerance": float, "max_iterations": int, "notes": [str],
         "weight_cap": float | null, "weights_capped": int, "largest_weight": float | null (3 dp),
         "weighted_withheld": [str],          # questions whose weighted figures would reveal hidden ones
         "dimensions": [{"dimension": str, "question_key": str, "not_given": int,
                         "empty_categories": [str], "census_categories_not_offered": [str],
                         "base": str,          # who the census percentages are of, in words
                         "categories": [{"category": str, "census_percent": float, "respondents": int,
                                         "sample_percent": float | null, "weighted_percent": float | null}]}]},
      "breakdowns": [                          # each closed question × each About-you question
        {"question_key": str, "group_key": str, "dimension": str,
         "test": "chi_square" | "fisher_exact" | "rao_scott" | null, "statistic": float | null (3 dp),
         "degrees_of_freedom": int | null, "p_value": float | null, "p_value_holm": float | null (4 sf),
         "cramers_v": float | null (3 dp), "significant": bool, "sparse": bool, "note": str,
         "withheld": bool,                     # the test would reveal hidden figures: not published
         "rao_scott_degrees_of_freedom": float | null (3 dp),  # ν of a rao_scott test
         "groups": [{"label": str, "n_answered": int | null, "suppressed": bool,
                     "suppression": "hidden" | null,
                     "cells": [{"label": str, "count": int | null, "percent": float | null,
                                "suppressed": bool, "suppression": "hidden" | null,
                                "display": str}]}]}],
      "free_text": [{"key": str, "text": str, "n_comments": int, "n_distinct": int,
                     "top_terms": [{"term": str, "comments": int}], "word_cloud_alt": str}],
      "numbers": [{"key": str, "text": str, "n_answered": int, "median": float | null,
                   "lower_quartile": float | null, "upper_quartile": float | null}],
      "themes": [],                            # filled by analysis.reports.build: officer themes with counts
      "actions": []                            # filled by analysis.reports.build: "We did"
    }

Disclosure (see ``analysis.stats.disclosure.protect_report``): in breakdowns a hidden cell has
``count`` and ``percent`` null, ``suppressed`` true, ``suppression`` ``"hidden"`` and ``display``
"[x] hidden to protect privacy" — one label whatever the reason (under the threshold, or hidden so
that others cannot be worked out), because telling the reasons apart gives each hidden figure a
one-sided range. Versions published before said ``"primary"`` / ``"secondary"``. A group whose
total is hidden has ``n_answered`` null. About-you counts under the threshold are hidden (with a
partner category), and so is their row in every breakdown. A test of independence is withheld
(``withheld`` true, its figures null) when its table has hidden cells in the groups it uses. A
percentage is given only where the cell and its group total are both published. Number
summaries are given only from ``disclosure_threshold`` answers (no minimum or maximum: they are
single people's answers). Folded comments are not in the JSON: quotes are published only when an
officer chooses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats.crosstabs import (
    CrossTable, GroupTest, apply_holm, cross_table, demographic_groups, independence_test, withhold)
from analysis.stats.disclosure import (
    DEFAULT_THRESHOLD, HIDDEN, HIDDEN_TEXT, ReportSuppression, SuppressedTable, percent_shown, protect_report)
from analysis.stats.frames import MULTIPLE_CHOICE, NUMBER, FREE_TEXT, QuestionSpec, answered_mask, choice_codes
from analysis.stats.free_text import FreeTextSummary, summarise_free_text
from analysis.stats.published_tables import BreakdownView, QuestionView
from analysis.stats.proportions import weighted_wilson_interval, wilson_interval
from analysis.stats.rounding import percent_label, round_half_up, rounding_changes_total
from common.raking import DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, effective_sample_size
from analysis.stats.weighted_disclosure import row_weights, unsafe_weighted_questions
from analysis.stats.weighting import WeightingSummary, weight_to_census
from common.i18n import ngettext
from analysis.stats.wordcloud_image import WordCloudImage, alt_text, render_word_cloud

JSON_FORMAT = "civicpanel-you-said"
JSON_VERSION = 1
CHANNELS = ("email", "focus_group", "online", "panel_session", "paper")
"""The channels a report knows, sorted: every one appears in ``by_channel``, zero or not (a
channel found in the responses but not here is added too)."""


@dataclass(frozen=True)
class OptionResult:
    label: str
    count: int | None
    """None when hidden (a small About-you count)."""
    percent: float | None
    """0–100, unrounded; None when nobody answered."""
    ci_low: float | None
    ci_high: float | None
    weighted_percent: float | None
    suppressed: bool = False
    weighted_ci_low: float | None = None
    weighted_ci_high: float | None = None
    """95% Wilson interval of ``weighted_percent`` on the effective sample size of those who answered."""


@dataclass(frozen=True)
class QuestionResult:
    key: str
    text: str
    type: str
    n_answered: int
    options: tuple[OptionResult, ...]
    weighted_base: str | None = None
    """None when unweighted; ``answered`` (everyone who answered) or ``census_category`` (an
    About-you question used for weighting: those who gave a census category, as its margin)."""


@dataclass(frozen=True)
class BreakdownCell:
    label: str
    count: int | None
    """None when hidden."""
    percent: float | None
    suppressed: bool
    display: str
    suppression: str | None = None
    """``"primary"`` (under the threshold), ``"secondary"`` (hidden so that others cannot be
    worked out) or None (published)."""


@dataclass(frozen=True)
class BreakdownGroup:
    label: str
    n_answered: int | None
    suppressed: bool
    cells: tuple[BreakdownCell, ...]
    suppression: str | None = None
    """Why the group's total is hidden, as for a cell."""


@dataclass(frozen=True)
class Breakdown:
    question_key: str
    group_key: str
    dimension: str
    groups: tuple[BreakdownGroup, ...]
    test: GroupTest


@dataclass(frozen=True)
class NumberSummary:
    key: str
    text: str
    n_answered: int
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None


@dataclass(frozen=True)
class YouSaid:
    n_responses: int
    by_channel: Mapping[str, int]
    disclosure_threshold: int
    weighting: WeightingSummary | None
    questions: tuple[QuestionResult, ...]
    breakdowns: tuple[Breakdown, ...]
    free_text: tuple[tuple[QuestionSpec, FreeTextSummary], ...]
    numbers: tuple[NumberSummary, ...]
    still_narrow: tuple = ()
    """Hidden figures the audit could not protect (empty when disclosure control succeeded)."""

    @property
    def design_effect(self) -> float | None:
        return self.weighting.design_effect if self.weighting and self.weighting.applied else None

    @property
    def effective_sample_size(self) -> float | None:
        return self.weighting.effective_sample_size if self.weighting and self.weighting.applied else None

    def _hidden_categories(self) -> dict[str, set[str]]:
        """About-you question key → labels whose count is hidden (the weighting table hides them too)."""
        return {question.key: {option.label for option in question.options if option.suppressed}
                for question in self.questions}

    def to_json_dict(self) -> dict[str, Any]:
        """The published document (see the module docstring): disclosure control applied."""
        return {
            "format": JSON_FORMAT, "version": JSON_VERSION,
            "n_responses": self.n_responses,
            "by_channel": {channel: int(self.by_channel[channel]) for channel in sorted(self.by_channel)},
            "design_effect": _round(self.design_effect, 3),
            "effective_sample_size": _round(self.effective_sample_size, 1),
            "disclosure_threshold": self.disclosure_threshold,
            "questions": [_question_json(question) for question in self.questions],
            "weighting": _weighting_json(self.weighting, self._hidden_categories(), self.disclosure_threshold),
            "breakdowns": [_breakdown_json(breakdown) for breakdown in self.breakdowns],
            "free_text": [{"key": spec.key, "text": spec.text, "n_comments": summary.n_comments,
                           "n_distinct": summary.n_distinct,
                           "top_terms": [{"term": term.term, "comments": term.comments} for term in summary.top_terms],
                           "word_cloud_alt": alt_text(summary.top_terms, summary.n_comments)}
                          for spec, summary in self.free_text],
            "numbers": [{"key": number.key, "text": number.text, "n_answered": number.n_answered,
                         "median": _round(number.median, 2), "lower_quartile": _round(number.lower_quartile, 2),
                         "upper_quartile": _round(number.upper_quartile, 2)} for number in self.numbers],
            "themes": [],
            "actions": [],
        }


# --- Rounding and JSON pieces -------------------------------------------------------------------

def _round(value: float | None, places: int) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round_half_up(float(value), places)


def _significant(value: float | None, figures: int = 4) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return float(f"{float(value):.{figures}g}")


def _question_json(question: QuestionResult) -> dict[str, Any]:
    return {"key": question.key, "text": question.text, "type": question.type, "n_answered": question.n_answered,
            "options": [{"label": option.label, "count": option.count, "percent": _round(option.percent, 1),
                         "ci_low": _round(option.ci_low, 1), "ci_high": _round(option.ci_high, 1),
                         "weighted_percent": _round(option.weighted_percent, 1),
                         "weighted_ci_low": _round(option.weighted_ci_low, 1),
                         "weighted_ci_high": _round(option.weighted_ci_high, 1), "suppressed": option.suppressed}
                        for option in question.options],
            "rounding_note": question.type != MULTIPLE_CHOICE and question.n_answered > 0
            and rounding_changes_total([option.percent for option in question.options], places=1),
            "weighted_base": question.weighted_base}


def _weighting_json(weighting: WeightingSummary | None, hidden: Mapping[str, set[str]],
                    threshold: int) -> dict[str, Any] | None:
    """The weighting summary; respondents and sample shares of a category are null where the
    About-you count behind them is hidden (or under the threshold)."""
    if weighting is None:
        return None

    def shown(question_key: str, row: Any) -> bool:
        return row.category not in hidden.get(question_key, set()) and not 0 < row.respondents < threshold

    return {
        "applied": weighting.applied, "converged": weighting.converged, "iterations": weighting.iterations,
        "max_share_error": _significant(weighting.max_share_error, 3), "tolerance": weighting.tolerance,
        "max_iterations": weighting.max_iterations, "notes": list(weighting.notes),
        "weight_cap": weighting.weight_cap, "weights_capped": weighting.weights_capped,
        "weighted_withheld": list(weighting.weighted_withheld),
        "largest_weight": _round(weighting.largest_weight, 3),
        "dimensions": [{
            "dimension": dimension.dimension, "question_key": dimension.question_key, "not_given": dimension.not_given,
            "empty_categories": list(dimension.empty_categories),
            "census_categories_not_offered": list(dimension.census_categories_not_offered),
            "base": dimension.base,
            "categories": [{"category": row.category, "census_percent": _round(100 * row.census_share, 1),
                            "respondents": row.respondents if shown(dimension.question_key, row) else None,
                            "sample_percent": _round(100 * row.sample_share, 1) if shown(dimension.question_key, row)
                            else None,
                            "weighted_percent": _round(None if row.weighted_share is None else 100 * row.weighted_share, 1)}
                           for row in dimension.rows]} for dimension in weighting.dimensions]}


def _breakdown_json(breakdown: Breakdown) -> dict[str, Any]:
    test = breakdown.test
    return {
        "question_key": breakdown.question_key, "group_key": breakdown.group_key, "dimension": breakdown.dimension,
        "test": test.test, "statistic": _round(test.statistic, 3), "degrees_of_freedom": test.degrees_of_freedom,
        "p_value": _significant(test.p_value), "p_value_holm": _significant(test.p_value_holm),
        "cramers_v": _round(test.cramers_v, 3), "significant": test.significant, "sparse": test.sparse,
        "note": test.note, "withheld": test.withheld,
        "rao_scott_degrees_of_freedom": _round(test.corrected_degrees_of_freedom, 3),
        "groups": [{"label": group.label, "n_answered": group.n_answered, "suppressed": group.suppressed,
                    "suppression": group.suppression,
                    "cells": [{"label": cell.label, "count": cell.count, "percent": _round(cell.percent, 1),
                               "suppressed": cell.suppressed, "suppression": cell.suppression,
                               "display": cell.display} for cell in group.cells]}
                   for group in breakdown.groups]}


# --- Building -----------------------------------------------------------------------------------

def _option_counts(frame: pd.DataFrame, spec: QuestionSpec, weights: np.ndarray | None,
                   codes: np.ndarray | None = None, *, census_base: bool = False,
                   ) -> tuple[int, np.ndarray, np.ndarray | None]:
    """(n answered, count per option, weighted share per option or None), vectorised.
    ``census_base``: weighted shares are of those who gave a census category (an About-you
    question used for weighting: the same base as its weighting margin, so a category gets one
    weighted percentage on the page); "Prefer not to say" then has none."""
    if spec.type == MULTIPLE_CHOICE:
        ticks = frame[spec.option_columns()].to_numpy(dtype=bool)
        answered = ticks.any(axis=1)
        counts = ticks.sum(axis=0)
        shares = None
        if weights is not None:
            total = weights[answered].sum()
            shares = (weights @ ticks) / total if total > 0 else np.full(len(spec.options), np.nan)
        return int(answered.sum()), counts.astype(np.int64), shares
    codes = choice_codes(frame, spec) if codes is None else codes
    valid = codes >= 0
    counts = np.bincount(codes[valid], minlength=len(spec.options))
    shares = None
    if weights is not None:
        weighted = np.bincount(codes[valid], weights=weights[valid], minlength=len(spec.options))
        if census_base:
            weighted[[label not in spec.census_mapping for label in spec.options]] = np.nan
        total = np.nansum(weighted)
        shares = weighted / total if total > 0 else np.full(len(spec.options), np.nan)
    return int(valid.sum()), counts.astype(np.int64), shares


def _percent_or_none(share: float) -> float | None:
    return 100.0 * float(share) if np.isfinite(share) else None


def question_result(frame: pd.DataFrame, spec: QuestionSpec, weights: np.ndarray | None = None, *,
                    codes: np.ndarray | None = None, census_base: bool = False) -> QuestionResult:
    """Overall result of one closed question: always published (no suppression). ``census_base``:
    see ``_option_counts``."""
    census_base = census_base and weights is not None and spec.type != MULTIPLE_CHOICE
    n_answered, counts, shares = _option_counts(frame, spec, weights, codes, census_base=census_base)
    low, high = wilson_interval(counts, n_answered) if n_answered else (np.full(len(counts), np.nan),) * 2
    weighted_low = weighted_high = np.full(len(counts), np.nan)
    if shares is not None and n_answered:
        answered = answered_mask(frame, spec) if spec.type == MULTIPLE_CHOICE else (
            (choice_codes(frame, spec) if codes is None else codes) >= 0)
        if census_base:
            mapped = np.array([label in spec.census_mapping for label in spec.options] + [False])
            answered = answered & mapped[choice_codes(frame, spec) if codes is None else codes]
        answerers = weights[answered]
        weighted_low, weighted_high = weighted_wilson_interval(shares, effective_sample_size(answerers))
    options = []
    for index, label in enumerate(spec.options):
        percent = 100.0 * counts[index] / n_answered if n_answered else None
        options.append(OptionResult(
            label=label, count=int(counts[index]), percent=percent,
            ci_low=None if not n_answered else 100.0 * float(low[index]),
            ci_high=None if not n_answered else 100.0 * float(high[index]),
            weighted_percent=None if shares is None or not np.isfinite(shares[index]) else 100.0 * float(shares[index]),
            weighted_ci_low=_percent_or_none(weighted_low[index]),
            weighted_ci_high=_percent_or_none(weighted_high[index])))
    return QuestionResult(key=spec.key, text=spec.text, type=spec.type, n_answered=n_answered, options=tuple(options),
                          weighted_base=None if weights is None else ("census_category" if census_base else "answered"))


def _breakdown(table: CrossTable, suppressed: SuppressedTable, group: QuestionSpec, multiple: bool) -> Breakdown:
    """One cross-table as published: every hidden figure labelled alike (``HIDDEN``)."""
    shown = percent_shown(suppressed)
    groups = []
    for row, label in enumerate(table.group_labels):
        total = int(table.group_totals[row])
        cells = []
        for column, option in enumerate(table.option_labels):
            count = int(table.counts[row, column])
            if suppressed.cell_hidden[row, column]:
                cells.append(BreakdownCell(label=option, count=None, percent=None, suppressed=True,
                                           display=HIDDEN_TEXT, suppression=HIDDEN))
                continue
            percent = 100.0 * count / total if shown[row, column] and total else None
            display = f"{count} ({percent_label(percent)})" if percent is not None else str(count)
            cells.append(BreakdownCell(label=option, count=count, percent=percent, suppressed=False, display=display))
        hidden_total = bool(suppressed.row_total_hidden[row])
        groups.append(BreakdownGroup(label=label, n_answered=None if hidden_total else total, suppressed=hidden_total,
                                     cells=tuple(cells), suppression=HIDDEN if hidden_total else None))
    test = independence_test(table, multiple_choice=multiple)
    if suppressed.cell_hidden[table.testable_groups].any():
        test = withhold(test)
    return Breakdown(question_key=table.question_key, group_key=group.key, dimension=group.census_dimension or "",
                     groups=tuple(groups), test=test)


def _suppress(n_responses: int, closed: Sequence[QuestionSpec], questions: Sequence[QuestionResult],
              tables: Sequence[CrossTable], threshold: int, earlier: Sequence[Mapping[str, Any]]) -> ReportSuppression:
    group_keys = {table.group_key for table in tables}
    views = [QuestionView(key=result.key, multiple=spec.type == MULTIPLE_CHOICE,
                          counts=np.array([option.count for option in result.options], dtype=float),
                          hidden=np.zeros(len(result.options), dtype=bool), n_answered=result.n_answered,
                          about_you=spec.about_you and spec.key in group_keys)
             for spec, result in zip(closed, questions)]
    return protect_report(n_responses=n_responses, questions=views, threshold=threshold, earlier=list(earlier), tables=[
        BreakdownView(question_key=table.question_key, group_key=table.group_key, counts=table.counts.astype(float),
                      cell_hidden=np.zeros(table.counts.shape, dtype=bool), totals=table.group_totals.astype(float),
                      total_hidden=np.zeros(len(table.group_totals), dtype=bool)) for table in tables])


def _protect_weighted(frame: pd.DataFrame, closed: Sequence[QuestionSpec], questions: Sequence[QuestionResult],
                      tables: Sequence[CrossTable], suppression: ReportSuppression, weights: np.ndarray,
                      weighting: WeightingSummary, threshold: int, codes: Mapping[str, np.ndarray],
                      ) -> tuple[tuple[QuestionResult, ...], WeightingSummary]:
    """Weighted percentages (and their intervals) withheld where they would let a hidden figure be
    worked out (``analysis.stats.weighted_disclosure``); the notes say how many."""
    group_keys = {table.group_key for table in tables}
    views = [QuestionView(key=result.key, multiple=spec.type == MULTIPLE_CHOICE,
                          counts=np.array([option.count if option.count is not None else original
                                           for option, original in zip(result.options, _true_counts(frame, spec, codes))],
                                          dtype=float),
                          hidden=suppression.options_hidden.get(result.key, np.zeros(len(result.options), dtype=bool)),
                          n_answered=result.n_answered, about_you=spec.about_you and spec.key in group_keys)
             for spec, result in zip(closed, questions)]
    specs = {spec.key: spec for spec in closed}
    table_views, table_weights = [], []
    answered_by_key: dict[str, np.ndarray] = {}
    for table, suppressed in zip(tables, suppression.tables):
        table_views.append(BreakdownView(question_key=table.question_key, group_key=table.group_key,
                                         counts=table.counts.astype(float), cell_hidden=suppressed.cell_hidden,
                                         totals=table.group_totals.astype(float),
                                         total_hidden=suppressed.row_total_hidden))
        group_codes = codes.get(table.group_key)
        if group_codes is None:
            group_codes = choice_codes(frame, specs[table.group_key])
        answered = answered_by_key.get(table.question_key)
        if answered is None:  # one question meets every About-you group: its mask once
            answered = answered_by_key[table.question_key] = answered_mask(frame, specs[table.question_key])
        table_weights.append(row_weights(weights[answered], group_codes[answered], len(table.group_labels)))
    percents = {question.key: [_round(option.weighted_percent, 1) for option in question.options]
                for question in questions if question.weighted_base is not None}
    unsafe = unsafe_weighted_questions(
        n_responses=len(frame), threshold=threshold, questions=views, tables=table_views, weighted_percents=percents,
        table_row_weights=table_weights,
        census_based=frozenset(q.key for q in questions if q.weighted_base == "census_category"))
    if not unsafe:
        return tuple(questions), weighting
    protected = tuple(replace(question, options=tuple(replace(option, weighted_percent=None, weighted_ci_low=None,
                                                              weighted_ci_high=None) for option in question.options),
                              weighted_base=None)
                      if question.key in unsafe else question for question in questions)
    note = ngettext("Weighted percentages are not shown for %(num)d question whose tables by group hide figures: "
                    "together with the other published figures they would let the hidden figures be worked out.",
                    "Weighted percentages are not shown for %(num)d questions whose tables by group hide figures: "
                    "together with the other published figures they would let the hidden figures be worked out.",
                    len(unsafe))
    return protected, replace(weighting, notes=(*weighting.notes, note), weighted_withheld=tuple(
        question.key for question in questions if question.key in unsafe))


def _true_counts(frame: pd.DataFrame, spec: QuestionSpec, codes: Mapping[str, np.ndarray]) -> np.ndarray:
    """Every option's true count (hidden ones included), for the audit."""
    return _option_counts(frame, spec, None, codes.get(spec.key))[1]


def _hide_options(question: QuestionResult, hidden: np.ndarray | None) -> QuestionResult:
    """An About-you result with its small counts hidden (count, percentages and intervals)."""
    if hidden is None or not hidden.any():
        return question
    options = tuple(OptionResult(label=option.label, count=None, percent=None, ci_low=None, ci_high=None,
                                 weighted_percent=None, suppressed=True) if flag else option
                    for option, flag in zip(question.options, hidden))
    return replace(question, options=options)


def _number_summary(frame: pd.DataFrame, spec: QuestionSpec, threshold: int) -> NumberSummary:
    values = frame[spec.key].dropna().to_numpy(dtype=float)
    if values.size < max(threshold, 1):
        return NumberSummary(key=spec.key, text=spec.text, n_answered=int(values.size), median=None,
                             lower_quartile=None, upper_quartile=None)
    lower, median, upper = np.quantile(values, [0.25, 0.5, 0.75])
    return NumberSummary(key=spec.key, text=spec.text, n_answered=int(values.size), median=float(median),
                         lower_quartile=float(lower), upper_quartile=float(upper))


def build_you_said(specs: Sequence[QuestionSpec], frame: pd.DataFrame, *,
                   census: Mapping[str, Mapping[str, int]] | None = None,
                   disclosure_threshold: int = DEFAULT_THRESHOLD, tolerance: float = DEFAULT_TOLERANCE,
                   max_iterations: int = DEFAULT_MAX_ITERATIONS, term_limit: int = 30,
                   earlier: Sequence[Mapping[str, Any]] = ()) -> YouSaid:
    """Every statistic of the report. ``census`` is ``dimension → {category: count}``
    (``analysis.stats.weighting.census_counts_from_csv``); without it, or without About-you questions
    mapped to it, the report is unweighted. ``earlier``: the report's published documents, oldest
    first — disclosure control is audited across them too."""
    weights, weighting = (None, None)
    if census:
        weights, weighting = weight_to_census(frame, specs, census, tolerance=tolerance, max_iterations=max_iterations)
    channel_counts = frame["channel"].value_counts() if "channel" in frame.columns else pd.Series(dtype=int)
    by_channel = {channel: int(channel_counts.get(channel, 0)) for channel in CHANNELS}
    for channel, count in channel_counts.items():  # a channel the surveys module adds later still counts
        by_channel.setdefault(str(channel), int(count))
    closed = [spec for spec in specs if spec.closed]
    codes = {spec.key: choice_codes(frame, spec) for spec in closed if spec.type != MULTIPLE_CHOICE}
    weighted_keys = {dimension.question_key for dimension in weighting.dimensions} if weighting else set()
    questions = tuple(question_result(frame, spec, weights, codes=codes.get(spec.key),
                                      census_base=spec.key in weighted_keys) for spec in closed)
    groups = demographic_groups(specs)
    pairs = [(spec, group) for spec in closed if not spec.about_you for group in groups]
    tables = [cross_table(frame, spec, group, codes=codes, weights=weights) for spec, group in pairs]
    suppression = _suppress(len(frame), closed, questions, tables, disclosure_threshold, earlier)
    questions = tuple(_hide_options(question, suppression.options_hidden.get(question.key)) for question in questions)
    if weights is not None:
        questions, weighting = _protect_weighted(frame, closed, questions, tables, suppression, weights, weighting,
                                                 disclosure_threshold, codes)
    pending = [_breakdown(table, suppressed, group, spec.type == MULTIPLE_CHOICE)
               for (spec, group), table, suppressed in zip(pairs, tables, suppression.tables)]
    tests = apply_holm([breakdown.test for breakdown in pending])
    breakdowns = tuple(Breakdown(question_key=b.question_key, group_key=b.group_key, dimension=b.dimension,
                                 groups=b.groups, test=test) for b, test in zip(pending, tests))
    free_text = tuple((spec, summarise_free_text(spec.key, frame[spec.key].dropna().tolist(), term_limit=term_limit))
                      for spec in specs if spec.type == FREE_TEXT)
    numbers = tuple(_number_summary(frame, spec, disclosure_threshold) for spec in specs if spec.type == NUMBER)
    return YouSaid(n_responses=len(frame), by_channel=by_channel, disclosure_threshold=disclosure_threshold,
                   weighting=weighting, questions=questions, breakdowns=breakdowns, free_text=free_text,
                   numbers=numbers, still_narrow=suppression.still_narrow)


def word_cloud_images(report: YouSaid) -> dict[str, WordCloudImage]:
    """question key → PNG and alt text, for each free-text question with terms (slow: cache)."""
    images = {}
    for spec, summary in report.free_text:
        image = render_word_cloud(summary.top_terms, summary.n_comments)
        if image is not None:
            images[spec.key] = image
    return images
