"""The file for a mailing house: one row per letter, address lines in their own columns, guarded
against spreadsheet formulas (``common.formulas``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from common.formulas import safe_cell

MAILING_COLUMNS = ("uprn", "address_1", "address_2", "address_3", "address_4", "address_5", "postcode", "ward", "code")


@dataclass(frozen=True)
class LetterRow:
    """One letter as printed: where it goes and the code on it."""

    uprn: str
    lines: tuple[str, ...]
    postcode: str
    ward: str
    code: str


def mailing_csv(letters: Sequence[LetterRow]) -> str:
    """The mailing house's CSV (UTF-8 text, CRLF line ends as spreadsheets write them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MAILING_COLUMNS)
    for letter in letters:
        lines = list(letter.lines[:5]) + [""] * (5 - min(len(letter.lines), 5))
        writer.writerow([safe_cell(value) for value in (letter.uprn, *lines, letter.postcode, letter.ward, letter.code)])
    return out.getvalue()
