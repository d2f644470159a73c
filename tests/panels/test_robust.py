"""The drop-out-robust lottery (issue 21) on small pools.

Properties: every chance keeps at least the floor times its LEXIMIN chance (within the lottery's
rounding), every panel meets the quotas and the household rule, chances add up to k; a panel's
score agrees, scenario by scenario, with trying every set of replacements; the robust weights hold
the quotas at least as often as LEXIMIN's on the scenarios they were chosen on, and more often on a
pool built with one fragile group, without lowering the lowest kept share of a group's seats; a
floor of 1 keeps LEXIMIN's chances; bad floors are refused. The swap search lists exactly the
one-for-one swaps after which the panel still meets every quota and household rule (checked on the
volunteers, not the types), and every swap it takes raises the panel's score, as a scorer that
shares nothing with the search counts it. On a fake clock on which scoring a panel takes a second:
the time limit bounds the whole call (within one scoring) and the lottery still meets the quotas
and the floor, the step cut short is named and what it left unmeasured is None, every HiGHS call
gets at most the time left, and a slower clock draws the same lottery while the limit is not
reached; the CLI says when the limit cut the lottery short.
"""

import functools
import json
import math
from collections import Counter
from itertools import combinations

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panels.selection import InfeasibleQuotasError, Quota, SelectionProblem, Volunteer, select_panel
from panels.selection.compression import compress_pool
from panels.selection.leximin import leximin_distribution
from panels.selection.panel_program import panel_constraints
from panels.selection.robust import (
    DropoutScenarios,
    PanelScorer,
    RobustSettings,
    check_floor,
    robust_distribution,
)
from panels.selection.swap_search import feasible_swaps, swap_search, swapped
from server.cli.selection import select_command, verify_draw_command

CATEGORIES = {"sex": ("F", "M"), "age": ("young", "middle", "old")}


@st.composite
def small_problems(draw):
    n = draw(st.integers(7, 12))
    volunteers = []
    for index in range(n):
        features = {category: draw(st.sampled_from(values)) for category, values in CATEGORIES.items()}
        household = f"h{draw(st.integers(0, n // 2))}" if draw(st.booleans()) else None
        volunteers.append(Volunteer(id=f"p{index}", features=features, household=household))
    k = draw(st.integers(2, 5))
    quotas = tuple(Quota(category, value, draw(st.integers(0, 1)), draw(st.integers(1, k)))
                   for category, values in CATEGORIES.items() for value in values)
    problem = SelectionProblem(volunteers=tuple(volunteers), quotas=quotas, k=k, enforce_households=draw(st.booleans()))
    dropout = {v.id: draw(st.sampled_from((0.05, 0.3, 0.6))) for v in volunteers}
    return problem, dropout, draw(st.sampled_from((1.0, 0.7, 0.3))), draw(st.integers(0, 1000))


def _quota_problems(problem, panel):
    features = {v.id: v.features for v in problem.volunteers}
    counts = Counter((category, features[member][category]) for member in panel for category in problem.categories)
    wrong = [quota for quota in problem.quotas if not quota.quota_min <= counts[(quota.category, quota.name)] <= quota.quota_max]
    households = [v.household for v in problem.volunteers if v.id in panel and v.household is not None]
    if problem.enforce_households and len(households) != len(set(households)):
        wrong.append("household")
    if len(set(panel)) != problem.k:
        wrong.append("size")
    return wrong


