"""What a report publishes, as the linear system an attacker can use (``disclosure_audit``).

A publication is the number of responses, each closed question's overall result (option counts,
number answered; About-you counts may be hidden) and each breakdown (a closed question by an
About-you question: rows are the About-you options then "Not answered", cells and group totals
may be hidden). ``add_publication`` writes its entries and equations into a ``LinearSystem``
under a prefix (one per version), ``link_versions`` ties two versions of the same consultation
together, and ``system_from_documents`` builds all of it from nothing but published JSON
documents — what an outside attacker has.

The equations (n responses; nQ answered question Q; C the option counts; T a group total; N an
About-you count):

* single choice: a group's cells add up to its total; multiple choice: each cell is at most the
  total and the cells add up to at least it (everyone who answered ticked something);
* each option's cells add up to C; the group totals add up to nQ; About-you counts add up to nG;
* T[g] ≤ N[g] and N[g] − T[g] ≤ n − nQ (the group's members who skipped Q are among those who
  skipped it); "Not answered" rows likewise against n − nG;
* between versions a and b, every figure moves by at most the number of responses that changed
  (``churn``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.stats.disclosure_audit import LinearSystem

MULTIPLE_CHOICE = "multiple_choice"


@dataclass(frozen=True)
class QuestionView:
    key: str
    multiple: bool
    counts: np.ndarray
    """Per option; NaN where unknown (hidden, seen from outside)."""
    hidden: np.ndarray
    n_answered: int
    about_you: bool = False


@dataclass(frozen=True)
class BreakdownView:
    question_key: str
    group_key: str
    counts: np.ndarray
    """(About-you options + "Not answered") × options; NaN where unknown."""
    cell_hidden: np.ndarray
    totals: np.ndarray
    total_hidden: np.ndarray


def option_key(prefix: Any, question: str, index: int) -> tuple:
    return (prefix, "option", question, index)


def cell_key(prefix: Any, question: str, group: str, row: int, column: int) -> tuple:
    return (prefix, "cell", question, group, row, column)


def total_key(prefix: Any, question: str, group: str, row: int) -> tuple:
    return (prefix, "total", question, group, row)


def add_publication(system: LinearSystem, prefix: Any, *, n_responses: int, questions: Sequence[QuestionView],
                    breakdowns: Sequence[BreakdownView]) -> None:
    responses = (prefix, "responses")
    system.add_entry(responses, n_responses, hidden=False, hideable=False)
    by_key = {question.key: question for question in questions}
    for question in questions:
        answered = (prefix, "answered", question.key)
        system.add_entry(answered, question.n_answered, hidden=False, hideable=False)
        for index, count in enumerate(question.counts):
            system.add_entry(option_key(prefix, question.key, index), count, hidden=bool(question.hidden[index]),
                             hideable=question.about_you, cap=question.n_answered,
                             table=(prefix, "about", question.key) if question.about_you else None)
        if question.about_you and not question.multiple:
            system.add_constraint({**{option_key(prefix, question.key, index): 1.0
                                      for index in range(len(question.counts))}, answered: -1.0}, equality=True)
    for table in breakdowns:
        _add_breakdown(system, prefix, table, by_key[table.question_key], by_key[table.group_key], responses)


def _add_breakdown(system: LinearSystem, prefix: Any, table: BreakdownView, question: QuestionView,
                   group: QuestionView, responses: tuple) -> None:
    n = system.entries[responses].value
    n_question, n_group = question.n_answered, group.n_answered
    answered_q, answered_g = (prefix, "answered", question.key), (prefix, "answered", group.key)
    rows, columns = table.counts.shape
    for row in range(rows):
        if row < len(group.counts):
            about = option_key(prefix, group.key, row)
            row_cap = n_question if group.hidden[row] else min(n_question, group.counts[row])
        else:
            row_cap = n - n_group
        total = total_key(prefix, question.key, table.group_key, row)
        known_group = row >= len(group.counts) or not group.hidden[row]
        # With the group's size published, its total for Q can only range over those who skipped Q.
        total_cap = min(row_cap, n - n_question) if known_group else row_cap
        system.add_entry(total, table.totals[row], hidden=bool(table.total_hidden[row]), cap=total_cap,
                         table=(prefix, question.key, table.group_key))
        cells = [cell_key(prefix, question.key, table.group_key, row, column) for column in range(columns)]
        for column, key in enumerate(cells):
            column_total = question.counts[column]
            system.add_entry(key, table.counts[row, column], hidden=bool(table.cell_hidden[row, column]),
                             cap=min(row_cap, column_total if np.isfinite(column_total) else math.inf),
                             table=(prefix, question.key, table.group_key))
        if question.multiple:
            for key in cells:
                system.add_constraint({key: 1.0, total: -1.0}, equality=False)
            system.add_constraint({**{key: -1.0 for key in cells}, total: 1.0}, equality=False)
        else:
            system.add_constraint({**{key: 1.0 for key in cells}, total: -1.0}, equality=True)
        if row < len(group.counts):
            system.add_constraint({total: 1.0, about: -1.0}, equality=False)
            system.add_constraint({about: 1.0, total: -1.0, answered_q: 1.0, responses: -1.0}, equality=False)
        else:
            system.add_constraint({total: 1.0, answered_g: 1.0, responses: -1.0}, equality=False)
            system.add_constraint({total: -1.0, answered_g: -1.0, answered_q: 1.0}, equality=False)
    _add_moves(system, prefix, question, table.group_key, rows, columns)
    for column in range(columns):
        system.add_constraint({**{cell_key(prefix, question.key, table.group_key, row, column): 1.0
                                  for row in range(rows)}, option_key(prefix, question.key, column): -1.0},
                              equality=True)
    system.add_constraint({**{total_key(prefix, question.key, table.group_key, row): 1.0 for row in range(rows)},
                           answered_q: -1.0}, equality=True)


def _add_moves(system: LinearSystem, prefix: Any, question: QuestionView, group: str, rows: int, columns: int) -> None:
    """A cross-table's 4-cycles (+1, −1 around two rows and two columns keep every margin) and,
    for single choice, the cycles through two group totals (a cell and its total up, another
    row's down)."""
    for first in range(rows):
        for second in range(first + 1, rows):
            for left in range(columns):
                down = {cell_key(prefix, question.key, group, first, left): 1.0,
                        cell_key(prefix, question.key, group, second, left): -1.0}
                if not question.multiple:
                    system.moves.append({**down, total_key(prefix, question.key, group, first): 1.0,
                                         total_key(prefix, question.key, group, second): -1.0})
                for right in range(left + 1, columns):
                    system.moves.append({**down, cell_key(prefix, question.key, group, first, right): -1.0,
                                         cell_key(prefix, question.key, group, second, right): 1.0})


def link_versions(system: LinearSystem, earlier: Any, later: Any, churn: int) -> None:
    """Every figure of ``later`` is within ``churn`` of the same figure of ``earlier`` (published
    pairs too: a figure published now may be hidden later, when ``protect`` hides more)."""
    for key in [key for key in system.entries if isinstance(key, tuple) and key[0] == later]:
        before = (earlier, *key[1:])
        if before not in system.entries:
            continue
        system.add_constraint({key: 1.0, before: -1.0}, equality=False, rhs=churn)
        system.add_constraint({key: -1.0, before: 1.0}, equality=False, rhs=churn)


# ---------------------------------------------------------------- from published documents

def _count(value: Any) -> float:
    return float("nan") if value is None else float(value)


def views_from_document(document: Mapping[str, Any]) -> tuple[list[QuestionView], list[BreakdownView]]:
    """What a published JSON document (``analysis.reports.you_said``) says, hidden figures as NaN."""
    group_keys = {breakdown["group_key"] for breakdown in document["breakdowns"]}
    questions = [QuestionView(
        key=question["key"], multiple=question["type"] == MULTIPLE_CHOICE,
        counts=np.array([_count(option["count"]) for option in question["options"]]),
        hidden=np.array([bool(option.get("suppressed")) or option["count"] is None for option in question["options"]],
                        dtype=bool),
        n_answered=int(question["n_answered"]), about_you=question["key"] in group_keys)
        for question in document["questions"]]
    breakdowns = []
    for breakdown in document["breakdowns"]:
        groups = breakdown["groups"]
        counts = np.array([[_count(cell["count"]) for cell in group["cells"]] for group in groups], dtype=float)
        breakdowns.append(BreakdownView(
            question_key=breakdown["question_key"], group_key=breakdown["group_key"], counts=counts,
            cell_hidden=np.isnan(counts), totals=np.array([_count(group["n_answered"]) for group in groups]),
            total_hidden=np.array([group["n_answered"] is None for group in groups], dtype=bool)))
    return questions, breakdowns


def churn_between(earlier: Mapping[str, Any], later: Mapping[str, Any]) -> int:
    """The fewest responses that can have been added, removed or changed between two published
    documents, from their published figures alone (what an attacker can be sure of)."""
    churn = abs(int(later["n_responses"]) - int(earlier["n_responses"]))
    before = {question["key"]: question for question in earlier["questions"]}
    for question in later["questions"]:
        old = before.get(question["key"])
        if old is None or len(old["options"]) != len(question["options"]):
            continue
        moves = [abs(_count(new["count"]) - _count(previous["count"]))
                 for new, previous in zip(question["options"], old["options"])]
        moves = [move for move in moves if np.isfinite(move)]
        moves.append(abs(question["n_answered"] - old["n_answered"]))
        if question["type"] == MULTIPLE_CHOICE:
            churn = max(churn, int(max(moves)))
        else:
            churn = max(churn, int(max(moves)), math.ceil(sum(moves[:-1]) / 2))
    return churn


def _label_bounds(system: LinearSystem, prefix: Any, document: Mapping[str, Any]) -> None:
    """What a hidden figure's label says of it: documents that told "fewer than 10" (primary)
    from "[c]" (secondary, so at least 10) gave each hidden figure a one-sided range."""
    threshold = int(document["disclosure_threshold"])
    for breakdown in document["breakdowns"]:
        question, group = breakdown["question_key"], breakdown["group_key"]
        for row, line in enumerate(breakdown["groups"]):
            figures = [(total_key(prefix, question, group, row), line)]
            figures += [(cell_key(prefix, question, group, row, column), cell) for column, cell in enumerate(line["cells"])]
            for key, figure in figures:
                if figure.get("suppression") == "primary":
                    system.add_constraint({key: 1.0}, equality=False, rhs=threshold - 1)
                elif figure.get("suppression") == "secondary":
                    system.add_constraint({key: -1.0}, equality=False, rhs=-threshold)


def system_from_documents(documents: Sequence[Mapping[str, Any]]) -> LinearSystem:
    """The attacker's system from published documents of one consultation, oldest first."""
    system = LinearSystem()
    for number, document in enumerate(documents):
        questions, breakdowns = views_from_document(document)
        add_publication(system, number, n_responses=int(document["n_responses"]), questions=questions,
                        breakdowns=breakdowns)
        _label_bounds(system, number, document)
        if number:
            link_versions(system, number - 1, number, churn_between(documents[number - 1], document))
    return system
