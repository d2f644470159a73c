"""The question library and the change rules for saved answers and references, as pure functions."""

from __future__ import annotations

import pytest

from surveys.question_templates import apply_template
from surveys.questionnaire import (
    CENSUS_DIMENSIONS, PREFER_NOT_TO_SAY, Question, Questionnaire, QuestionnaireError, Section, change_problems,
    remove_question, structure_problems,
)
from surveys.responses import new_reference, normalise_reference


def _one_section() -> Questionnaire:
    return Questionnaire(sections=[Section(title="Your views", questions=[
        Question(key="parking", text="Parking", kind="yes_no")])])


def test_agree_disagree_adds_a_likert_question_and_an_optional_why():
    changed = apply_template(_one_section(), "agree_disagree", section_index=0, statement="Bins should be emptied weekly")
    likert, why = changed.sections[0].questions[1:]
    assert likert.kind == "likert" and "Bins should be emptied weekly" in likert.text and not likert.required
    assert why.kind == "text" and not why.required and not structure_problems(changed)
    with pytest.raises(QuestionnaireError) as missing:
        apply_template(_one_section(), "agree_disagree", section_index=0, statement=" ")
    assert "statement" in missing.value.errors
    with pytest.raises(QuestionnaireError) as no_section:
        apply_template(_one_section(), "agree_disagree", section_index=3, statement="x")
    assert "template_section" in no_section.value.errors


def test_about_you_in_census_categories_is_added_once():
    changed = apply_template(_one_section(), "about_you_census")
    about_you = changed.sections[-1]
    assert about_you.about_you and not structure_problems(changed)
    assert [question.census_dimension for question in about_you.questions] == list(CENSUS_DIMENSIONS)
    assert all(question.options == [*CENSUS_DIMENSIONS[question.census_dimension], PREFER_NOT_TO_SAY]
               for question in about_you.questions)
    partial = remove_question(changed, about_you.questions[0].key)  # only the missing question is added back
    assert len(apply_template(partial, "about_you_census").sections[-1].questions) == len(CENSUS_DIMENSIONS)
    with pytest.raises(QuestionnaireError):
        apply_template(changed, "about_you_census")


def test_saved_answers_lock_the_questions_like_responses_do():
    before = _one_section()
    after = remove_question(before, "parking")
    assert change_problems(before, after, 0) == []  # nothing answered yet (a draft): edited freely
    problems = change_problems(before, after, 0, saved_count=2)
    assert problems and "saved answers" in problems[0]


def test_references_are_read_back_however_they_are_typed():
    reference = new_reference()
    assert normalise_reference(reference.lower().replace("-", " ")) == reference
    assert normalise_reference(reference.replace("-", "")) == reference
    assert normalise_reference("cp-1") == "CP-1"
