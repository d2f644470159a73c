"""Weighted percentages must not undo suppression (issue #18, item 1): weighted by sex, "Don't
know: 3.1% weighted" and the published overall count of "Don't know" pin down the hidden cells of
the table by sex; the report withholds such weighted figures and keeps the harmless ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.reports.you_said import build_you_said
from analysis.stats.disclosure_audit import derivable_ranges
from analysis.stats.frames import QuestionSpec
from analysis.stats.published_tables import cell_key, system_from_documents
from analysis.stats.weighted_disclosure import add_weighted_percentages, row_weights
from analysis.stats.weighting import census_counts_from_csv, weight_to_census

CENSUS = census_counts_from_csv("dimension,category,count,source\nsex,Male,500,test\nsex,Female,500,test\n")
SEX = QuestionSpec(key="sex", text="Sex", type="single", options=("Male", "Female", "Prefer not to say"),
                   census_dimension="sex", census_mapping={"Male": "Male", "Female": "Female"})
PARK = QuestionSpec(key="park", text="Park?", type="yes_no")
BINS = QuestionSpec(key="bins", text="Bins?", type="single", options=("Weekly", "Fortnightly"))
SPECS = [PARK, BINS, SEX]


def _frame() -> pd.DataFrame:
    # 200 men (Yes 120, No 75, Don't know 5) and 100 women (Yes 40, No 55, Don't know 5): the two
    # "Don't know" cells are hidden. Bins: every cell at least 10, nothing hidden.
    sex = ["Male"] * 200 + ["Female"] * 100
    park = ["Yes"] * 120 + ["No"] * 75 + ["Don't know"] * 5 + ["Yes"] * 40 + ["No"] * 55 + ["Don't know"] * 5
    bins = ["Weekly"] * 150 + ["Fortnightly"] * 50 + ["Weekly"] * 30 + ["Fortnightly"] * 70
    return pd.DataFrame({"reference": [f"R{i}" for i in range(300)], "channel": "online",
                         "sex": pd.Series(sex, dtype="string"), "park": pd.Series(park, dtype="string"),
                         "bins": pd.Series(bins, dtype="string")})


def test_published_weighted_percentages_would_reveal_hidden_cells():
    frame = _frame()
    unweighted = build_you_said(SPECS, frame).to_json_dict()
    by_sex = next(b for b in unweighted["breakdowns"] if b["question_key"] == "park")
    dont_know = 2
    assert [group["cells"][dont_know]["count"] for group in by_sex["groups"][:2]] == [None, None]  # hidden
    system = system_from_documents([unweighted])
    men = cell_key(0, "park", "sex", 0, dont_know)
    before = derivable_ranges(system)[men]
    assert before[1] - before[0] >= 10 or before == (0, 10)  # the suppression holds on its own
    # The attacker adds the weighted percentages (the weights follow from the census and the group sizes).
    weights, _ = weight_to_census(frame, SPECS, CENSUS)
    shares = [100 * weights[frame["park"] == label].sum() / weights.sum() for label in ("Yes", "No", "Don't know")]
    add_weighted_percentages(system, 0, "park", "sex", row_weights(weights, np.r_[np.zeros(200, int), np.ones(100, int)],
                                                                   4), [round(share, 1) for share in shares])
    assert derivable_ranges(system)[men] == (5, 5)  # recovered exactly


def test_the_report_withholds_them_and_keeps_the_harmless_ones():
    document = build_you_said(SPECS, _frame(), census=CENSUS).to_json_dict()
    questions = {question["key"]: question for question in document["questions"]}
    assert all(option["weighted_percent"] is None and option["weighted_ci_low"] is None
               for option in questions["park"]["options"])
    assert questions["park"]["weighted_base"] is None
    assert all(option["weighted_percent"] is not None for option in questions["bins"]["options"])
    assert document["weighting"]["weighted_withheld"] == ["park"]
    assert any("Weighted percentages are not shown for 1 question" in note for note in document["weighting"]["notes"])


def test_weights_varying_within_a_group_withhold_whenever_a_table_hides_figures():
    frame = _frame()
    frame["age"] = pd.Series(np.where(np.arange(300) % 3 == 0, "18-24", "25-34"), dtype="string")
    census = census_counts_from_csv("dimension,category,count,source\nsex,Male,500,test\nsex,Female,500,test\n"
                                    "age_band,18-24,400,test\nage_band,25-34,600,test\n")
    age = QuestionSpec(key="age", text="Age", type="single", options=("18-24", "25-34", "Prefer not to say"),
                       census_dimension="age_band", census_mapping={"18-24": "18-24", "25-34": "25-34"})
    document = build_you_said([*SPECS, age], frame, census=census).to_json_dict()
    assert document["weighting"]["applied"]
    assert "park" in document["weighting"]["weighted_withheld"]
    assert "bins" not in document["weighting"]["weighted_withheld"]


@pytest.mark.parametrize("values, expected", [([1.0, 1.0, 2.0, 2.0], [1.0, 2.0]), ([1.0, 1.5, 2.0, 2.0], None)])
def test_row_weights(values, expected):
    result = row_weights(np.array(values), np.array([0, 0, 1, 1]), 2)
    assert (result is None) if expected is None else list(result) == expected
