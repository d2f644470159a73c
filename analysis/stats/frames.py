"""The responses frame every statistic in ``analysis`` reads, and adapters that build it.

A questionnaire is described by ``QuestionSpec`` values (plain data, no database). Responses are
one ``pandas.DataFrame`` with one row per response:

=====================  ==========================================================================
column                 holds
=====================  ==========================================================================
``reference``          the response's reference (string)
``channel``            ``online``, ``paper``, ``email``, ``focus_group`` or ``panel_session`` (string)
``submitted_at``       a time zone aware timestamp (may be NaT)
``<key>``              single choice, Likert, yes/no/don't know: the option label, or NA when not
                       answered. "Prefer not to say" is an ordinary label.
``<key>: <label>``     multiple choice: one boolean column per option (True = ticked) — the same
                       column names as the shared responses CSV (``surveys.response_csv``). A
                       response "answered" the question when it ticked at least one option.
``<key>``              free text: the text, or NA; number: a float, or NA
=====================  ==========================================================================

A grid (several statements on one agree–disagree scale) is pooled as one Likert question per
statement, keyed ``<key>: <statement>`` (its CSV column). A ranking gives a single-choice question
``<key>`` holding each response's first preference (first-preference counts), and one number
question per option, ``<key>: <option>``, holding the rank given (so reports show the mean rank).
Dates are not summarised.

Question types use the names of issue #6 (``single_choice``, ``multiple_choice``, ``likert``,
``yes_no_dont_know``, ``free_text``, ``number``); the surveys module's short kinds (``single``,
``multiple``, ``likert``, ``yes_no``, ``text``, ``number``) are accepted and translated.

Adapters: ``specs_from_questionnaire`` (a ``surveys.questionnaire.Questionnaire``),
``frame_from_records`` (``surveys.response_csv.ResponseRecord`` values, as
``surveys.responses.response_records`` returns them) and ``frame_from_response_csv`` (the text of
the shared responses CSV). All of them are pure; none touches the database.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from common.formulas import unguard_cell
from common.i18n import gettext

SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
LIKERT = "likert"
YES_NO_DONT_KNOW = "yes_no_dont_know"
FREE_TEXT = "free_text"
NUMBER = "number"
CLOSED_TYPES = (SINGLE_CHOICE, MULTIPLE_CHOICE, LIKERT, YES_NO_DONT_KNOW)
QUESTION_TYPES = (*CLOSED_TYPES, FREE_TEXT, NUMBER)
SURVEYS_KINDS = {"single": SINGLE_CHOICE, "multiple": MULTIPLE_CHOICE, "likert": LIKERT,
                 "yes_no": YES_NO_DONT_KNOW, "text": FREE_TEXT, "number": NUMBER}
LIKERT_LABELS = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree")
YES_NO_LABELS = ("Yes", "No", "Don't know")
PREFER_NOT_TO_SAY = "Prefer not to say"
FILE_SENT = "File sent"
"""The one answer a file-upload question counts as: a file came with the response."""
FIXED_COLUMNS = ("reference", "channel", "submitted_at")
MULTIPLE_SEPARATOR = ": "


@dataclass(frozen=True)
class QuestionSpec:
    """One question as the analysis needs it."""

    key: str
    text: str
    type: str
    options: tuple[str, ...] = ()
    """Labels in questionnaire order (Likert and yes/no get their fixed labels when empty)."""
    census_dimension: str | None = None
    """For an About-you question: the census dimension (``sex``, ``age_band``, …)."""
    census_mapping: Mapping[str, str] = field(default_factory=dict)
    """Option label → census category. Options absent from it (such as "Prefer not to say")
    are not mapped: those respondents keep weight 1 on this dimension."""
    derived_from: str = ""
    """For a question derived from a grid or ranking: ``grid``, ``rank`` (the rank of ``part``)
    or ``first`` (the first preference), read from the answer to ``parent``; ``file``: whether a
    file came with the response."""
    parent: str = ""
    part: str = ""

    def __post_init__(self) -> None:
        kind = SURVEYS_KINDS.get(self.type, self.type)
        if kind not in QUESTION_TYPES:
            raise ValueError(f"{self.key}: unknown question type {self.type!r}")
        object.__setattr__(self, "type", kind)
        options = tuple(self.options)
        if not options and kind == LIKERT:
            options = LIKERT_LABELS
        elif not options and kind == YES_NO_DONT_KNOW:
            options = YES_NO_LABELS
        object.__setattr__(self, "options", options)
        object.__setattr__(self, "census_mapping", dict(self.census_mapping))
        unknown = set(self.census_mapping) - set(options)
        if unknown:
            raise ValueError(f"{self.key}: census mapping names labels that are not options: {sorted(unknown)}")

    @property
    def closed(self) -> bool:
        return self.type in CLOSED_TYPES

    @property
    def about_you(self) -> bool:
        return bool(self.census_dimension) and bool(self.census_mapping)

    def option_columns(self) -> list[str]:
        """Multiple choice: the boolean column of each option; otherwise the one ``key`` column."""
        if self.type == MULTIPLE_CHOICE:
            return [option_column(self.key, label) for label in self.options]
        return [self.key]


def option_column(key: str, label: str) -> str:
    return f"{key}{MULTIPLE_SEPARATOR}{label}"


def specs_from_questionnaire(questionnaire: Any) -> list[QuestionSpec]:
    """Specs from a ``surveys.questionnaire.Questionnaire``. An About-you question maps each
    option to the census category of the same name (the surveys module spells options as the
    census does); "Prefer not to say" stays unmapped."""
    specs = []
    for question in questionnaire.questions():
        if question.kind == "date":
            continue
        if question.kind == "file":  # only whether a file came (online or on paper), never its contents
            specs.append(QuestionSpec(key=question.key, text=gettext("%(question)s (a file was sent)", question=question.text),
                                      type=SINGLE_CHOICE, options=(FILE_SENT,), derived_from="file", parent=question.key))
            continue
        if question.kind == "grid":
            specs.extend(QuestionSpec(key=option_column(question.key, statement), text=f"{question.text}: {statement}",
                                      type=LIKERT, derived_from="grid", parent=question.key, part=statement)
                         for statement in question.options)
            continue
        if question.kind == "ranking":
            specs.append(QuestionSpec(key=question.key, text=gettext("%(question)s (first choice)", question=question.text),
                                      type=SINGLE_CHOICE, options=tuple(question.options), derived_from="first",
                                      parent=question.key))
            specs.extend(QuestionSpec(key=option_column(question.key, option),
                                      text=gettext("%(question)s: rank of ‘%(option)s’ (1 is first)", question=question.text, option=option),
                                      type=NUMBER, derived_from="rank", parent=question.key, part=option)
                         for option in question.options)
            continue
        dimension = getattr(question, "census_dimension", "") or None
        options = tuple(question.choices)
        mapping = {label: label for label in options if label != PREFER_NOT_TO_SAY} if dimension else {}
        specs.append(QuestionSpec(key=question.key, text=question.text, type=question.kind, options=options,
                                  census_dimension=dimension, census_mapping=mapping))
    return specs


def _empty_frame(specs: Sequence[QuestionSpec]) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {
        "reference": pd.Series([], dtype="string"), "channel": pd.Series([], dtype="string"),
        "submitted_at": pd.Series([], dtype="datetime64[ns, UTC]"),
    }
    for spec in specs:
        for column in spec.option_columns():
            columns[column] = pd.Series([], dtype=bool if spec.type == MULTIPLE_CHOICE else
                                        ("float64" if spec.type == NUMBER else "string"))
    return pd.DataFrame(columns)


def _finish(specs: Sequence[QuestionSpec], answers: pd.DataFrame, fixed: pd.DataFrame) -> pd.DataFrame:
    """Typed columns in questionnaire order from ``answers`` (one column per key, multiple
    choice either already split into option columns or as a list column)."""
    out: dict[str, Any] = {
        "reference": fixed["reference"].astype("string").to_numpy(),
        "channel": fixed["channel"].astype("string").to_numpy(),
        "submitted_at": pd.to_datetime(fixed["submitted_at"], utc=True, errors="coerce").to_numpy(),
    }
    n = len(fixed)
    for spec in specs:
        if spec.type == MULTIPLE_CHOICE:
            if spec.key in answers.columns:  # a list column: explode once, then tick per option
                exploded = answers[spec.key].explode()
                exploded = exploded[exploded.notna()]
                positions = answers.index.get_indexer(exploded.index)
                chosen = exploded.to_numpy(dtype=object)
                for label in spec.options:
                    ticked = np.zeros(n, dtype=bool)
                    ticked[positions[chosen == label]] = True
                    out[option_column(spec.key, label)] = ticked
            else:
                for label in spec.options:
                    column = option_column(spec.key, label)
                    values = answers[column] if column in answers.columns else pd.Series(False, index=answers.index)
                    out[column] = values.fillna(False).astype(bool).to_numpy()
        elif spec.type == NUMBER:
            values = answers[spec.key] if spec.key in answers.columns else pd.Series(np.nan, index=answers.index)
            out[spec.key] = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        else:
            values = answers[spec.key] if spec.key in answers.columns else pd.Series(pd.NA, index=answers.index)
            values = values.astype("string")
            given = values.to_numpy(dtype=object, na_value="") != ""  # empty answers are missing
            out[spec.key] = values.where(given).array
    frame = pd.DataFrame(out)
    for spec in specs:
        if spec.type not in (MULTIPLE_CHOICE, NUMBER):
            frame[spec.key] = frame[spec.key].astype("string")
    frame["reference"] = frame["reference"].astype("string")
    frame["channel"] = frame["channel"].astype("string")
    return frame


def frame_from_records(specs: Sequence[QuestionSpec], records: Iterable[Any]) -> pd.DataFrame:
    """The responses frame from objects with ``reference``, ``channel``, ``submitted_at`` and an
    ``answers`` dict (``surveys.response_csv.ResponseRecord``): one pass to lift the answers into
    a frame, the rest column-wise."""
    records = list(records)
    if not records:
        return _empty_frame(specs)
    fixed = pd.DataFrame({"reference": [record.reference for record in records],
                          "channel": [record.channel for record in records],
                          "submitted_at": [record.submitted_at for record in records]})
    if any(spec.derived_from for spec in specs):
        answers = pd.DataFrame.from_records([_derived_answers(specs, record.answers) for record in records])
    else:  # nothing to derive: the answers as they are
        answers = pd.DataFrame.from_records([record.answers for record in records])
    return _finish(specs, answers, fixed)


def _derived_answers(specs: Sequence[QuestionSpec], answers: Mapping[str, Any]) -> Mapping[str, Any]:
    """A response's answers with the grid's and ranking's derived questions filled in."""
    derived = [spec for spec in specs if spec.derived_from]
    if not derived:
        return answers
    flat = dict(answers)
    for spec in derived:
        given = answers.get(spec.parent)
        if spec.derived_from == "grid":
            flat[spec.key] = given.get(spec.part) if isinstance(given, dict) else None
        elif spec.derived_from == "first":
            flat[spec.key] = given[0] if isinstance(given, list) and given else None
        elif spec.derived_from == "rank":
            flat[spec.key] = given.index(spec.part) + 1 if isinstance(given, list) and spec.part in given else None
        elif spec.derived_from == "file":
            flat[spec.key] = FILE_SENT if isinstance(given, dict) and given else None
    return flat


