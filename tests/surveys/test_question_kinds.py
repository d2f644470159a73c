"""The newer question kinds as plain data: dates, numbers with a unit, grids and rankings — how
answers are read and refused, shown, exported to CSV and back, analysed, and which edits are
refused once a questionnaire has answers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from analysis.stats.frames import frame_from_records, frame_from_response_csv, specs_from_questionnaire
from surveys.questionnaire import (
    Question, QuestionnaireError, answers_as_raw, change_problems, display_answer, from_json, parse_answer,
    question_from_form, raw_from_form, structure_problems, to_json, validate_answers,
)
from surveys.response_csv import ResponseImportError, ResponseRecord, export_csv, parse_csv
from tests.factories.surveys import typed_questionnaire

DATE = Question(key="when", text="When?", kind="date", earliest="2026-01-01", latest="2026-12-31")
GRID = Question(key="views", text="Views", kind="grid", options=["Open Sundays", "Open later"])
RANKING = Question(key="order", text="Order", kind="ranking", options=["Books", "Computers", "Study space"])


@pytest.mark.parametrize(("typed", "expected"), [
    (["27", "3", "2026"], ("2026-03-27", None)),
    (["2026-03-27"], ("2026-03-27", None)),
    (["", "", ""], (None, None)),
    (["27", "", "2026"], (None, "The date must include a month")),
    (["30", "2", "2026"], (None, "Enter a real date, like 27 3 2026")),
    (["1", "1", "26"], (None, "Enter a real date, like 27 3 2026")),
    (["1", "1", "2027"], (None, "Enter a date from 1 January 2026 to 31 December 2026")),
])
def test_a_date_is_three_boxes_checked_for_a_real_date_in_range(typed, expected):
    assert parse_answer(DATE, typed) == expected


def test_a_grid_needs_every_statement_answered_on_its_scale():
    assert parse_answer(GRID, ["Agree", "Disagree"]) == ({"Open Sundays": "Agree", "Open later": "Disagree"}, None)
    assert parse_answer(GRID, ["Agree", ""]) == (None, "Select an answer for ‘Open later’")
    assert parse_answer(GRID, ["Agree", "Maybe"])[1].startswith("‘Maybe’ is not one of the options")
    assert parse_answer(GRID, ["", ""]) == (None, None)


def test_a_ranking_uses_each_number_once():
    assert parse_answer(RANKING, ["2", "3", "1"]) == (["Study space", "Books", "Computers"], None)
    assert parse_answer(RANKING, ["1", "1", "2"]) == (
        None, "You gave 1 to both ‘Books’ and ‘Computers’: use each number once")
    assert parse_answer(RANKING, ["1", "", "2"]) == (None, "Give ‘Computers’ a number from 1 to 3")
    assert parse_answer(RANKING, ["1", "4", "2"]) == (None, "Give ‘Computers’ a number from 1 to 3")


def test_form_fields_and_stored_answers_round_trip():
    questionnaire = typed_questionnaire()
    form = {"used_library": ["Yes"], "last_visit-day": ["5"], "last_visit-month": ["11"], "last_visit-year": ["2025"],
            "minutes": ["45"], "hours_views-1": ["Agree"], "hours_views-2": ["Strongly disagree"],
            "priorities-1": ["3"], "priorities-2": ["1"], "priorities-3": ["2"]}
    raw = raw_from_form(questionnaire.questions(), lambda name: form.get(name, []))
    answers, errors = validate_answers(questionnaire, raw)
    assert errors == {}
    assert answers == {"used_library": "Yes", "last_visit": "2025-11-05", "minutes": 45,
                       "hours_views": {"Libraries should open on Sundays": "Agree",
                                       "Libraries should open later on weekdays": "Strongly disagree"},
                       "priorities": ["Computers", "Study space", "Books"]}
    assert answers_as_raw(answers, questionnaire) == raw
    assert validate_answers(questionnaire, answers_as_raw(answers))[0] == answers
    shown = {key: display_answer(value, questionnaire.question(key)) for key, value in answers.items()}
    assert shown["last_visit"] == "5 November 2025" and shown["minutes"] == "45 minutes"
    assert shown["priorities"] == "1. Computers\n2. Study space\n3. Books"
    assert shown["hours_views"].startswith("Libraries should open on Sundays: Agree\n")


def test_the_new_kinds_survive_json_and_bad_limits_are_named():
    questionnaire = typed_questionnaire()
    assert from_json(to_json(questionnaire)) == questionnaire
    bad = typed_questionnaire()
    bad.sections[0].questions[1].latest = "2019-01-01"
    bad.sections[0].questions[0].unit = "minutes"
    bad.sections[1].questions[1].options = ["Only one"]
    problems = structure_problems(bad)
    assert "last_visit: the latest date allowed is before the earliest" in problems
    assert "used_library: only number questions have a unit, of up to 30 characters" in problems
    assert "priorities: a choice question needs at least two options" in problems


def test_the_builder_form_reads_units_dates_and_statements():
    questionnaire = typed_questionnaire()
    number = question_from_form({"text": "How far?", "kind": "number", "unit": "miles", "min_value": "0"}, questionnaire)
    assert number.unit == "miles" and number.min_value == 0
    date_question = question_from_form({"text": "Moved in?", "kind": "date", "earliest": "1 1 2000", "latest": "2030-12-31"},
                                       questionnaire)
    assert (date_question.earliest, date_question.latest) == ("2000-01-01", "2030-12-31")
    grid = question_from_form({"text": "Agree?", "kind": "grid", "options": "One\nTwo"}, questionnaire)
    assert grid.options == ["One", "Two"] and grid.choices[0] == "Strongly agree"
    with pytest.raises(QuestionnaireError) as refused:
        question_from_form({"text": "When?", "kind": "date", "earliest": "31 2 2026", "latest": "1 1 2020"}, questionnaire)
    assert refused.value.errors == {"earliest": "Enter a real date, like 27 3 2026"}
    with pytest.raises(QuestionnaireError) as refused:
        question_from_form({"text": "Order?", "kind": "ranking", "options": "\n".join("abcdefghijk")}, questionnaire)
    assert refused.value.errors == {"options": "A ranking has at most 10 options"}


def test_edits_that_would_break_answers_of_the_new_kinds_are_refused():
    before = typed_questionnaire()
    after = typed_questionnaire()
    after.sections[1].questions[0].options = ["Libraries should open on Sundays", "Libraries should open later on weekdays",
                                              "A new statement"]
    assert change_problems(before, after, 3) == []  # a statement may be added (the others keep their answers)
    after.sections[1].questions[0].options = ["Libraries should open on Sundays"]
    after.sections[1].questions[1].options = ["Books", "Computers", "Study space", "Cafe"]
    after.sections[0].questions[1].latest = "2029-12-31"
    problems = change_problems(before, after, 3)
    assert any("cannot drop or rename the statement ‘Libraries should open later on weekdays’" in p for p in problems)
    assert any("cannot have options added" in p for p in problems)
    assert any("cannot have a narrower range of dates" in p for p in problems)


def records():
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    return [
        ResponseRecord("R-1", "online", now, {"used_library": "Yes", "last_visit": "2026-02-01", "minutes": 30,
                                             "hours_views": {"Libraries should open on Sundays": "Agree",
                                                             "Libraries should open later on weekdays": "Disagree"},
                                             "priorities": ["Study space", "Books", "Computers"]}),
        ResponseRecord("R-2", "paper", now, {"used_library": "No",
                                            "hours_views": {"Libraries should open on Sundays": "Strongly agree",
                                                            "Libraries should open later on weekdays": "Agree"},
                                            "priorities": ["Books", "Study space", "Computers"]}),
    ]


def test_csv_has_a_column_per_statement_and_per_ranked_option_and_imports_back():
    questionnaire = typed_questionnaire()
    text = export_csv(questionnaire, records())
    header, first = text.splitlines()[:2]
    assert header == ("reference,channel,submitted_at,used_library,last_visit,minutes,"
                      "hours_views: Libraries should open on Sundays,hours_views: Libraries should open later on weekdays,"
                      "priorities: Books,priorities: Computers,priorities: Study space,response_language")
    assert first.endswith(",Yes,2026-02-01,30,Agree,Disagree,2,3,1,en_GB")
    assert [row.answers for row in parse_csv(questionnaire, text)] == [record.answers for record in records()]
    with pytest.raises(ResponseImportError) as refused:
        parse_csv(questionnaire, text.replace(",2,3,1,", ",2,2,1,"))
    assert refused.value.errors == ["Row 2, column priorities: …: You gave 2 to both ‘Books’ and ‘Computers’: use each number once"]


def test_analysis_reads_each_statement_as_likert_and_a_ranking_as_first_choices_and_ranks():
    questionnaire = typed_questionnaire()
    specs = {spec.key: spec for spec in specs_from_questionnaire(questionnaire)}
    assert "last_visit" not in specs
    assert specs["hours_views: Libraries should open on Sundays"].type == "likert"
    assert specs["priorities"].type == "single_choice" and specs["priorities: Books"].type == "number"
    for frame in (frame_from_records(list(specs.values()), records()),
                  frame_from_response_csv(list(specs.values()), export_csv(questionnaire, records()))):
        assert list(frame["priorities"]) == ["Study space", "Books"]
        assert frame["priorities: Books"].mean() == 1.5
        assert list(frame["hours_views: Libraries should open later on weekdays"]) == ["Disagree", "Agree"]
