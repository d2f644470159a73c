"""The proposed relaxation of infeasible quotas: smallest total change, then the most even.

The reference enumerates every k-subset of a tiny pool (keeping the household rule, which no
change of quotas can lift) and the quota changes each subset would need.
"""

from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panels.selection import (
    Quota,
    SelectionInputWarning,
    SelectionProblem,
    Volunteer,
    check_feasibility,
    load_problem,
)

CATEGORIES = {"sex": ("F", "M"), "age": ("young", "middle", "old"), "area": ("north", "south")}


@st.composite
def tight_problems(draw):
    n = draw(st.integers(3, 8))
    volunteers = []
    for index in range(n):
        features = {category: draw(st.sampled_from(values)) for category, values in CATEGORIES.items()}
        household = f"h{draw(st.integers(0, n))}" if draw(st.booleans()) else None
        volunteers.append(Volunteer(id=f"p{index}", features=features, household=household))
    k = draw(st.integers(1, min(5, n)))
    quotas = []
    for category, values in CATEGORIES.items():
        for value in values:
            low = draw(st.integers(0, 4))
            quotas.append(Quota(category, value, low, low + draw(st.integers(0, 2))))
    return SelectionProblem(volunteers=tuple(volunteers), quotas=tuple(quotas), k=k, enforce_households=True)


def changes_needed(problem, panel):
    """Seats by which each quota would have to move for ``panel`` to meet it."""
    counts = {}
    for member in panel:
        for category, value in member.features.items():
            counts[(category, value)] = counts.get((category, value), 0) + 1
    needed = []
    for quota in problem.quotas:
        count = counts.get((quota.category, quota.name), 0)
        needed.append(max(0, quota.quota_min - count) + max(0, count - quota.quota_max))
    return needed


def brute_force_relaxation(problem):
    """(smallest total change, smallest largest change among those), or None without any panel."""
    best = None
    for panel in combinations(problem.volunteers, problem.k):
        households = [member.household for member in panel if member.household is not None]
        if len(households) != len(set(households)):
            continue
        needed = changes_needed(problem, panel)
        candidate = (sum(needed), max(needed))
        best = candidate if best is None else min(best, candidate)
    return best


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tight_problems())
def test_relaxation_has_the_smallest_total_change_and_shares_it_out(problem):
    reference = brute_force_relaxation(problem)
    infeasibility = check_feasibility(problem)
    if reference is None:  # fewer households than seats: no quota change helps
        assert infeasibility is not None and not infeasibility.relaxations
        return
    if reference[0] == 0:
        assert infeasibility is None
        return
    assert infeasibility is not None
    assert infeasibility.total_change == reference[0]
    assert max(relaxation.change for relaxation in infeasibility.relaxations) == reference[1]


def test_example_small_20_with_ten_seats_lowers_all_four_minimums_evenly(instances):
    folder = instances / "example_small_20"
    with pytest.warns(SelectionInputWarning):  # the replication files have no id column
        problem = load_problem(folder / "categories.csv", folder / "respondents.csv", 10)
    infeasibility = check_feasibility(problem)
    assert infeasibility is not None and infeasibility.total_change == 16
    relaxed = {(r.category, r.name): (r.relaxed_min, r.relaxed_max) for r in infeasibility.relaxations}
    assert relaxed == {
        ("gender", "female"): (5, 20),
        ("gender", "male"): (5, 20),
        ("leaning", "liberal"): (5, 20),
        ("leaning", "conservative"): (5, 20),
    }
