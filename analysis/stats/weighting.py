"""Weighting respondents to the borough: census margins for the About-you questions, raking,
and the plain-English account of who was under-represented.

Margins come as a mapping ``dimension → {census category: population count}`` — from a census
CSV through ``census_counts_from_csv`` (which uses the panels package's checked loader) or from
anywhere else. Each dimension is read through the one census → About-you mapping
(``panels.census_mapping``, the same one panel quotas use), so 2011 and 2021 files give margins in
the categories respondents were asked; the margin is restricted to the categories the question
offers (an adult questionnaire's age bands drop ``0-15``, and ``16-17`` when it is not offered),
tenure is per person where the file has the ``persons:`` family and per household otherwise, and
every margin carries its base in words (``DimensionWeighting.base``). Where the file gives a
dimension for adults too (``sex@16+``, ``sex@18+``), that margin is used: the one starting at the
questionnaire's youngest age band (16 unless its age question starts at 18), else the other. Census categories About you
does not offer are listed and named in the base, not silently kept.

How gaps are handled (and said):

* "Prefer not to say" or no answer: the respondent keeps weight 1 on that dimension
  (``common.raking``), so the dimension is fitted among those who answered it; the count of
  such respondents is reported per dimension.
* An answer respondents chose that has no census category: weights are *not applied* and the
  notes name the answer (it is never silently left on weight 1).
* A census category that nobody chose cannot be fitted: it is dropped from that margin (the
  other shares renormalised) and reported in ``empty_categories`` and the notes.
* Raking that has not converged after ``max_iterations``: weights are *not applied* (no weighted
  percentages, design effect or effective sample size) and the notes say so.
* A category respondents chose whose census population is 0 cannot be represented by any
  weights (raking would give those respondents weight 0): weights are *not applied* and the notes
  name the category and question, so the census file or the mapping can be corrected.
* A question everyone skipped or preferred not to say cannot be fitted: it is left out of the
  weighting and the notes say so.
* Weights so uneven that the effective sample size (Kish) falls below
  ``MIN_EFFECTIVE_SAMPLE_SIZE``: weights are *not applied* — the weighted figures would rest on
  too few answers' worth of information — and the notes say so.

* Extreme weights: weights above ``WEIGHT_CAP`` × the mean are trimmed to it and the raking is
  repeated (``rake(..., cap=…)``), so the margins still match; the notes state the cap and how
  many weights it reduced. When no trimmed weighting can match the margins (one dimension that
  needs larger weights) the untrimmed weights are used and the notes say so.

When weights are applied the notes say, in plain words, what weighting assumes: that within the
groups weighted for, whether someone responded does not depend on their views.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.frames import QuestionSpec, choice_codes
from common.raking import (DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, RakingResult,
                                   effective_sample_size, kish_design_effect, rake)
from analysis.stats.rounding import round_half_up, share_label
from common.i18n import gettext, lazy_gettext
from panels.census_mapping import CensusMappingError, about_you_margin, pick_dimension

PREFER_NOT_TO_SAY = "Prefer not to say"

UNDER_REPRESENTED_RATIO = 0.8
"""A group is called under-represented when its share of respondents (who gave an answer on
that dimension) is below 0.8 × its census share — the ratio a "four-fifths" rule uses."""
DIMENSION_LABELS = {"sex": lazy_gettext("sex"), "age_band": lazy_gettext("age band"),
                    "ethnicity": lazy_gettext("ethnic group"), "ethnicity_detailed": lazy_gettext("ethnic group"),
                    "disability": lazy_gettext("disability"), "tenure": lazy_gettext("housing tenure"),
                    "economic_activity": lazy_gettext("economic activity")}
WEIGHT_CAP = 5.0
"""Weights are trimmed to at most this many times the mean weight (1), and the raking repeated so
the margins still match: one respondent cannot stand for more than five. The report's method
annex states the cap and how many weights it reduced."""
MIN_EFFECTIVE_SAMPLE_SIZE = 30
"""Weights are not applied when they leave an effective sample size (Kish) below this: weighted
percentages resting on fewer than 30 answers' worth of information are too unstable to publish."""


def census_counts_from_csv(text: str) -> dict[str, dict[str, int]]:
    """``dimension → {category: count}`` from a census CSV (``dimension,category,count,source``),
    checked by ``panels.census.parse_census`` (errors name the row and column). Population base
    rows are left out: they are not a partition."""
    from panels.census import parse_census

    census = parse_census(text)
    counts: dict[str, dict[str, int]] = {}
    for row in census.rows:
        if row.dimension != "population":
            counts.setdefault(row.dimension, {})[row.category] = row.count
    return counts


