"""Chances over the whole process: who ends on the *final* panel once people drop out.

LEXIMIN fixes each volunteer's chance of being drawn. What residents experience is the panel
after declines and no-shows, refilled from the alternates. This simulates the whole process with
a recorded seed: draw a ticket of the lottery (uniformly, as the public draw does), choose that
panel's alternates (``alternates``), let each invited person and each alternate drop out with
their learnt probability (``dropout``), replace from the available alternates, and count who is
on the final panel.

Choosing alternates is an integer program, so the simulation draws ``tickets`` distinct tickets
and ``rounds_per_ticket`` drop-out rounds for each. A group's ratio compares, over the same
rounds, how often its members end on the final panel with how often they were drawn, so that
the sampling of tickets cancels out; each volunteer's ``final`` chance sits beside their LEXIMIN
``intended`` one. Final chances add up to the expected size of the final panel.

With one seed, every way of choosing alternates meets the same tickets and the same drop-outs:
each ticket's rounds have their own generator, and each round draws one number per volunteer,
so a person declines in the same rounds whichever alternates the ticket has (common random
numbers: methods differ by what they do, not by the luck of their draws).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from panels.selection.alternates import (
    CHECK_ROUNDS,
    DEFAULT_SAMPLES,
    TIME_LIMIT_S,
    QuotaRows,
    ReplacementSolver,
    alternates_for_target,
    choose_alternates,
    everyone_as_alternates,
    target_limit,
)
from panels.selection.dropout import DropoutRates
from panels.selection.model import Lottery, SelectionProblem


@dataclass(frozen=True)
class GroupChance:
    """A quota group's mean chance of being drawn and of ending on the final panel, and their ratio."""

    category: str
    name: str
    intended: float
    final: float
    ratio: float


@dataclass(frozen=True)
class FinalChances:
    """The simulation's result; ``groups`` are sorted from the furthest below intended."""

    seed: int
    rounds: int
    final: Mapping[str, float]
    intended: Mapping[str, float]
    groups: tuple[GroupChance, ...]
    quota_hold_rate: float
    expected_final_size: float
    worst_quota_hold_rate: float = 1.0
    mean_alternates: float = 0.0

    def to_json(self) -> dict:
        return {
            "seed": self.seed, "rounds": self.rounds, "quota_hold_rate": round(self.quota_hold_rate, 6),
            "worst_quota_hold_rate": round(self.worst_quota_hold_rate, 6), "mean_alternates": round(self.mean_alternates, 3),
            "expected_final_size": round(self.expected_final_size, 6),
            "final": {member: round(value, 6) for member, value in self.final.items()},
            "groups": [{"category": g.category, "name": g.name, "intended": round(g.intended, 6),
                        "final": round(g.final, 6), "ratio": round(g.ratio, 6)} for g in self.groups],
        }


def simulate_final_chances(
    problem: SelectionProblem,
    lottery: Lottery,
    intended: Mapping[str, float],
    rates: DropoutRates,
    *,
    alternates: int | str,
    seed: int = 0,
    tickets: int = 10,
    rounds_per_ticket: int = 100,
    samples: int = DEFAULT_SAMPLES,
    time_limit: float = TIME_LIMIT_S,
    limit: int | None = None,
    check_rounds: int = CHECK_ROUNDS,
) -> FinalChances:
    """Simulate the whole process (see module docstring); ``intended`` are the LEXIMIN chances;
    ``samples`` and ``time_limit`` go to the alternates program. ``alternates`` is how many each
    ticket gets, or ``"target"`` (each ticket's panel gets as many as ``alternates_for_target``
    finds, at most ``limit`` (default ``target_limit``), checked over ``check_rounds`` rounds) or ``"everyone"`` (every
    possible alternate: the ceiling no choice of alternates can pass). Raises ``ValueError`` unless
    ``tickets`` and ``rounds_per_ticket`` are at least 1: no round, no chance to report."""
    if tickets < 1 or rounds_per_ticket < 1:
        raise ValueError(f"simulating final chances needs at least one ticket and one round per ticket, not "
                         f"{tickets} and {rounds_per_ticket}")
    rng = np.random.default_rng(seed)
    rows = QuotaRows(problem)
    solver = ReplacementSolver(rows)
    probability = rates.by_volunteer(problem.volunteers)
    chosen = rng.choice(lottery.size, size=min(tickets, lottery.size), replace=False)
    ticket_seeds = [int(value) for value in rng.integers(2**31, size=len(chosen))]
    final_counts: dict[str, int] = defaultdict(int)
    drawn_counts: dict[str, int] = defaultdict(int)
    held = sizes = rounds = alternates_total = 0
    held_each = np.zeros(len(rows.quota_min))
    for ticket, ticket_seed in zip(chosen, ticket_seeds):
        panel = list(lottery.panels[int(ticket)])
        invited = [member for member in panel if member not in problem.fixed_ids]
        if alternates == "everyone":
            order = everyone_as_alternates(problem, panel)
        elif alternates == "target":
            order = alternates_for_target(problem, panel, probability, limit=limit or target_limit(problem.k), samples=samples, seed=ticket_seed,
                                          time_limit=time_limit, rounds=check_rounds).alternates.ids
        else:
            order = choose_alternates(problem, panel, probability, int(alternates), seed=ticket_seed,
                                      samples=samples, time_limit=time_limit).ids
        alternates_total += len(order)
        rounds_rng = np.random.default_rng([seed, ticket_seed])
        for _ in range(rounds_per_ticket):
            draw = rounds_rng.random(len(rows.position))  # one per volunteer: see hold_rates
            dropped = [m for m in invited if draw[rows.position[m]] < probability[m]]
            available = [a for a in order if draw[rows.position[a]] >= probability[a]]
            staying = [m for m in panel if m not in set(dropped)]
            final = [*staying, *solver.best(staying, len(dropped), available, dropped)]
            for member in panel:
                drawn_counts[member] += 1
            for member in final:
                final_counts[member] += 1
            counts = rows.counts(final)
            ok = (counts >= rows.quota_min) & (counts <= rows.quota_max)
            held_each += ok
            held += bool(ok.all())
            sizes += len(final)
            rounds += 1
    final_chance = {v.id: final_counts[v.id] / rounds for v in problem.volunteers}
    groups = []
    for quota in problem.quotas:
        members = [v.id for v in problem.volunteers if v.features.get(quota.category) == quota.name]
        if not members:
            continue
        drawn = sum(drawn_counts[m] for m in members)
        ended = sum(final_counts[m] for m in members)
        intended_mean = sum(intended.get(m, 0.0) for m in members) / len(members)
        ratio = ended / drawn if drawn else 1.0
        groups.append(GroupChance(quota.category, quota.name, intended_mean, intended_mean * ratio, ratio))
    groups.sort(key=lambda group: (group.ratio, group.category, group.name))
    return FinalChances(seed=seed, rounds=rounds, final=final_chance, intended=dict(intended), groups=tuple(groups),
                        quota_hold_rate=held / rounds, expected_final_size=sizes / rounds,
                        worst_quota_hold_rate=float(held_each.min()) / rounds if held_each.size else 1.0,
                        mean_alternates=alternates_total / len(chosen) if len(chosen) else 0.0)
