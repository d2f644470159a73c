"""Weighting reads census files of either year through the one About-you mapping (issue #18,
items 3 and 4): camden-2021 gives White 59.5%, not 89.8%; tenure is a share of households, said so;
an answer with no census category stops the weighting and is named, instead of keeping weight 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.reports.build import census_counts
from analysis.reports.you_said import build_you_said
from analysis.stats.frames import QuestionSpec
from analysis.stats.weighting import weight_to_census
from common.about_you import ABOUT_YOU_CATEGORIES

PREFER = "Prefer not to say"


def _about_you(dimension: str, extra: tuple[str, ...] = ()) -> QuestionSpec:
    labels = (*ABOUT_YOU_CATEGORIES[dimension], *extra)
    return QuestionSpec(key=dimension, text=dimension.replace("_", " ").capitalize(), type="single",
                        options=(*labels, PREFER), census_dimension=dimension,
                        census_mapping={label: label for label in labels})


def _frame(n: int = 600, seed: int = 3, extra: dict[str, str] | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {dimension: pd.Series(rng.choice([*categories, PREFER], size=n), dtype="string")
               for dimension, categories in ABOUT_YOU_CATEGORIES.items()}
    frame = pd.DataFrame({"reference": [f"R{i}" for i in range(n)], "channel": "online", **columns,
                          "park": pd.Series(rng.choice(["Yes", "No"], size=n), dtype="string")})
    for column, value in (extra or {}).items():
        frame.loc[:19, column] = value
    return frame


SPECS = [QuestionSpec(key="park", text="Park?", type="single", options=("Yes", "No")),
         *(_about_you(dimension) for dimension in ABOUT_YOU_CATEGORIES)]


@pytest.mark.parametrize("file_name", ["camden-2011.csv", "camden-2021.csv", "barnet-2021.csv",
                                       "barking-and-dagenham-2011.csv"])
def test_every_dimension_of_both_years_is_weighted_in_about_you_categories(file_name):
    document = build_you_said(SPECS, _frame(), census=census_counts(file_name)).to_json_dict()
    weighting = document["weighting"]
    assert weighting["applied"]
    by_dimension = {dimension["dimension"]: dimension for dimension in weighting["dimensions"]}
    census_dimensions = set(census_counts(file_name))
    assert set(by_dimension) == set(ABOUT_YOU_CATEGORIES) & census_dimensions
    for dimension, margin in by_dimension.items():
        # Every option has its census category: nobody is left on weight 1 for want of one.
        assert [row["category"] for row in margin["categories"]] == list(ABOUT_YOU_CATEGORIES[dimension])
        assert sum(row["census_percent"] for row in margin["categories"]) == pytest.approx(100, abs=0.4)
        assert margin["base"]
    assert not any("no category in the census" in note for note in weighting["notes"])


def test_camden_2021_publishes_the_census_shares_of_the_census():
    document = build_you_said(SPECS, _frame(), census=census_counts("camden-2021.csv")).to_json_dict()
    margins = {d["dimension"]: {row["category"]: row for row in d["categories"]} | {"base": d["base"]}
               for d in document["weighting"]["dimensions"]}
    assert margins["ethnicity"]["White"]["census_percent"] == 59.5  # was 89.8
    private = margins["tenure"]["Private rented: Private landlord or letting agency"]
    assert private["census_percent"] == round(100 * 30393 / (92784 - 2627), 1)  # households; was 44.6
    assert margins["tenure"]["base"].startswith("households (one answer per household, not per person)")
    assert "Other private rented (2.8%)" in margins["tenure"]["base"]
    assert margins["age_band"]["base"] == "usual residents aged 16 and over"  # 16-17 is offered
    assert margins["sex"]["base"].startswith("usual residents of all ages")
    disability = margins["disability"]
    assert disability["Day-to-day activities not limited"]["census_percent"] == round(
        100 * (12053 + 166198) / (14041 + 17829 + 12053 + 166198), 1)
    notes = document["weighting"]["notes"]
    assert any(note.startswith("The census shares for ‘Tenure’ are of households") for note in notes)


def test_tenure_is_per_person_where_the_file_has_persons():
    document = build_you_said(SPECS, _frame(), census=census_counts("camden-2011.csv")).to_json_dict()
    tenure = next(d for d in document["weighting"]["dimensions"] if d["dimension"] == "tenure")
    assert tenure["base"].startswith("usual residents living in households (per person)")
    owned = next(row for row in tenure["categories"] if row["category"] == "Owned outright")
    assert owned["census_percent"] == round(100 * 33901 / (212443 - 567 - 2004 - 846), 1)


def test_an_answer_with_no_census_category_stops_the_weighting_and_is_named():
    specs = [SPECS[0], _about_you("sex", extra=("Non-binary",)), _about_you("age_band")]
    frame = _frame(extra={"sex": "Non-binary"})
    weights, summary = weight_to_census(frame, specs, census_counts("camden-2021.csv"))
    assert weights is None and not summary.applied
    refusal = [note for note in summary.notes if "‘Non-binary’" in note]
    assert len(refusal) == 1 and "20 respondents" in refusal[0] and "not applied" in refusal[0]
    # Nobody chose it: weighting goes ahead and the note still says the census lacks it.
    weights, summary = weight_to_census(_frame(), specs, census_counts("camden-2021.csv"))
    assert summary.applied
    assert any("‘Non-binary’" in note and "nobody chose it" in note for note in summary.notes)


def test_a_category_has_one_weighted_percentage_on_one_stated_base():
    document = build_you_said(SPECS, _frame(), census=census_counts("camden-2021.csv")).to_json_dict()
    questions = {question["key"]: question for question in document["questions"]}
    assert questions["park"]["weighted_base"] == "answered"
    for margin in document["weighting"]["dimensions"]:
        question = questions[margin["question_key"]]
        assert question["weighted_base"] == "census_category"
        options = {option["label"]: option for option in question["options"]}
        assert options[PREFER]["weighted_percent"] is None  # not part of the base
        for row in margin["categories"]:
            assert options[row["category"]]["weighted_percent"] == row["weighted_percent"]
            assert row["weighted_percent"] == pytest.approx(row["census_percent"], abs=0.11)


def test_a_dimension_everyone_preferred_not_to_answer_gets_a_note_in_the_report():
    frame = _frame()
    frame["ethnicity"] = PREFER
    document = build_you_said(SPECS, frame, census=census_counts("camden-2021.csv")).to_json_dict()
    assert "ethnicity" not in {margin["dimension"] for margin in document["weighting"]["dimensions"]}
    assert any("‘Ethnicity’" in note and "not used for weighting" in note for note in document["weighting"]["notes"])
    ethnicity = next(question for question in document["questions"] if question["key"] == "ethnicity")
    assert ethnicity["weighted_base"] == "answered"


def test_group_differences_in_a_weighted_report_use_rao_scott_and_say_so():
    from analysis.stats.rao_scott import rao_scott_test

    frame = _frame(n=900)
    document = build_you_said(SPECS, frame, census=census_counts("camden-2021.csv")).to_json_dict()
    tested = [b for b in document["breakdowns"] if b["test"] is not None]
    assert tested and all(b["test"] == "rao_scott" for b in tested)
    by_sex = next(b for b in tested if b["group_key"] == "sex")
    assert "Rao and Scott" in by_sex["note"] and "unweighted" in by_sex["note"]
    assert by_sex["degrees_of_freedom"] == 1 and by_sex["rao_scott_degrees_of_freedom"] == pytest.approx(1.0)
    # The same figure from the weights directly.
    weights, _ = weight_to_census(frame, SPECS, census_counts("camden-2021.csv"))
    sexes = list(ABOUT_YOU_CATEGORIES["sex"])
    rows = frame["sex"].map({label: index for index, label in enumerate(sexes)})
    given = rows.notna().to_numpy()
    rows = rows[given].astype(int).to_numpy()
    columns = (frame["park"][given] == "No").astype(int).to_numpy()
    w = weights[given]
    cell = rows * 2 + columns
    expected = rao_scott_test(np.bincount(cell, weights=w, minlength=4).reshape(2, 2),
                              np.bincount(cell, weights=w ** 2, minlength=4).reshape(2, 2),
                              np.bincount(cell, minlength=4).reshape(2, 2))
    assert by_sex["statistic"] == pytest.approx(expected.statistic, abs=5e-4)
    # Unweighted, the same table has Pearson's test.
    unweighted = build_you_said(SPECS, frame).to_json_dict()
    assert {b["test"] for b in unweighted["breakdowns"] if b["test"]} <= {"chi_square", "fisher_exact"}


def test_adult_figures_in_a_census_file_are_used_and_stated():
    from analysis.stats.weighting import census_counts_from_csv

    census = census_counts_from_csv("dimension,category,count,source\n"
                                    "sex,Male,500,all ages\nsex,Female,500,all ages\n"
                                    "sex@16+,Male,380,adults\nsex@16+,Female,420,adults\n"
                                    "age_band,0-15,200,t\nage_band,16-17,40,t\nage_band,18-24,360,t\n"
                                    "age_band,25-34,400,t\n")
    specs = [SPECS[0], _about_you("sex")]
    frame = _frame()
    _, summary = weight_to_census(frame, specs, census)
    sex = summary.dimensions[0]
    assert sex.base == "usual residents aged 16 and over"
    assert [row.census_share for row in sex.rows] == pytest.approx([0.475, 0.525])
    # Panels (18+) fall back to the 16+ figures when the file has no 18+ ones, and say so.
    from panels.census import dimension_margin, parse_census

    margin = dimension_margin(parse_census("dimension,category,count\nsex,Male,5,\nsex,Female,5,\n"
                                           "sex@16+,Male,38,\nsex@16+,Female,42,\n"), "sex")
    assert margin.counts == {"Male": 38, "Female": 42} and margin.base() == "usual residents aged 16 and over"
