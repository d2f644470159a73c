"""The one reader for CSV files people upload or hand to a command.

What it guarantees, so each importer only checks its own rows:

- UTF-8, with or without the byte-order mark spreadsheets write; bytes that are not UTF-8 are a
  problem naming the row they are on.
- Strict quoting: a stray quote (``"ab"c``) is a problem on its row, never rows silently merged.
- No NUL characters (PostgreSQL cannot store them).
- Limits: a cell of at most ``MAX_FIELD_CHARS`` characters (the csv module's own limit; an
  unclosed quote usually runs into it), at most ``MAX_COLUMNS`` cells a row and ``MAX_ROWS`` rows
  after the header.
- Every problem of the file at once, as ``(row, column, message)`` with rows numbered as a
  spreadsheet numbers them (the header is row 1), raised as one ``CsvReadError``. Importers turn
  these into their own error shape.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import NamedTuple

from common.i18n import gettext, lazy_gettext

MAX_ROWS = 20_000
"""Rows after the header, blank ones included: the same cap for every import."""
MAX_COLUMNS = 1_000
MAX_FIELD_CHARS = 131_072
"""The csv module's default ``field_size_limit`` (process-wide, so it is left as it is)."""
MAX_PROBLEMS = 1_000
"""A file of nothing but errors stops being read here: the officer has enough to go on."""

TOO_LONG = lazy_gettext("a cell is longer than %(limit)s characters (is a quote left open?)", limit=format(MAX_FIELD_CHARS, ","))
HAS_NUL = lazy_gettext("contains a NUL character; save the file as CSV UTF-8")
NOT_UTF8 = lazy_gettext("is not UTF-8 text: save the file as CSV UTF-8")
"""The reader's own messages, translated when a problem is found (``str(...)``)."""


class CsvProblem(NamedTuple):
    """One problem: the spreadsheet row (header = 1), the column ("" for the whole row), what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return gettext("Row %(row)d, column %(column)s: %(problem)s", row=self.row, column=self.column,
                           problem=self.message)
        return gettext("Row %(row)d: %(problem)s", row=self.row, problem=self.message)


class CsvReadError(ValueError):
    """The file could not be read as CSV; ``problems`` lists every problem found, in row order.
    ``table`` holds the rows that were read without a problem, for an importer that reports the
    first problem of the file, whether its own or the reader's."""

    def __init__(self, problems: list[CsvProblem], table: "CsvTable | None" = None) -> None:
        self.problems = tuple(problems)
        self.table = table if table is not None else CsvTable(header=[], rows=[])
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{self.problems[0]}{more}")


@dataclass(frozen=True)
class CsvRow:
    number: int
    """The spreadsheet row number (the header is row 1)."""
    cells: list[str]

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    """The first record as written (empty for an empty file)."""
    rows: list[CsvRow]
    """Every record after the header, blank ones included, in file order."""


def decode_csv(data: bytes) -> str:
    """UTF-8 text without its byte-order mark; ``CsvReadError`` naming the row of the first byte
    that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise CsvReadError([CsvProblem(row, "", str(NOT_UTF8))]) from None


def _column_name(header: list[str], index: int) -> str:
    name = header[index].strip() if index < len(header) else ""
    return name if name and "\x00" not in name else gettext("number %(number)d", number=index + 1)


def read_csv(data: str | bytes, *, max_rows: int = MAX_ROWS) -> CsvTable:
    """The file's header and rows, or ``CsvReadError`` with every problem in it."""
    text = decode_csv(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[CsvProblem] = []
    header: list[str] | None = None
    rows: list[CsvRow] = []
    number = 0
    while len(problems) < MAX_PROBLEMS:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # the reader starts afresh on the next line
            reason = str(TOO_LONG) if "field larger" in str(error) else gettext(
                "the row is not valid CSV (%(error)s)", error=error)
            problems.append(CsvProblem(number, "", reason))
            header = [] if header is None else header
            continue
        if number > max_rows + 1:
            problems.append(CsvProblem(number, "", gettext("the file has more than %(limit)s rows; split it",
                                                            limit=format(max_rows, ","))))
            break
        if len(cells) > MAX_COLUMNS:
            problems.append(CsvProblem(number, "", gettext("the row has more than %(limit)s cells",
                                                            limit=format(MAX_COLUMNS, ","))))
            cells = cells[:MAX_COLUMNS]
        known = header if header is not None else cells
        found = [CsvProblem(number, _column_name(known, index), str(HAS_NUL)) for index, cell in enumerate(cells) if "\x00" in cell]
        problems.extend(found)
        if header is None:
            header = cells
        elif not found:
            rows.append(CsvRow(number, cells))
    if problems:
        raise CsvReadError(problems, CsvTable(header=header or [], rows=rows))
    return CsvTable(header=header or [], rows=rows)
