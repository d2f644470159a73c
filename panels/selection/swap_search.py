"""Local search over quota-meeting panels by one-for-one swaps (used by ``robust``, step 4).

A type panel Y (seats per type of interchangeable volunteers, ``compression``) is changed by one
swap: one seat of a type a on the panel goes to a type b with an unseated member, Y − e_a + e_b.
Which swaps keep every quota and household rule is read from the panel program's own rows
(``PanelConstraints``: size, quotas, one seat per household): the rows' values for Y are computed
once and each swap moves them by column b minus column a; every swap is checked again with
``PanelConstraints.contains`` before it is scored. There is no second quota checker here.

The search is first-improvement hill climbing on a value the caller supplies (the robust lottery
passes a panel's drop-out score plus its prices in the linear program): swaps are tried in the
order of a cheap ``priority`` the caller also supplies, the first that raises the value is taken,
and the search stops at a panel no tried swap improves, or after ``max_tries`` values per step,
``max_steps`` steps, ``max_evaluations`` values in all, or at the ``deadline`` (a ``Deadline``, whose
``TimeLimitReached`` it turns into a climb that says it was cut short: the panels it took are kept).

LEXIMIN's column generation has its own swap search (``panel_search.SwapSearch``): best gain on a
linear price, with feasibility from per-category quota rows, tuned for pools of 20,000. This one
takes any value (a simulation), so it tries swaps one at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from panels.selection.deadline import Deadline, TimeLimitReached
from panels.selection.panel_program import PanelConstraints

#: A swap must raise the value by more than this to be taken.
SWAP_IMPROVEMENT = 1e-9


def feasible_swaps(constraints: PanelConstraints, type_panel: np.ndarray) -> np.ndarray:
    """Every swap (a, b), as rows of an (n × 2) array, after which ``type_panel`` still meets every
    row of ``constraints``, whose rows (size, quotas, households) have 0/1 coefficients: once a
    seat of a is freed, b must hold every row that fell below its lower bound and no row already
    at its upper bound. The matrix stays sparse (a large pool has a row per household)."""
    matrix = constraints.matrix.tocsc()
    panel = np.asarray(type_panel, dtype=np.int64)
    values = matrix @ panel
    open_types = np.flatnonzero(panel < constraints.type_counts)
    holds = matrix[:, open_types].tocsr()
    found = []
    for a in np.flatnonzero(panel > 0):
        freed = values - matrix[:, [a]].toarray().ravel()
        need = np.flatnonzero(freed < constraints.lower - 1e-9)
        full = np.flatnonzero(freed + 1.0 > constraints.upper + 1e-9)
        fits = np.ones(open_types.size, dtype=bool)
        if need.size:
            fits &= np.asarray(holds[need].sum(axis=0)).ravel() >= need.size - 1e-9
        if full.size:
            fits &= np.asarray(holds[full].sum(axis=0)).ravel() <= 1e-9
        found += [(a, b) for b in open_types[fits] if b != a]
    return np.array(found, dtype=np.int64).reshape(-1, 2)


def swapped(type_panel: np.ndarray, a: int, b: int) -> np.ndarray:
    panel = np.array(type_panel, dtype=np.int64)
    panel[a] -= 1
    panel[b] += 1
    return panel


@dataclass
class SwapClimb:
    """The result of ``swap_search``: each panel taken, in order (each raises the value of the one
    before), with its value, how many values were asked for, and whether the deadline cut it short."""

    start_value: float
    panels: list[np.ndarray] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    evaluated: int = 0
    timed_out: bool = False


def swap_search(
    type_panel: np.ndarray,
    constraints: PanelConstraints,
    value: Callable[[np.ndarray, float], float],
    priority: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    max_tries: int,
    max_steps: int,
    max_evaluations: float = math.inf,
    deadline: Deadline | None = None,
) -> SwapClimb:
    """Hill-climb from ``type_panel`` (module docstring). ``value(panel, beat)`` is the objective;
    it may return any number no greater than ``beat`` once it knows the panel cannot beat it (so a
    costly value can stop early), and may raise ``TimeLimitReached``. ``priority(panel, swaps)``
    gives one number per swap row, higher tried first. The start's own value is not counted in
    ``max_evaluations``; a deadline passed before it is known raises ``TimeLimitReached``."""
    deadline = deadline or Deadline.never()
    current = np.asarray(type_panel, dtype=np.int64)
    current_value = value(current, -np.inf)
    result = SwapClimb(start_value=current_value)
    try:
        _climb(result, current, current_value, constraints, value, priority, deadline=deadline, max_tries=max_tries,
               max_steps=max_steps, max_evaluations=max_evaluations)
    except TimeLimitReached:
        result.timed_out = True
    return result


def _climb(result: SwapClimb, current, current_value, constraints, value, priority, *, deadline: Deadline,
           max_tries: int, max_steps: int, max_evaluations: float) -> None:
    """The steps of ``swap_search``, recorded in ``result``."""
    for _ in range(max_steps):
        swaps = feasible_swaps(constraints, current)
        if not len(swaps):
            break
        order = np.argsort(-priority(current, swaps), kind="stable")[:max_tries]
        taken = False
        for a, b in swaps[order]:
            deadline.check()
            if result.evaluated >= max_evaluations:
                return
            candidate = swapped(current, int(a), int(b))
            if not constraints.contains(candidate):
                continue
            result.evaluated += 1
            candidate_value = value(candidate, current_value)
            if candidate_value > current_value + SWAP_IMPROVEMENT:
                current, current_value, taken = candidate, candidate_value, True
                result.panels.append(candidate)
                result.values.append(candidate_value)
                break
        if not taken:
            break
