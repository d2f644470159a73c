"""The You said report: the JSON contract, overall results, weighting and disclosure in it."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import binomtest

from analysis.stats.disclosure import HIDDEN, HIDDEN_TEXT
from analysis.stats.frames import QuestionSpec, option_column
from analysis.stats.weighting import census_counts_from_csv
from analysis.reports.you_said import build_you_said, question_result, word_cloud_images

CENSUS = census_counts_from_csv("""dimension,category,count,source
population,All usual residents,1000,test
sex,Male,500,test
sex,Female,500,test
""")
SEX = QuestionSpec(key="sex", text="Sex", type="single", options=("Male", "Female", "Prefer not to say"),
                   census_dimension="sex", census_mapping={"Male": "Male", "Female": "Female"})
PARK = QuestionSpec(key="park", text="Do you support the park?", type="yes_no")
PRIORITIES = QuestionSpec(key="pri", text="Priorities", type="multiple", options=("Parks", "Roads"))
WHY = QuestionSpec(key="why", text="Why?", type="text")
VISITS = QuestionSpec(key="visits", text="Visits", type="number")
SPECS = [PARK, PRIORITIES, WHY, VISITS, SEX]


def _frame():
    # 60 men (45 Yes, 15 No), 30 women (10 Yes, 17 No, 3 Don't know), 5 prefer not to say (all Yes),
    # 5 who skipped the park question.
    sex = ["Male"] * 60 + ["Female"] * 30 + ["Prefer not to say"] * 5 + ["Male"] * 5
    park = ["Yes"] * 45 + ["No"] * 15 + ["Yes"] * 10 + ["No"] * 17 + ["Don't know"] * 3 + ["Yes"] * 5 + [None] * 5
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "reference": [f"R{i}" for i in range(100)],
        "channel": ["online"] * 70 + ["paper"] * 30,
        "submitted_at": pd.Timestamp("2026-03-01", tz="UTC"),
        "park": pd.Series(park, dtype="string"),
        option_column("pri", "Parks"): rng.random(100) < 0.5,
        option_column("pri", "Roads"): np.r_[np.ones(10, bool), np.zeros(90, bool)],
        "why": pd.Series(["More trees please"] * 3 + ["more trees please!"] + [None] * 96, dtype="string"),
        "visits": np.r_[np.arange(20, dtype=float), np.full(80, np.nan)],
        "sex": pd.Series(sex, dtype="string"),
    })


def test_json_contract_top_level_and_options():
    document = build_you_said(SPECS, _frame(), census=CENSUS).to_json_dict()
    assert list(document)[:6] == ["format", "version", "n_responses", "by_channel", "design_effect",
                                  "effective_sample_size"]
    assert document["n_responses"] == 100
    assert document["by_channel"] == {"email": 0, "focus_group": 0, "online": 70, "panel_session": 0, "paper": 30}
    assert [question["key"] for question in document["questions"]] == ["park", "pri", "sex"]
    park = document["questions"][0]
    assert park["type"] == "yes_no_dont_know" and park["n_answered"] == 95
    yes = park["options"][0]
    assert set(yes) == {"label", "count", "percent", "ci_low", "ci_high", "weighted_percent", "weighted_ci_low",
                        "weighted_ci_high", "suppressed"}
    assert yes["count"] == 60 and yes["percent"] == round(100 * 60 / 95, 1)
    interval = binomtest(60, 95).proportion_ci(method="wilson")
    assert (yes["ci_low"], yes["ci_high"]) == (round(100 * interval.low, 1), round(100 * interval.high, 1))
    # Overall results are always published; only About-you counts under the threshold (here the
    # 5 who preferred not to say, with a partner category so that neither can be worked out) are hidden.
    assert not any(option["suppressed"] for question in document["questions"][:2] for option in question["options"])
    sex = document["questions"][2]["options"]
    assert [option["count"] is None for option in sex] == [False, True, True]
    json.dumps(document)  # plain JSON types only


def test_weighted_percent_matches_hand_computation():
    report = build_you_said(SPECS, _frame(), census=CENSUS)
    # Sex 50/50 among the 95 who answered it: men (65) get 47.5/65, women (30) 47.5/30, the 5 who
    # preferred not to say keep 1. Park "Yes": 45 men + 10 women + 5 prefer-not, of the 95 answering.
    man, woman = 47.5 / 65, 47.5 / 30
    yes = 45 * man + 10 * woman + 5
    answered = 60 * man + 30 * woman + 5
    weights = np.r_[np.full(60, man), np.full(30, woman), np.ones(5), np.full(5, man)]
    assert question_result(_frame(), PARK, weights).options[0].weighted_percent == pytest.approx(100 * yes / answered)
    # Published, the park question's weighted percentages would show that the 3 "Don't know" (a
    # hidden cell of the table by sex) are women: they are withheld (issue #18, item 1).
    assert report.questions[0].options[0].weighted_percent is None
    assert "park" in report.weighting.weighted_withheld
    assert report.design_effect == pytest.approx(100 * np.sum(weights**2) / np.sum(weights) ** 2)
    assert report.to_json_dict()["effective_sample_size"] == round(100 / report.design_effect, 1)


def test_unweighted_report_has_nulls():
    document = build_you_said(SPECS, _frame()).to_json_dict()
    assert document["design_effect"] is None and document["effective_sample_size"] is None
    assert document["weighting"] is None
    assert all(option["weighted_percent"] is None for question in document["questions"]
               for option in question["options"])


def park_counts(document) -> list[int]:
    return [option["count"] for option in document["questions"][0]["options"]]


def test_breakdown_suppresses_small_cells_and_their_percentages():
    document = build_you_said(SPECS, _frame(), census=CENSUS).to_json_dict()
    breakdown = next(b for b in document["breakdowns"] if b["question_key"] == "park")
    groups = {group["label"]: group for group in breakdown["groups"]}
    assert list(groups) == ["Male", "Female", "Prefer not to say", "Not answered"]
    female_dont_know = groups["Female"]["cells"][2]
    assert female_dont_know == {"label": "Don't know", "count": None, "percent": None, "suppressed": True,
                                "suppression": HIDDEN, "display": HIDDEN_TEXT}
    assert groups["Prefer not to say"]["n_answered"] is None and groups["Prefer not to say"]["suppressed"]
    assert all(cell["suppressed"] for cell in groups["Prefer not to say"]["cells"])  # a hidden About-you count
    for group in breakdown["groups"]:
        hidden = sum(cell["suppressed"] for cell in group["cells"]) + int(group["suppressed"])
        assert hidden != 1
    for column in range(3):
        assert sum(group["cells"][column]["suppressed"] for group in breakdown["groups"]) != 1
    assert sum(group["suppressed"] for group in breakdown["groups"]) != 1
    visible = [cell for group in breakdown["groups"] for cell in group["cells"] if not cell["suppressed"]]
    assert all(cell["count"] >= 10 or cell["count"] == 0 for cell in visible)  # a zero only where it says nothing
    assert all(cell["count"] >= 10 for group in breakdown["groups"] if group["label"] != "Not answered"
               for cell, column in zip(group["cells"], park_counts(document)) if not cell["suppressed"] and column)
    # The test uses Male and Female only (45/15/0 against 10/17/3): with Female's 3 hidden, its
    # statistic and p-value would narrow the hidden cells, so they are not published.
    assert breakdown["withheld"] and breakdown["test"] is breakdown["statistic"] is breakdown["p_value"] is None
    assert not breakdown["significant"]
    multiple = next(b for b in document["breakdowns"] if b["question_key"] == "pri")
    assert multiple["test"] is None and not multiple["significant"]


def test_free_text_numbers_and_officer_sections_empty_without_the_builder():
    report = build_you_said(SPECS, _frame())
    document = report.to_json_dict()
    assert document["free_text"][0]["n_comments"] == 4 and document["free_text"][0]["n_distinct"] == 1
    assert document["free_text"][0]["top_terms"][0] == {"term": "trees", "comments": 4}
    assert document["free_text"][0]["word_cloud_alt"].startswith("Word cloud of the most used words in 4 comments")
    assert document["numbers"] == [{"key": "visits", "text": "Visits", "n_answered": 20, "median": 9.5,
                                    "lower_quartile": 4.75, "upper_quartile": 14.25}]
    assert document["themes"] == [] and document["actions"] == []
    assert set(word_cloud_images(report)) == {"why"}


def test_report_is_deterministic():
    first = json.dumps(build_you_said(SPECS, _frame(), census=CENSUS).to_json_dict())
    second = json.dumps(build_you_said(SPECS, _frame(), census=CENSUS).to_json_dict())
    assert first == second


def test_empty_frame_gives_empty_results():
    from analysis.stats.frames import frame_from_records

    document = build_you_said(SPECS, frame_from_records(SPECS, []), census=CENSUS).to_json_dict()
    assert document["n_responses"] == 0
    assert document["questions"][0]["n_answered"] == 0
    assert document["questions"][0]["options"][0]["percent"] is None


# --- Disclosure through the report (audit of issue 6) ---------------------------------------------

AREA = QuestionSpec(key="area", text="Your area", type="single", options=("A", "B", "C"), census_dimension="area",
                    census_mapping={"A": "A", "B": "B", "C": "C"})
CHOICE = QuestionSpec(key="choice", text="X or Y?", type="single", options=("X", "Y"))


def _grouped_frame(counts, labels):
    groups, answers = [], []
    for label, row in zip(labels, counts):
        for option, count in zip(CHOICE.options, row):
            groups += [label] * int(count)
            answers += [option] * int(count)
    return pd.DataFrame({"reference": [f"R{i}" for i in range(len(groups))], "channel": "online",
                         "submitted_at": pd.Timestamp("2026-01-01", tz="UTC"),
                         "choice": pd.Series(answers, dtype="string"), "area": pd.Series(groups, dtype="string")})


def test_hidden_figures_are_labelled_alike_and_a_hidden_total_gets_no_percentages():
    # Rows A, B, C and "Not answered" (people who skipped the area question) hold exactly
    # [[1, 5], [17, 18], [14, 39], [19, 31]]: A's total (6) is hidden, and so is another.
    frame = _grouped_frame([[1, 5], [17, 18], [14, 39], [19, 31]], ["A", "B", "C", None])
    document = build_you_said([CHOICE, AREA], frame).to_json_dict()
    groups = document["breakdowns"][0]["groups"]
    assert sum(group["suppressed"] for group in groups) >= 2
    figures = [figure for group in groups for figure in [group, *group["cells"]] if figure["suppressed"]]
    # One label for small figures and for those hidden to protect them: "fewer than 10" beside
    # "[c]" told the attacker which hidden figures were under 10.
    assert figures and all(figure["suppression"] == HIDDEN for figure in figures)
    assert all(cell["display"] == HIDDEN_TEXT for group in groups for cell in group["cells"] if cell["suppressed"])
    for group in groups:
        if group["n_answered"] is None:
            assert all(cell["percent"] is None and "%" not in cell["display"] for cell in group["cells"])


@settings(max_examples=60)
@given(arrays(np.int64, (4, 2), elements=st.integers(0, 40)))
def test_report_never_shows_a_percentage_for_a_hidden_total(counts):
    frame = _grouped_frame(counts, ["A", "B", "C", None])
    document = build_you_said([CHOICE, AREA], frame).to_json_dict()
    for group in document["breakdowns"][0]["groups"]:
        if group["n_answered"] is None:
            assert all(cell["percent"] is None for cell in group["cells"])
        for cell in group["cells"]:
            if cell["suppression"] == "primary":
                assert cell["display"] == "fewer than 10"
            elif cell["suppression"] == "secondary":
                assert cell["display"].startswith("[c]")


def test_under_represented_note_says_weighted_up_only_when_weights_are_applied():
    applied = build_you_said(SPECS, _frame(), census=CENSUS).weighting
    assert applied.applied
    assert any(note.startswith("Under-represented groups (weighted up)") for note in applied.notes)
    stopped = build_you_said(SPECS, _frame(), census=CENSUS, max_iterations=0).weighting
    assert not stopped.applied
    under = [note for note in stopped.notes if note.startswith("Under-represented")]
    assert under and all("(weighted up)" not in note and "not weighted up" in note for note in under)