@dataclass(frozen=True)
class MarginRow:
    category: str
    census_share: float
    respondents: int
    sample_share: float
    """Share of those who gave a category on this dimension (NaN when nobody did)."""
    weighted_share: float | None
    """After raking (None when weights were not applied)."""


@dataclass(frozen=True)
class DimensionWeighting:
    dimension: str
    question_key: str
    rows: tuple[MarginRow, ...]
    not_given: int
    """Respondents who preferred not to say or did not answer: weight 1 on this dimension."""
    empty_categories: tuple[str, ...]
    """Census categories offered but chosen by nobody: dropped from the margin."""
    census_categories_not_offered: tuple[str, ...]
    """Census categories of the dimension that no option maps to (e.g. ``0-15``)."""
    base: str = ""
    """Who the census shares are of, in words (``panels.census_mapping.Margin.base``)."""


@dataclass(frozen=True)
class WeightingSummary:
    applied: bool
    """True when the weighted percentages in the report use these weights."""
    converged: bool
    iterations: int
    max_share_error: float
    tolerance: float
    max_iterations: int
    design_effect: float | None
    effective_sample_size: float | None
    dimensions: tuple[DimensionWeighting, ...]
    notes: tuple[str, ...]
    """Plain English: how gaps were handled, who was under-represented, anything not fitted."""
    weight_cap: float | None = None
    """The cap on weights (× the mean weight); None when no raking was run."""
    weights_capped: int = 0
    """Respondents whose weight the cap reduced (0 when no weight went above it)."""
    largest_weight: float | None = None
    """The largest weight used (mean 1); None when weights are not applied."""
    weighted_withheld: tuple[str, ...] = ()
    """Questions whose weighted percentages are not published: they would let hidden figures be
    worked out (set by the report, ``analysis.stats.weighted_disclosure``)."""


def _tenure_family(dimension: str, counts: Mapping[str, int]) -> str:
    """Respondents are people: tenure is weighted per person where the census file has the
    ``persons:`` family (Camden 2011), otherwise per household, and the base says which."""
    if dimension == "tenure" and any(category.startswith("persons:") for category in counts):
        return "persons"
    return "households"


