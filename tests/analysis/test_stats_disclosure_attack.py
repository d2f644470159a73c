"""Issue #18, item 1: an integer-programming attacker that reads only published report JSON
(every cross-table, the About-you counts, the overall counts, the labels of hidden figures and
every earlier version) derives, for each hidden figure, the smallest and largest value
consistent with it.

On the disclosure control reports used before (primary suppression by the line rule, "fewer
than 10" beside "[c]", About-you counts under 10 published) it recovered 91 of the demo report's
949 hidden figures exactly. With audited disclosure control it recovers none and narrows none
below the threshold (or below what the published margins allow) — on the demo report, on a
synthetic consultation with small categories, and across two published versions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.reports.build import build_from_inputs
from analysis.stats.crosstabs import cross_table, demographic_groups
from analysis.stats.disclosure import HIDDEN, HIDDEN_TEXT, PRIMARY, suppress_table
from analysis.stats.disclosure_audit import LinearSystem, derivable_ranges, failures, protect, recovered
from analysis.stats.frames import MULTIPLE_CHOICE, frame_from_records, specs_from_questionnaire
from analysis.stats.published_tables import (
    BreakdownView,
    QuestionView,
    add_publication,
    cell_key,
    churn_between,
    system_from_documents,
    total_key,
)
from tests.factories.reports import demo_report_inputs

THRESHOLD = 10


def _document(inputs) -> dict:
    return json.loads(json.dumps(build_from_inputs(inputs).document, default=str))


@pytest.fixture(scope="module")
def demo_document():
    return _document(demo_report_inputs())


def _assert_attacker_learns_nothing(documents: list[dict]) -> None:
    system = system_from_documents(documents)
    assert len(system.hidden_keys()) > 100
    assert not recovered(system)
    assert not failures(system, THRESHOLD)


def test_the_attacker_recovers_hidden_figures_under_the_line_rule():
    """The attack has teeth: the demo's tables as the line rule published them, labels included."""
    inputs = demo_report_inputs()
    specs = specs_from_questionnaire(inputs.questionnaire)
    frame = frame_from_records(specs, inputs.records)
    closed = [spec for spec in specs if spec.closed]
    groups = demographic_groups(specs)
    questions = []
    for spec in closed:
        table = cross_table(frame, spec, groups[0])
        questions.append(QuestionView(spec.key, spec.type == MULTIPLE_CHOICE, table.counts.sum(axis=0).astype(float),
                                      np.zeros(table.counts.shape[1], bool),
                                      int(table.group_totals.sum()), spec.about_you))
    system = LinearSystem()
    tables = []
    for spec in closed:
        if spec.about_you:
            continue
        for group in groups:
            table = cross_table(frame, spec, group)
            line = suppress_table(table.counts, threshold=THRESHOLD, row_totals=table.group_totals)
            tables.append((table, line))
    add_publication(system, 0, n_responses=len(frame), questions=questions, breakdowns=[
        BreakdownView(table.question_key, table.group_key, table.counts.astype(float), line.cell_hidden,
                      table.group_totals.astype(float), line.row_total_hidden) for table, line in tables])
    for table, line in tables:  # what "fewer than 10" and "[c]" told
        for row in range(table.counts.shape[0]):
            keys = [(total_key(0, table.question_key, table.group_key, row), line.row_total_suppression(row))]
            keys += [(cell_key(0, table.question_key, table.group_key, row, column), line.cell_suppression(row, column))
                     for column in range(table.counts.shape[1])]
            for key, reason in keys:
                if reason is not None:
                    system.entries[key].value = None
                    system.add_constraint({key: 1.0 if reason == PRIMARY else -1.0}, equality=False,
                                          rhs=THRESHOLD - 1 if reason == PRIMARY else -THRESHOLD)
    assert len(system.hidden_keys()) == 949
    assert len(recovered(system)) == 91


