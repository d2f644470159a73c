"""``apply_recent_service``: the pure rule for people who served on a recent panel."""

import pytest

from panels.selection import Quota, SelectionProblem, Volunteer
from panels.selection.recent_service import RecentServiceRule, apply_recent_service

PROBLEM = SelectionProblem(
    volunteers=tuple(Volunteer(id=f"p{i}", features={"sex": "F" if i % 2 else "M"}) for i in range(6)),
    quotas=(Quota("sex", "F", 1, 2), Quota("sex", "M", 1, 2)), k=3, fixed_ids=frozenset({"p1"}))


def test_exclude_leaves_them_out_but_never_a_member_already_holding_a_seat():
    problem, outcome = apply_recent_service(PROBLEM, {"p1", "p2", "p5", "nobody"}, RecentServiceRule("exclude"))
    assert [v.id for v in problem.volunteers] == ["p0", "p1", "p3", "p4"]
    assert outcome.excluded == ("p2", "p5") and outcome.lowered == ()
    assert outcome.to_json() == {"rule": "exclude", "factor": None, "excluded": ["p2", "p5"], "lowered": []}


def test_lower_sets_their_weight_and_include_changes_nothing():
    problem, outcome = apply_recent_service(PROBLEM, {"p1", "p2"}, RecentServiceRule("lower", 0.25))
    assert {v.id: v.weight for v in problem.volunteers} == {"p0": 1.0, "p1": 1.0, "p2": 0.25, "p3": 1.0, "p4": 1.0,
                                                             "p5": 1.0}
    assert outcome.lowered == ("p2",) and outcome.to_json()["factor"] == 0.25
    same, nothing = apply_recent_service(PROBLEM, {"p2"}, RecentServiceRule())
    assert same is PROBLEM and nothing.excluded == nothing.lowered == ()


@pytest.mark.parametrize("rule, factor", [("drop", 0.5), ("lower", 0.0), ("lower", 1.0)])
def test_a_rule_or_factor_that_makes_no_sense_is_refused(rule, factor):
    with pytest.raises(ValueError):
        RecentServiceRule(rule, factor)
