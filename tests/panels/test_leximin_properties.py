"""LEXIMIN against brute force on small random pools, plus the invariants of every result.

The reference enumerates every quota-meeting panel and computes LEXIMIN at the level of
single volunteers, fixing a volunteer only when an LP proves they cannot rise above the
current level — the textbook definition, independent of the engine's relaxation bound, face
walk, cuts, column generation, type compression and dual-based fixing.

With two categories and no households the LP relaxation of the quotas is integral, so the
engine's first bound is always achievable; three categories or households make it loose on
some pools, which exercises the walk's fallbacks and the cutting-plane loop.
"""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from panels.selection import (
    InfeasibleQuotasError,
    Quota,
    SelectionProblem,
    Volunteer,
    check_feasibility,
    check_panels,
    load_problem,
    select_panel,
)
from panels.selection import linear_program
from panels.selection.checks import panel_problems
from panels.selection.compression import compress_pool
from panels.selection.leximin import leximin_distribution
from panels.selection.panel_program import PanelProgram, panel_constraints
from panels.selection.relaxed_leximin import relaxed_leximin

CATEGORIES = {"sex": ("F", "M"), "age": ("young", "middle", "old")}
THREE_CATEGORIES = {**CATEGORIES, "area": ("north", "south")}


@st.composite
def small_problems(draw, households=False, categories=CATEGORIES):
    n = draw(st.integers(4, 9))
    volunteers = []
    for index in range(n):
        features = {category: draw(st.sampled_from(values)) for category, values in categories.items()}
        household = f"h{draw(st.integers(0, n // 2))}" if households and draw(st.booleans()) else None
        volunteers.append(Volunteer(id=f"p{index}", features=features, household=household))
    k = draw(st.integers(1, min(4, n - 1)))
    quotas = []
    for category, values in categories.items():
        for value in values:
            low = draw(st.integers(0, 2))
            quotas.append(Quota(category, value, low, low + draw(st.integers(0, 3))))
    return SelectionProblem(volunteers=tuple(volunteers), quotas=tuple(quotas), k=k, enforce_households=households)


def feasible_panels(problem):
    ids = [v.id for v in problem.volunteers]
    return [panel for panel in combinations(ids, problem.k) if not panel_problems(problem, panel)]


def brute_force_leximin(problem, panels):
    ids = [v.id for v in problem.volunteers]
    matrix = np.array([[1.0 if i in panel else 0.0 for panel in panels] for i in ids])
    n, m = matrix.shape
    fixed = {}
    while len(fixed) < n:
        unfixed = [i for i in range(n) if i not in fixed]
        rows, rhs = [], []
        for i in range(n):
            row = np.concatenate([-matrix[i], [1.0 if i not in fixed else 0.0]])
            rows.append(row)
            rhs.append(0.0 if i not in fixed else -fixed[i] + 1e-9)
        eq = [np.concatenate([np.ones(m), [0.0]])]
        result = linprog(np.concatenate([np.zeros(m), [-1.0]]), A_ub=rows, b_ub=rhs, A_eq=eq, b_eq=[1], bounds=[(0, None)] * m + [(0, 1)])
        level = result.x[-1]
        newly = []
        for i in unfixed:
            rows_i = [np.concatenate([-matrix[j], [0.0]]) for j in range(n)]
            rhs_i = [-(fixed.get(j, level)) + 1e-9 for j in range(n)]
            objective = np.concatenate([-matrix[i], [0.0]])
            best = linprog(objective, A_ub=rows_i, b_ub=rhs_i, A_eq=eq, b_eq=[1], bounds=[(0, None)] * m + [(0, 0)])
            if -best.fun <= level + 1e-7:
                newly.append(i)
        for i in newly or unfixed[:1]:
            fixed[i] = level
    return np.sort(np.array([fixed[i] for i in range(n)]))


def assert_matches_brute_force(problem):
    panels = feasible_panels(problem)
    if not panels:
        assert check_feasibility(problem) is not None
        return
    result = select_panel(problem, lottery_size=50, seed="s")
    ours = np.sort(np.array(list(result.probabilities.values())))
    reference = brute_force_leximin(problem, panels)
    assert abs(ours[0] - reference[0]) < 1e-6  # the maximin optimum
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    assert abs(sum(result.probabilities.values()) - problem.k) < 1e-6


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_problems())
def test_leximin_matches_brute_force(problem):
    assert_matches_brute_force(problem)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_problems(households=True))
def test_leximin_matches_brute_force_with_households(problem):
    assert_matches_brute_force(problem)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_problems(households=True, categories=THREE_CATEGORIES))
def test_leximin_matches_brute_force_with_three_categories_and_households(problem):
    assert_matches_brute_force(problem)


def _pool_and_start(problem):
    pool = compress_pool(problem)
    return pool, PanelProgram(pool).best_panel(np.zeros(pool.type_count)).type_panel


def _person_probabilities(pool, distribution):
    return np.sort(np.repeat(distribution.type_probabilities, pool.type_counts.astype(int)))


