"""The ward of a volunteer's address, so that ward can be a quota category.

A volunteer who registers with an invitation letter's code lives at the letter's address, whose
ward the address file gave (``panels.address_file``). Anyone else registers with a postcode; its
ward comes from an extract of the ONS Postcode Directory (ONSPD) the council uploads, for one
panel or for the whole council (every panel without a list of its own). Without one, or for a
postcode not in it, the ward is "Not known" — a category like any other in a ward quota.

The extract (also in the README): a CSV file in UTF-8 with a header row and these columns, in any
order, case and spaces in the header ignored:

``pcds``
    The postcode (``pcd``, ``pcd2`` and ``postcode`` are accepted too), written normalised.
``ward_code``
    The ward's GSS code (``E05013652``); ONSPD's ``osward`` and the ``wdYYcd`` lookups' names
    are accepted.
``ward_name``
    The ward's name as it should appear in quotas (``wdYYnm`` accepted).

Every bad row is named (bad postcode, a postcode listed twice with different wards, a missing
ward name), and a file with any problem is refused whole.
"""

from __future__ import annotations

import re

from common.csvio import CsvProblem, CsvReadError, read_csv
from common.i18n import gettext
from common.postcodes import clean_postcode
from panels.address_file import AddressFileError
from panels.tables import Letter, PostcodeWard

NOT_KNOWN = "Not known"
"""The ward of a volunteer whose postcode no directory lists."""
MAX_POSTCODES = 50_000
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2", "postcode")
CODE_COLUMNS = ("ward_code", "osward", "ward code")
NAME_COLUMNS = ("ward_name", "ward name", "ward")


class PostcodeDirectoryError(AddressFileError):
    """Every problem of the extract, as ``CsvProblem`` (spreadsheet row, column, message)."""


def _column(header: list[str], names: tuple[str, ...], pattern: str) -> int | None:
    keys = [" ".join(name.strip().lower().replace("_", " ").split()) for name in header]
    for name in names:
        if " ".join(name.replace("_", " ").split()) in keys:
            return keys.index(" ".join(name.replace("_", " ").split()))
    return next((index for index, key in enumerate(keys) if re.fullmatch(pattern, key)), None)


def read_postcode_directory(data: bytes | str) -> dict[str, tuple[str, str]]:
    """``{postcode: (ward_code, ward_name)}`` or ``PostcodeDirectoryError`` naming every bad row."""
    try:
        table = read_csv(data, max_rows=MAX_POSTCODES)
    except CsvReadError as error:
        raise PostcodeDirectoryError(list(error.problems)) from None
    columns = {"postcode": _column(table.header, POSTCODE_COLUMNS, r"pcds?2?"),
               "code": _column(table.header, CODE_COLUMNS, r"wd\d\dcd"),
               "name": _column(table.header, NAME_COLUMNS, r"wd\d\dnm")}
    if columns["postcode"] is None or columns["name"] is None:
        raise PostcodeDirectoryError([CsvProblem(1, "", gettext(
            "the header must name the columns pcds, ward_code and ward_name (an ONS Postcode Directory extract)"))])
    problems: list[CsvProblem] = []
    wards: dict[str, tuple[str, str]] = {}
    first_row: dict[str, int] = {}
    for row in table.rows:
        if row.is_blank:
            continue

        def cell(field: str) -> str:
            index = columns[field]
            return row.cells[index].strip() if index is not None and index < len(row.cells) else ""

        raw, code, name = cell("postcode"), cell("code"), cell("name")
        postcode = clean_postcode(raw) if raw else None
        if postcode is None:
            problems.append(CsvProblem(row.number, table.header[columns["postcode"]],
                                       gettext("‘%(postcode)s’ is not a UK postcode", postcode=raw[:20])
                                       if raw else gettext("the postcode is missing")))
            continue
        if not name:
            problems.append(CsvProblem(row.number, table.header[columns["name"]], gettext("the ward name is missing")))
            continue
        if len(name) > 100 or len(code) > 12:
            problems.append(CsvProblem(row.number, "", gettext("a ward name is 100 characters or fewer, a code 12")))
            continue
        if postcode in wards and wards[postcode] != (code, name):
            problems.append(CsvProblem(row.number, table.header[columns["postcode"]], gettext(
                "%(postcode)s is also on row %(row)d with another ward", postcode=postcode, row=first_row[postcode])))
            continue
        wards[postcode] = (code, name)
        first_row.setdefault(postcode, row.number)
    if problems:
        raise PostcodeDirectoryError(problems)
    if not wards:
        raise PostcodeDirectoryError([CsvProblem(2, "", gettext("the file has no postcodes"))])
    return wards


async def save_postcode_directory(*, panel_id: int | None, wards: dict[str, tuple[str, str]]) -> int:
    """Replace the panel's list (``panel_id``) or the council's (None) with ``wards``."""
    scope = PostcodeWard.panel == panel_id if panel_id is not None else PostcodeWard.panel.is_null()
    await PostcodeWard.delete().where(scope).run()
    rows = [PostcodeWard(panel=panel_id, postcode=postcode, ward_code=code, ward_name=name)
            for postcode, (code, name) in wards.items()]
    for start in range(0, len(rows), 500):
        await PostcodeWard.insert(*rows[start:start + 500]).run()
    return len(rows)


async def directory_sizes(panel_id: int) -> tuple[int, int]:
    """How many postcodes the panel's own list and the council's list hold."""
    own = await PostcodeWard.count().where(PostcodeWard.panel == panel_id).run()
    council = await PostcodeWard.count().where(PostcodeWard.panel.is_null()).run()
    return own, council


async def ward_for(*, panel_id: int, postcode: str, letter_id: int | None = None) -> str:
    """The ward of a registration: its letter's, else the panel's list, else the council's, else ""."""
    if letter_id is not None:
        letter = await Letter.select(Letter.ward).where(Letter.id == letter_id).first().run()
        if letter and letter["ward"]:
            return letter["ward"]
    own = await PostcodeWard.select(PostcodeWard.ward_name).where(
        PostcodeWard.panel == panel_id, PostcodeWard.postcode == postcode).first().run()
    if own is None and not await PostcodeWard.exists().where(PostcodeWard.panel == panel_id).run():
        own = await PostcodeWard.select(PostcodeWard.ward_name).where(
            PostcodeWard.panel.is_null(), PostcodeWard.postcode == postcode).first().run()
    return own["ward_name"] if own else ""
