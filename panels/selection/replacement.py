"""Replacements for drop-outs: from the alternates first, else a fresh refill of the freed seats.

*Refill* (``select_replacements``): the confirmed members stay; the seats they leave are refilled
by a fresh LEXIMIN selection over the remaining pool in which the confirmed members count towards
``k`` and every quota, and their household mates cannot be chosen. Volunteers who declined are
removed from the pool, so they are never re-drawn. This keeps the quotas, and makes the chances
*of this round* LEXIMIN-fair over the people left in the pool; it does not keep anyone's chance
of ending on the final panel at its LEXIMIN value: a group that drops out more ends on the final
panel less often than it was drawn (see ``final_chances``).

*Alternates first* (``replace_alternates_first``): when the drawn panel came with ordered
alternates (``alternates``, Assos et al., EC 2025), the freed seats go to the best subset of the
alternates still available (``best_replacements``: fewest seats outside the quotas, most seats
filled, closest to the make-up the panel was drawn with, then the earliest in the list). Only when they cannot fill every freed seat within every quota does the
round fall back to the refill, and the result says which happened and why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from panels.selection.alternates import QuotaRows, best_replacements, candidate_ids
from panels.selection.checks import check_panels
from panels.selection.engine import quota_outcomes, select_panel
from panels.selection.model import Lottery, SelectionProblem, SelectionProgress, SelectionResult, Volunteer

#: Why the alternates could not fill the seats: none were chosen, fewer are still available than
#: seats are free, or those available cannot fill them within every quota.
FALLBACK_REASONS = ("no_alternates", "too_few", "quotas")


@dataclass(frozen=True)
class Replacement:
    """A replacement round's result and how it was made: ``method`` is ``alternates`` or
    ``refill``; ``reason`` (one of ``FALLBACK_REASONS``, or empty) says why the alternates were
    not used; ``available`` counts the alternates still able to take a seat."""

    result: SelectionResult
    method: str
    from_alternates: tuple[str, ...]
    reason: str
    available: int


def select_replacements(
    problem: SelectionProblem,
    *,
    confirmed_ids: Iterable[str],
    withdrawn_ids: Iterable[str] = (),
    seed: str | None = None,
    lottery_size: int = 1000,
    progress: Callable[[SelectionProgress], None] | None = None,
    objective: str = "leximin",
) -> SelectionResult:
    """Refill the panel around ``confirmed_ids``; ``withdrawn_ids`` leave the pool first.

    The drawn panel (``result.draw.panel``) contains the confirmed members plus the
    replacements; replacements are ``set(result.draw.panel) - set(confirmed_ids)``.
    """
    withdrawn = set(withdrawn_ids)
    confirmed = frozenset(confirmed_ids)
    overlap = confirmed & withdrawn
    if overlap:
        raise ValueError(f"ids both confirmed and withdrawn: {sorted(overlap)}")
    remaining = tuple(volunteer for volunteer in problem.volunteers if volunteer.id not in withdrawn)
    refill = replace(problem, volunteers=remaining, fixed_ids=confirmed)
    return select_panel(refill, algorithm=objective, seed=seed, lottery_size=lottery_size, progress=progress)


def replace_alternates_first(
    problem: SelectionProblem,
    *,
    confirmed_ids: Iterable[str],
    alternates: Sequence[str],
    withdrawn_ids: Iterable[str] = (),
    freed: Sequence[Volunteer] = (),
    lottery_size: int = 1000,
    progress: Callable[[SelectionProgress], None] | None = None,
    objective: str = "leximin",
) -> Replacement:
    """Fill the seats left free around ``confirmed_ids`` from ``alternates`` (in their order) when
    they can fill all of them within every quota, else by ``select_replacements`` (see module
    docstring); ``freed`` are the drawn members whose seats are free (with their answers), so that among equally
    good choices the panel gets back the make-up it was drawn with. From the alternates, the
    result's lottery has one ticket: the panel they make."""
    started = time.perf_counter()
    confirmed = frozenset(confirmed_ids)
    withdrawn = set(withdrawn_ids)
    seats = problem.k - len(confirmed)
    remaining = replace(problem, volunteers=tuple(v for v in problem.volunteers if v.id not in withdrawn),
                        fixed_ids=confirmed)
    allowed = {volunteer.id for volunteer in candidate_ids(remaining, confirmed)}
    available = [member for member in alternates if member in allowed]
    known = {volunteer.id for volunteer in problem.volunteers}
    with_freed = replace(problem, volunteers=problem.volunteers + tuple(v for v in freed if v.id not in known))
    chosen = best_replacements(with_freed, sorted(confirmed), seats, available, sorted(v.id for v in freed))
    rows = QuotaRows(remaining)
    panel = tuple(sorted((*confirmed, *chosen)))
    if seats > 0 and len(chosen) == seats and rows.loss(rows.counts(panel)) <= 1e-9:
        lottery = Lottery(panels=(panel,), max_deviation=0.0)
        check_panels(remaining, lottery.panels)
        probabilities = {volunteer.id: 0.0 for volunteer in remaining.volunteers}
        probabilities.update({member: 1.0 for member in panel})
        result = SelectionResult(
            algorithm="alternates", n=len(remaining.volunteers), k=problem.k, probabilities=probabilities,
            min_probability=1.0, max_probability=1.0, distribution_size=1, lottery=lottery, draw=None,
            quotas=quota_outcomes(remaining, None), runtime_s=time.perf_counter() - started, iterations=0,
            fixed_ids=confirmed)
        return Replacement(result, "alternates", chosen, "", len(available))
    reason = "no_alternates" if not alternates else "too_few" if len(available) < seats else "quotas"
    result = select_replacements(problem, confirmed_ids=confirmed, withdrawn_ids=withdrawn, lottery_size=lottery_size,
                                 progress=progress, objective=objective)
    return Replacement(result, "refill", (), reason if seats > 0 else "", len(available))
