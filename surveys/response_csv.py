"""The responses CSV: one row per response, one column per question key (multiple choice as one
column per option, ``key: label``, holding ``1`` when chosen; a grid as one column per statement
holding its agree–disagree label; a ranking as one column per option holding its rank, 1 first;
a date as ``2026-03-27``), and last the language the response was given in (``cy``, ``en_GB``:
closed answers are in the English labels whatever it was, free text is in that language).
Export and import use the same layout, so an exported file imports back unchanged; an imported
file may leave the language column out (English).

Import checks every row against the questionnaire and reports errors by spreadsheet row number
(the header is row 1) and column; the caller imports nothing when any row is bad.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from common.csvio import CsvReadError, read_csv
from common.formulas import safe_cell, unguard_cell
from common.i18n import gettext
from surveys.questionnaire import Question, Questionnaire, display_answer, validate_answers
from surveys.tables import CHANNELS

FIXED_COLUMNS = ("reference", "channel", "submitted_at")
LANGUAGE_COLUMN = "response_language"
"""Not ``language``: a questionnaire may well ask a question with that key."""
DEFAULT_LANGUAGE = "en_GB"
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
MULTIPLE_SEPARATOR = ": "
CHOSEN = "1"


SPLIT_KINDS = ("multiple", "grid", "ranking")
"""Kinds with a column per option (``key: label``)."""


def question_columns(question: Question) -> list[str]:
    if question.kind == "multiple":
        return [f"{question.key}{MULTIPLE_SEPARATOR}{label}" for label in question.choices]
    if question.kind in ("grid", "ranking"):
        return [f"{question.key}{MULTIPLE_SEPARATOR}{label}" for label in question.options]
    return [question.key]


def header(questionnaire: Questionnaire) -> list[str]:
    return [*FIXED_COLUMNS, *(column for question in questionnaire.questions() for column in question_columns(question)),
            LANGUAGE_COLUMN]


@dataclass(frozen=True)
class ResponseRecord:
    reference: str
    channel: str
    submitted_at: datetime
    answers: dict[str, object]
    language: str = DEFAULT_LANGUAGE


def export_csv(questionnaire: Questionnaire, records: list[ResponseRecord], *, with_header: bool = True) -> str:
    """The records as CSV, one column per answer (``with_header``: the column names first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if with_header:
        writer.writerow(header(questionnaire))
    for record in records:
        row = [record.reference, record.channel, record.submitted_at.astimezone(timezone.utc).isoformat(timespec="seconds")]
        for question in questionnaire.questions():
            value = record.answers.get(question.key)
            if question.kind == "multiple":
                chosen = value if isinstance(value, list) else []
                row.extend(CHOSEN if label in chosen else "" for label in question.choices)
            elif question.kind == "grid":
                given = value if isinstance(value, dict) else {}
                row.extend(safe_cell(str(given.get(statement, ""))) for statement in question.options)
            elif question.kind == "ranking":
                order = value if isinstance(value, list) else []
                row.extend(str(order.index(option) + 1) if option in order else "" for option in question.options)
            elif value is None:
                row.append("")
            else:
                row.append(safe_cell(display_answer(value)))
        row.append(safe_cell(record.language))
        writer.writerow(row)
    return buffer.getvalue()


@dataclass(frozen=True)
class ParsedRow:
    row_number: int
    reference: str
    channel: str
    submitted_at: datetime | None
    answers: dict[str, object]
    language: str = DEFAULT_LANGUAGE


class ResponseImportError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} problems; first: {errors[0]}")
        self.errors = errors