def frame_from_response_csv(specs: Sequence[QuestionSpec], text: str) -> pd.DataFrame:
    """The responses frame from the shared responses CSV (``surveys.response_csv.export_csv``):
    multiple choice as ``key: label`` columns holding ``1`` when ticked; empty cells are NA."""
    raw = pd.read_csv(io.StringIO(text.removeprefix("\ufeff")), dtype=str, keep_default_na=False)
    raw = raw.apply(lambda column: column.map(unguard_cell))  # the formula guard read back off
    answers = pd.DataFrame(index=raw.index)
    for spec in specs:
        if spec.derived_from == "first":  # the option ranked 1
            ranked = [(option, raw[option_column(spec.parent, option)]) for option in spec.options
                      if option_column(spec.parent, option) in raw.columns]
            first = pd.Series("", index=raw.index)
            for option, ranks in ranked:
                first = first.mask(ranks.str.strip().eq("1"), option)
            answers[spec.key] = first
            continue
        if spec.derived_from == "file":  # the file's name, or empty
            if spec.key in raw.columns:
                answers[spec.key] = raw[spec.key].where(raw[spec.key].str.strip().eq(""), FILE_SENT)
            continue
        for column in spec.option_columns():
            if column not in raw.columns:
                continue
            answers[column] = raw[column].eq("1") if spec.type == MULTIPLE_CHOICE else raw[column]
    fixed = pd.DataFrame({column: raw[column] if column in raw.columns else pd.Series("", index=raw.index)
                          for column in FIXED_COLUMNS})
    fixed["submitted_at"] = fixed["submitted_at"].replace("", None)
    return _finish(specs, answers, fixed)


def answered_mask(frame: pd.DataFrame, spec: QuestionSpec) -> np.ndarray:
    """True for responses that answered the question (multiple choice: ticked at least one)."""
    if spec.type == MULTIPLE_CHOICE:
        return frame[spec.option_columns()].to_numpy(dtype=bool).any(axis=1)
    return frame[spec.key].notna().to_numpy()


def choice_codes(frame: pd.DataFrame, spec: QuestionSpec) -> np.ndarray:
    """Single-answer questions: the option index of each response, or -1 when not answered (or
    answered with a label that is not an option)."""
    found, labels = pd.factorize(frame[spec.key])  # missing values get -1
    index = {label: position for position, label in enumerate(spec.options)}
    to_option = np.array([index.get(label, -1) for label in labels] + [-1], dtype=np.int64)
    return to_option[found]  # -1 picks the trailing -1