def weight_to_census(frame: pd.DataFrame, specs: Sequence[QuestionSpec],
                     census: Mapping[str, Mapping[str, int]], *, tolerance: float = DEFAULT_TOLERANCE,
                     max_iterations: int = DEFAULT_MAX_ITERATIONS,
                     min_effective_sample_size: float = MIN_EFFECTIVE_SAMPLE_SIZE,
                     weight_cap: float | None = WEIGHT_CAP,
                     ) -> tuple[np.ndarray | None, WeightingSummary | None]:
    """Rake the respondents to the margins of every About-you question whose dimension the
    census has. Returns ``(weights or None, summary or None)``: both None when no question can
    be weighted (the report is then unweighted)."""
    codes: list[np.ndarray] = []
    shares: list[np.ndarray] = []
    partial: list[tuple[QuestionSpec, list[str], list[str], np.ndarray, int, tuple[str, ...], tuple[str, ...]]] = []
    notes: list[str] = []
    used_dimensions: set[str] = set()
    refused: list[str] = []
    # Respondents' youngest age: 16 unless the age question starts at 18 (adult margins are chosen by it).
    ages = [spec for spec in specs if spec.about_you and spec.census_dimension == "age_band"]
    youngest = "18" if ages and "16-17" not in ages[0].census_mapping.values() else "16"
    for spec in specs:
        if not spec.about_you:
            continue
        source = pick_dimension(census, spec.census_dimension, youngest=youngest)
        if source is None:
            notes.append(gettext("The census has no ‘%(dimension)s’ figures: ‘%(question)s’ is not used for weighting.",
                                 dimension=spec.census_dimension, question=spec.text))
            continue
        if spec.census_dimension in used_dimensions:
            notes.append(gettext("‘%(question)s’ repeats the census dimension ‘%(dimension)s’ of an earlier question: "
                                 "only the first is used for weighting.", question=spec.text,
                                 dimension=spec.census_dimension))
            continue
        dimension_counts = census[source]
        asked = [category for category in dict.fromkeys(spec.census_mapping.values()) if category]
        try:
            margin = about_you_margin(source, dimension_counts, offered=asked,
                                      family=_tenure_family(spec.census_dimension, dimension_counts))
        except CensusMappingError as error:
            refused.append(gettext("The census file cannot be used for ‘%(question)s’: %(problem)s. Weighting is "
                                   "not applied.", question=spec.text, problem=str(error)))
            continue
        category_of_option = {label: (category if category in margin.counts else None)
                              for label, category in spec.census_mapping.items()}
        option_codes = choice_codes(frame, spec)
        chosen = np.bincount(option_codes[option_codes >= 0], minlength=len(spec.options))
        unmatched = [label for label in spec.options
                     if label not in spec.census_mapping and label != PREFER_NOT_TO_SAY
                     or label in category_of_option and category_of_option[label] is None]
        for label in unmatched:
            people = int(chosen[spec.options.index(label)])
            if people:
                refused.append(gettext("The answer ‘%(answer)s’ to ‘%(question)s’ has no category in the census "
                                       "file, yet %(count)d respondents chose it: weights cannot place them, so "
                                       "weighting is not applied. Give the census file that category (or map the "
                                       "answer to one).", answer=label, question=spec.text, count=people))
            else:
                notes.append(gettext("The answer ‘%(answer)s’ to ‘%(question)s’ has no category in the census file; "
                                     "nobody chose it.", answer=label, question=spec.text))
        categories = list(dict.fromkeys(category for category in category_of_option.values() if category))
        if not categories:
            continue
        used_dimensions.add(spec.census_dimension)
        option_to_category = np.array([categories.index(category_of_option[label])
                                       if category_of_option.get(label) else -1 for label in spec.options] + [-1])
        respondent_codes = option_to_category[option_codes]  # -1 (no answer) indexes the trailing -1
        counts = np.bincount(respondent_codes[respondent_codes >= 0], minlength=len(categories))
        empty = tuple(category for category, count in zip(categories, counts) if count == 0)
        not_offered = tuple(margin.left_out)
        dimension_counts = margin.counts
        all_population = np.array([dimension_counts[category] for category in categories], dtype=float)
        kept = [index for index, count in enumerate(counts) if count > 0]
        remap = np.full(len(categories) + 1, -1)
        remap[kept] = np.arange(len(kept))
        fitted_codes = remap[respondent_codes]
        if not kept:
            notes.append(gettext("Nobody who answered ‘%(question)s’ gave an answer with a census category (all "
                                 "preferred not to say or skipped it): it is not used for weighting.",
                                 question=spec.text))
            continue
        population = np.array([dimension_counts[categories[index]] for index in kept], dtype=float)
        for index, people in zip(kept, population):
            if people <= 0:
                refused.append(gettext("The census gives no residents in %(category)s (%(dimension)s), yet "
                                       "%(count)d respondents chose it in ‘%(question)s’: weights cannot represent "
                                       "them, so weighting is not applied. Check the census file and the census "
                                       "categories of this question.", category=categories[index],
                                       dimension=spec.census_dimension, count=int(counts[index]),
                                       question=spec.text))
        if population.sum() <= 0:
            continue
        codes.append(fitted_codes)
        shares.append(population / population.sum())
        partial.append((spec, categories, [categories[index] for index in kept], counts,
                        int((respondent_codes < 0).sum()), empty, not_offered,
                        all_population / all_population.sum(), margin.base()))
    if not codes and not refused:
        return None, None
    if refused:
        result = RakingResult(weights=np.ones(len(frame)), converged=False, iterations=0,
                              max_share_error=float("nan"))
    else:
        result = rake(codes, shares, tolerance=tolerance, max_iterations=max_iterations)
    capped = 0
    cap_note = ""
    if result.converged and weight_cap is not None and result.weights.max() > weight_cap:
        trimmed = rake(codes, shares, tolerance=tolerance, max_iterations=max_iterations, cap=weight_cap)
        if trimmed.converged:
            capped = int(np.sum(result.weights > weight_cap * (1 + 1e-9)))
            result = trimmed
            cap_note = gettext("Weights were capped at %(cap)s times the average weight, so that nobody's answers "
                               "count for more than %(cap)s people's; %(count)d respondents' weights were reduced "
                               "to the cap and the raking was repeated, so the weighted groups still match the "
                               "census.", cap=format(weight_cap, "g"), count=capped)
        else:
            cap_note = gettext("Weights could not be capped at %(cap)s times the average while matching the census "
                               "(the largest is %(largest)s): they are used uncapped.", cap=format(weight_cap, "g"),
                               largest=format(round_half_up(float(result.weights.max()), 1), "g"))
    elif result.converged and weight_cap is not None:
        cap_note = gettext("No weight was above the cap of %(cap)s times the average weight.",
                           cap=format(weight_cap, "g"))
    effective = effective_sample_size(result.weights) if result.converged else float("nan")
    too_few = result.converged and effective < min_effective_sample_size
    applied = result.converged and not too_few
    weights = result.weights
    dimensions = []
    notes.insert(0, gettext("People who preferred not to say (or skipped) an About-you question keep weight 1 on "
                            "that question: each census margin is matched among those who answered it."))
    if applied:
        notes.insert(0, gettext("Weighting assumes that, within the groups it adjusts for, the people who responded "
                                "hold the same views as those who did not: that whether someone responded depends "
                                "only on the characteristics weighted for. If it also depends on their views, the "
                                "weighted figures are still biased."))
    under: list[str] = []
    for (spec, categories, kept_categories, counts, not_given, empty, not_offered, census_shares, base), fitted_codes \
            in zip(partial, codes):
        given = fitted_codes >= 0
        answered = counts.sum()
        weighted = np.bincount(fitted_codes[given], weights=weights[given], minlength=len(kept_categories))
        weighted_share = weighted / weighted.sum() if weighted.sum() > 0 else weighted
        rows = []
        for category, count, census_share in zip(categories, counts, census_shares.tolist()):
            position = kept_categories.index(category) if category in kept_categories else None
            sample_share = float(count / answered) if answered else float("nan")
            rows.append(MarginRow(category=category, census_share=census_share, respondents=int(count),
                                  sample_share=sample_share,
                                  weighted_share=(float(weighted_share[position]) if applied and position is not None
                                                  else (0.0 if applied else None))))
            if count > 0 and sample_share < UNDER_REPRESENTED_RATIO * census_share:
                label = DIMENSION_LABELS.get(spec.census_dimension, spec.census_dimension)
                under.append(gettext("%(category)s (%(dimension)s): %(sample)s of respondents who answered, against "
                                     "%(census)s of residents.", category=category, dimension=label,
                                     sample=share_label(sample_share), census=share_label(census_share)))
        for category in empty:
            notes.append(gettext("Nobody who answered ‘%(question)s’ chose %(category)s: that census group could not "
                                 "be weighted and was left out of the margin (the other groups' shares were rescaled).",
                                 question=spec.text, category=category))
        notes.append(gettext("The census shares for ‘%(question)s’ are of %(base)s.", question=spec.text, base=base))
        dimensions.append(DimensionWeighting(dimension=spec.census_dimension, question_key=spec.key, rows=tuple(rows),
                                             not_given=not_given, empty_categories=empty,
                                             census_categories_not_offered=not_offered, base=base))
    if under:
        # "Weighted up" only when the weights are used: unconverged raking is not applied.
        groups = " ".join(under)
        notes.append(gettext("Under-represented groups (weighted up): %(groups)s", groups=groups) if applied else
                     gettext("Under-represented groups (not weighted up, because the weighting is not applied): "
                             "%(groups)s", groups=groups))
    else:
        notes.append(gettext("No group was under-represented by more than a fifth of its census share."))
    notes.extend(refused)
    if cap_note and applied:
        notes.append(cap_note)
    if too_few:
        notes.append(gettext("The weights vary so much that the weighted results would be worth only %(effective)s "
                             "equally weighted answers (the effective sample size), fewer than %(minimum)s: weighted "
                             "results are not shown.", effective=format(round_half_up(effective), ".0f"),
                             minimum=format(min_effective_sample_size, "g")))
    if not result.converged and not refused:
        notes.append(gettext("Raking did not converge after %(iterations)d iterations (largest margin error "
                             "%(error)s): weighted results are not shown.", iterations=result.iterations,
                             error=format(result.max_share_error, ".2g")))
    summary = WeightingSummary(
        applied=applied, converged=result.converged, iterations=result.iterations,
        max_share_error=result.max_share_error, tolerance=tolerance, max_iterations=max_iterations,
        design_effect=kish_design_effect(weights) if applied else None,
        effective_sample_size=effective_sample_size(weights) if applied else None,
        dimensions=tuple(dimensions), notes=tuple(notes),
        weight_cap=weight_cap if codes and not refused else None, weights_capped=capped if applied else 0,
        largest_weight=float(weights.max()) if applied and len(weights) else None)
    return (weights if applied else None), summary
