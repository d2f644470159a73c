"""The council's address file: one row per household address, read and checked as plain data.

The format (also in the README): a CSV file in UTF-8 with a header row and these columns, in
any order (case and spaces in the header are ignored):

``uprn``
    The Unique Property Reference Number from the council's address gazetteer (digits, up to
    12). Unique in the file.
``address_1`` … ``address_4``
    The address lines as they go on an envelope; ``address_1`` is required, the others may be
    empty or left out. ``line_1`` … ``line_4`` are accepted as well.
``town``
    Optional (for example ``London``).
``postcode``
    A UK postcode in the official format (``common.postcodes``); written normalised.
``ward``
    The electoral ward, one of the borough's wards (``panels.wards``); case and spaces ignored,
    written in the list's spelling.

An extract of the council's Local Land and Property Gazetteer (LLPG), limited to residential
addresses, has these columns under other names; rename them in the header. Every bad row is
named at once (missing UPRN, duplicate UPRN, bad postcode, unknown ward, missing first line),
and a file with any problem is refused whole.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from common.csvio import CsvProblem, CsvReadError, read_csv
from common.i18n import gettext
from common.postcodes import clean_postcode

LINE_COLUMNS = ("address_1", "address_2", "address_3", "address_4")
ALIASES = {
    "uprn": ("uprn",),
    "address_1": ("address_1", "line_1", "address1", "address_line_1"),
    "address_2": ("address_2", "line_2", "address2", "address_line_2"),
    "address_3": ("address_3", "line_3", "address3", "address_line_3"),
    "address_4": ("address_4", "line_4", "address4", "address_line_4"),
    "town": ("town", "post_town"),
    "postcode": ("postcode", "post_code"),
    "ward": ("ward", "ward_name"),
}
REQUIRED = ("uprn", "address_1", "postcode", "ward")
MAX_ADDRESSES = 20_000


@dataclass(frozen=True)
class Address:
    uprn: str
    lines: tuple[str, ...]
    """Address lines without empty ones, town last when given (the postcode apart)."""
    postcode: str
    ward: str


class AddressFileError(ValueError):
    """Every problem of the file, as ``CsvProblem`` (spreadsheet row, column, message)."""

    def __init__(self, problems: Sequence[CsvProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(str(self.problems[0]) if self.problems else "empty address file")


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _ward_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("&", "and"))


def file_fingerprint(data: bytes) -> str:
    """SHA-256 of the file's bytes (hex): recorded with a draw, so the draw can be re-run on the same file."""
    return hashlib.sha256(data).hexdigest()


def read_address_file(data: bytes | str, *, wards: Sequence[str]) -> list[Address]:
    """The addresses in file order, or ``AddressFileError`` naming every bad row."""
    try:
        table = read_csv(data, max_rows=MAX_ADDRESSES)
    except CsvReadError as error:
        raise AddressFileError(list(error.problems)) from None
    columns: dict[str, int] = {}
    for index, name in enumerate(table.header):
        for field, spellings in ALIASES.items():
            if _key(name) in spellings and field not in columns:
                columns[field] = index
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise AddressFileError([CsvProblem(1, "", gettext(
            "the header must name the columns %(columns)s (missing: %(missing)s)",
            columns=", ".join(REQUIRED), missing=", ".join(missing)))])
    ward_names = {_ward_key(ward): ward for ward in wards}
    problems: list[CsvProblem] = []
    addresses: list[Address] = []
    seen: dict[str, int] = {}

    def cell(row_cells: list[str], field: str) -> str:
        index = columns.get(field)
        return row_cells[index].strip() if index is not None and index < len(row_cells) else ""

    for row in table.rows:
        if row.is_blank:
            continue
        found: list[CsvProblem] = []
        uprn = cell(row.cells, "uprn")
        if not uprn:
            found.append(CsvProblem(row.number, "uprn", gettext("the UPRN is missing")))
        elif not re.fullmatch(r"[0-9]{1,12}", uprn):
            found.append(CsvProblem(row.number, "uprn", gettext("a UPRN is up to 12 digits, like 5045218")))
        elif uprn.lstrip("0") in seen:
            found.append(CsvProblem(row.number, "uprn", gettext("UPRN %(uprn)s is also on row %(row)d",
                                                                uprn=uprn, row=seen[uprn.lstrip("0")])))
        else:
            seen[uprn.lstrip("0")] = row.number
        lines = [cell(row.cells, field) for field in LINE_COLUMNS]
        if not lines[0]:
            found.append(CsvProblem(row.number, "address_1", gettext("the first address line is missing")))
        if any(len(line) > 100 for line in lines):
            found.append(CsvProblem(row.number, "", gettext("an address line is longer than 100 characters")))
        raw_postcode = cell(row.cells, "postcode")
        postcode = clean_postcode(raw_postcode) if raw_postcode else None
        if not raw_postcode:
            found.append(CsvProblem(row.number, "postcode", gettext("the postcode is missing")))
        elif postcode is None:
            found.append(CsvProblem(row.number, "postcode", gettext("‘%(postcode)s’ is not a UK postcode",
                                                                    postcode=raw_postcode[:20])))
        raw_ward = cell(row.cells, "ward")
        ward = ward_names.get(_ward_key(raw_ward))
        if not raw_ward:
            found.append(CsvProblem(row.number, "ward", gettext("the ward is missing")))
        elif ward is None:
            found.append(CsvProblem(row.number, "ward", gettext("‘%(ward)s’ is not a ward of the borough",
                                                                ward=raw_ward[:60])))
        problems.extend(found)
        if not found:
            town = cell(row.cells, "town")
            addresses.append(Address(uprn=uprn, lines=tuple(line for line in [*lines, town] if line),
                                     postcode=postcode or "", ward=ward or ""))
    if problems:
        raise AddressFileError(problems)
    if not addresses:
        raise AddressFileError([CsvProblem(2, "", gettext("the file has no addresses"))])
    return addresses
