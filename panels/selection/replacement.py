"""Replacements for drop-outs that keep the quotas and the fairness of the rest.

The confirmed members stay; the seats they leave are refilled by a fresh LEXIMIN selection
over the remaining pool in which the confirmed members count towards ``k`` and every quota,
and their household mates cannot be chosen. Volunteers who declined are removed from the
pool, so they are never re-drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from panels.selection.engine import select_panel
from panels.selection.model import SelectionProblem, SelectionProgress, SelectionResult


def select_replacements(
    problem: SelectionProblem,
    *,
    confirmed_ids: Iterable[str],
    withdrawn_ids: Iterable[str] = (),
    seed: str | None = None,
    lottery_size: int = 1000,
    progress: Callable[[SelectionProgress], None] | None = None,
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
    return select_panel(refill, seed=seed, lottery_size=lottery_size, progress=progress)
