"""Census marginals: read a ``dimension,category,count,source`` file and give shares per dimension.

The files shipped in ``panels/census_data/`` (see its README for provenance) and files officers
upload use the same format. ``population`` rows are bases, not a partition; every other
dimension partitions one base. Two rules from the README matter for quotas:

* ``age_band`` covers all ages; an adult (18+) panel drops ``0-15`` and ``16-17`` and takes
  shares over what is left (the 18+ base).
* ``tenure`` mixes two families, ``households:`` and ``persons:``; each adds up on its own, so
  shares are taken within one prefix family and the prefix is dropped from the label.

Every category is read through the one census → About-you mapping (``panels.census_mapping``):
quotas are in the categories volunteers and respondents are asked, whichever census year the file
is, and a category the mapping does not know is refused with its row named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from common.about_you import ABOUT_YOU_CATEGORIES
from common.csvio import CsvReadError, read_csv
from common.i18n import gettext, lazy_gettext
from panels.census_mapping import (CensusMappingError, Margin, about_you_margin, check_category, pick_dimension,
                                   split_adult)

ABOUT_YOU_AGE_BANDS = ABOUT_YOU_CATEGORIES["age_band"]
CENSUS_DIR = Path(__file__).resolve().parent / "census_data"
CHILD_AGE_BANDS = ("0-15", "16-17")
TENURE_PREFIXES = ("households", "persons")
QUOTA_DIMENSIONS = ("sex", "age_band", "ethnicity", "ethnicity_detailed", "disability", "tenure", "economic_activity")
"""Every census dimension a quota can be computed on (each census file has some of them), in
registration-form order. Other quota categories (any column of the pool, the ward) come from a
quota file (``panels.quota_files``)."""
DIMENSION_LABELS = {
    "sex": lazy_gettext("Sex"),
    "age_band": lazy_gettext("Age band (adults)"),
    "ethnicity": lazy_gettext("Ethnic group"),
    "ethnicity_detailed": lazy_gettext("Ethnic group (detailed)"),
    "disability": lazy_gettext("Disability or long-term health problem"),
    "tenure": lazy_gettext("Housing tenure"),
    "economic_activity": lazy_gettext("Economic activity"),
    "ward": lazy_gettext("Ward"),
}


class CensusFormatError(ValueError):
    """A census file that cannot be used; ``row`` counts as a spreadsheet does (header = 1)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        where = ", ".join(part for part in (f"row {row}" if row else "", f"column '{column}'" if column else "") if part)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class CensusRow:
    dimension: str
    category: str
    count: int


