"""Weighted LEXIMIN (lowered chances for recent panel members) against brute force on tiny pools.

The reference enumerates every quota-meeting panel and maximises, leximin, p_i / w_i at the level
of single volunteers, fixing a volunteer only when an LP proves they cannot rise above the
current level — the definition, independent of the engine's types, relaxation, walk and cuts.
"""

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from panels.selection import Quota, SelectionProblem, Volunteer, check_panels, select_panel
from panels.selection.checks import panel_problems
from panels.selection.compression import compress_pool
from panels.selection.leximin import leximin_distribution
from panels.selection.panel_program import PanelProgram, panel_constraints
from panels.selection.relaxed_leximin import relaxed_leximin

CATEGORIES = {"sex": ("F", "M"), "age": ("young", "middle", "old")}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@st.composite
def weighted_problems(draw, households=False):
    n = draw(st.integers(4, 9))
    factor = draw(st.sampled_from((0.25, 0.5, 0.8)))
    volunteers = []
    for index in range(n):
        features = {category: draw(st.sampled_from(values)) for category, values in CATEGORIES.items()}
        household = f"h{draw(st.integers(0, n // 2))}" if households and draw(st.booleans()) else None
        weight = factor if draw(st.integers(0, 2)) == 0 else 1.0
        volunteers.append(Volunteer(id=f"p{index}", features=features, household=household, weight=weight))
    k = draw(st.integers(1, min(4, n - 1)))
    quotas = []
    for category, values in CATEGORIES.items():
        for value in values:
            low = draw(st.integers(0, 2))
            quotas.append(Quota(category, value, low, low + draw(st.integers(0, 3))))
    problem = SelectionProblem(volunteers=tuple(volunteers), quotas=tuple(quotas), k=k, enforce_households=households)
    panels = [panel for panel in combinations([v.id for v in volunteers], k) if not panel_problems(problem, panel)]
    assume(panels)
    return problem, panels


def brute_force_weighted_leximin(problem, panels):
    """Sorted values p_i / w_i of the weighted LEXIMIN over all quota-meeting panels."""
    weights = np.array([v.weight for v in problem.volunteers])
    matrix = np.array([[1.0 if v.id in panel else 0.0 for panel in panels] for v in problem.volunteers])
    matrix = matrix / weights[:, None]
    n, m = matrix.shape
    ceiling = 1.0 / weights.min()
    eq = [np.concatenate([np.ones(m), [0.0]])]
    fixed: dict[int, float] = {}
    while len(fixed) < n:
        unfixed = [i for i in range(n) if i not in fixed]
        rows = [np.concatenate([-matrix[i], [0.0 if i in fixed else 1.0]]) for i in range(n)]
        rhs = [-fixed[i] + 1e-9 if i in fixed else 0.0 for i in range(n)]
        result = linprog(np.concatenate([np.zeros(m), [-1.0]]), A_ub=rows, b_ub=rhs, A_eq=eq, b_eq=[1],
                         bounds=[(0, None)] * m + [(0, ceiling)])
        level = result.x[-1]
        newly = []
        for i in unfixed:
            rows_i = [np.concatenate([-matrix[j], [0.0]]) for j in range(n)]
            rhs_i = [-fixed.get(j, level) + 1e-9 for j in range(n)]
            best = linprog(np.concatenate([-matrix[i], [0.0]]), A_ub=rows_i, b_ub=rhs_i, A_eq=eq, b_eq=[1],
                           bounds=[(0, None)] * m + [(0, 0)])
            if -best.fun <= level + 1e-7:
                newly.append(i)
        for i in newly or unfixed[:1]:
            fixed[i] = level
    return np.sort(np.array([fixed[i] for i in range(n)]))


def weighted_values(problem, result):
    return np.sort(np.array([result.probabilities[v.id] / v.weight for v in problem.volunteers]))


@SETTINGS
@given(weighted_problems())
def test_weighted_leximin_matches_brute_force(case):
    problem, panels = case
    result = select_panel(problem, lottery_size=50, seed="s")
    np.testing.assert_allclose(weighted_values(problem, result), brute_force_weighted_leximin(problem, panels), atol=1e-5)
    assert abs(sum(result.probabilities.values()) - problem.k) < 1e-6


