"""The rules of a graded vote and of publishing the panel's view, as pure functions."""

from __future__ import annotations

from datetime import date

from analysis.commitments.responses import published_panel_view
from panels.ballots import GRADES, check_ballot, check_paper_form, check_vote_form, result_of


def test_support_counts_everyone_who_can_live_with_it_and_the_threshold_is_exact():
    exactly = result_of({"strongly_support": 6, "support": 6, "live_with": 4, "oppose": 3, "strongly_oppose": 1}, 80)
    assert (exactly.ballots, exactly.supporting, exactly.support_percent, exactly.adopted) == (20, 16, 80.0, True)
    short = result_of({"support": 15, "oppose": 5}, 80)
    assert short.support_percent == 75.0 and not short.adopted
    nobody = result_of({}, 80)
    assert nobody.ballots == 0 and nobody.support_percent is None and not nobody.adopted
    assert list(result_of({"support": 1}, 50).counts) == list(GRADES)


def test_a_ballot_grades_every_recommendation_with_a_known_grade():
    choices, errors = check_ballot({"r1": "live_with", "r2": "maybe"}, [1, 2, 3])
    assert choices == {1: "live_with"} and set(errors) == {"r2", "r3"}


def test_the_vote_form_fixes_a_threshold_from_50_to_100_and_a_closing_day():
    vote, errors = check_vote_form({"title": "Day three", "threshold": "80%", "recommendations": ["2", "3"]},
                                   closes_on=date(2026, 6, 1), today=date(2026, 5, 30), recommendation_ids={2, 3})
    assert errors == {} and vote.threshold_percent == 80 and vote.recommendation_ids == (2, 3)
    _, errors = check_vote_form({"title": "", "threshold": "49", "recommendations": ["9"]}, closes_on=date(2026, 5, 1),
                                today=date(2026, 5, 30), recommendation_ids={2})
    assert set(errors) == {"title", "threshold", "closes_on", "recommendations"}


def test_paper_totals_match_the_papers_and_the_members_ticked_off():
    values = {"session": "4", "ballots": "2", "voters": ["7", "8"], "r1-support": "2", "r1-oppose": ""}
    paper, errors = check_paper_form(values, recommendation_ids=[1], session_ids={4}, voter_ids={7, 8})
    assert errors == {} and paper.counts == {1: {"strongly_support": 0, "support": 2, "live_with": 0, "oppose": 0,
                                                 "strongly_oppose": 0}}
    _, errors = check_paper_form({**values, "r1-oppose": "1", "voters": ["7"]}, recommendation_ids=[1],
                                 session_ids={4}, voter_ids={7, 8})
    assert set(errors) == {"voters", "r1-strongly_support"}


def test_the_panels_view_hides_small_counts_so_that_none_can_be_worked_out():
    figures, total = published_panel_view({"satisfied": 14, "partly": 12, "not_satisfied": 3}, threshold=10)
    assert total == 29
    shown = {figure.rating: figure.count for figure in figures}
    assert shown["not_satisfied"] is None and shown["partly"] is None and shown["satisfied"] == 14
    assert published_panel_view({}, threshold=10) == ([], 0)