@dataclass(frozen=True)
class Census:
    """One borough's marginals, rows in file order."""

    name: str
    rows: tuple[CensusRow, ...]

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Dimension names, an adult version (``sex@18+``) counted as its dimension."""
        return tuple(dict.fromkeys(split_adult(row.dimension)[0] for row in self.rows if row.dimension != "population"))

    def counts(self, dimension: str) -> dict[str, int]:
        return {row.category: row.count for row in self.rows if row.dimension == dimension}


def parse_census(text: str, *, name: str = "uploaded census") -> Census:
    """Parse and check a census CSV; every problem names its row and column."""
    try:
        table = read_csv(text)
    except CsvReadError as error:
        problem = error.problems[0]
        raise CensusFormatError(problem.message, row=problem.row, column=problem.column or None) from None
    header = table.header
    if not header and not table.rows:
        raise CensusFormatError("the file is empty", row=1)
    columns = [cell.strip().casefold() for cell in header]
    for required in ("dimension", "category", "count"):
        if required not in columns:
            raise CensusFormatError(f"missing column '{required}' (expected dimension,category,count,source)",
                                    row=1, column=required)
    index = {column: columns.index(column) for column in ("dimension", "category", "count")}
    rows: list[CensusRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row_number, cells in ((row.number, row.cells) for row in table.rows if not row.is_blank):

        def cell(column: str) -> str:
            position = index[column]
            return cells[position].strip() if position < len(cells) else ""

        dimension, category, raw_count = cell("dimension"), cell("category"), cell("count")
        if not dimension:
            raise CensusFormatError("the dimension is empty", row=row_number, column="dimension")
        if not category:
            raise CensusFormatError("the category is empty", row=row_number, column="category")
        try:
            count = int(raw_count.replace(",", ""))
        except ValueError:
            raise CensusFormatError(f"'{raw_count}' is not a whole number", row=row_number, column="count") from None
        if count < 0:
            raise CensusFormatError("a count cannot be negative", row=row_number, column="count")
        key = (dimension, category)
        if key in seen:
            raise CensusFormatError(f"'{dimension}: {category}' repeats row {seen[key]}", row=row_number,
                                    column="category")
        seen[key] = row_number
        try:
            check_category(dimension, category)
        except CensusMappingError as error:
            raise CensusFormatError(str(error), row=row_number, column="category") from None
        rows.append(CensusRow(dimension=dimension, category=category, count=count))
    if not any(row.dimension != "population" for row in rows):
        raise CensusFormatError("the file has no dimension rows besides population", row=2)
    return Census(name=name, rows=tuple(rows))


def shipped_census_files() -> list[str]:
    """File names (e.g. ``camden-2011.csv``) of the census files shipped with the project."""
    return sorted(path.name for path in CENSUS_DIR.glob("*.csv"))


def census_label(file_name: str) -> str:
    """``camden-2011.csv`` → ``Camden 2011``."""
    stem = file_name.removesuffix(".csv")
    place, _, year = stem.rpartition("-")
    return f"{place.replace('-', ' ').title().replace(' And ', ' and ')} {year}"


def load_shipped_census(file_name: str) -> Census:
    if file_name not in shipped_census_files():
        raise CensusFormatError(f"no census file called '{file_name}'")
    return parse_census((CENSUS_DIR / file_name).read_text(encoding="utf-8"), name=census_label(file_name))


def tenure_prefixes(census: Census) -> tuple[str, ...]:
    present = {row.category.split(":", 1)[0] for row in census.rows if row.dimension == "tenure" and ":" in row.category}
    return tuple(prefix for prefix in TENURE_PREFIXES if prefix in present)


def dimension_margin(census: Census, dimension: str, *, tenure_prefix: str = "households") -> Margin:
    """The dimension's census counts in About-you categories (``panels.census_mapping``), on the
    base a panel quota needs: adults (18+) where the file has them (``sex@18+``; age bands always),
    tenure one prefix family.
    Raises ``CensusFormatError`` when the dimension is absent or its counts add up to zero."""
    source = pick_dimension((row.dimension for row in census.rows), dimension, youngest="18") or dimension
    counts = census.counts(source)
    offered = [band for band in ABOUT_YOU_AGE_BANDS if band not in CHILD_AGE_BANDS] if dimension == "age_band" else None
    margin = about_you_margin(source, counts, offered=offered, family=tenure_prefix)
    if not margin.counts or margin.total <= 0:
        raise CensusFormatError(f"{census.name} has no usable counts for '{dimension}'")
    return margin


def dimension_shares(census: Census, dimension: str, *, tenure_prefix: str = "households") -> dict[str, float]:
    """About-you category → share of the dimension's base (``dimension_margin``)."""
    return dimension_margin(census, dimension, tenure_prefix=tenure_prefix).shares()


def age_band_words(band: str) -> str | None:
    """An adult age band in words ("18-24" → "Aged 18 to 24", "75+" → "Aged 75 and over"), or
    None for anything else. Residents read these on "How we chose the panel"."""
    match = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", band)
    if match:
        return gettext("Aged %(low)s to %(high)s", low=match.group(1), high=match.group(2))
    older = re.fullmatch(r"(\d+)\s*\+", band)
    if older:
        return gettext("Aged %(low)s and over", low=older.group(1))
    return None
