"""Independent checks run on every result before it is returned.

They look only at the original problem (volunteer features, households, quotas), not at
the compressed types the solver used, so a bug in compression or rounding cannot hide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from panels.selection.model import SelectionProblem

#: Probabilities come from floating-point LPs; this is the slack allowed on [0, 1] and on Σ = k.
PROBABILITY_TOLERANCE = 1e-6


class SelectionCheckError(AssertionError):
    """A computed result broke a rule it must satisfy (always a bug, never bad input)."""


class _PanelChecker:
    """Lookups built once per problem, so checking a thousand lottery panels stays cheap: each
    volunteer's quota rows (from their own features, read once) and household."""

    def __init__(self, problem: SelectionProblem) -> None:
        self.problem = problem
        self.volunteers = {volunteer.id: volunteer for volunteer in problem.volunteers}
        row_of = {(quota.category, quota.name): row for row, quota in enumerate(problem.quotas)}
        # ``problem.categories`` is rebuilt on each access: read it once, not once per volunteer.
        categories = problem.categories
        self.rows = {volunteer.id: [row_of[(category, volunteer.features.get(category))]
                                    for category in categories
                                    if (category, volunteer.features.get(category)) in row_of]
                     for volunteer in problem.volunteers}

    def problems(self, panel: Iterable[str]) -> list[str]:
        problem, volunteers = self.problem, self.volunteers
        members = list(panel)
        problems = []
        if len(members) != problem.k:
            problems.append(f"has {len(members)} members, not {problem.k}")
        if len(set(members)) != len(members):
            problems.append("repeats a member")
        unknown = [member for member in members if member not in volunteers]
        if unknown:
            problems.append(f"has ids not in the pool: {unknown[:3]}")
            return problems
        missing_fixed = problem.fixed_ids - set(members)
        if missing_fixed:
            problems.append(f"drops fixed members {sorted(missing_fixed)[:3]}")
        counts = [0] * len(problem.quotas)
        for member in members:
            for row in self.rows[member]:
                counts[row] += 1
        for quota, count in zip(problem.quotas, counts):
            if not quota.quota_min <= count <= quota.quota_max:
                problems.append(
                    f"has {count} for {quota.category}={quota.name}, outside [{quota.quota_min}, {quota.quota_max}]"
                )
        if problem.enforce_households:
            households = Counter(volunteers[m].household for m in members if volunteers[m].household is not None)
            shared = [household for household, count in households.items() if count > 1]
            if shared:
                problems.append(f"seats {len(shared)} households more than once")
        return problems


def panel_problems(problem: SelectionProblem, panel: Iterable[str]) -> list[str]:
    """Everything wrong with one panel: size, unknown or repeated ids, quotas, households."""
    return _PanelChecker(problem).problems(panel)


def check_panels(problem: SelectionProblem, panels: Iterable[Iterable[str]]) -> None:
    """Raise ``SelectionCheckError`` unless every distinct panel meets every rule."""
    checker = _PanelChecker(problem)
    for panel in set(tuple(sorted(panel)) for panel in panels):
        problems = checker.problems(panel)
        if problems:
            raise SelectionCheckError(f"panel {list(panel)[:5]}… {'; '.join(problems)}")


def check_probabilities(problem: SelectionProblem, probabilities: Mapping[str, float]) -> None:
    """Every volunteer has a probability in [0, 1]; together they sum to k."""
    ids = {volunteer.id for volunteer in problem.volunteers}
    if set(probabilities) != ids:
        raise SelectionCheckError("probabilities do not cover exactly the pool")
    for volunteer_id, probability in probabilities.items():
        if not -PROBABILITY_TOLERANCE <= probability <= 1 + PROBABILITY_TOLERANCE:
            raise SelectionCheckError(f"probability of {volunteer_id} is {probability}, outside [0, 1]")
    total = sum(probabilities.values())
    if abs(total - problem.k) > PROBABILITY_TOLERANCE * max(1, problem.k):
        raise SelectionCheckError(f"probabilities sum to {total}, not k = {problem.k}")
