"""Published percentages round half up (1 of 8 is 13%, not Python's half-to-even 12%), and a
note says when the shown percentages of one answer each do not add to 100."""

import pandas as pd
import pytest

from analysis.reports.you_said import build_you_said
from analysis.stats.frames import QuestionSpec
from analysis.stats.proportions import percent_text
from analysis.stats.rounding import percent_label, round_half_up, rounding_changes_total, share_label
from analysis.stats.weighting import census_counts_from_csv, weight_to_census


@pytest.mark.parametrize(("value", "places", "expected"), [
    (12.5, 0, 13), (0.5, 0, 1), (2.5, 0, 3), (6.25, 1, 6.3), (100 * 29 / 200, 0, 15), (-2.5, 0, -3),
    (12.4999, 0, 12), (33.35, 1, 33.4)])
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == expected


def test_labels():
    assert share_label(1 / 8) == "13%"
    assert percent_label(12.5, 1) == "12.5%" and percent_label(12.0, 1) == "12%"
    assert percent_text(1, 8).startswith("13% (1 of 8; ")


def test_rounding_note_only_when_the_shown_figures_miss_100():
    assert rounding_changes_total([100 / 3] * 3, places=1)  # 33.3 × 3 = 99.9
    assert not rounding_changes_total([50.0, 50.0], places=1)
    assert rounding_changes_total([12.5, 12.5, 75.0])  # 13 + 13 + 75 = 101
    assert not rounding_changes_total([12.5, None, 75.0])
    assert not rounding_changes_total([])


PARK = QuestionSpec(key="park", text="Do you support the park?", type="single", options=("Yes", "No", "Maybe"))
SEX = QuestionSpec(key="sex", text="Sex", type="single", options=("Male", "Female", "Prefer not to say"),
                   census_dimension="sex", census_mapping={"Male": "Male", "Female": "Female"})


def _frame(park: list[str], sex: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"reference": [f"R{i}" for i in range(len(park))], "channel": "online",
                         "park": pd.Series(park, dtype="string"), "sex": pd.Series(sex, dtype="string")})


def test_report_percentages_round_half_up_and_carry_a_rounding_note():
    # 1 of 16 is 6.25%: published as 6.3 (Python's round gave 6.2); 6.3 + 93.8 + 0 = 100.1.
    frame = _frame(["Yes"] + ["No"] * 15, ["Male"] * 16)
    question = build_you_said([PARK, SEX], frame).to_json_dict()["questions"][0]
    assert [option["percent"] for option in question["options"]] == [6.3, 93.8, 0.0]
    assert question["rounding_note"] is True
    even = build_you_said([PARK, SEX], _frame(["Yes", "No"] * 8, ["Male"] * 16)).to_json_dict()["questions"][0]
    assert even["rounding_note"] is False


def test_breakdown_display_rounds_half_up():
    # Men: 10 of 80 said Yes = 12.5% → "10 (13%)" (was "10 (12%)").
    frame = _frame(["Yes"] * 10 + ["No"] * 70 + ["Yes"] * 20 + ["No"] * 20 + ["Yes"] * 10 + ["No"] * 10,
                   ["Male"] * 80 + ["Female"] * 40 + [None] * 20)  # every cell at least 10: nothing hidden
    two = QuestionSpec(key="park", text="Park?", type="single", options=("Yes", "No"))
    group = QuestionSpec(key="sex", text="Sex", type="single", options=("Male", "Female"), census_dimension="sex",
                         census_mapping={"Male": "Male", "Female": "Female"})
    breakdown = build_you_said([two, group], frame).breakdowns[0]
    men = next(group for group in breakdown.groups if group.label == "Male")
    assert [cell.display for cell in men.cells] == ["10 (13%)", "70 (88%)"]


def test_weighting_notes_round_half_up():
    census = census_counts_from_csv("dimension,category,count,source\nsex,Male,500,test\nsex,Female,500,test\n")
    frame = _frame(["Yes"] * 8, ["Female"] + ["Male"] * 7)  # women: 1 of 8 = 12.5% against 50%
    _, summary = weight_to_census(frame, [SEX], census)
    assert any("Female (sex): 13% of respondents who answered, against 50%" in note for note in summary.notes)
