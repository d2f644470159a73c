"""The questionnaire as plain data: answers, conditions, builder edits and what they may change."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from surveys.questionnaire import (
    Question, QuestionnaireError, add_question, answers_as_raw, add_section, change_problems, from_json, is_shown, move_question,
    parse_answer, question_from_form, remove_question, replace_question, to_json, validate_answers, validate_questions,
)
from tests.factories.surveys import sample_questionnaire


def test_valid_answers_of_every_kind():
    answers, errors = validate_answers(sample_questionnaire(), {
        "used_services": ["Yes"], "which_services": ["Website", "Library"], "open_data": ["Agree"],
        "contact": ["Email"], "suggestions": ["More maps"], "visits": ["12"], "sex": ["Prefer not to say"],
    })
    assert errors == {}
    assert answers == {"used_services": "Yes", "which_services": ["Library", "Website"], "open_data": "Agree",
                       "contact": "Email", "suggestions": "More maps", "visits": 12, "sex": "Prefer not to say"}


def test_required_missing_and_bad_values_are_named():
    _, errors = validate_answers(sample_questionnaire(), {
        "which_services": ["Library", "Website", "Phone"], "open_data": ["Sort of"], "suggestions": ["x" * 51],
        "visits": ["many"],
    })
    assert errors["used_services"].startswith("Select an answer")
    assert errors["open_data"].startswith("‘Sort of’ is not one of the options")
    assert errors["suggestions"] == "Your answer must be 50 characters or fewer (it has 51)"
    assert errors["visits"] == "Enter a number, like 12"
    assert "which_services" not in errors  # not shown: used_services was not answered Yes


def test_number_range_and_multiple_maximum():
    questionnaire = sample_questionnaire()
    _, errors = validate_answers(questionnaire, {"used_services": ["Yes"], "open_data": ["Agree"], "visits": ["101"],
                                                 "which_services": ["Library", "Website", "Phone"]})
    assert errors == {"visits": "Enter a number between 0 and 100", "which_services": "Select no more than 2 options"}


def test_a_hidden_question_keeps_no_answer():
    answers, errors = validate_answers(sample_questionnaire(), {"used_services": ["No"], "open_data": ["Agree"],
                                                                "which_services": ["Library"]})
    assert errors == {} and "which_services" not in answers


def test_conditions_see_answers_from_earlier_sections():
    questionnaire = sample_questionnaire()
    section = questionnaire.sections[0].questions[1:2]
    answers, _ = validate_questions(questionnaire, section, {"which_services": ["Phone"]}, {"used_services": "Yes"})
    assert answers == {"which_services": ["Phone"]}
    assert not is_shown(section[0], {"used_services": "Don't know"}, questionnaire)


def test_json_round_trip_and_bad_documents():
    questionnaire = sample_questionnaire()
    assert from_json(to_json(questionnaire)) == questionnaire
    with pytest.raises(QuestionnaireError, match="not JSON"):
        from_json("{")
    with pytest.raises(QuestionnaireError, match="not a Civic Panel questionnaire"):
        from_json('{"sections": []}')
    broken = to_json(questionnaire).replace('"show_if_key": "used_services"', '"show_if_key": "visits"')
    with pytest.raises(QuestionnaireError, match="must come before it"):
        from_json(broken)


def test_builder_form_makes_a_conditional_question_and_checks_fields():
    questionnaire = sample_questionnaire()
    question = question_from_form({"text": "Why not?", "kind": "text", "show_if_key": "used_services",
                                   "show_if_value": "No", "required": "1", "max_length": "300"}, questionnaire)
    assert (question.key, question.required, question.max_length, question.show_if_value) == ("why_not", True, 300, "No")
    with pytest.raises(QuestionnaireError) as caught:
        question_from_form({"text": "", "kind": "single", "options": "Only one", "key": "visits"}, questionnaire)
    assert set(caught.value.errors) == {"text", "options", "key"}
    with pytest.raises(QuestionnaireError) as caught:
        question_from_form({"text": "Q", "kind": "text", "show_if_key": "used_services", "show_if_value": "Maybe"}, questionnaire)
    assert "show_if_value" in caught.value.errors


def test_about_you_questions_get_census_categories_and_prefer_not_to_say():
    question = question_from_form({"text": "Your age", "kind": "text", "census_dimension": "age_band"},
                                  sample_questionnaire(), about_you=True)
    assert question.kind == "single" and question.options[0] == "16-17" and question.options[-1] == "Prefer not to say"


def test_moving_and_removing_respect_conditions():
    questionnaire = sample_questionnaire()
    with pytest.raises(QuestionnaireError, match="move is not possible"):
        move_question(questionnaire, "which_services", -1)
    moved = move_question(questionnaire, "open_data", +1)  # last in its section: into the next one
    assert [q.key for q in moved.sections[1].questions][:2] == ["open_data", "contact"]
    with pytest.raises(QuestionnaireError, match="depend on used_services"):
        remove_question(questionnaire, "used_services")
    assert remove_question(questionnaire, "which_services").question("which_services") is None


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["contact", "suggestions", "visits", "open_data", "sex"]), st.sampled_from([-1, 1])), max_size=12))
def test_moves_never_lose_or_duplicate_questions(moves):
    questionnaire = sample_questionnaire()
    keys = sorted(q.key for q in questionnaire.questions())
    for key, direction in moves:
        try:
            questionnaire = move_question(questionnaire, key, direction)
        except QuestionnaireError:
            pass
    assert sorted(q.key for q in questionnaire.questions()) == keys


def test_changes_that_would_break_collected_answers_are_explained():
    before = sample_questionnaire()
    renamed = replace_question(before, "contact", Question(key="contact", text="How do you contact us?", kind="single",
                                                           options=["Phone", "E-mail", "=Other"]))
    assert change_problems(before, renamed, 0) == []
    problems = change_problems(before, renamed, 3)
    assert problems == ["‘How do you contact us?’ cannot drop or rename the option ‘Email’: it already has answers in 3 responses, some may have chosen it"]
    assert "cannot be removed" in change_problems(before, remove_question(before, "visits"), 1)[0]
    reworded = replace_question(before, "visits", Question(key="visits", text="Number of visits last year", kind="number",
                                                           min_value=0, max_value=200, help_text="Roughly"))
    assert change_problems(before, reworded, 5) == []
    added = add_question(add_section(before, "Extra"), 3, Question(key="extra", text="Extra?", kind="text"))
    assert change_problems(before, added, 5) == []


def test_parse_answer_whole_numbers_are_ints():
    question = Question(key="n", text="N", kind="number")
    assert parse_answer(question, ["3.0"]) == (3, None)
    assert parse_answer(question, ["2.5"]) == (2.5, None)
    assert parse_answer(question, ["nan"]) == (None, "Enter a number, like 12")


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(["used_services", "which_services", "open_data", "contact", "suggestions", "visits", "sex", "other"]),
                       st.lists(st.text(max_size=60) | st.sampled_from(
                           ["Yes", "No", "Agree", "Library", "Phone", "Email", "=Other", "12", "2.5", "-1", "Female",
                            "Prefer not to say"]), max_size=4)))
def test_any_input_gives_answers_or_named_errors_never_a_crash(raw):
    questionnaire = sample_questionnaire()
    answers, errors = validate_answers(questionnaire, raw)
    keys = {question.key for question in questionnaire.questions()}
    assert set(answers) <= keys and set(errors) <= keys and not set(answers) & set(errors)
    if not errors:  # a complete, valid response re-validates to itself (what import and "check" rely on)
        assert validate_answers(questionnaire, answers_as_raw(answers)) == (answers, {})