def parse_csv(questionnaire: Questionnaire, text: str, *, default_channel: str = "paper") -> list[ParsedRow]:
    """Every row, checked; raises ``ResponseImportError`` listing each problem as
    ``Row N, column C: message``. Blank lines count as rows, as a spreadsheet numbers them."""
    try:
        table, unreadable = read_csv(text), []
    except CsvReadError as error:  # the rows read cleanly are still checked: every problem at once
        table, unreadable = error.table, [(problem.row, str(problem)) for problem in error.problems]
        if any(problem.row == 1 for problem in error.problems):
            raise ResponseImportError([message for _, message in unreadable]) from None
    if not table.header and not table.rows and not unreadable:
        raise ResponseImportError([gettext("The file is empty: it needs a header row with the question keys")])
    columns = [column.strip() for column in table.header]
    expected = header(questionnaire)
    question_set = set(expected) - set(FIXED_COLUMNS) - {LANGUAGE_COLUMN}
    unknown = [column for column in columns if column and column not in expected]
    missing = [column for column in expected if column not in columns and column not in (*FIXED_COLUMNS, LANGUAGE_COLUMN)]
    duplicates = sorted({column for column in columns if column and columns.count(column) > 1})
    header_errors = []
    if unknown:
        header_errors.append(gettext("Row 1: unknown columns %(columns)s (the questionnaire's keys are %(keys)s)",
                                     columns=", ".join(unknown), keys=", ".join(sorted(question_set))))
    if missing:
        header_errors.append(gettext("Row 1: missing columns %(columns)s", columns=", ".join(missing)))
    if duplicates:
        header_errors.append(gettext("Row 1: repeated columns %(columns)s", columns=", ".join(duplicates)))
    if header_errors:
        raise ResponseImportError(header_errors)
    questions = {question.key: question for question in questionnaire.questions()}
    # (row, message): the reader's problems sort among the rows' own by number, in any language
    errors: list[tuple[int, str]] = list(unreadable)

    def problem(row: int, message: str) -> None:
        errors.append((row, message))

    parsed: list[ParsedRow] = []
    seen_references: dict[str, int] = {}
    for row_number, cells in ((row.number, row.cells) for row in table.rows if not row.is_blank):
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns):]):
            problem(row_number, gettext("Row %(row)d: it has more cells than the header has columns", row=row_number))
            continue
        cell = {column: unguard_cell(cells[index].strip()) if index < len(cells) else "" for index, column in enumerate(columns) if column}
        raw: dict[str, list[str]] = {}
        for column, value in cell.items():
            if column in FIXED_COLUMNS or column == LANGUAGE_COLUMN:
                continue
            if column in questions:
                raw[column] = [value]
                continue
            key, _, label = column.partition(MULTIPLE_SEPARATOR)
            if questions[key].kind in ("grid", "ranking"):  # a label or a rank per option, in option order
                raw.setdefault(key, [""] * len(questions[key].options))[questions[key].options.index(label)] = value
                continue
            if value not in ("", CHOSEN):
                problem(row_number, gettext("Row %(row)d, column %(column)s: enter %(chosen)s when the option was chosen, or leave it blank",
                                       row=row_number, column=column, chosen=CHOSEN))
            elif value == CHOSEN:
                raw.setdefault(key, []).append(label)
        answers, answer_errors = validate_answers(questionnaire, raw)
        for key, message in answer_errors.items():
            where = key if questions[key].kind not in SPLIT_KINDS else f"{key}: …"
            problem(row_number, gettext("Row %(row)d, column %(column)s: %(problem)s", row=row_number, column=where, problem=message))
        for key, values in raw.items():
            if key not in answers and key not in answer_errors and any(value for value in values):
                question = questions[key]
                problem(row_number, gettext("Row %(row)d, column %(column)s: answered, but the question is shown only when "
                                      "%(key)s is ‘%(value)s’", row=row_number, column=key,
                                      key=question.show_if_key, value=question.show_if_value))
        channel = cell.get("channel", "") or default_channel
        if channel not in CHANNELS:
            problem(row_number, gettext("Row %(row)d, column channel: must be one of %(channels)s", row=row_number,
                                  channels=", ".join(CHANNELS)))
        reference = cell.get("reference", "")
        if reference:
            if len(reference) > 20:
                problem(row_number, gettext("Row %(row)d, column reference: 20 characters at most", row=row_number))
            elif reference in seen_references:
                problem(row_number, gettext("Row %(row)d, column reference: %(reference)s is also on row %(other)d", row=row_number,
                                      reference=reference, other=seen_references[reference]))
            seen_references[reference] = row_number
        submitted_at = None
        if cell.get("submitted_at"):
            try:
                submitted_at = datetime.fromisoformat(cell["submitted_at"])
                if submitted_at.tzinfo is None:
                    submitted_at = submitted_at.replace(tzinfo=timezone.utc)
            except ValueError:
                problem(row_number, gettext("Row %(row)d, column submitted_at: enter a date and time like "
                                      "2026-03-31T14:05:00+00:00", row=row_number))
        language = cell.get(LANGUAGE_COLUMN, "") or DEFAULT_LANGUAGE
        if not LANGUAGE_PATTERN.match(language):
            problem(row_number, gettext("Row %(row)d, column %(column)s: enter a language code such as cy or en_GB, or leave it blank",
                                        row=row_number, column=LANGUAGE_COLUMN))
        parsed.append(ParsedRow(row_number=row_number, reference=reference, channel=channel,
                                submitted_at=submitted_at, answers=answers, language=language))
    if errors:  # in row order, the reader's problems among the rows' own
        raise ResponseImportError([message for _, message in sorted(errors, key=lambda error: error[0])])
    if not parsed:
        raise ResponseImportError([gettext("The file has a header but no responses")])
    return parsed
