"""The greedy sequential draw used historically (Sortition Foundation "legacy").

One draw: while seats remain, find the quota value whose unmet minimum is largest relative
to the volunteers still available, ``(min − selected) / available``; pick one available
volunteer with that value uniformly at random; remove them and their household mates; when
a value reaches its maximum, remove everyone else holding it. An attempt that can no longer
meet a minimum is restarted (up to ``MAX_ATTEMPTS``).

It is kept so officers and the benchmark can compare: its selection probabilities are not
computed but *estimated* from repeated draws, and the number of draws is reported. The
draws themselves form the uniform lottery (each is one ticket), so the public draw works
the same way as for LEXIMIN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from panels.selection.compression import CompressedPool
from panels.selection.model import SelectionProgress

MAX_ATTEMPTS = 100


class LegacyDrawError(RuntimeError):
    """The greedy draw failed ``MAX_ATTEMPTS`` times in a row (quotas too tight for it)."""


class _Pool:
    def __init__(self, pool: CompressedPool) -> None:
        self.ids: list[str] = [member for members in pool.type_members for member in members]
        type_of_agent = np.repeat(np.arange(pool.type_count), [len(m) for m in pool.type_members])
        columns = pool.membership.tocsc()
        rows_per_type = [columns.indices[columns.indptr[t] : columns.indptr[t + 1]] for t in range(pool.type_count)]
        self.rows = np.array([rows_per_type[t] for t in type_of_agent], dtype=np.int64).reshape(len(self.ids), -1)
        households: dict[int, list[int]] = {}
        for group_index, group in enumerate(pool.household_groups):
            households[group_index] = [int(np.flatnonzero(type_of_agent == t)[0]) for t in group]
        self.mates = {agent: [a for a in agents if a != agent] for agents in households.values() for agent in agents}
        self.quota_min = pool.quota_min
        self.quota_max = pool.quota_max
        self.seats = pool.seats
        self.row_count = pool.membership.shape[0]


def _one_attempt(pool: _Pool, rng: np.random.Generator) -> list[int] | None:
    alive = np.ones(len(pool.ids), dtype=bool)
    selected = np.zeros(pool.row_count)
    chosen: list[int] = []
    for row in np.flatnonzero(pool.quota_max <= 0):
        alive &= ~(pool.rows == row).any(axis=1)
    available = np.bincount(pool.rows[alive].ravel(), minlength=pool.row_count).astype(float)

    def remove(mask: np.ndarray) -> None:
        nonlocal available
        if mask.any():
            available -= np.bincount(pool.rows[mask].ravel(), minlength=pool.row_count)
            alive[mask] = False

    while len(chosen) < pool.seats:
        if not alive.any():
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(available > 0, (pool.quota_min - selected) / available, -np.inf)
        row = int(np.argmax(ratio))
        holders = np.flatnonzero(alive & (pool.rows == row).any(axis=1))
        agent = int(rng.choice(holders))
        chosen.append(agent)
        leaving = np.zeros(len(pool.ids), dtype=bool)
        leaving[[agent, *pool.mates.get(agent, ())]] = True
        remove(leaving & alive)
        selected[pool.rows[agent]] += 1
        for full_row in pool.rows[agent][selected[pool.rows[agent]] >= pool.quota_max[pool.rows[agent]]]:
            remove(alive & (pool.rows == full_row).any(axis=1))
        if np.any(selected + available < pool.quota_min - 1e-9):
            return None
    if np.any(selected < pool.quota_min - 1e-9) or np.any(selected > pool.quota_max + 1e-9):
        return None
    return chosen


def legacy_draws(
    pool: CompressedPool,
    draws: int,
    *,
    random_seed: int = 0,
    progress: Callable[[SelectionProgress], None] | None = None,
) -> list[tuple[str, ...]]:
    """``draws`` independent legacy panels (eligible ids only), reproducible from ``random_seed``."""
    state = _Pool(pool)
    rng = np.random.default_rng(random_seed)
    panels: list[tuple[str, ...]] = []
    for index in range(draws):
        for _ in range(MAX_ATTEMPTS):
            chosen = _one_attempt(state, rng)
            if chosen is not None:
                break
        else:
            raise LegacyDrawError(f"the greedy draw failed {MAX_ATTEMPTS} times in a row; the quotas are too tight for it")
        panels.append(tuple(state.ids[agent] for agent in chosen))
        if progress is not None and (index + 1) % max(1, draws // 100) == 0:
            progress(
                SelectionProgress(
                    phase="legacy",
                    iteration=index + 1,
                    fixed_types=index + 1,
                    total_types=draws,
                    min_probability=None,
                    message=f"{index + 1}/{draws} draws",
                )
            )
    return panels
