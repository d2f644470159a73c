"""Respondent CSVs in and out, in the stratification app's shape: one row per respondent, an id
column, contact columns, and one column per quota dimension with the category as its value.

Accepted header spellings (case and spaces ignored): ``id``/``unique_id``/``nationbuilder_id``;
``full_name``/``name`` or ``first_name`` + ``last_name``; ``email``; ``phone``/``mobile_number``;
``address``/``primary_address1``; ``postcode``/``primary_zip``; ``age`` (or a date of birth);
one column per dimension (``sex``, ``age_band`` is worked out from age, ``ethnicity``, …).
Rows are numbered as in a spreadsheet (header = row 1) and every error names row and column.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from common.csvio import CsvReadError, CsvTable, read_csv
from common.formulas import safe_cell
from common.i18n import gettext
from panels.registration import Question, Registration, check_registration
from panels.selection.csv_input import normalise_label

ALIASES = {
    "id": ("id", "unique_id", "nationbuilder_id"),
    "full_name": ("full_name", "name"),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "email": ("email",),
    "phone": ("phone", "mobile_number"),
    "address": ("address", "primary_address1"),
    "postcode": ("postcode", "primary_zip"),
    "age": ("age", "date_of_birth"),
}
EXPORT_COLUMNS = ("id", "full_name", "email", "phone", "address", "postcode", "age", "status", "registered_at")


class PoolImportError(ValueError):
    def __init__(self, message: str, *, row: int, column: str | None) -> None:
        self.row = row
        self.column = column
        super().__init__(gettext("Row %(row)d, column ‘%(column)s’: %(problem)s", row=row, column=column, problem=message)
                         if column else gettext("Row %(row)d: %(problem)s", row=row, problem=message))


@dataclass(frozen=True)
class ImportedRow:
    row: int
    registration: Registration


def _table(text: str) -> tuple[CsvTable, PoolImportError | None]:
    """The file as ``common.csvio`` reads it and, when the reader found a problem, that problem
    with the rows before it (a bad row before it is the first problem to report)."""
    try:
        return read_csv(text), None
    except CsvReadError as error:
        problem = error.problems[0]
        before = [row for row in error.table.rows if row.number < problem.row]
        return (CsvTable(header=error.table.header, rows=before),
                PoolImportError(problem.message, row=problem.row, column=problem.column or None))


def parse_pool_csv(text: str, *, questions: Sequence[Question], today: date) -> list[ImportedRow]:
    table, unreadable = _table(text)
    header = table.header
    if unreadable is not None and (not header or unreadable.row == 1):
        raise unreadable
    if not header:
        raise PoolImportError(gettext("the file is empty"), row=1, column=None)
    positions = {normalise_label(name): index for index, name in enumerate(header)}

    def find(field: str) -> int | None:
        return next((positions[alias] for alias in ALIASES[field] if alias in positions), None)

    column_of = {field: find(field) for field in ALIASES}
    for dimension in (question.dimension for question in questions):
        column_of[dimension] = positions.get(normalise_label(dimension))
    required = ["email", "address", "postcode", "age"] + [question.dimension for question in questions]
    if column_of["full_name"] is None and column_of["first_name"] is None:
        raise PoolImportError(gettext("missing a name column (full_name, or first_name and last_name)"), row=1, column="full_name")
    for field in required:
        if column_of[field] is None:
            raise PoolImportError(gettext("missing the column ‘%(column)s’", column=field), row=1, column=field)
    options = {question.dimension: {normalise_label(option): option for option in question.options} for question in questions}
    imported: list[ImportedRow] = []
    for row_number, cells in ((row.number, row.cells) for row in table.rows if not row.is_blank):

        def cell(field: str) -> str:
            index = column_of.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        name = cell("full_name") or " ".join(part for part in (cell("first_name"), cell("last_name")) if part)
        data = {"full_name": name, "email": cell("email"), "phone": cell("phone"), "address": cell("address"),
                "postcode": cell("postcode"), "age": cell("age"), "consent": "yes"}
        for dimension, spelled in options.items():
            data[dimension] = spelled.get(normalise_label(cell(dimension)), cell(dimension))
        registration, errors = check_registration(data, questions=questions, today=today)
        if errors:
            field, message = next(iter(errors.items()))
            column = header[column_of[field]] if column_of.get(field) is not None else (
                header[column_of["first_name"]] if field == "full_name" and column_of["first_name"] is not None else field)
            if field in options:
                message = gettext("‘%(value)s’ is not one of: %(options)s", value=cell(field),
                                  options=", ".join(options[field].values()))
            raise PoolImportError(message, row=row_number, column=column)
        imported.append(ImportedRow(row=row_number, registration=registration))
    if unreadable is not None:
        raise unreadable
    if not imported:
        raise PoolImportError(gettext("the file has no respondent rows"), row=2, column=None)
    return imported


def pool_csv(volunteers: Sequence, *, dimensions: Sequence[str]) -> str:
    """The pool as CSV in the same shape the import reads, spreadsheet formulas guarded in every cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*EXPORT_COLUMNS, *dimensions])
    for volunteer in volunteers:
        answers = json.loads(volunteer.answers or "{}")
        row = [volunteer.reference, volunteer.full_name, volunteer.email, volunteer.phone, volunteer.address,
               volunteer.postcode, volunteer.age, volunteer.status, volunteer.registered_at.date().isoformat()]
        writer.writerow([safe_cell(value) for value in row] + [safe_cell(answers.get(d, "")) for d in dimensions])
    return buffer.getvalue()
