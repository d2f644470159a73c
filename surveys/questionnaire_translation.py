"""A questionnaire's words as translatable fields, and a questionnaire shown in another language.

Every section title, question text, hint and option label is one field
(``common.content_translation``). Only the words change: a translated questionnaire keeps its
question keys and its English option labels, which are what answers store, so a choice made in
Welsh and the same choice made in English are the same answer and count together in a report.
Free text keeps the language it was written in (the response records that language).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from common.content_translation import Overlay, overlay
from common.i18n import lazy_gettext
from surveys.questionnaire import OPTION_KINDS, Question, Questionnaire, display_answer

OPTION_SEPARATOR = "|"

FIXED_LABELS = {
    "Strongly agree": lazy_gettext("Strongly agree"), "Agree": lazy_gettext("Agree"),
    "Neither agree nor disagree": lazy_gettext("Neither agree nor disagree"), "Disagree": lazy_gettext("Disagree"),
    "Strongly disagree": lazy_gettext("Strongly disagree"),
    "Yes": lazy_gettext("Yes"), "No": lazy_gettext("No"), "Don't know": lazy_gettext("Don't know"),
}
"""The words of the scales every questionnaire shares (``LIKERT_LABELS``, ``YES_NO_LABELS``):
interface words, translated in the catalogues, not by officers. Answers keep the English."""
FIXED_KINDS = ("likert", "yes_no", "grid")


def section_field(index: int) -> str:
    return f"section.{index}.title"


def text_field(question: Question) -> str:
    return f"question.{question.key}.text"


def hint_field(question: Question) -> str:
    return f"question.{question.key}.hint"


def option_field(question: Question, label: str) -> str:
    """An option's field is named by its English label: the label is the option's key."""
    return f"question.{question.key}.option{OPTION_SEPARATOR}{label}"


@dataclass(frozen=True)
class QuestionFields:
    """The fields of one question, for the translation form: (field name, English) pairs."""

    question: Question
    text: tuple[str, str]
    hint: tuple[str, str] | None
    options: tuple[tuple[str, str], ...]


def question_fields(question: Question) -> QuestionFields:
    options = tuple((option_field(question, label), label) for label in question.options) \
        if question.kind in OPTION_KINDS else ()
    return QuestionFields(question=question, text=(text_field(question), question.text),
                          hint=(hint_field(question), question.help_text) if question.help_text else None,
                          options=options)


def translatable_fields(questionnaire: Questionnaire) -> dict[str, str]:
    """Every field of the questionnaire with its English, in reading order."""
    fields: dict[str, str] = {}
    for index, section in enumerate(questionnaire.sections):
        fields[section_field(index)] = section.title
        for question in section.questions:
            described = question_fields(question)
            fields[described.text[0]] = described.text[1]
            if described.hint:
                fields[described.hint[0]] = described.hint[1]
            fields.update(described.options)
    return fields


@dataclass
class ShownQuestionnaire:
    """A questionnaire as a reader in ``overlay.locale`` sees it. ``questionnaire`` has the
    translated titles, texts and hints and the English option labels (answers are stored by
    them); ``option_labels`` gives, per question key, the words shown for each English label;
    ``english`` holds the keys of questions (and ``section.N``) whose words are still English."""

    questionnaire: Questionnaire
    overlay: Overlay
    option_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    english: frozenset[str] = frozenset()

    def answer_text(self, value: object, question: Question | None) -> str:
        """An answer in the reader's words: the chosen options' translated labels."""
        labels = self.option_labels.get(question.key, {}) if question is not None else {}
        if not labels:
            return display_answer(value, question)
        if isinstance(value, list):
            value = [labels.get(str(item), item) for item in value]
        elif isinstance(value, dict):  # a grid: each statement and the point of the scale chosen
            value = {labels.get(str(statement), statement): labels.get(str(label), label) for statement, label in value.items()}
        elif isinstance(value, str):
            value = labels.get(value, value)
        return display_answer(value, question)


def show_questionnaire(questionnaire: Questionnaire, translation: dict[str, str], locale: str) -> ShownQuestionnaire:
    """``questionnaire`` with ``translation`` laid over it, field by field (English where a
    field has no translation)."""
    shown = overlay(translatable_fields(questionnaire), translation, locale)
    result = copy.deepcopy(questionnaire)
    labels: dict[str, dict[str, str]] = {}
    english: set[str] = set()
    for index, section in enumerate(result.sections):
        section.title = shown.text(section_field(index))
        if shown.in_english(section_field(index)):
            english.add(f"section.{index}")
        for question in section.questions:
            described = question_fields(question)
            question.text = shown.text(described.text[0])
            if described.hint:
                question.help_text = shown.text(described.hint[0])
            fixed = {label: str(FIXED_LABELS[label]) for label in question.choices if label in FIXED_LABELS} \
                if question.kind in FIXED_KINDS else {}
            labels[question.key] = {**fixed, **{label: shown.text(name) for name, label in described.options}}
            if shown.in_english(described.text[0]):
                english.add(question.key)
    return ShownQuestionnaire(questionnaire=result, overlay=shown, option_labels=labels, english=frozenset(english))