def leximin_of(problem):
    """The compressed pool and its LEXIMIN distribution, or (pool, None) when no panel meets the quotas."""
    pool = compress_pool(problem)
    try:
        return pool, leximin_distribution(pool)
    except InfeasibleQuotasError:
        return pool, None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_robust_lottery_keeps_the_floor_the_quotas_and_k(case):
    problem, dropout, floor, seed = case
    try:
        leximin = select_panel(problem, lottery_size=200)
    except InfeasibleQuotasError:
        return
    robust = select_panel(problem, lottery_size=200, robust=RobustSettings(
        floor=floor, dropout=dropout, scenarios=40, fresh_scenarios=20, seed=seed, rounds=2))
    assert robust.robustness["floor"] == floor
    assert robust.robustness["lowest_chance_ratio"] >= floor - 1e-6
    assert robust.robustness["in_sample_hold"] >= robust.robustness["leximin_in_sample_hold"] - 1e-9
    for panel in robust.lottery.panels:
        assert _quota_problems(problem, panel) == []
    chances = Counter(member for panel in robust.lottery.panels for member in panel)
    tolerance = robust.lottery.max_deviation + leximin.lottery.max_deviation + 1e-6
    for volunteer in problem.volunteers:
        chance = chances[volunteer.id] / robust.lottery.size
        assert abs(chance - robust.probabilities[volunteer.id]) <= robust.lottery.max_deviation + 1e-9
        assert chance >= floor * leximin.probabilities[volunteer.id] - tolerance
    assert math.isclose(sum(robust.probabilities.values()), problem.k, abs_tol=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_a_panel_scores_a_scenario_held_exactly_when_some_replacements_restore_the_quotas(case):
    problem, dropout, _, seed = case
    pool, distribution = leximin_of(problem)
    if distribution is None:
        return
    scenarios = DropoutScenarios(pool, dropout, 12, seed)
    scorer = PanelScorer(pool, scenarios)
    order = [member for members in pool.type_members for member in members]
    drops = np.random.default_rng(seed).random((12, len(order))) < np.array([dropout[m] for m in order])
    households = {v.id: v.household for v in problem.volunteers}
    for type_panel in distribution.panels[:3]:
        held = scorer.score(type_panel).held
        failed = int((~held).sum())
        # a limit on failures stops the score exactly when more scenarios fail than it allows
        assert PanelScorer(pool, scenarios).score(type_panel, fail_limit=failed) is not None
        assert PanelScorer(pool, scenarios).score(type_panel, fail_limit=failed - 1) is None
        panel, offset = [], 0
        for t, members in enumerate(pool.type_members):
            panel += [(member, offset + i) for i, member in enumerate(members[:int(type_panel[t])])]
            offset += len(members)
        seated = {member for member, _ in panel}
        taken = {households[m] for m in seated if households[m] is not None}
        for s in range(12):
            stayers = [m for m, _ in panel if not drops[s, order.index(m)]]
            seats = len(panel) - len(stayers)
            others = [m for i, m in enumerate(order) if m not in seated and not drops[s, i]
                      and not (problem.enforce_households and households[m] in taken)]
            restorable = any(
                not [q for q in _quota_problems(SelectionProblem(problem.volunteers, problem.quotas, len(stayers) + size,
                                                                 problem.enforce_households), stayers + list(chosen))
                     if q != "size"]
                for size in range(seats + 1) for chosen in combinations(others, size))
            assert bool(held[s]) == restorable


def _fragile_pool():
    """Sex is exact (2 and 2) and one seat must be young. The one young man never drops out and
    cannot be replaced; the young women drop out often but can stand in for one another. Panels
    seating both young women (and so two of the few who can repair them) are the fragile ones."""
    people = [("F", "young", 0.6)] * 3 + [("F", "old", 0.1)] * 5 + [("M", "young", 0.02)] + [("M", "old", 0.1)] * 5
    volunteers = tuple(Volunteer(id=f"v{i}", features={"sex": sex, "age": age}) for i, (sex, age, _) in enumerate(people))
    quotas = (Quota("sex", "F", 2, 2), Quota("sex", "M", 2, 2), Quota("age", "young", 1, 3), Quota("age", "old", 0, 3))
    dropout = {f"v{i}": rate for i, (_, _, rate) in enumerate(people)}
    return SelectionProblem(volunteers=volunteers, quotas=quotas, k=4), dropout


def test_the_robust_lottery_holds_the_quotas_more_often_on_a_pool_with_a_fragile_group():
    problem, dropout = _fragile_pool()
    pool = compress_pool(problem)
    distribution = leximin_distribution(pool)
    robust = robust_distribution(pool, distribution.panels, distribution.weights, dropout, floor=0.5,
                                 scenarios=300, fresh_scenarios=300, seed=3)
    assert robust.in_sample_hold > robust.leximin_in_sample_hold + 0.02
    assert robust.fresh_hold > robust.leximin_fresh_hold + 0.02
    assert robust.lowest_chance_ratio >= 0.5 - 1e-6


def test_a_floor_of_one_keeps_the_leximin_chances():
    problem, dropout = _fragile_pool()
    pool = compress_pool(problem)
    distribution = leximin_distribution(pool)
    robust = robust_distribution(pool, distribution.panels, distribution.weights, dropout, floor=1.0, scenarios=100,
                                 fresh_scenarios=50)
    np.testing.assert_allclose(robust.type_probabilities, distribution.type_probabilities, atol=1e-6)
    leximin = select_panel(problem, lottery_size=500)
    chosen = select_panel(problem, lottery_size=500, robust=RobustSettings(floor=1.0, dropout=dropout, scenarios=100))
    for member, chance in leximin.probabilities.items():
        assert abs(chosen.probabilities[member] - chance) < 1e-6


@pytest.mark.parametrize("floor", [0, 0.0, -0.2, 1.01, float("nan"), float("inf"), "high", None])
def test_a_floor_outside_zero_to_one_is_refused_with_a_clear_message(floor):
    problem, dropout = _fragile_pool()
    pool = compress_pool(problem)
    distribution = leximin_distribution(pool)
    with pytest.raises(ValueError, match="floor must be"):
        check_floor(floor)
    with pytest.raises(ValueError, match="floor must be"):
        robust_distribution(pool, distribution.panels, distribution.weights, dropout, floor=floor, scenarios=5)
    with pytest.raises(ValueError, match="floor must be"):
        select_panel(problem, robust=RobustSettings(floor=floor, dropout=dropout))


def test_scenarios_refuse_a_missing_or_impossible_drop_out_rate():
    problem, dropout = _fragile_pool()
    pool = compress_pool(problem)
    with pytest.raises(ValueError, match="no drop-out rate"):
        DropoutScenarios(pool, {key: value for key, value in dropout.items() if key != "v0"}, 10, 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        DropoutScenarios(pool, {**dropout, "v0": 1.5}, 10, 0)
    with pytest.raises(ValueError, match="at least 1"):
        DropoutScenarios(pool, dropout, 0, 0)


def test_the_replacement_search_agrees_with_trying_every_set_of_replacements():
    """The scorer's search (``PanelScorer._restorable``) on shortfalls that the cheap tests leave open."""
    rng = np.random.default_rng(11)
    volunteers = tuple(Volunteer(id=f"v{i}", features={"sex": sex, "age": age})
                       for i, (sex, age) in enumerate((sex, age) for sex in CATEGORIES["sex"] for age in CATEGORIES["age"]))
    quotas = tuple(Quota(category, value, 0, 4) for category, values in CATEGORIES.items() for value in values)
    pool = compress_pool(SelectionProblem(volunteers=volunteers, quotas=quotas, k=4))
    scorer = PanelScorer(pool, DropoutScenarios(pool, {v.id: 0.1 for v in volunteers}, 1, 0))
    membership = pool.membership.toarray()
    searched = 0
    for _ in range(400):
        seats = int(rng.integers(1, 5))
        shortfall = rng.integers(0, 3, size=len(quotas)).astype(float)
        headroom = rng.integers(0, 4, size=len(quotas)).astype(float)
        staying = rng.integers(0, 3, size=pool.type_count)
        restorable = any(
            np.all(membership @ counts >= shortfall) and np.all(membership @ counts <= headroom)
            for size in range(seats + 1)
            for chosen in combinations(np.repeat(np.arange(pool.type_count), staying), size)
            for counts in [np.bincount(np.array(chosen, dtype=int), minlength=pool.type_count)])
        searched += shortfall.any() and restorable
        assert scorer._restorable(shortfall, headroom, seats, staying) == restorable
    assert searched > 20


def test_select_with_a_robust_floor_records_it_and_draws_as_usual(instances, tmp_path):
    folder = instances / "example_small_20"
    build = ["--categories", str(folder / "categories.csv"), "--respondents", str(folder / "respondents.csv"),
             "--k", "20", "--lottery-size", "50"]
    refused = CliRunner().invoke(select_command, [*build, "--robust-floor", "0"])
    assert refused.exit_code != 0 and "greater than 0 and at most 1" in refused.output
    lottery = tmp_path / "lottery.json"
    built = CliRunner().invoke(select_command, [*build, "--robust-floor", "0.5", "--lottery-out", str(lottery)])
    assert built.exit_code == 0, built.output
    assert "Drop-out-robust lottery, floor 0.5" in built.output
    record = json.loads(lottery.read_text())
    assert record["robust"]["floor"] == 0.5 and record["robust"]["lowest_chance_ratio"] >= 0.5 - 1e-6
    assert 0 <= record["robust"]["fresh_hold"] <= 1 and record["lottery_size"] == 50 and "probabilities" in record
    out = tmp_path / "out.json"
    drawn = CliRunner().invoke(select_command, ["--draw", "--lottery", str(lottery), "--seed", "7", "--json", str(out)])
    assert drawn.exit_code == 0, drawn.output
    assert CliRunner().invoke(verify_draw_command, [str(out)]).exit_code == 0


def test_select_says_when_the_robust_lottery_was_cut_short_by_its_time_limit(instances, monkeypatch):
    from panels.selection import engine
    readings = iter(range(0, 10**9, 1000))  # each reading 1000 s after the last: the 120 s limit passes at once
    monkeypatch.setattr(engine, "robust_distribution",
                        functools.partial(robust_distribution, clock=lambda: float(next(readings))))
    folder = instances / "example_small_20"
    built = CliRunner().invoke(select_command, [
        "--categories", str(folder / "categories.csv"), "--respondents", str(folder / "respondents.csv"),
        "--k", "20", "--lottery-size", "50", "--robust-floor", "0.5"])
    assert built.exit_code == 0, built.output
    assert "(lowest reached 1.000): not checked on fresh drop-out scenarios within the time limit" in built.stdout
    assert ("Warning: the robust lottery's time limit of 120 s was reached before LEXIMIN's panels were all scored: "
            "the lottery is LEXIMIN's, unchanged") in built.stderr


def _members(pool, type_panel):
    """The volunteers a type panel seats: the first Y_t members of each type t."""
    return [member for t, members in enumerate(pool.type_members) for member in members[:int(type_panel[t])]]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_the_swaps_listed_are_exactly_those_that_keep_every_quota_and_household(case):
    problem, _, _, _ = case
    pool, distribution = leximin_of(problem)
    if distribution is None:
        return
    constraints = panel_constraints(pool)
    for type_panel in distribution.panels[:3]:
        listed = {(int(a), int(b)) for a, b in feasible_swaps(constraints, type_panel)}
        for a in np.flatnonzero(type_panel > 0):
            for b in np.flatnonzero(type_panel < pool.type_counts):
                if a == b:
                    continue
                members = _members(pool, swapped(type_panel, a, b))
                assert ((int(a), int(b)) in listed) == (_quota_problems(problem, members) == []), (a, b)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_swap_the_search_takes_keeps_the_rules_and_raises_the_score_on_the_same_scenarios(case):
    problem, dropout, _, seed = case
    pool, distribution = leximin_of(problem)
    if distribution is None:
        return
    scenarios = DropoutScenarios(pool, dropout, 60, seed)
    searching = PanelScorer(pool, scenarios)
    constraints = panel_constraints(pool)
    for start in distribution.panels[:3]:
        search = swap_search(start, constraints, lambda p, beat: searching.score(p).rate,
                             lambda p, swaps: -np.arange(len(swaps)), max_tries=50, max_steps=5)
        previous = start
        for panel, value in zip(search.panels, search.values):
            assert int(np.abs(panel - previous).sum()) == 2  # one seat moved
            assert _quota_problems(problem, _members(pool, panel)) == []
            # a scorer with its own caches, on the same scenarios, counts more held scenarios
            before = PanelScorer(pool, scenarios).score(previous).held.sum()
            after = PanelScorer(pool, scenarios).score(panel).held.sum()
            assert after > before and math.isclose(value, after / 60)
            previous = panel


def test_the_swap_search_raises_the_score_of_a_fragile_panel():
    """On the fragile pool a panel of two young women (who drop out often) and two old men loses
    its young seat whenever both young women drop out and no third stays; seating the young man,
    who hardly ever drops out, in place of an old man holds far more often, and the search finds
    it. The robust lottery with the swap search keeps the floor and LEXIMIN's lowest kept share."""
    problem, dropout = _fragile_pool()
    pool = compress_pool(problem)
    scenarios = DropoutScenarios(pool, dropout, 300, 3)
    scorer = PanelScorer(pool, scenarios)
    constraints = panel_constraints(pool)
    features = {v.id: v.features for v in problem.volunteers}

    def type_of(sex, age):
        return next(t for t, members in enumerate(pool.type_members)
                    if features[members[0]] == {"sex": sex, "age": age})
    young_women, young_man = type_of("F", "young"), type_of("M", "young")
    fragile = np.zeros(pool.type_count, dtype=np.int64)
    fragile[young_women] = 2
    fragile[type_of("M", "old")] = 2
    assert constraints.contains(fragile)
    search = swap_search(fragile, constraints, lambda p, beat: scorer.score(p).rate,
                         lambda p, swaps: np.zeros(len(swaps)), max_tries=100, max_steps=3)
    assert search.panels and search.values[-1] > search.start_value
    assert search.values[-1] >= search.start_value + 0.1
    assert search.panels[-1][young_man] == 1
    distribution = leximin_distribution(pool)
    robust = robust_distribution(pool, distribution.panels, distribution.weights, dropout, floor=0.5,
                                 scenarios=300, fresh_scenarios=300, seed=3)
    assert robust.lowest_chance_ratio >= 0.5 - 1e-6
    assert robust.kept_share >= robust.leximin_kept_share - 1e-6
    assert robust.in_sample_hold >= robust.leximin_in_sample_hold


class FakeClock:
    """A clock that moves only when a test moves it: scoring a panel "takes" ``per_score`` seconds."""

    def __init__(self, per_score: float) -> None:
        self.now = 1000.0
        self.per_score = per_score

    def __call__(self) -> float:
        return self.now


def slow_scoring(monkeypatch, clock: FakeClock) -> None:
    """Every panel scored, on any scenarios, moves ``clock`` on by its ``per_score`` first."""
    score = PanelScorer.score

    def slow(self, type_panel, fail_limit=None):
        clock.now += clock.per_score
        return score(self, type_panel, fail_limit)
    monkeypatch.setattr(PanelScorer, "score", slow)


def _robust_on(clock, limit, *, floor=0.5):
    problem, dropout = _fragile_pool()
    pool = compress_pool(problem)
    distribution = leximin_distribution(pool)
    robust = robust_distribution(pool, distribution.panels, distribution.weights, dropout, floor=floor,
                                 scenarios=200, fresh_scenarios=200, seed=3, time_limit=limit, clock=clock)
    return problem, pool, distribution, robust


@pytest.mark.parametrize("limit", [0.5, 3.0, 6.0, 9.0, 40.0])
def test_the_time_limit_bounds_the_whole_computation_and_the_lottery_stays_valid(monkeypatch, limit):
    """Scoring is the slow step: before the rounds (LEXIMIN's panels), within them (new panels and
    the swap search) and after them (the fresh check). Whatever step the limit falls in, the call
    ends within one scoring of it, with a lottery that meets every quota and the floor."""
    clock = FakeClock(per_score=1.0)
    slow_scoring(monkeypatch, clock)
    started = clock.now
    problem, pool, _, robust = _robust_on(clock, limit)
    assert clock.now - started <= limit + clock.per_score
    assert robust.time_limit == limit
    assert robust.lowest_chance_ratio >= 0.5 - 1e-6
    assert math.isclose(robust.weights.sum(), 1.0) and np.all(robust.weights > 0)
    assert math.isclose(float(robust.type_probabilities @ pool.type_counts), problem.k, abs_tol=1e-6)
    constraints = panel_constraints(pool)
    assert all(constraints.contains(panel) for panel in robust.panels)
    json.dumps(robust.to_json())  # the record the run keeps, whatever figures are missing


def test_a_limit_reached_is_named_and_the_figures_not_measured_are_none(monkeypatch):
    clock = FakeClock(per_score=1.0)
    slow_scoring(monkeypatch, clock)
    _, _, distribution, unscored = _robust_on(clock, 0.5)
    assert unscored.time_limit_reached == "scoring"
    np.testing.assert_allclose(unscored.type_probabilities, distribution.type_probabilities)
    assert unscored.fresh_hold is None and unscored.in_sample_hold is None and unscored.lowest_chance_ratio == 1.0
    finished = _robust_on(clock, 10_000.0)[3]
    assert finished.time_limit_reached is None and finished.fresh_hold is not None
    scored = len(distribution.panels)
    # LEXIMIN's panels scored, then too little time left to check the lottery on fresh scenarios
    unchecked = _robust_on(clock, scored + 0.5)[3]
    assert unchecked.time_limit_reached in ("search", "check")
    assert unchecked.in_sample_hold is not None and unchecked.fresh_hold is None
    assert unchecked.to_json()["time_limit_reached"] == unchecked.time_limit_reached


def test_a_slower_machine_draws_the_same_lottery_while_the_limit_is_not_reached(monkeypatch):
    """The work is fixed (rounds, scenarios, panels the swap search scores): how long it takes
    changes nothing unless the time limit cuts it short."""
    fast, slow = FakeClock(per_score=0.01), FakeClock(per_score=5.0)
    slow_scoring(monkeypatch, fast)
    quick = _robust_on(fast, 10_000.0)[3]
    monkeypatch.undo()
    slow_scoring(monkeypatch, slow)
    late = _robust_on(slow, 10_000.0)[3]
    assert slow.now - 1000.0 > 100 * (fast.now - 1000.0)  # the slow run took far longer on its clock
    assert quick.time_limit_reached is None and late.time_limit_reached is None
    assert quick.swap_panels_tried == late.swap_panels_tried and quick.rounds == late.rounds
    assert len(quick.panels) == len(late.panels)
    for ours, theirs in zip(quick.panels, late.panels):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(quick.weights, late.weights)
    assert quick.fresh_hold == late.fresh_hold


def test_every_linear_and_integer_program_gets_at_most_the_time_left(monkeypatch):
    from scipy import optimize

    from panels.selection import panel_program, robust
    clock = FakeClock(per_score=1.0)
    slow_scoring(monkeypatch, clock)
    limit, started, given = 30.0, clock.now, []

    def recording(solver):
        def solve(*args, options=None, **kwargs):
            given.append((options or {}).get("time_limit", math.inf) <= limit - (clock.now - started) + 1e-9)
            return solver(*args, options=options, **kwargs)
        return solve
    monkeypatch.setattr(robust, "linprog", recording(optimize.linprog))
    monkeypatch.setattr(robust, "milp", recording(optimize.milp))
    monkeypatch.setattr(panel_program, "milp", recording(optimize.milp))
    _robust_on(clock, limit)
    assert given and all(given)


def test_the_swap_search_stops_after_its_budget_or_at_the_deadline():
    from panels.selection.deadline import Deadline
    problem, dropout = _fragile_pool()
    pool = compress_pool(problem)
    scorer = PanelScorer(pool, DropoutScenarios(pool, dropout, 100, 3))
    constraints = panel_constraints(pool)
    start = leximin_distribution(pool).panels[0]
    unbounded = swap_search(start, constraints, lambda p, beat: -float(p @ np.arange(p.size)),
                            lambda p, swaps: np.zeros(len(swaps)), max_tries=100, max_steps=10)
    assert unbounded.evaluated > 2
    budgeted = swap_search(start, constraints, lambda p, beat: -float(p @ np.arange(p.size)),
                           lambda p, swaps: np.zeros(len(swaps)), max_tries=100, max_steps=10, max_evaluations=2)
    assert budgeted.evaluated == 2 and not budgeted.timed_out
    clock = FakeClock(per_score=0.0)
    deadline = Deadline(clock.now + 2.5, clock)

    def value(panel, beat):
        clock.now += 1.0
        return scorer.score(panel).rate
    cut = swap_search(start, constraints, value, lambda p, swaps: np.zeros(len(swaps)), max_tries=100, max_steps=10,
                      deadline=deadline)
    assert cut.timed_out and clock.now <= deadline.at + 1.0
