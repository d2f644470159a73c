"""A refill that HiGHS's tolerances once made infeasible: on a synthetic Camden pool (n = 500,
k = 40, households), 26 confirmed members and 13 who withdrew, the relaxed LEXIMIN fixed a level
a hair too high and the next level's LP was "Infeasible", so the refill failed although the
quotas can be met. The level is now solved again with the fixed values lowered a little more."""

import json
from pathlib import Path

import pytest

from panels.selection import load_problem, select_replacements
from panels.selection import relaxed_leximin as relaxed_module
from panels.selection.linear_program import LinearProgramError

CASE = Path(__file__).parent / "data" / "refill_tolerance"


def _round():
    recorded = json.loads((CASE / "round.json").read_text())
    problem = load_problem(CASE / "categories.csv", CASE / "respondents.csv", recorded["k"], household_columns=["household"])
    return problem, recorded["confirmed"], recorded["withdrawn"]


def test_the_refill_succeeds_where_a_level_was_fixed_a_hair_too_high():
    problem, confirmed, withdrawn = _round()
    result = select_replacements(problem, confirmed_ids=confirmed, withdrawn_ids=withdrawn, lottery_size=50)
    assert all(set(confirmed) <= set(panel) and not set(withdrawn) & set(panel) for panel in result.lottery.panels)
    assert result.min_probability > 0.01


def test_without_the_second_try_this_round_fails_as_it_did(monkeypatch):
    # Guards that the case still reaches the second try: if HiGHS ever solves it at the first,
    # this test says so rather than the one above passing for another reason.
    monkeypatch.setattr(relaxed_module, "MAX_FIX_SLACK", relaxed_module.FIX_SLACK)
    problem, confirmed, withdrawn = _round()
    with pytest.raises(LinearProgramError, match="Infeasible"):
        select_replacements(problem, confirmed_ids=confirmed, withdrawn_ids=withdrawn, lottery_size=50)
