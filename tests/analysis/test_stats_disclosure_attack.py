"""Issue #18, item 1: an integer-programming attacker that reads only a published report's JSON
(every cross-table, the About-you counts, the overall counts and the labels of hidden figures)
derives, for each hidden figure, the smallest and largest value consistent with it.

On today's disclosure control (primary suppression, the line rule, "fewer than 10" beside "[c]")
it recovers 91 of the demo report's 949 hidden figures exactly — the figure the issue measured.
The audit's own machinery is checked on a small table: ``protect`` hides more, cheapest first,
until no hidden figure can be narrowed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.reports.build import build_from_inputs
from analysis.stats.disclosure_audit import LinearSystem, derivable_ranges, failures, protect, recovered
from analysis.stats.published_tables import (
    BreakdownView,
    QuestionView,
    add_publication,
    cell_key,
    churn_between,
    system_from_documents,
)
from tests.factories.reports import demo_report_inputs


@pytest.fixture(scope="module")
def demo_document():
    return json.loads(json.dumps(build_from_inputs(demo_report_inputs()).document, default=str))


@pytest.mark.slow
def test_attacker_recovers_hidden_figures_of_the_demo_report(demo_document):
    system = system_from_documents([demo_document])
    hidden = system.hidden_keys()
    exact = recovered(system)
    assert len(hidden) == 949
    assert len(exact) == 91  # before the fix: 91 of 949 hidden figures worked out exactly


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
