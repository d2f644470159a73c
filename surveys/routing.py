"""Routing: which pages of a questionnaire a resident is sent through, given their answers.

Each section is a page, numbered as the section is. A question that depends on an answer given
in the same section is asked on a follow-up page of that section (part 2, then 3 for a question
that depends on part 2 …), so every question shown on a page applies given the answers already
sent — questions that do not apply are skipped, never shown with an "answer only if" note (pages
work without JavaScript, so nothing can appear as people answer). A page none of whose questions
apply is skipped: an answer sends the resident on to the next page that applies to them. Check
your answers and paper entry follow the same rules (``surveys.questionnaire.is_shown``).
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.questionnaire import Question, Questionnaire, is_shown


@dataclass(frozen=True)
class Page:
    section_index: int
    part: int
    """From 1: the section's first page, then its follow-up pages."""
    questions: tuple[Question, ...]

    @property
    def number(self) -> int:
        """The section's number, from 1 (the page's address)."""
        return self.section_index + 1

    @property
    def position(self) -> tuple[int, int]:
        return self.section_index, self.part


def pages(questionnaire: Questionnaire) -> list[Page]:
    """Every page of the questionnaire, whatever the answers, in order. A section with no
    questions has none."""
    found: list[Page] = []
    for section_index, section in enumerate(questionnaire.sections):
        parts: dict[str, int] = {}
        for question in section.questions:
            parts[question.key] = parts[question.show_if_key] + 1 if question.show_if_key in parts else 1
        for part in sorted(set(parts.values())):
            found.append(Page(section_index, part, tuple(question for question in section.questions
                                                         if parts[question.key] == part)))
    return found


def find_page(questionnaire: Questionnaire, number: int, part: int = 1) -> Page | None:
    return next((page for page in pages(questionnaire) if page.number == number and page.part == part), None)


def applying_questions(page: Page, answers: dict[str, object], questionnaire: Questionnaire) -> list[Question]:
    """The page's questions that apply, given the answers to earlier pages."""
    return [question for question in page.questions if is_shown(question, answers, questionnaire)]


def route(questionnaire: Questionnaire, answers: dict[str, object]) -> list[Page]:
    """The pages the resident is sent through, given the answers so far."""
    return [page for page in pages(questionnaire) if applying_questions(page, answers, questionnaire)]


def next_page(questionnaire: Questionnaire, answers: dict[str, object], after: tuple[int, int]) -> Page | None:
    """The first page after the position ``(section index, part)`` that applies (None: on to
    check your answers)."""
    return next((page for page in route(questionnaire, answers) if page.position > after), None)


def page_of(questionnaire: Questionnaire, key: str) -> Page:
    """The page that asks the question with this key."""
    return next(page for page in pages(questionnaire) if any(question.key == key for question in page.questions))
