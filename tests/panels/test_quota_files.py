"""Quota files read for the web app as the CLI reads them, every bad row named; and the engine
when every seat is fixed (a selection computed again after a draw raised KeyError)."""

from __future__ import annotations

from pathlib import Path

import pytest

from panels.quota_files import QuotaFileError, quotas_from_file
from panels.selection import SelectionProblem, Volunteer, select_panel
from panels.selection.csv_input import SelectionInputError, load_quotas
from panels.selection.model import Quota

INSTANCES = Path(__file__).resolve().parents[2] / "bench" / "instances"


@pytest.mark.parametrize(("folder", "k"), [("opendlp_monitoring_30", 30), ("example_small_20", 20),
                                           ("example_large_200", 200)])
def test_the_web_reads_every_quota_file_the_cli_reads(folder, k):
    path = INSTANCES / folder / "categories.csv"
    cli = load_quotas(path)
    rows = quotas_from_file(path.read_bytes(), k=k)
    assert [(row.dimension, row.category, row.quota_min, row.quota_max) for row in rows] == [
        (q.category, q.name, q.quota_min, q.quota_max) for q in cli]
    assert all(row.census_share is None and row.quota_min <= row.target <= row.quota_max for row in rows)


def test_every_bad_row_is_named_and_the_cli_stops_at_the_first(tmp_path):
    text = "feature,value,min,max\nsex,Female,x,2\nsex,Male,3,1\nsex,,0,1\n"
    with pytest.raises(QuotaFileError) as raised:
        quotas_from_file(text, k=10)
    assert [(problem.row, problem.column) for problem in raised.value.problems] == [(2, "min"), (3, "min"), (4, "value")]
    file = tmp_path / "q.csv"
    file.write_text(text)
    with pytest.raises(SelectionInputError) as first:
        load_quotas(file)
    assert first.value.row == 2


def test_age_bands_are_the_ones_worked_out_from_ages():
    rows = quotas_from_file("category,name,min,max\nAge Band,18-24,0,3\nage_band,75+,0,3\n", k=3)
    assert [(row.dimension, row.category) for row in rows] == [("age_band", "18-24"), ("age_band", "75+")]
    with pytest.raises(QuotaFileError, match="Row 3: age_band: ‘16-24’ is not an age band"):
        quotas_from_file("category,name,min,max\nage_band,18-24,0,3\nage_band,16-24,0,3\n", k=3)
    with pytest.raises(QuotaFileError, match="Row 2, column ‘max’: sex: Female: the maximum 4 is more than"):
        quotas_from_file("category,name,min,max\nsex,Female,0,4\nsex,Male,0,3\n", k=3)


def test_computing_with_every_seat_fixed_does_not_raise():
    volunteers = tuple(Volunteer(id=f"v{number}", features={"sex": "F" if number % 2 else "M"}) for number in range(6))
    problem = SelectionProblem(volunteers=volunteers, quotas=(Quota("sex", "F", 0, 2), Quota("sex", "M", 0, 2)), k=2,
                               fixed_ids=frozenset({"v0", "v1"}))
    result = select_panel(problem, lottery_size=10)
    assert result.probabilities["v0"] == 1.0 and result.probabilities["v2"] == 0.0
    assert result.min_probability == 0.0 and result.max_probability == 0.0
