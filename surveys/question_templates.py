"""A small library of ready-made questions officers add to a questionnaire in one step: an
agree–disagree question, and the About-you questions in the census's own categories (so answers
can be weighted to the census and compared with the borough)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from common.i18n import gettext, lazy_gettext
from surveys.questionnaire import (
    CENSUS_DIMENSIONS, PREFER_NOT_TO_SAY, Question, Questionnaire, QuestionnaireError, Section, add_question, unique_key,
)

ABOUT_YOU_WORDING = {
    "sex": lazy_gettext("What is your sex?"),
    "age_band": lazy_gettext("How old are you?"),
    "ethnicity": lazy_gettext("What is your ethnic group?"),
    "disability": lazy_gettext("Are your day-to-day activities limited because of a health problem or disability "
                               "which has lasted, or is expected to last, at least 12 months?"),
    "tenure": lazy_gettext("Does your household own or rent your home?"),
}
"""The census's own questions (2021 Census for England and Wales), one per census dimension."""


@dataclass(frozen=True)
class QuestionTemplate:
    key: str
    name: str
    description: str


TEMPLATES = (
    QuestionTemplate("agree_disagree", lazy_gettext("Agree or disagree"),
                     lazy_gettext("A statement residents rate from ‘Strongly agree’ to ‘Strongly disagree’, "
                                  "with space to say why.")),
    QuestionTemplate("about_you_census", lazy_gettext("About you, in census categories"),
                     lazy_gettext("An optional About you section: sex, age, ethnic group, disability and housing tenure, "
                                  "each with ‘Prefer not to say’.")),
)


def template_choices() -> list[QuestionTemplate]:
    return list(TEMPLATES)


def apply_template(questionnaire: Questionnaire, template_key: str, *, section_index: int | None = None,
                   statement: str = "") -> Questionnaire:
    """The questionnaire with the template's questions added. ``agree_disagree`` goes into
    ``section_index`` (a Likert question on ``statement``, and an optional free-text "why");
    ``about_you_census`` adds the About-you section, or the census questions it lacks to the one
    there is. Raises ``QuestionnaireError`` keyed by form field."""
    if template_key == "agree_disagree":
        return _agree_disagree(questionnaire, section_index, statement)
    if template_key == "about_you_census":
        return _about_you(questionnaire)
    raise QuestionnaireError({"template": gettext("Select a question from the library")})


def _agree_disagree(questionnaire: Questionnaire, section_index: int | None, statement: str) -> Questionnaire:
    statement = statement.strip()
    if section_index is None or not 0 <= section_index < len(questionnaire.sections) \
            or questionnaire.sections[section_index].about_you:
        raise QuestionnaireError({"template_section": gettext("Select the section to add the question to")})
    if not statement:
        raise QuestionnaireError({"statement": gettext("Enter the statement residents agree or disagree with")})
    if len(statement) > 400:
        raise QuestionnaireError({"statement": gettext("The statement must be 400 characters or fewer")})
    likert = Question(key=unique_key(questionnaire, statement), kind="likert",
                      text=gettext("How far do you agree or disagree: %(statement)s", statement=statement))
    changed = add_question(questionnaire, section_index, likert)
    why = Question(key=unique_key(changed, f"why {likert.key}"), kind="text",
                   text=gettext("Why do you say that?"), max_length=1000)
    return add_question(changed, section_index, why)


def _about_you(questionnaire: Questionnaire) -> Questionnaire:
    changed = copy.deepcopy(questionnaire)
    section = next((item for item in changed.sections if item.about_you), None)
    if section is None:
        section = Section(title=gettext("About you"), about_you=True)
        changed.sections.append(section)
    have = {question.census_dimension for question in section.questions}
    missing = [dimension for dimension in CENSUS_DIMENSIONS if dimension not in have]
    if not missing:
        raise QuestionnaireError({"template": gettext("The About you section already asks every census question")})
    index = changed.sections.index(section)
    for dimension in missing:
        question = Question(key=unique_key(changed, dimension), text=str(ABOUT_YOU_WORDING[dimension]), kind="single",
                            options=[*CENSUS_DIMENSIONS[dimension], PREFER_NOT_TO_SAY], census_dimension=dimension)
        changed = add_question(changed, index, question)
    return changed
