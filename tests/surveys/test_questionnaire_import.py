"""Importing a questionnaire file is untrusted input: every wrongly shaped file gets a message that
names what is wrong, and anything accepted is a questionnaire the builder could have made. Also the
About-you rules: census categories for a mapped question, "Prefer not to say" on every one."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.questionnaire import (
    CENSUS_DIMENSIONS, PREFER_NOT_TO_SAY, Question, QuestionnaireError, Section, Questionnaire, add_question,
    answers_as_raw, from_json, question_from_form, structure_problems, to_json, validate_answers,
)
from tests.factories.surveys import sample_questionnaire


def document() -> dict:
    return json.loads(to_json(sample_questionnaire()))


def problem(doc: object) -> str:
    with pytest.raises(QuestionnaireError) as caught:
        from_json(json.dumps(doc) if not isinstance(doc, str) else doc)
    return caught.value.errors["questionnaire"]


def with_question_field(name: str, value: object, section: int = 1, position: int = 2) -> dict:
    """The sample document with one field of one question (section 2 holds contact, suggestions, visits) changed."""
    doc = document()
    doc["sections"][section - 1]["questions"][position - 1][name] = value
    return doc


@pytest.mark.parametrize(("doc", "expected"), [
    (with_question_field("key", 5), "Section 1, question 2: ‘key’ must be text, not 5"),
    (with_question_field("text", None), "Section 1, question 2: ‘text’ must be text, not null"),
    (with_question_field("min_value", "abc", 2, 3), "Section 2, question 3: ‘min_value’ must be a number, not \"abc\""),
    (with_question_field("max_length", "zzz", 2, 2), "Section 2, question 2: ‘max_length’ must be a whole number from 1 to 2000, not \"zzz\""),
    (with_question_field("max_length", 5000, 2, 2), "‘max_length’ must be a whole number from 1 to 2000, not 5000"),
    (with_question_field("max_choices", True), "‘max_choices’ must be a whole number of 1 or more, not true"),
    (with_question_field("max_choices", 2.5), "‘max_choices’ must be a whole number of 1 or more, not 2.5"),
    (with_question_field("options", ["Library", 7]), "Section 1, question 2: ‘options’ must be a list of texts, not [\"Library\", 7]"),
    (with_question_field("options", "Library"), "‘options’ must be a list of texts"),
    (with_question_field("required", "yes"), "‘required’ must be true or false, not \"yes\""),
    (with_question_field("colour", "red"), "Section 1, question 2: unknown question fields: colour"),
    (with_question_field("max_value", 1e400, 2, 3), "‘max_value’ must be a number, not Infinity"),
    (with_question_field("max_value", -1, 2, 3), "visits: the largest number allowed is less than the smallest"),
    (with_question_field("max_choices", 9), "which_services: a most-choices limit belongs to a multiple choice question"),
    (with_question_field("max_length", 10, 1, 1), "used_services: only free text questions have a longest answer"),
    (with_question_field("options", ["A", "B"], 1, 1), "used_services: only choice, grid and ranking questions have options"),
    ({**document(), "version": 2}, "The file is version 2 of the questionnaire format; this Civic Panel reads version 1"),
    ({**document(), "version": "1"}, "The file is version \"1\""),
    ({key: value for key, value in document().items() if key != "version"}, "The file is version null"),
    ({**document(), "sections": {"title": "x"}}, "‘sections’ must be a list"),
    ({**document(), "sections": [3]}, "Section 1 must be an object with a title and questions, not 3"),
    ({**document(), "sections": [{"title": "A", "questions": [None]}]}, "Section 1, question 1: a question must be an object"),
    ({**document(), "sections": [{"title": 4, "questions": []}]}, "Section 1: ‘title’ must be text, not 4"),
    ({**document(), "sections": [{"title": "A", "questions": [], "about_you": "no"}]}, "‘about_you’ must be true or false"),
    ({**document(), "sections": [{"title": "A", "questions": [{"key": "a", "text": "A?"}]}]}, "the question has no kind"),
    ({**document(), "extra": 1}, "Unknown fields in the file: extra"),
    ("[1, 2]", "not a Civic Panel questionnaire export"),
    ("[" * 100_000, "not JSON"),
])
def test_wrongly_shaped_files_are_refused_with_a_named_reason(doc, expected):
    assert expected in problem(doc)


def test_about_you_in_an_imported_file_must_offer_the_census_categories_and_prefer_not_to_say():
    doc = document()
    sex = doc["sections"][2]["questions"][0]
    sex["options"] = ["Man", "Woman", PREFER_NOT_TO_SAY]
    assert "a question mapped to the census dimension sex is single choice with exactly the census categories (Male; Female)" in problem(doc)
    sex["options"] = ["Male", "Female"]
    assert "sex: every About-you question offers ‘Prefer not to say’" in problem(doc)
    sex.update(census_dimension="", kind="text", options=[])
    assert "About-you questions are single or multiple choice" in problem(doc)
    doc = document()
    doc["sections"][0]["questions"][0]["census_dimension"] = "sex"
    assert "used_services: only About-you questions map to a census dimension" in problem(doc)
    doc = document()
    doc["sections"].append({"title": "About you again", "about_you": True, "questions": []})
    assert "only one About you section" in problem(doc)
    reordered = document()
    reordered["sections"][2]["questions"][0]["options"] = [PREFER_NOT_TO_SAY, "Female", "Male"]
    assert from_json(json.dumps(reordered)).question("sex").options == [PREFER_NOT_TO_SAY, "Female", "Male"]


def test_a_good_file_still_round_trips():
    assert from_json(to_json(sample_questionnaire())) == sample_questionnaire()
    whole_floats = with_question_field("max_value", 100.0, 2, 3)
    assert from_json(json.dumps(whole_floats)).question("visits").max_value == 100


def test_census_question_from_the_builder_always_uses_the_census_categories():
    typed = question_from_form({"text": "Your sex", "census_dimension": "sex", "options": "Man\nWoman\nOther"},
                               sample_questionnaire(), about_you=True)
    assert typed.options == [*CENSUS_DIMENSIONS["sex"], PREFER_NOT_TO_SAY] and typed.census_dimension == "sex"
    outside = question_from_form({"text": "Your sex", "kind": "single", "census_dimension": "sex", "options": "A\nB"},
                                 sample_questionnaire(), about_you=False)
    assert outside.census_dimension == "" and outside.options == ["A", "B"]


def test_every_about_you_question_from_the_builder_offers_prefer_not_to_say():
    carer = question_from_form({"text": "Are you a carer?", "kind": "single", "options": "Yes\nNo"},
                               sample_questionnaire(), about_you=True)
    assert carer.options == ["Yes", "No", PREFER_NOT_TO_SAY] and carer.census_dimension == ""
    assert add_question(sample_questionnaire(), 2, carer).question("are_you_a_carer") == carer
    with pytest.raises(QuestionnaireError) as caught:
        question_from_form({"text": "Your postcode", "kind": "text"}, sample_questionnaire(), about_you=True)
    assert "About-you questions are single or multiple choice" in caught.value.errors["kind"]
    with pytest.raises(QuestionnaireError) as caught:
        question_from_form({"text": "Are you a carer?", "kind": "single", "options": "Yes"}, sample_questionnaire(), about_you=True)
    assert "at least two options" in caught.value.errors["options"]
    with pytest.raises(QuestionnaireError):  # the same rule holds for a questionnaire built in code
        add_question(sample_questionnaire(), 2, Question(key="carer", text="Carer?", kind="single", options=["Yes", "No"]))


def test_builder_refuses_numbers_that_are_not_finite_and_too_many_choices():
    with pytest.raises(QuestionnaireError) as caught:
        question_from_form({"text": "How many?", "kind": "number", "min_value": "inf", "max_value": "nan"}, Questionnaire())
    assert set(caught.value.errors) == {"min_value", "max_value"}
    with pytest.raises(QuestionnaireError) as caught:
        question_from_form({"text": "Which?", "kind": "multiple", "options": "A\nB", "max_choices": "3"}, Questionnaire())
    assert "cannot be more than the 2 options" in caught.value.errors["max_choices"]


# --- any JSON value -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
QUESTION_FIELDS = sorted(Question.__dataclass_fields__)


def assert_valid_or_named(text: str) -> None:
    try:
        questionnaire = from_json(text)
    except QuestionnaireError as error:
        assert set(error.errors) == {"questionnaire"} and len(error.errors["questionnaire"]) > 10
        return
    assert structure_problems(questionnaire) == []
    assert from_json(to_json(questionnaire)) == questionnaire
    for question in questionnaire.questions():  # every question can be answered and re-checked
        raw = {question.key: question.choices[:1] or ["1"]}
        answers, errors = validate_answers(questionnaire, raw)
        assert set(answers) | set(errors) <= {q.key for q in questionnaire.questions()}
        if not errors:
            assert validate_answers(questionnaire, answers_as_raw(answers))[0] == answers


@settings(max_examples=300)
@given(json_values)
def test_any_json_value_gives_a_questionnaire_or_a_named_error(value):
    assert_valid_or_named(json.dumps(value))
    assert_valid_or_named(json.dumps({"format": "civicpanel-questionnaire", "version": 1, "sections": value}))


@pytest.mark.slow
@settings(max_examples=400)
@given(section=st.integers(0, 2), position=st.integers(0, 2), field=st.sampled_from(QUESTION_FIELDS + ["title", "about_you"]),
       value=json_values)
def test_any_field_of_a_real_file_set_to_any_json_value_gives_a_questionnaire_or_a_named_error(section, position, field, value):
    doc = document()
    target = doc["sections"][section]
    if field not in ("title", "about_you"):
        questions = target["questions"]
        target = questions[min(position, len(questions) - 1)]
    target[field] = value
    assert_valid_or_named(json.dumps(doc))