@SETTINGS
@given(weighted_problems(households=True))
def test_weighted_leximin_matches_brute_force_with_households(case):
    problem, panels = case
    result = select_panel(problem, lottery_size=50, seed="s")
    np.testing.assert_allclose(weighted_values(problem, result), brute_force_weighted_leximin(problem, panels), atol=1e-5)
    check_panels(problem, result.lottery.panels)
    for panel in result.lottery.panels:
        assert not panel_problems(problem, panel)


@SETTINGS
@given(weighted_problems())
def test_a_lowered_volunteer_never_has_more_chance_than_one_with_the_same_answers(case):
    problem, _ = case
    result = select_panel(problem, lottery_size=50)
    for lowered in (v for v in problem.volunteers if v.weight < 1):
        for other in problem.volunteers:
            if other.weight == 1.0 and other.features == lowered.features:
                assert result.probabilities[lowered.id] <= result.probabilities[other.id] + 1e-7


@SETTINGS
@given(weighted_problems())
def test_the_same_weight_for_everyone_is_plain_leximin(case):
    problem, _ = case
    plain = replace(problem, volunteers=tuple(replace(v, weight=1.0) for v in problem.volunteers))
    halved = replace(problem, volunteers=tuple(replace(v, weight=0.5) for v in problem.volunteers))
    expected = select_panel(plain, lottery_size=50).probabilities
    got = select_panel(halved, lottery_size=50).probabilities
    np.testing.assert_allclose([got[v.id] for v in problem.volunteers], [expected[v.id] for v in problem.volunteers],
                               atol=1e-6)


@SETTINGS
@given(weighted_problems())
def test_weights_of_one_leave_every_step_unchanged(case):
    problem, _ = case
    plain = replace(problem, volunteers=tuple(replace(v, weight=1.0) for v in problem.volunteers))
    pool = compress_pool(plain)
    assert pool.type_weights is None
    constraints = panel_constraints(pool)
    default = relaxed_leximin(constraints)
    explicit = relaxed_leximin(constraints, np.ones(pool.type_count))
    np.testing.assert_array_equal(default.expected_seats, explicit.expected_seats)
    assert default.levels == explicit.levels


def example_problem(lowered: frozenset[str]) -> SelectionProblem:
    volunteers = tuple(
        Volunteer(id=f"{sex}{i}", features={"sex": sex}, weight=0.5 if f"{sex}{i}" in lowered else 1.0)
        for sex in "FM" for i in range(4)
    )
    return SelectionProblem(volunteers=volunteers, quotas=(Quota("sex", "F", 1, 1), Quota("sex", "M", 1, 1)), k=2)


def test_a_lowered_volunteer_gets_the_factor_times_the_others_chance():
    """One seat for four women, one of them lowered to ½: z·(½ + 1 + 1 + 1) = 1, so z = 2/7."""
    result = select_panel(example_problem(frozenset({"F0"})), lottery_size=700, seed="s")
    assert result.probabilities["F0"] == pytest.approx(1 / 7, abs=1e-9)
    assert result.probabilities["F1"] == pytest.approx(2 / 7, abs=1e-9)
    assert result.probabilities["M0"] == pytest.approx(1 / 4, abs=1e-9)
    assert sum(panel.count("F0") for panel in result.lottery.panels) == 100


def test_the_paper_levels_give_the_same_weighted_leximin():
    """The last-resort column generation (values may exceed 1 there) agrees with the relaxation."""
    pool = compress_pool(example_problem(frozenset({"F0", "M1", "M2"})))
    start = PanelProgram(pool).best_panel(np.zeros(pool.type_count)).type_panel
    fast = leximin_distribution(pool, start)
    levels = leximin_distribution(pool, start, levels_only=True)
    assert levels.method == "levels"
    np.testing.assert_allclose(levels.type_probabilities, fast.type_probabilities, atol=1e-7)


@pytest.mark.parametrize("algorithm", ["goldilocks", "legacy"])
def test_other_objectives_refuse_lowered_chances(algorithm):
    with pytest.raises(ValueError, match="leximin"):
        select_panel(example_problem(frozenset({"F0"})), algorithm=algorithm)


def test_a_weight_outside_zero_to_one_is_refused():
    problem = example_problem(frozenset())
    bad = replace(problem, volunteers=(replace(problem.volunteers[0], weight=0.0), *problem.volunteers[1:]))
    with pytest.raises(ValueError, match="weight"):
        select_panel(bad)
