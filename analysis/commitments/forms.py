"""Checking what an officer types into the commitment and update forms.

A form is validated as a one-row commitments CSV (``analysis.commitments.csv_import``), so the
web forms and the CSV import accept exactly the same values with the same messages, and a
form field is named as its CSV column. Problems come back as ``CommitmentFormError`` with one
message per field, ready for a GOV.UK error summary.

Also here: the limits the database puts on lengths and keys, checked for forms and CSV files
alike (``storage_limit_errors``), so a long title is a message, not a database error.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime

from analysis.commitments.csv_import import (
    COMMITMENT_COLUMNS,
    UPDATE_COLUMNS,
    CommitmentCsvError,
    CsvRowError,
    parse_commitments_csv,
    read_records,
)
from analysis.commitments.model import Commitment, CommitmentUpdate
from common.i18n import gettext, lazy_gettext

KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
"""A commitment id: what goes in a web address, e.g. ``4a`` or ``DC-12``."""

MAX_LENGTHS = {"title": 300, "owner": 200, "evidence_url": 500}
"""Column lengths of the tables (``analysis.tables``)."""

COMMITMENT_FORM_FIELDS = ("key", "title", "text", "owner", "principles", "made_on", "kind", "deadline_date",
                          "deadline_event", "repeats", "first_period_start", "evidence_source", "direction")
"""The commitment form's fields in page order (the CSV columns less ``recorded_at``)."""
UPDATE_FORM_FIELDS = ("status", "effective_on", "note", "evidence_url", "metric_value",
                      "metric_period_start", "metric_period_end")
"""The update form's fields in page order."""


class CommitmentFormError(ValueError):
    """What is wrong with a form, as ``{field: message}`` (the first problem per field)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def parse_commitment_form(
    values: Mapping[str, str],
    *,
    now: datetime,
    existing: Mapping[str, Commitment],
    principle_numbers: Collection[int],
) -> Commitment:
    """The commitment an officer described, recorded at ``now``; ``existing`` are the other
    commitments of the charter (whose keys cannot be reused)."""
    row = {field: values.get(field, "") for field in COMMITMENT_FORM_FIELDS}
    errors = {error.column: error.message for error in storage_limit_errors(_one_row_csv("commitment", row))}
    try:
        parsed = parse_commitments_csv(_one_row_csv("commitment", row), imported_at=now, existing=existing,
                                       principle_numbers=principle_numbers)
    except CommitmentCsvError as error:
        raise CommitmentFormError(_first_per_field([*error.errors], errors)) from error
    if errors:
        raise CommitmentFormError(errors)
    return replace(parsed.commitments[0], recorded_at=now)


def parse_update_form(values: Mapping[str, str], *, now: datetime, commitment: Commitment) -> CommitmentUpdate:
    """The update an officer posted about ``commitment``, recorded at ``now``."""
    row = {"key": commitment.key, **{field: values.get(field, "") for field in UPDATE_FORM_FIELDS}}
    text = _one_row_csv("update", row)
    errors = {error.column: error.message for error in storage_limit_errors(text)}
    try:
        parsed = parse_commitments_csv(text, imported_at=now, existing={commitment.key: commitment})
    except CommitmentCsvError as error:
        raise CommitmentFormError(_first_per_field([*error.errors], errors)) from error
    if errors:
        raise CommitmentFormError(errors)
    return parsed.updates[0]


def storage_limit_errors(text: str) -> list[CsvRowError]:
    """Rows whose values the database could not hold: an over-long title, owner or link, or a
    new commitment key that is not a short web-address-safe id. Row numbers count as the
    CSV parser counts them (header = 1, blank lines included)."""
    try:
        records = read_records(text.removeprefix("\ufeff"))
    except CommitmentCsvError as error:  # a row the csv module cannot read
        return list(error.errors)
    if not records:
        return []
    header = [name.strip() for name in records[0]]
    errors = []
    for index, cells in enumerate(records[1:], start=2):
        row = {name: cell.strip() for name, cell in zip(header, cells) if name}
        if row.get("record") == "commitment" and row.get("key") and not KEY_PATTERN.fullmatch(row["key"]):
            errors.append(CsvRowError(index, "key", gettext("must be up to 20 letters, digits, dots, dashes or "
                                                             "underscores, starting with a letter or digit (e.g. 4a)")))
        for column, limit in MAX_LENGTHS.items():
            if len(row.get(column, "")) > limit:
                errors.append(CsvRowError(index, column, gettext("must be %(limit)d characters or fewer", limit=limit)))
    return errors


def merge_csv_errors(first: list[CsvRowError], second: list[CsvRowError]) -> list[CsvRowError]:
    """Both lists of problems, in row order, each reported once."""
    return sorted(set(first) | set(second))


def _one_row_csv(record: str, row: Mapping[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = [column for column in row if column in COMMITMENT_COLUMNS or column in UPDATE_COLUMNS]
    writer.writerow(["record", *columns])
    writer.writerow([record, *(str(row[column]).replace("\r", " ").replace("\n", " ") if column != "note"
                               else str(row[column]) for column in columns)])
    return buffer.getvalue()


def _first_per_field(errors: list[CsvRowError], extra: Mapping[str, str]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for error in errors:
        field = error.column if error.column != "record" else "key"
        message = error.message
        if error.column == "kind" and message == gettext("is required"):
            message = gettext("Choose what kind of commitment this is")
        messages.setdefault(field, _sentence(field, message))
    for field, message in extra.items():
        messages.setdefault(field, _sentence(field, message))
    page_order = {field: index for index, field in enumerate((*COMMITMENT_FORM_FIELDS, *UPDATE_FORM_FIELDS))}
    return dict(sorted(messages.items(), key=lambda item: page_order.get(item[0], len(page_order))))


_FIELD_NAMES = {
    "key": lazy_gettext("Id"),
    "title": lazy_gettext("Short title"),
    "text": lazy_gettext("Full wording"),
    "kind": lazy_gettext("Kind"),
    "principles": lazy_gettext("Principles"),
    "owner": lazy_gettext("Owner"),
    "made_on": lazy_gettext("Date made"),
    "deadline_date": lazy_gettext("Deadline date"),
    "deadline_event": lazy_gettext("Deadline event"),
    "repeats": lazy_gettext("Repeats"),
    "first_period_start": lazy_gettext("First period"),
    "evidence_source": lazy_gettext("Platform evidence"),
    "direction": lazy_gettext("Direction"),
    "effective_on": lazy_gettext("Date it became true"),
    "status": lazy_gettext("Status"),
    "note": lazy_gettext("Note"),
    "evidence_url": lazy_gettext("Evidence link"),
    "metric_value": lazy_gettext("Figure"),
    "metric_period_start": lazy_gettext("Period start"),
    "metric_period_end": lazy_gettext("Period end"),
}


def _sentence(field: str, message: str) -> str:
    """``is required`` on ``owner`` reads "Owner is required"; other messages are prefixed
    with the field's name ("Principles: the charter has no principle 9"); a full sentence is kept."""
    if message[:1].isupper():
        return message
    name = _FIELD_NAMES.get(field, field)
    if message.startswith(("is ", "must ", "only ")):
        return gettext("%(field)s %(problem)s", field=name, problem=message)
    return gettext("%(field)s: %(problem)s", field=name, problem=message)
