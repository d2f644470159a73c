"""Read the quota and respondent CSV files officers already have.

Quota files (one row per category value; extra columns such as ``min_flex`` ignored):
``category,name,min,max`` (stratification app), ``category,feature,min,max`` (Nature
replication data) or ``feature,value,min,max`` (Sortition Foundation).

Respondent files: an id column (``id``, ``unique_id``, ``nationbuilder_id`` or the one
named), one column per quota category, anything else kept in ``Volunteer.extra``. A file
with none of the id columns (the replication data) uses the 0-based data-row index as id,
and says so with a ``SelectionInputWarning`` (the CLI prints it).

Rows are numbered as in a spreadsheet: the header is row 1, the first volunteer row 2.
Headers and values match case- and whitespace-insensitively; volunteer values are stored
spelled as in the quota file. Every problem raises ``SelectionInputError`` naming the file,
row and column.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from pathlib import Path

from common.csvio import CsvReadError, read_csv
from panels.selection.model import Quota, SelectionProblem, Volunteer

ID_COLUMNS = ("id", "unique_id", "nationbuilder_id")
QUOTA_HEADER_VARIANTS = (("category", "name"), ("category", "feature"), ("feature", "value"))


class SelectionInputWarning(UserWarning):
    """Input that was read, but perhaps not as the officer meant (e.g. no id column)."""


class SelectionInputError(ValueError):
    """Bad input, located as precisely as possible (``row``/``column`` may be ``None``)."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


def normalise_label(text: str) -> str:
    """Key for case- and whitespace-insensitive matching of headers and values."""
    return " ".join(text.split()).casefold()


def normalise_household(parts: Iterable[str]) -> str | None:
    """Household key: each part lower-cased with everything but letters and digits removed.

    So "Flat 3, 15 Maple Avenue" / "nw1 2ab" and "flat 3 15 maple avenue" / "NW12AB" match.
    All parts empty means "no household given" (``None``).
    """
    cleaned = ["".join(ch for ch in part.casefold() if ch.isalnum()) for part in parts]
    return "|".join(cleaned) if any(cleaned) else None


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows as ``common.csvio`` reads them (blank rows kept, so positions are
    spreadsheet rows); its first problem as a ``SelectionInputError``."""
    try:
        table = read_csv(path.read_bytes())
    except FileNotFoundError:
        raise SelectionInputError(str(path), None, None, "file not found") from None
    except CsvReadError as error:
        problem = error.problems[0]
        raise SelectionInputError(str(path), problem.row, problem.column or None, problem.message) from None
    if not table.header and not table.rows:
        raise SelectionInputError(str(path), 1, None, "the file is empty (no header row)")
    return table.header, [row.cells for row in table.rows]


def _column_lookup(header: Sequence[str]) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for index, name in enumerate(header):
        lookup.setdefault(normalise_label(name), index)
    return lookup


def _cell(row: Sequence[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _parse_count(text: str, file: str, row: int, column: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise SelectionInputError(file, row, column, f"'{text}' is not a whole number") from None
    if value < 0:
        raise SelectionInputError(file, row, column, f"{value} is negative")
    return value


class QuotaFileRead(NamedTuple):
    quotas: tuple[Quota, ...]
    problems: tuple[SelectionInputError, ...]
    rows: tuple[int, ...]
    """The spreadsheet row of each quota, in the same order."""


def read_quota_file(data: bytes | str, *, file: str) -> QuotaFileRead:
    """Every good quota row of a categories/quotas file (any of the three header variants), and
    every problem, one per bad row: a web upload names them all, the CLI stops at the first. A
    file whose header cannot be read has that one problem and no rows."""
    try:
        table = read_csv(data)
    except CsvReadError as error:
        problem = error.problems[0]
        return QuotaFileRead((), (SelectionInputError(file, problem.row, problem.column or None, problem.message),), ())
    if not table.header and not table.rows:
        return QuotaFileRead((), (SelectionInputError(file, 1, None, "the file is empty (no header row)"),), ())
    columns = _column_lookup(table.header)
    variant = next((names for names in QUOTA_HEADER_VARIANTS if all(n in columns for n in names)), None)
    if variant is None:
        return QuotaFileRead((), (SelectionInputError(
            file, 1, "category", "missing column: expected 'category,name', 'category,feature' or 'feature,value'"),), ())
    for required in ("min", "max"):
        if required not in columns:
            return QuotaFileRead((), (SelectionInputError(file, 1, required, f"missing column '{required}'"),), ())
    category_col, name_col = (columns[name] for name in variant)
    quotas: list[Quota] = []
    problems: list[SelectionInputError] = []
    seen: dict[tuple[str, str], int] = {}
    for row_number, row in ((row.number, row.cells) for row in table.rows):
        category, name = _cell(row, category_col), _cell(row, name_col)
        if not category and not name and not any(cell.strip() for cell in row):
            continue
        try:
            if not category:
                raise SelectionInputError(file, row_number, variant[0], "empty category")
            if not name:
                raise SelectionInputError(file, row_number, variant[1], "empty value name")
            quota_min = _parse_count(_cell(row, columns["min"]), file, row_number, "min")
            quota_max = _parse_count(_cell(row, columns["max"]), file, row_number, "max")
            if quota_min > quota_max:
                raise SelectionInputError(file, row_number, "min", f"min {quota_min} is greater than max {quota_max}")
            key = (normalise_label(category), normalise_label(name))
            if key in seen:
                raise SelectionInputError(
                    file, row_number, variant[1], f"'{category}={name}' is listed twice (also row {seen[key]})")
        except SelectionInputError as problem:
            problems.append(problem)
            continue
        seen[key] = row_number
        known = next((q.category for q in quotas if normalise_label(q.category) == key[0]), category)
        quotas.append(Quota(category=known, name=name, quota_min=quota_min, quota_max=quota_max))
    if not quotas and not problems:
        problems.append(SelectionInputError(file, 2, None, "no quota rows"))
    return QuotaFileRead(tuple(quotas), tuple(problems), tuple(seen.values()))


def load_quotas(path: str | Path) -> tuple[Quota, ...]:
    """Parse a categories/quotas file (any of the three header variants); its first problem raised."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SelectionInputError(str(path), None, None, "file not found") from None
    quotas, problems, _ = read_quota_file(data, file=str(path))
    if problems:
        raise problems[0]
    return quotas


