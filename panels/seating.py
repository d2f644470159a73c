"""Seating a panel at tables (small groups) so that each table looks like the panel.

The panel's members are already balanced on the quota dimensions (sex, age band, …); a table of
six drawn at random can still be all men or all over 65. Seating is an assignment problem: put
each member at one table, with table sizes as even as possible, so that in every dimension each
table's count of every category is as close as it can be to the table's fair share of the panel's
count (``size_t × n_c / n``). It is solved as a mixed-integer programme on scipy's HiGHS
(``scipy.optimize.milp``): binary ``x[i,t]`` (member i at table t); for every table t and
category c a pair of non-negative deviations ``u, v`` with

    Σ_i a[i,c] x[i,t] − u[t,c] + v[t,c] = size_t × n_c / n,

minimising Σ (u + v), the total absolute gap between the tables' mixes and the panel's. The first
member is placed at the first table (the tables are interchangeable: this removes symmetric copies
of every answer). A time limit keeps the page quick; the best seating found by then is used, and
``optimal`` says whether HiGHS proved it the best.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_array

TIME_LIMIT_SECONDS = 5.0


@dataclass(frozen=True)
class Seating:
    tables: list[list[str]]
    """Member ids per table, in the order given."""
    gap: float
    """Σ over tables, dimensions and categories of |count − fair share|: 0 is a perfect mix."""
    optimal: bool


def table_sizes(members: int, tables: int) -> list[int]:
    """Sizes as even as possible, larger tables first (14 over 3: 5, 5, 4)."""
    base, extra = divmod(members, tables)
    return [base + (1 if t < extra else 0) for t in range(tables)]


def mix_gap(tables: Sequence[Sequence[str]], answers: Mapping[str, Mapping[str, str]], dimensions: Sequence[str]) -> float:
    """The objective of a seating (for checking one, or an officer's edit of one)."""
    everyone = [member for table in tables for member in table]
    n = len(everyone)
    gap = 0.0
    for dimension in dimensions:
        categories = sorted({answers[m].get(dimension, "") for m in everyone})
        panel_counts = {c: sum(answers[m].get(dimension, "") == c for m in everyone) for c in categories}
        for table in tables:
            for category in categories:
                count = sum(answers[m].get(dimension, "") == category for m in table)
                gap += abs(count - len(table) * panel_counts[category] / n) if n else 0.0
    return gap


def seat_members(answers: Mapping[str, Mapping[str, str]], *, tables: int, dimensions: Sequence[str],
                 time_limit: float = TIME_LIMIT_SECONDS) -> Seating:
    """Seat every member (``answers``: member id → {dimension: category}) at ``tables`` tables."""
    members = list(answers)
    n = len(members)
    if n == 0:
        return Seating(tables=[[] for _ in range(tables)], gap=0.0, optimal=True)
    tables = max(1, min(tables, n))
    sizes = table_sizes(n, tables)
    columns = [(dimension, category) for dimension in dimensions
               for category in sorted({answers[m].get(dimension, "") for m in members})]
    membership = np.array([[1.0 if answers[m].get(d, "") == c else 0.0 for d, c in columns] for m in members])
    shares = membership.sum(axis=0) / n
    n_x, n_dev = n * tables, tables * len(columns)
    size = n_x + 2 * n_dev

    def x(i: int, t: int) -> int:
        return i * tables + t

    def dev(t: int, k: int) -> int:
        return n_x + t * len(columns) + k

    rows = n + tables + tables * len(columns)
    matrix = lil_array((rows, size))
    lower, upper = np.zeros(rows), np.zeros(rows)
    row = 0
    for i in range(n):  # each member at exactly one table
        for t in range(tables):
            matrix[row, x(i, t)] = 1
        lower[row] = upper[row] = 1
        row += 1
    for t in range(tables):  # each table its size
        for i in range(n):
            matrix[row, x(i, t)] = 1
        lower[row] = upper[row] = sizes[t]
        row += 1
    for t in range(tables):  # count − u + v = fair share
        for k in range(len(columns)):
            for i in np.flatnonzero(membership[:, k]):
                matrix[row, x(int(i), t)] = 1
            matrix[row, dev(t, k)] = -1
            matrix[row, n_dev + dev(t, k)] = 1
            lower[row] = upper[row] = sizes[t] * shares[k]
            row += 1
    cost = np.concatenate([np.zeros(n_x), np.ones(2 * n_dev)])
    integrality = np.concatenate([np.ones(n_x), np.zeros(2 * n_dev)])
    low, high = np.zeros(size), np.concatenate([np.ones(n_x), np.full(2 * n_dev, np.inf)])
    high[[x(0, t) for t in range(1, tables)]] = 0  # symmetry: the first member sits at the first table
    result = milp(cost, constraints=LinearConstraint(matrix.tocsr(), lower, upper), integrality=integrality,
                  bounds=Bounds(low, high), options={"time_limit": time_limit, "presolve": True})
    if result.x is None:
        raise RuntimeError(f"no seating found: {result.message}")
    chosen = result.x[:n_x].reshape(n, tables).argmax(axis=1)
    seated = [[members[i] for i in range(n) if chosen[i] == t] for t in range(tables)]
    return Seating(tables=seated, gap=mix_gap(seated, answers, dimensions), optimal=result.status == 0)
