"""The responses frame: built from stored records and from the shared responses CSV alike."""

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from analysis.stats.frames import (QuestionSpec, answered_mask, choice_codes, frame_from_records,
                             frame_from_response_csv, specs_from_questionnaire)
from surveys.questionnaire import Question, Questionnaire, Section
from surveys.response_csv import ResponseRecord, export_csv

QUESTIONNAIRE = Questionnaire(sections=[
    Section("Your views", [
        Question("parking", "Do you support the parking plan?", "yes_no"),
        Question("priorities", "What matters most?", "multiple", options=["Parks", "Roads", "Libraries"]),
        Question("why", "Why?", "text"),
        Question("visits", "Visits a month", "number"),
    ]),
    Section("About you", [Question("sex", "Sex", "single", options=["Male", "Female", "Prefer not to say"],
                                   census_dimension="sex")], about_you=True),
])
AT = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
RECORDS = [
    ResponseRecord("R-1", "online", AT, {"parking": "Yes", "priorities": ["Parks", "Libraries"], "why": "=cheap",
                                          "visits": 3, "sex": "Female"}),
    ResponseRecord("R-2", "paper", AT, {"priorities": ["Roads"], "sex": "Prefer not to say"}),
    ResponseRecord("R-3", "email", AT, {}),
]


def test_specs_translate_kinds_and_map_about_you_to_census():
    specs = {spec.key: spec for spec in specs_from_questionnaire(QUESTIONNAIRE)}
    assert specs["parking"].type == "yes_no_dont_know"
    assert specs["parking"].options == ("Yes", "No", "Don't know")
    assert specs["why"].type == "free_text" and not specs["why"].closed
    assert specs["sex"].about_you
    assert specs["sex"].census_mapping == {"Male": "Male", "Female": "Female"}


def test_unknown_type_and_bad_mapping_are_refused():
    with pytest.raises(ValueError):
        QuestionSpec(key="q", text="Q", type="ranking")
    with pytest.raises(ValueError):
        QuestionSpec(key="q", text="Q", type="single", options=("A", "B"), census_dimension="sex",
                     census_mapping={"C": "Male"})


def test_records_and_csv_give_the_same_frame():
    specs = specs_from_questionnaire(QUESTIONNAIRE)
    from_records = frame_from_records(specs, RECORDS)
    from_csv = frame_from_response_csv(specs, export_csv(QUESTIONNAIRE, RECORDS))
    pd.testing.assert_frame_equal(from_records, from_csv, check_dtype=False)
    assert list(from_records.columns) == ["reference", "channel", "submitted_at", "parking", "priorities: Parks",
                                          "priorities: Roads", "priorities: Libraries", "why", "visits", "sex"]
    assert from_records["why"].iloc[0] == "=cheap"
    assert from_records["priorities: Libraries"].tolist() == [True, False, False]
    assert pd.isna(from_records["parking"].iloc[1])


def test_answered_and_codes():
    specs = {spec.key: spec for spec in specs_from_questionnaire(QUESTIONNAIRE)}
    frame = frame_from_records(list(specs.values()), RECORDS)
    assert answered_mask(frame, specs["priorities"]).tolist() == [True, True, False]
    assert choice_codes(frame, specs["sex"]).tolist() == [1, 2, -1]
    assert np.array_equal(answered_mask(frame, specs["parking"]), [True, False, False])


def test_no_records_gives_typed_empty_frame():
    frame = frame_from_records(specs_from_questionnaire(QUESTIONNAIRE), [])
    assert len(frame) == 0 and frame["priorities: Parks"].dtype == bool
