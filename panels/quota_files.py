"""Quotas from a file the officer already has, uploaded in the web app: the formats the CLI reads
(``panels.selection.csv_input.read_quota_file``): ``category,name,min,max`` (the stratification
app, and opendlp's ``categories.csv`` with its extra columns), ``category,feature,min,max`` or
``feature,value,min,max``.

A category may be any column of the pool: a census dimension (``sex``), the age band worked out
from the age or date of birth a volunteer gives (``age_band``), the ward of their address
(``ward``, ``panels.postcode_wards``), or any other column, which becomes a question on the
registration form and a column an import reads. A file gives no census share: the target shown
is the middle of each range. Every bad row is named, and nothing is saved while any is bad.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.i18n import gettext
from panels.quotas import QuotaRow, quota_problems
from panels.registration import ADULT_AGE_BANDS
from panels.selection.csv_input import normalise_label, read_quota_file

DERIVED_DIMENSIONS = ("age_band", "ward")
"""Quota categories no one is asked about: worked out from the age and the address."""


@dataclass(frozen=True)
class QuotaFileProblem:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return gettext("Row %(row)d, column ‘%(column)s’: %(problem)s", row=self.row, column=self.column,
                           problem=self.message)
        if self.row:
            return gettext("Row %(row)d: %(problem)s", row=self.row, problem=self.message)
        return self.message


class QuotaFileError(ValueError):
    def __init__(self, problems: list[QuotaFileProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in problems))


def quotas_from_file(data: bytes | str, *, k: int, file: str = "quota file") -> list[QuotaRow]:
    """The panel's quotas from an uploaded file, or ``QuotaFileError`` naming every bad row."""
    quotas, read_problems, row_numbers = read_quota_file(data, file=file)
    problems = [QuotaFileProblem(problem.row, problem.column, problem.message) for problem in read_problems]
    rows: list[QuotaRow] = []
    bands = {normalise_label(band): band for band in ADULT_AGE_BANDS}
    for quota, row in zip(quotas, row_numbers):
        dimension = "age_band" if normalise_label(quota.category) in ("age_band", "age band") else quota.category
        name = quota.name
        if dimension == "age_band":
            if normalise_label(name) not in bands:
                problems.append(QuotaFileProblem(row, None, gettext(
                    "age_band: ‘%(name)s’ is not an age band the app works out from ages; use %(bands)s",
                    name=name, bands=", ".join(ADULT_AGE_BANDS))))
                continue
            name = bands[normalise_label(name)]
        if len(dimension) > 60 or len(name) > 200:
            problems.append(QuotaFileProblem(row, None, gettext("%(category)s: a category is 60 characters or fewer "
                                                                 "and a group 200", category=dimension[:60])))
            continue
        if quota.quota_max > k:
            problems.append(QuotaFileProblem(row, "max", gettext(
                "%(category)s: %(name)s: the maximum %(most)d is more than the panel's %(k)d seats",
                category=dimension, name=name, most=quota.quota_max, k=k)))
            continue
        rows.append(QuotaRow(dimension, name, None, (quota.quota_min + quota.quota_max) / 2, quota.quota_min,
                             quota.quota_max))
    if not problems:
        problems += [QuotaFileProblem(None, None, message) for message in quota_problems(rows, k=k).values()]
    if problems:
        raise QuotaFileError(problems)
    return rows