def test_a_loose_relaxation_is_cut_until_the_leximin_is_reached():
    """Three categories: the LP relaxation's LEXIMIN promises everyone 1/7 more than any
    mixture of panels can give, so the engine must cut it before it finds the LEXIMIN."""
    rows = [("M", "young", "south"), ("F", "old", "north"), ("F", "middle", "south"), ("F", "young", "north"),
            ("F", "young", "south"), ("F", "middle", "north"), ("M", "old", "north"), ("M", "old", "south"),
            ("F", "middle", "south"), ("M", "young", "south"), ("M", "middle", "north"), ("F", "old", "north")]
    volunteers = tuple(Volunteer(f"p{i}", dict(zip(THREE_CATEGORIES, row))) for i, row in enumerate(rows))
    bounds = {("sex", "F"): (0, 1), ("sex", "M"): (1, 4), ("age", "young"): (0, 3), ("age", "middle"): (1, 1),
              ("age", "old"): (1, 2), ("area", "north"): (2, 5), ("area", "south"): (2, 4)}
    quotas = tuple(Quota(category, name, low, high) for (category, name), (low, high) in bounds.items())
    problem = SelectionProblem(volunteers, quotas, 4)
    pool, start = _pool_and_start(problem)
    reference = brute_force_leximin(problem, feasible_panels(problem))
    bound = relaxed_leximin(panel_constraints(pool))
    assert bound.probabilities.min() > reference[0] + 0.1
    distribution = leximin_distribution(pool, start)
    assert distribution.cut_rounds >= 1
    np.testing.assert_allclose(_person_probabilities(pool, distribution), reference, atol=1e-5)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_problems(households=True, categories=THREE_CATEGORIES))
def test_the_papers_level_by_level_algorithm_agrees(problem):
    """The last-resort algorithm (levels only) gives the same LEXIMIN as brute force."""
    panels = feasible_panels(problem)
    if not panels:
        return
    pool, start = _pool_and_start(problem)
    distribution = leximin_distribution(pool, start, levels_only=True)
    assert distribution.method == "levels"
    np.testing.assert_allclose(_person_probabilities(pool, distribution), brute_force_leximin(problem, panels), atol=1e-5)


@pytest.fixture
def without_private_highs(monkeypatch):
    """Solve every LP with the public ``scipy.optimize.linprog`` instead of scipy's private binding."""
    monkeypatch.setattr(linear_program, "USE_HIGHS_CORE", False)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
@given(small_problems(households=True, categories=THREE_CATEGORIES))
def test_public_linprog_fallback_matches_brute_force(without_private_highs, problem):
    assert not linear_program.USE_HIGHS_CORE
    assert_matches_brute_force(problem)


def test_public_linprog_fallback_gives_the_same_probabilities(instances, monkeypatch):
    folder = instances / "opendlp_monitoring_30"
    problem = load_problem(folder / "categories.csv", folder / "respondents.csv", 30, household_columns=["address_line_1"])
    private = select_panel(problem, lottery_size=100)
    monkeypatch.setattr(linear_program, "USE_HIGHS_CORE", False)
    public = select_panel(problem, lottery_size=100)
    ids = [volunteer.id for volunteer in problem.volunteers]
    np.testing.assert_allclose([public.probabilities[i] for i in ids], [private.probabilities[i] for i in ids], atol=1e-6)


@settings(max_examples=30)
@given(small_problems(households=True), st.text(max_size=12))
def test_every_result_keeps_quotas_households_and_sums_to_k(problem, seed):
    if not feasible_panels(problem):
        return
    result = select_panel(problem, seed=seed, lottery_size=30)
    check_panels(problem, result.lottery.panels)
    assert not panel_problems(problem, result.draw.panel)
    assert all(0.0 <= p <= 1.0 for p in result.probabilities.values())
    assert abs(sum(result.probabilities.values()) - problem.k) < 1e-6
    assert all(isinstance(p, float) for p in result.probabilities.values())
    again = select_panel(problem, seed=seed, lottery_size=30)
    assert again.draw == result.draw  # deterministic in the seed


@settings(max_examples=30)
@given(small_problems())
def test_infeasible_quotas_come_with_a_relaxation_that_works(problem):
    if feasible_panels(problem):
        assert check_feasibility(problem) is None
        return
    infeasibility = check_feasibility(problem)
    assert infeasibility is not None and infeasibility.conflicts
    relaxed = {(r.category, r.name): r for r in infeasibility.relaxations}
    quotas = tuple(
        Quota(q.category, q.name, relaxed[(q.category, q.name)].relaxed_min, relaxed[(q.category, q.name)].relaxed_max)
        if (q.category, q.name) in relaxed
        else q
        for q in problem.quotas
    )
    fixed_problem = SelectionProblem(problem.volunteers, quotas, problem.k)
    assert feasible_panels(fixed_problem)
    try:
        select_panel(problem)
    except InfeasibleQuotasError as error:
        assert error.infeasibility == infeasibility
    else:
        raise AssertionError("an infeasible problem was selected")
