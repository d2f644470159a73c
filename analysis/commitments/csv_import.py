"""Reading commitments and their updates from one CSV file, all or nothing.

**Format.** UTF-8 (a spreadsheet's byte-order mark is fine), a header row, then one row
per record. The ``record`` column says what a row is: ``commitment`` or ``update``.
Column order is free; ``record`` and ``key`` are required, other columns may be left
out when no row needs them. An unknown column, or a value in a column that does not
apply to the row's record type, is an error (it usually means a shifted row).

Commitment rows:

- ``key`` (required, unique): the commitment's id, e.g. ``4a``.
- ``title`` (required), ``text`` (the full wording; the title when blank).
- ``kind`` (required): ``one_off``, ``recurring``, ``ongoing`` or ``metric``.
- ``principles``: principle numbers separated by ``;``, ``,`` or spaces, e.g. ``1;3``.
- ``owner`` (required): a role or team, never a person's name.
- ``made_on`` (required): the day the commitment was made.
- ``deadline_date`` and/or ``deadline_event`` (``next_panel_session``): one-off only,
  at least one; with both, whichever comes first.
- ``repeats`` (``calendar_year`` or ``financial_year``), ``first_period_start`` and
  ``evidence_source`` (``panel_session_held`` or
  ``case_studies_published_more_than_previous``): recurring only; ``repeats`` required.
- ``direction`` (``reduce`` or ``increase``): metric only, required.
- ``recorded_at``: see below.

Update rows (a commitment may be defined anywhere in the file, or already exist):

- ``key`` (required): the commitment the update is about.
- ``effective_on`` (required): the day the reported fact became true; not before the
  commitment was made, nor after the update was recorded.
- ``status`` (required): ``met``, ``progress`` or ``not_met``.
- ``note``, ``evidence_url`` (``http://`` or ``https://``).
- ``metric_value``, ``metric_period_start``, ``metric_period_end``: all three or none,
  and only for metric commitments.
- ``recorded_at``: see below.

Dates are ``YYYY-MM-DD`` or, as UK spreadsheets save them, ``DD/MM/YYYY``.
``recorded_at`` is an ISO date-time (``2022-07-01T09:30``, local time unless it gives an
offset) or a date; blank means the time of the import. Only give it when migrating
records kept elsewhere: a back-dated ``recorded_at`` is what lets a record change reports
for past days (see ``analysis.commitments.status``), so it can never be after the import.

**Errors** are collected over the whole file and raised together as one
``CommitmentCsvError`` of ``(row, column, message)`` triples, row numbers as a
spreadsheet shows them (the header is row 1). Nothing is returned unless every row is good.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple, TypeVar

from analysis.commitments.model import (
    Commitment,
    CommitmentKind,
    CommitmentUpdate,
    DeadlineEvent,
    EvidenceSource,
    MetricDirection,
    PeriodKind,
    Recurrence,
    ReportingPeriod,
    UpdateStatus,
)
from common.clock import COUNCIL_TIME_ZONE
from common.csvio import CsvReadError, CsvTable, read_csv
from common.i18n import gettext
from common.text import whole_number

COMMITMENT_COLUMNS = ("key", "title", "text", "kind", "principles", "owner", "made_on", "deadline_date",
                      "deadline_event", "repeats", "first_period_start", "evidence_source", "direction",
                      "recorded_at")
UPDATE_COLUMNS = ("key", "effective_on", "recorded_at", "status", "note", "evidence_url", "metric_value",
                  "metric_period_start", "metric_period_end")
ALL_COLUMNS = ("record", *dict.fromkeys(COMMITMENT_COLUMNS + UPDATE_COLUMNS))

_Choice = TypeVar("_Choice", bound=StrEnum)


class CsvRowError(NamedTuple):
    """One problem in the file: the spreadsheet row (header = 1), the column, and what is wrong."""

    row: int
    column: str
    message: str


class CommitmentCsvError(ValueError):
    """Every problem found in a commitments CSV; nothing was imported."""

    def __init__(self, errors: list[CsvRowError]) -> None:
        self.errors = tuple(errors)
        first = "; ".join(f"row {e.row}, {e.column}: {e.message}" for e in self.errors[:3])
        more = f" (and {len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        super().__init__(f"{len(self.errors)} problem(s) in the CSV: {first}{more}")


@dataclass(frozen=True)
class ImportedCommitments:
    """What a valid file holds, in file order."""

    commitments: tuple[Commitment, ...]
    updates: tuple[CommitmentUpdate, ...]


def parse_commitments_csv(
    text: str,
    *,
    imported_at: datetime,
    existing: Mapping[str, Commitment] | None = None,
    principle_numbers: Collection[int] | None = None,
) -> ImportedCommitments:
    """Parse the whole file or raise ``CommitmentCsvError`` listing every bad row.

    ``imported_at`` stamps updates with no ``recorded_at``; ``existing`` holds the
    commitments already stored (their keys cannot be reused, their updates can be
    added); ``principle_numbers``, when given, are the charter's valid principle numbers.
    """
    existing = existing or {}
    table, unreadable = _read_table(text)
    header = [name.strip() for name in table.header]
    errors = _header_errors(header)
    if errors or any(problem.row == 1 for problem in unreadable):
        raise CommitmentCsvError(sorted(errors + unreadable))
    rows = [(row.number, _cells_by_column(header, row.cells)) for row in table.rows if not row.is_blank]
    if not rows:
        raise CommitmentCsvError(unreadable or [CsvRowError(1, "record", gettext("the file has a header but no rows"))])
    parser = _Parser(imported_at, principle_numbers)
    parser.errors.extend(unreadable)
    commitments: dict[str, Commitment] = {}
    update_rows: list[tuple[int, dict[str, str]]] = []
    for row_number, row in rows:
        record = row.get("record", "")
        if record == "commitment":
            commitment = parser.commitment(row_number, row)
            if commitment is None:
                continue
            if commitment.key in commitments or commitment.key in existing:
                parser.error(row_number, "key", gettext("commitment %(key)r is already defined", key=commitment.key))
            else:
                commitments[commitment.key] = commitment
        elif record == "update":
            update_rows.append((row_number, row))
        else:
            parser.error(row_number, "record", gettext("must be 'commitment' or 'update', not %(record)r", record=record))
    known = {**existing, **commitments}
    updates = [parser.update(row_number, row, known) for row_number, row in update_rows]
    if parser.errors:
        raise CommitmentCsvError(sorted(parser.errors))
    return ImportedCommitments(commitments=tuple(commitments.values()),
                               updates=tuple(u for u in updates if u is not None))


def _read_table(text: str) -> tuple[CsvTable, list[CsvRowError]]:
    """The rows ``common.csvio`` read cleanly, and a ``CsvRowError`` for each it could not, so
    that the rows it could read are still checked and every problem is reported at once."""
    try:
        return read_csv(text), []
    except CsvReadError as error:
        return error.table, [CsvRowError(*problem) for problem in error.problems]


def read_records(text: str) -> list[list[str]]:
    """Every record, header first, as ``common.csvio`` reads them (blank lines included, so the
    position is the spreadsheet row); what it cannot read is a ``CommitmentCsvError``."""
    try:
        table = read_csv(text)
    except CsvReadError as error:
        raise CommitmentCsvError([CsvRowError(*problem) for problem in error.problems]) from None
    return [table.header, *(row.cells for row in table.rows)] if table.header or table.rows else []


def _header_errors(header: list[str]) -> list[CsvRowError]:
    errors = [CsvRowError(1, name, gettext("is not a column this import knows"))
              for name in header if name and name not in ALL_COLUMNS]
    errors += [CsvRowError(1, name, gettext("column is missing")) for name in ("record", "key") if name not in header]
    errors += [CsvRowError(1, name, gettext("column appears twice")) for name in sorted(set(header))
               if name and header.count(name) > 1]
    return errors


def _cells_by_column(header: list[str], cells: list[str]) -> dict[str, str]:
    """Trimmed cell values by column. Data beyond the header, or under a column with no
    name, flags the row as ``_extra`` (blank trailing columns, as spreadsheets save, are fine)."""
    row = {name: cell.strip() for name, cell in zip(header, cells) if name}
    unnamed = [cell for name, cell in zip(header, cells) if not name] + cells[len(header):]
    if any(cell.strip() for cell in unnamed):
        row["_extra"] = "yes"
    return row


class _Parser:
    """Turns rows into model objects, recording problems instead of stopping at the first."""

    def __init__(self, imported_at: datetime, principle_numbers: Collection[int] | None) -> None:
        self.imported_at = imported_at
        self.principle_numbers = principle_numbers
        self.errors: list[CsvRowError] = []

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(CsvRowError(row, column, message))

    def commitment(self, row_number: int, row: dict[str, str]) -> Commitment | None:
        before = len(self.errors)
        self._common_checks(row_number, row, allowed=COMMITMENT_COLUMNS, kind="commitment")
        key = self._required(row_number, row, "key")
        title = self._required(row_number, row, "title")
        owner = self._required(row_number, row, "owner")
        kind = self._choice(row_number, row, "kind", CommitmentKind, required=True)
        made_on = self._date(row_number, row, "made_on", required=True)
        principles = self._principles(row_number, row)
        deadline_date = self._date(row_number, row, "deadline_date")
        deadline_event = self._choice(row_number, row, "deadline_event", DeadlineEvent)
        repeats = self._choice(row_number, row, "repeats", PeriodKind)
        first_period_start = self._date(row_number, row, "first_period_start")
        evidence_source = self._choice(row_number, row, "evidence_source", EvidenceSource)
        direction = self._choice(row_number, row, "direction", MetricDirection)
        recorded_at = self._recorded_at(row_number, row)
        if kind is not None:
            self._kind_fits(row_number, row, kind)
        if len(self.errors) > before:
            return None
        assert key and title and owner and kind and made_on  # each checked above
        recurrence = (Recurrence(period=repeats, evidence_source=evidence_source,
                                 first_period_start=first_period_start) if repeats else None)
        return Commitment(
            key=key, title=title, text=row.get("text") or title, kind=kind, principles=principles,
            owner=owner, made_on=made_on, deadline_date=deadline_date, deadline_event=deadline_event,
            recurrence=recurrence, direction=direction, recorded_at=recorded_at,
        )

    def update(self, row_number: int, row: dict[str, str], known: Mapping[str, Commitment]) -> CommitmentUpdate | None:
        before = len(self.errors)
        self._common_checks(row_number, row, allowed=UPDATE_COLUMNS, kind="update")
        key = self._required(row_number, row, "key")
        commitment = known.get(key or "")
        if key and commitment is None:
            self.error(row_number, "key", gettext("no commitment %(key)r in this file or already stored", key=key))
        effective_on = self._date(row_number, row, "effective_on", required=True)
        status = self._choice(row_number, row, "status", UpdateStatus, required=True)
        recorded_at = self._recorded_at(row_number, row) or self.imported_at
        url = row.get("evidence_url", "")
        if url and not re.match(r"https?://\S+$", url):
            self.error(row_number, "evidence_url", gettext("must be a web address starting http:// or https://"))
        metric = self._metric(row_number, row, commitment)
        if effective_on and commitment and effective_on < commitment.made_on:
            self.error(row_number, "effective_on", gettext("is before the commitment was made (%(made_on)s)", made_on=commitment.made_on))
        if effective_on and effective_on > _aware(recorded_at).astimezone(COUNCIL_TIME_ZONE).date():
            self.error(row_number, "effective_on", gettext("is after the update was recorded: report facts, not plans"))
        if len(self.errors) > before:
            return None
        assert key and effective_on and status  # each checked above
        value, period = metric or (None, None)
        return CommitmentUpdate(commitment_key=key, effective_on=effective_on, recorded_at=recorded_at,
                                status=status, note=row.get("note", ""), evidence_url=url or None,
                                metric_value=value, metric_period=period)

    def _common_checks(self, row_number: int, row: dict[str, str], *, allowed: tuple[str, ...], kind: str) -> None:
        if "_extra" in row:
            self.error(row_number, "record", gettext("the row has cells outside the named columns"))
        for column, value in row.items():
            if value and column not in allowed and column not in ("record", "_extra"):
                self.error(row_number, column, gettext("is not used on %(kind)s rows", kind=kind))

    def _kind_fits(self, row_number: int, row: dict[str, str], kind: CommitmentKind) -> None:
        """Kind-specific columns, judged on what was typed (a bad value is reported already)."""
        if kind is CommitmentKind.ONE_OFF and not (row.get("deadline_date") or row.get("deadline_event")):
            self.error(row_number, "deadline_date", gettext("a one-off commitment needs a deadline_date or deadline_event"))
        if kind is CommitmentKind.RECURRING and not row.get("repeats"):
            self.error(row_number, "repeats", gettext("a recurring commitment needs calendar_year or financial_year"))
        if kind is CommitmentKind.METRIC and not row.get("direction"):
            self.error(row_number, "direction", gettext("a metric commitment needs reduce or increase"))
        only_for = {"deadline_date": CommitmentKind.ONE_OFF, "deadline_event": CommitmentKind.ONE_OFF,
                    "repeats": CommitmentKind.RECURRING, "first_period_start": CommitmentKind.RECURRING,
                    "evidence_source": CommitmentKind.RECURRING, "direction": CommitmentKind.METRIC}
        for column, wanted in only_for.items():
            if row.get(column) and kind is not wanted:
                self.error(row_number, column, gettext("only applies to %(wanted)s commitments, not %(kind)s", wanted=wanted, kind=kind))

    def _metric(self, row_number: int, row: dict[str, str],
                commitment: Commitment | None) -> tuple[float, ReportingPeriod] | None:
        columns = ("metric_value", "metric_period_start", "metric_period_end")
        given = [column for column in columns if row.get(column)]
        if not given:
            return None
        if commitment is not None and commitment.kind is not CommitmentKind.METRIC:
            self.error(row_number, given[0], gettext("only applies to metric commitments, not %(kind)s", kind=commitment.kind))
            return None
        for column in columns:
            if column not in given:
                self.error(row_number, column, gettext("metric_value, metric_period_start and metric_period_end go together"))
        if len(given) < len(columns):
            return None
        try:
            value = float(row["metric_value"].replace(",", ""))
        except ValueError:
            self.error(row_number, "metric_value", gettext("%(value)r is not a number", value=row["metric_value"]))
            return None
        start = self._date(row_number, row, "metric_period_start")
        end = self._date(row_number, row, "metric_period_end")
        if start and end and end < start:
            self.error(row_number, "metric_period_end", gettext("is before metric_period_start"))
        return (value, ReportingPeriod(start, end)) if start and end and start <= end else None

    def _required(self, row_number: int, row: dict[str, str], column: str) -> str | None:
        value = row.get(column, "")
        if not value:
            self.error(row_number, column, gettext("is required"))
        return value or None

    def _choice(self, row_number: int, row: dict[str, str], column: str, choices: type[_Choice],
                *, required: bool = False) -> _Choice | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.error(row_number, column, gettext("is required"))
            return None
        try:
            return choices(value.lower())
        except ValueError:
            allowed = ", ".join(member.value for member in choices)
            self.error(row_number, column, gettext("%(value)r is not one of: %(allowed)s", value=value, allowed=allowed))
            return None

    def _date(self, row_number: int, row: dict[str, str], column: str, *, required: bool = False) -> date | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.error(row_number, column, gettext("is required"))
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.error(row_number, column, gettext("%(value)r is not a date (YYYY-MM-DD or DD/MM/YYYY)", value=value))
        return parsed

    def _recorded_at(self, row_number: int, row: dict[str, str]) -> datetime | None:
        value = row.get("recorded_at", "")
        if not value:
            return None
        day = parse_day(value)
        try:
            moment = datetime(day.year, day.month, day.day) if day else datetime.fromisoformat(value)
        except ValueError:
            self.error(row_number, "recorded_at", gettext("%(value)r is not a date-time (e.g. 2022-07-01T09:30)", value=value))
            return None
        if _aware(moment) > _aware(self.imported_at):
            self.error(row_number, "recorded_at", gettext("is after the time of this import"))
            return None
        return moment

    def _principles(self, row_number: int, row: dict[str, str]) -> tuple[int, ...]:
        parts = [part for part in re.split(r"[;,\s]+", row.get("principles", "")) if part]
        numbers = [whole_number(part) for part in parts]
        if None in numbers:
            self.error(row_number, "principles", gettext("must be principle numbers separated by ';', e.g. 1;3"))
            return ()
        numbers = tuple(sorted(set(numbers)))
        unknown = [n for n in numbers if self.principle_numbers is not None and n not in self.principle_numbers]
        if unknown:
            self.error(row_number, "principles", gettext("the charter has no principle %(numbers)s", numbers=", ".join(map(str, unknown))))
        return numbers


def parse_day(value: str) -> date | None:
    """A ``YYYY-MM-DD`` or ``DD/MM/YYYY`` date, or None when it is neither (or no such day)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=COUNCIL_TIME_ZONE)