def load_volunteers(
    path: str | Path,
    quotas: Sequence[Quota],
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
) -> tuple[Volunteer, ...]:
    """Parse a respondents file against ``quotas``."""
    path = Path(path)
    file = str(path)
    header, rows = _read_rows(path)
    columns = _column_lookup(header)
    if id_column is not None:
        if normalise_label(id_column) not in columns:
            raise SelectionInputError(file, 1, id_column, f"missing id column '{id_column}'")
        id_index: int | None = columns[normalise_label(id_column)]
    else:
        id_index = next((columns[name] for name in ID_COLUMNS if name in columns), None)
        if id_index is None:
            warnings.warn(
                SelectionInputWarning(
                    f"{file}: no id column ({', '.join(ID_COLUMNS)}); volunteers are numbered by data row "
                    "from 0 (use --id-column to name one)"
                ),
                stacklevel=2,
            )
    categories = tuple(dict.fromkeys(quota.category for quota in quotas))
    category_index = {}
    for category in categories:
        if normalise_label(category) not in columns:
            raise SelectionInputError(file, 1, category, f"missing column for quota category '{category}'")
        category_index[category] = columns[normalise_label(category)]
    household_index = []
    for column in household_columns:
        if normalise_label(column) not in columns:
            raise SelectionInputError(file, 1, column, f"missing household column '{column}'")
        household_index.append(columns[normalise_label(column)])
    names = {
        category: {normalise_label(q.name): q.name for q in quotas if q.category == category} for category in categories
    }
    used = set(category_index.values()) | set(household_index) | ({id_index} if id_index is not None else set())
    volunteers: list[Volunteer] = []
    seen_ids: dict[str, int] = {}
    for position, row in enumerate(rows):
        row_number = position + 2
        if not any(cell.strip() for cell in row):
            continue
        if id_index is None:
            volunteer_id = str(position)
        else:
            volunteer_id = _cell(row, id_index)
            if not volunteer_id:
                raise SelectionInputError(file, row_number, header[id_index], "empty id")
        if volunteer_id in seen_ids:
            raise SelectionInputError(
                file,
                row_number,
                header[id_index] if id_index is not None else None,
                f"duplicate id '{volunteer_id}' (also row {seen_ids[volunteer_id]})",
            )
        seen_ids[volunteer_id] = row_number
        features = {}
        for category, index in category_index.items():
            value = _cell(row, index)
            canonical = names[category].get(normalise_label(value))
            if canonical is None:
                allowed = ", ".join(sorted(names[category].values()))
                raise SelectionInputError(
                    file, row_number, header[index], f"unknown value '{value}' for '{category}' (expected one of: {allowed})"
                )
            features[category] = canonical
        household = normalise_household(_cell(row, index) for index in household_index) if household_index else None
        extra = {header[i]: _cell(row, i) for i in range(len(header)) if i not in used}
        volunteers.append(Volunteer(id=volunteer_id, features=features, household=household, extra=extra))
    return tuple(volunteers)


def validate_problem(problem: SelectionProblem, *, respondents_file: str = "respondents") -> None:
    """Checks that need the whole problem: panel size against the pool, fixed ids."""
    if problem.k <= 0:
        raise SelectionInputError(respondents_file, None, None, f"panel size k must be positive, got {problem.k}")
    if problem.k > len(problem.volunteers):
        raise SelectionInputError(
            respondents_file,
            None,
            None,
            f"panel size k={problem.k} is larger than the pool ({len(problem.volunteers)} volunteers)",
        )
    known = {volunteer.id for volunteer in problem.volunteers}
    unknown = sorted(problem.fixed_ids - known)
    if unknown:
        raise SelectionInputError(respondents_file, None, None, f"fixed ids not in the pool: {', '.join(unknown)}")
    if len(problem.fixed_ids) > problem.k:
        raise SelectionInputError(
            respondents_file, None, None, f"{len(problem.fixed_ids)} fixed members exceed the panel size {problem.k}"
        )


def load_problem(
    categories_path: str | Path,
    respondents_path: str | Path,
    k: int,
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
    fixed_ids: Iterable[str] = (),
) -> SelectionProblem:
    """Read both files and build a validated ``SelectionProblem``."""
    quotas = load_quotas(categories_path)
    volunteers = load_volunteers(respondents_path, quotas, id_column=id_column, household_columns=household_columns)
    problem = SelectionProblem(
        volunteers=volunteers,
        quotas=quotas,
        k=k,
        enforce_households=bool(household_columns),
        fixed_ids=frozenset(fixed_ids),
    )
    validate_problem(problem, respondents_file=str(respondents_path))
    return problem