def test_the_attacker_learns_nothing_from_the_demo_report(demo_document):
    _assert_attacker_learns_nothing([demo_document])
    about = {question["key"]: question for question in demo_document["questions"]}
    age = [option["count"] for option in about["age_band"]["options"]]
    assert age[0] is None and age[1] is None  # the one 16-17-year-old, and a partner category
    cells = [cell for breakdown in demo_document["breakdowns"] for group in breakdown["groups"] for cell in group["cells"]]
    hidden = [cell for cell in cells if cell["suppressed"]]
    assert {cell["suppression"] for cell in hidden} == {HIDDEN}
    assert {cell["display"] for cell in hidden} == {HIDDEN_TEXT}
    assert any(cell["count"] == 0 for cell in cells)  # zeros that reveal nothing are shown


def test_the_attacker_learns_nothing_from_a_synthetic_consultation():
    _assert_attacker_learns_nothing([_document(demo_report_inputs(seed=18, responses=240))])


def test_the_attacker_learns_nothing_across_versions():
    first = _document(demo_report_inputs(responses=300))
    second = build_from_inputs(demo_report_inputs(earlier_documents=(first,)))
    assert second.changed_since_published == 20 and not second.too_close_to_publish() and not second.unprotected()
    _assert_attacker_learns_nothing([first, json.loads(json.dumps(second.document, default=str))])


@pytest.mark.slow
def test_one_late_response_is_refused_and_the_audit_agrees():
    """Issue #18, item 2: publishing again after one late response revealed that person's answers.
    The rule refuses it; the audit across versions finds the same: hiding more cannot help, since
    every figure of the new version lies within 1 of the same figure published before."""
    first = _document(demo_report_inputs(responses=300))
    late = build_from_inputs(demo_report_inputs(responses=301, earlier_documents=(first,)))
    assert late.changed_since_published == 1 and late.too_close_to_publish()
    assert late.unprotected()
    attacked = system_from_documents([first, json.loads(json.dumps(late.document, default=str))])
    assert {key[1:] for key in failures(attacked, THRESHOLD)} == {key[1:] for key in late.you_said.still_narrow}


def test_hidden_figures_do_not_leak_through_the_tests_of_independence(demo_document):
    withheld = 0
    for breakdown in demo_document["breakdowns"]:
        if breakdown["withheld"]:
            withheld += 1
            assert breakdown["statistic"] is breakdown["p_value"] is breakdown["cramers_v"] is None
            assert breakdown["test"] is None and not breakdown["significant"]
    assert withheld


def _one_table(counts: np.ndarray, hidden: np.ndarray, *, about: np.ndarray | None = None):
    """A single-choice question by a group, everyone answering both; ``hidden`` marks cells."""
    group_counts = counts.sum(axis=1).astype(float)
    n = int(counts.sum())
    system = LinearSystem()
    add_publication(system, 0, n_responses=n, questions=[
        QuestionView("q", False, counts.sum(axis=0).astype(float), np.zeros(counts.shape[1], bool), n),
        QuestionView("g", False, group_counts, np.zeros(len(group_counts), bool) if about is None else about, n, True)],
        breakdowns=[BreakdownView("q", "g", np.vstack([counts, np.zeros(counts.shape[1])]).astype(float),
                                  np.vstack([hidden, np.zeros(counts.shape[1], bool)]),
                                  np.append(group_counts, 0.0), np.zeros(len(group_counts) + 1, bool))])
    return system


def test_protect_hides_until_no_hidden_figure_can_be_narrowed():
    counts = np.array([[3, 40, 50], [30, 12, 60], [45, 50, 11], [25, 35, 45]])
    system = _one_table(counts, counts < 10)
    assert failures(system, 10)
    added, narrow = protect(system, 10)
    assert added and not narrow
    assert not failures(system, 10)
    assert all(high - low >= system.required_width(key, 10) for key, (low, high) in derivable_ranges(system).items())
    assert all(system.entries[key].cap > 0 for key in added)  # never a figure the margins already fix


def test_a_late_response_is_counted_as_churn_between_versions(demo_document):
    later = json.loads(json.dumps(demo_document))
    later["n_responses"] += 1
    assert churn_between(demo_document, later) == 1
    assert churn_between(demo_document, demo_document) == 0
