"""What to do with volunteers who served on a recent panel (issue 21, "across years").

Three rules: ``include`` (everyone alike), ``exclude`` (those who served are left out of the
pool, as duplicates are) and ``lower`` (they stay, with ``Volunteer.weight`` = factor, so that the
weighted LEXIMIN gives them ``factor`` times the chance of others with the same answers wherever
the quotas allow). Members already fixed on the panel (replacement rounds) are never touched.
Pure: which volunteers served is decided by the caller (a CSV column, or the service records of
``panels.service_records``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from panels.selection.model import SelectionProblem

RECENT_RULES = ("include", "exclude", "lower")
DEFAULT_FACTOR = 0.5


@dataclass(frozen=True)
class RecentServiceRule:
    """A rule and, for ``lower``, the factor in (0, 1) by which the chance is multiplied."""

    rule: str = "include"
    factor: float = DEFAULT_FACTOR

    def __post_init__(self) -> None:
        if self.rule not in RECENT_RULES:
            raise ValueError(f"unknown rule for recent panel members '{self.rule}' (choose from {', '.join(RECENT_RULES)})")
        if self.rule == "lower" and not 0.0 < self.factor < 1.0:
            raise ValueError("the factor that lowers a recent panel member's chance must be more than 0 and less than 1")


@dataclass(frozen=True)
class RecentServiceOutcome:
    """Which volunteers the rule left out or lowered (ids in pool order)."""

    rule: RecentServiceRule
    excluded: tuple[str, ...]
    lowered: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.rule,
            "factor": self.rule.factor if self.rule.rule == "lower" else None,
            "excluded": list(self.excluded),
            "lowered": list(self.lowered),
        }


def apply_recent_service(
    problem: SelectionProblem, served_ids: Collection[str], rule: RecentServiceRule
) -> tuple[SelectionProblem, RecentServiceOutcome]:
    """The problem with ``rule`` applied to the volunteers in ``served_ids``."""
    served = {volunteer.id for volunteer in problem.volunteers
              if volunteer.id in served_ids and volunteer.id not in problem.fixed_ids}
    touched = tuple(volunteer.id for volunteer in problem.volunteers if volunteer.id in served)
    if rule.rule == "exclude":
        kept = tuple(volunteer for volunteer in problem.volunteers if volunteer.id not in served)
        return replace(problem, volunteers=kept), RecentServiceOutcome(rule, touched, ())
    if rule.rule == "lower":
        lowered = tuple(replace(volunteer, weight=rule.factor) if volunteer.id in served else volunteer
                        for volunteer in problem.volunteers)
        return replace(problem, volunteers=lowered), RecentServiceOutcome(rule, (), touched)
    return problem, RecentServiceOutcome(rule, (), ())
