"""A drop-out-robust lottery with a fairness floor (issue #21): our own method.

LEXIMIN chooses its panels for fairness alone. Some of them are fragile: when their members drop
out, nobody left in the pool can restore every quota (with the bench's learnt rates, every quota
of a single LEXIMIN panel can be restored, with everyone else as a replacement, in 76% to 98% of
300 drop-out scenarios on sf_fixture_22 and 51% to 98% on opendlp_30).
This module re-weights and extends the LEXIMIN portfolio towards robust panels while promising
every volunteer at least ``floor`` (z) times their LEXIMIN chance π_i.

The problem is modelled after Gambhir, Flanigan & Roth, "Near-Optimal Dropout-Robust Sortition"
(arXiv 2511.16897), who pose robustness to drop-outs as a game against the drop-out process with
an equality constraint on chances. Only their abstract was available to us, and their model (soft
targets, over-selection, pipage rounding) does not keep hard quotas; this is NOT their algorithm.
What is done here, every panel meeting every quota and household rule:

1. Scenarios: ``scenarios`` (S) seeded drop-out patterns over the whole pool at the learnt rates,
   the same patterns for every panel (common random numbers, ``DropoutScenarios``).
2. Score: a panel's h_p is the share of scenarios in which, after its members drop out as in the
   scenario, some set of at most as many replacements from everyone else who stays in that
   scenario (not on the panel, not a panel member's household mate, at most one per household)
   meets every quota again. That is the ceiling that alternates chosen after the draw approach,
   and it is what ``alternates.hold_rates`` counts as a held round (its replacements minimise
   misrepresentation first, seats second). ``PanelScorer`` decides most scenarios by cheap tests
   over all scenarios at once (no quota breached; every dropped member's type still has a stayer
   outside the panel; some breached quota has too few stayers, or a category needs more
   replacements than seats freed), then by replacement sets that repaired the same shortfall in
   another scenario, and the rest by an exact depth-first search (``_CoverSearch``), remembered by
   the replacement problem's shape. HiGHS (a linear program first, as planned) cost about 3 ms a
   call here even for a dozen variables, twelve times the search on sf_fixture_22, so the integer
   program decides only when the search visits more than ``SEARCH_NODES`` nodes; a test checks
   the search against trying every set of replacements.
3. Weights: the LP (HiGHS) max Σ_p λ_p h_p subject to Σ_p λ_p Y_pt / count_t ≥ z·π_t for every
   type t and Σ λ_p = 1, over types of interchangeable volunteers (``compression``), which is
   exact for the chances: members of a type share their type's tickets. The floor rows are the
   promise and stay exact: every solution keeps them, whatever else is added.
   Kept share: a panel that seats more of a scarce group leaves fewer like them outside to
   replace its drop-outs, so a lottery bought for hold alone can lower the share of a group's
   drawn seats that ends on the final panel (the bench's "min ratio"). For each quota group g a
   panel's kept_gp is the mean over the same scenarios of Y_g − d_g + min(d_g, s_g), d_g its
   members of g who drop out and s_g the stayers of g outside it (not a member's household mate):
   like replaces like as far as the pool allows, one category at a time. It is optimistic (a
   replacement must fit every category at once, and the replacements restore quotas first), so
   it is used only to compare panels, never reported as a final chance. One row per group that
   LEXIMIN seats, Σ_p λ_p (kept_gp − r·Y_gp) ≥ 0, keeps every group's kept share (a ratio of two
   linear functions of λ, hence a linear row) at least r, LEXIMIN's lowest kept share over the
   groups on the same scenarios: the lowest share of the robust lottery is never below
   LEXIMIN's. LEXIMIN's weights meet these rows and the floor rows, so the LP stays feasible.
4. Columns: panels beyond the LEXIMIN portfolio come from two sources each round, all scored on
   the same scenarios (common random numbers).
   a. The panel program (``PanelProgram``) maximising the LP's duals on the floor rows (so they
      help the types whose floor binds), with the minimum of the quotas most often breached in
      failed scenarios raised by one or two seats (spare seats where drop-outs hurt), one quota at
      a time and all of them together.
   b. A swap search (``swap_search``) from the ``SWAP_STARTS`` panels the LP weighs most: one
      member for one non-member, only swaps that keep every quota and household rule (read from
      the panel program's own rows), first improvement on the LP's reduced cost h_p +
      Σ_t π_t Y_pt / count_t + Σ_g μ_g (kept_gp − r·Y_gp) (π, μ the duals of the floor and
      kept-share rows), swaps tried in the order of the quotas the starting panel breaches most.
      Every panel it climbs through is a new column. It stops after ``SWAP_TRIES`` swaps without
      improvement, ``SWAP_STEPS`` steps, or once it has scored ``swap_evaluations`` panels over
      all rounds (``SWAP_EVALUATIONS``).
   The LP is solved again, until a round raises its value by no more than one scenario's worth
   (1/S), or ``rounds`` rounds are done. This is a heuristic: h_p is a simulation, not a linear
   price, so no column is proved best.
5. Overfitting: the weights are chosen on S scenarios, so the in-sample value is optimistic. The
   result also reports the hold rate on ``fresh_scenarios`` drawn from another seed, for the
   robust distribution and for LEXIMIN, and those are the figures to trust.
6. Fairness where robustness is free: a last LP keeps the robustness within one scenario's worth
   (1/S) of the best, and never below LEXIMIN's, keeps the floor and kept-share rows, and
   maximises the lowest chance / LEXIMIN chance, so nobody's chance drops to the floor when that
   buys nothing (on example_small_20 every LEXIMIN panel already holds, and the robust lottery is
   LEXIMIN's).

Measured with ``bench/dropout.py --robust-only --only sf_fixture_22,opendlp_30 --floors 0.8,0.5
--robust-alternates everyone`` (and ``--only camden_500_40 --floors 0.8``), seed 2025, 500 fresh
rounds over 10 tickets, everyone as an alternate, the code before the swap search and kept-share
rows -> this code, one after the other on 2 shared cores (load about 2); LEXIMIN's fresh hold is
0.882 on sf_fixture_22 and 0.906 on opendlp_30:

    instance, z          worst quota hold  min ratio      chance/LEXIMIN  LP fresh hold  seconds
    sf_fixture_22, 0.8   0.992 -> 0.970    0.975 -> 0.949  0.836 -> 0.814  0.929 -> 0.954  18.6 -> 37.5
    sf_fixture_22, 0.5   0.984 -> 0.994    0.965 -> 0.979  0.633 -> 0.616  0.946 -> 0.969  18.4 -> 33.4
    opendlp_30, 0.8      0.958 -> 0.982    0.933 -> 0.954  0.832 -> 0.839  0.962 -> 0.973  44.6 -> 45.8
    opendlp_30, 0.5      0.976 -> 0.996    0.939 -> 0.951  0.609 -> 0.603  0.959 -> 0.984  43.9 -> 48.6
    camden_500_40, 0.8   0.998 -> 1.000    0.980 -> 0.993  0.965 -> 0.977  0.997 -> 0.997  33.9 -> 31.6

The LP's fresh hold (the whole distribution, 400 scenarios) rises on both file instances
(camden_500_40's was 0.997 already); the bench's worst quota hold and min ratio come from 10
tickets and move by a few points from run to run (sf_fixture_22 at z = 0.8 fell here, and was
0.988 on a run of this change before rounds had to gain one scenario's worth). The swap search
then stopped after 20 s, hence sf_fixture_22's extra 15 to 19 s ("Work and time limit" says what
replaced that limit). The kept-share rows matter on opendlp_30 (at z = 0.8, without them the
kept share fell to 0.9821 against LEXIMIN's 0.9827, its scarce "Forian" group), but on
sf_fixture_22 every group's kept share is 1, so they bind nowhere, and on 100 tickets x 10
rounds its z = 0.5 lottery kept 0.970 of the drawn seats of age 30-44, against 0.982 (Female)
with neither swaps nor these rows: the kept share is too optimistic to protect a group whose
losses come from replacements that must restore other quotas first. The floor bounds what
fairness is given up, not that ratio.

z = 1 keeps every chance equal to LEXIMIN's (they already add up to k), so it only chooses the
most robust of the LEXIMIN-fair distributions over the panels it knows. The result is rounded to
the same uniform lottery and public draw as LEXIMIN (``lottery.build_lottery``); a volunteer's
lottery chance is then within the lottery's ``max_deviation`` of z·π_i or more.

Work and time limit. The lottery is the result of a fixed amount of work: S scenarios, at most
``rounds`` rounds, the panel program's candidates each round, and at most ``swap_evaluations``
panels scored by the swap search over all rounds. The same inputs (pool, LEXIMIN distribution,
drop-out rates, seed) give the same lottery on any machine, however busy, which is what an officer
can explain and anyone can re-run. The swap search used to stop after 20 s instead, and the
rounds when ``time_limit`` had passed, so a busy machine drew a different lottery: at load 3 to 4
on 2 shared cores its 20 s scored 144 and 153 panels in two runs of sf_fixture_22 (z = 0.5),
which ``SWAP_EVALUATIONS`` now fixes at about that number.

``time_limit`` (``DEFAULT_TIME_LIMIT_S``) is a guard around the whole call, not the budget: one
``Deadline`` on one clock goes to every step, which checks it between units of work (a scenario,
a node block of the replacement search, a swap) and gives HiGHS the time left as its time limit
(the pricing programs at most ``PRICING_TIME_LIMIT_S``, the LPs and the replacement program all
of it). A step the deadline interrupts is dropped and what earlier steps finished is kept: every
panel fully scored stays a column, and the weights are those of the last LP solved (LEXIMIN's
before the first), so the lottery always meets every quota, the floor and the kept-share rows.
Rounds stop early enough to leave the last LP (step 6, ``LAST_LP_SECONDS``) and the fresh check
(step 5) the time they should take, the check's estimated from the time LEXIMIN's panels took to
score, because its figures are what the officer weighs before the draw; when that time is not
left once LEXIMIN's panels are scored, the rounds take the check's time and its figures are not
measured. If LEXIMIN's own panels cannot all be scored in
time, the distribution is LEXIMIN's, unchanged, with no hold figures. ``RobustDistribution.time_limit_reached`` names the
step that was cut short, and the officer's run page and the CLI say so: only then does the
lottery depend on the machine's speed. A tighter budget would reach the limit less often but
would give up robustness on every run. On sf_fixture_22 (z = 0.5) the whole work took 40 to 45 s
of CPU at load 3 to 4: scoring LEXIMIN's 76 panels about a quarter of it, the swap search a
quarter and the fresh check two fifths. It finished within the 60 s at load 3 to 6 (52 s at
load 3, the process getting 79% of a core), with the same lottery and figures each time; at
load 8 the limit stopped it after 1 of its 3 rounds (94 panels scored; in-sample hold 0.936
against 0.972 finished and LEXIMIN's 0.887), and the fresh check did not fit. So the guard is
120 s, twice the time it needed at load 3 to 6: the officer's page already says the robust lottery
takes a minute or two.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from panels.selection.compression import CompressedPool
from panels.selection.deadline import Deadline, TimeLimitReached
from panels.selection.lottery import panel_matrix
from panels.selection.panel_program import PanelProgram
from panels.selection.swap_search import swap_search

DEFAULT_SCENARIOS = 300
DEFAULT_FRESH_SCENARIOS = 400
#: Column-generation rounds after the LEXIMIN portfolio, at most.
DEFAULT_ROUNDS = 8
#: Seconds of the whole computation, at most: a guard on a slow or busy machine (module docstring),
#: twice what it needs at load 3 to 6, so that a busy server still draws the lottery of the fixed work.
DEFAULT_TIME_LIMIT_S = 120.0
#: Panels the swap search scores, at most, over all rounds: its share of the fixed work.
SWAP_EVALUATIONS = 150
#: Seconds HiGHS may spend on one pricing program, at most (they take well under 0.1 s here).
PRICING_TIME_LIMIT_S = 5.0
#: Seconds the rounds leave for the last LP (step 6), which took 0.01 to 0.03 s on sf_fixture_22.
LAST_LP_SECONDS = 1.0
#: Panels the swap search starts from each round: those the LP weighs most.
SWAP_STARTS = 6
#: Swaps scored per step of the swap search, in order of priority, before it gives up on a panel.
SWAP_TRIES = 12
#: Swaps taken from one starting panel, at most.
SWAP_STEPS = 6
#: The quotas most often breached in failed scenarios whose minimum is raised for new panels.
FRAGILE_QUOTAS = 4
#: The fresh scenarios come from this offset of the seed, so they never repeat the scoring ones.
FRESH_SEED_OFFSET = 7919
#: Slack on the floor rows of the LP, so that z = 1 admits the LEXIMIN weights themselves.
FLOOR_SLACK = 1e-9
#: A round's new panels must raise the LP's value by more than this many scenarios' worth (1/S
#: each) to count as progress: smaller gains are the noise the last LP (step 6) gives away.
IMPROVEMENT_SCENARIOS = 1.0


def check_floor(floor: float) -> float:
    """``floor`` as a float, or ``ValueError`` unless it is a number in (0, 1]."""
    try:
        value = float(floor)
    except (TypeError, ValueError):
        raise ValueError(f"the robustness floor must be a number greater than 0 and at most 1, not {floor!r}") from None
    if not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise ValueError(f"the robustness floor must be greater than 0 and at most 1 (it is each volunteer's "
                         f"least share of their LEXIMIN chance), not {floor!r}")
    return value


@dataclass(frozen=True)
class RobustSettings:
    """What ``select_panel(..., robust=...)`` needs for the robust lottery (module docstring):
    the floor z, every volunteer's drop-out probability, and the scenarios' number and seed."""

    floor: float
    dropout: Mapping[str, float]
    scenarios: int = DEFAULT_SCENARIOS
    fresh_scenarios: int = DEFAULT_FRESH_SCENARIOS
    seed: int = 0
    rounds: int = DEFAULT_ROUNDS
    time_limit: float = DEFAULT_TIME_LIMIT_S

    def __post_init__(self) -> None:
        check_floor(self.floor)
        if self.scenarios < 1 or self.fresh_scenarios < 1:
            raise ValueError("the numbers of drop-out scenarios must be at least 1")


class DropoutScenarios:
    """S seeded drop-out patterns over the eligible volunteers of ``pool``.

    Members are taken in the order of ``pool.type_members``; a type panel with Y_t members of type
    t seats its first Y_t members, so every panel sees the same patterns. Patterns are kept as
    running counts of drop-outs along that order, from which the drop-outs on a panel and the
    stayers outside it are two lookups per type."""

    def __init__(self, pool: CompressedPool, dropout: Mapping[str, float], count: int, seed: int) -> None:
        if count < 1:
            raise ValueError("the number of drop-out scenarios must be at least 1")
        order = [member for members in pool.type_members for member in members]
        missing = [member for member in order if member not in dropout]
        if missing:
            raise ValueError(f"no drop-out rate for volunteers {missing[:3]}")
        rates = np.array([float(dropout[member]) for member in order])
        if np.any(~np.isfinite(rates)) or np.any(rates < 0) or np.any(rates > 1):
            raise ValueError("every drop-out rate must be between 0 and 1")
        rng = np.random.default_rng(seed)
        drops = (rng.random((count, len(order))) < rates).astype(np.int32)
        counts = pool.type_counts.astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(counts + 1)[:-1]]).astype(np.int64)
        running = np.zeros((count, int(counts.sum() + len(counts))), dtype=np.int32)
        offset = 0
        for t, size in enumerate(counts):
            running[:, self.starts[t] + 1: self.starts[t] + size + 1] = np.cumsum(drops[:, offset:offset + size], axis=1)
            offset += size
        self.running = running
        self.type_counts = counts
        self.count = count
        self.seed = seed

    def dropped_and_staying(self, type_panel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(S × types) drop-outs among the panel's members, and stayers of each type off the panel."""
        seated = np.asarray(type_panel, dtype=np.int64)
        first = self.running[:, self.starts]
        dropped = self.running[:, self.starts + seated] - first
        outside = self.running[:, self.starts + self.type_counts] - first - dropped
        return dropped, (self.type_counts - seated) - outside


@dataclass(frozen=True)
class PanelScore:
    """A panel's held scenarios and, for the failed ones, how often each quota was breached;
    ``seats`` are its seats in each quota group and ``kept`` the mean, over scenarios, of the
    seats a group keeps once like replaces like (module docstring, step 3)."""

    held: np.ndarray
    breached: np.ndarray
    kept: np.ndarray
    seats: np.ndarray

    @property
    def rate(self) -> float:
        return float(self.held.mean())


class PanelScorer:
    """Decides, per scenario, whether a panel's quotas can be restored (module docstring, step 2).
    ``deadline`` is checked between scenarios and inside long searches: past it, ``score`` raises
    ``TimeLimitReached`` and the panel has no score."""

    def __init__(self, pool: CompressedPool, scenarios: DropoutScenarios, deadline: Deadline | None = None) -> None:
        self.pool = pool
        self.scenarios = scenarios
        self.deadline = deadline or Deadline.never()
        self.membership = pool.membership.toarray().astype(np.int64)
        self.category_rows = [np.array([row for row, quota in enumerate(pool.problem.quotas) if quota.category == c])
                              for c in pool.problem.categories]
        self.group_of_type = np.full(pool.type_count, -1, dtype=np.int64)
        for index, group in enumerate(pool.household_groups):
            self.group_of_type[list(group)] = index
        self.rows_of_type = [np.flatnonzero(column) for column in self.membership.T]
        self.category_masks = [np.isin(np.arange(len(pool.problem.quotas)), rows) for rows in self.category_rows]
        self.cache: dict[tuple, bool] = {}
        self.witnesses: dict[tuple, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.exact_checks = 0

    def score(self, type_panel: np.ndarray, fail_limit: int | None = None) -> PanelScore | None:
        """The panel's score; ``None`` as soon as more than ``fail_limit`` scenarios fail, if given
        (the swap search stops scoring a panel that can no longer beat the one it has)."""
        self.deadline.check()
        pool, membership = self.pool, self.membership
        panel = np.asarray(type_panel, dtype=np.int64)
        dropped, staying = self._dropped_and_staying(panel)
        seats = dropped.sum(axis=1)
        remaining = (panel[None, :] - dropped) @ membership.T
        shortfall = np.maximum(pool.quota_min[None, :] - remaining, 0.0)
        held = shortfall.sum(axis=1) <= 1e-9
        held |= (staying >= dropped).all(axis=1)  # like for like restores the drawn panel
        reachable = shortfall <= staying @ membership.T + 1e-9
        for rows in self.category_rows:
            reachable[:, rows] &= (shortfall[:, rows].sum(axis=1) <= seats + 1e-9)[:, None]
        possible = reachable.all(axis=1)
        failed = int((~held & ~possible).sum())
        if fail_limit is not None and failed > fail_limit:
            return None
        for s in np.flatnonzero(~held & possible):
            self.deadline.check()
            held[s] = self._restorable(shortfall[s], pool.quota_max - remaining[s], int(seats[s]), staying[s])
            failed += not held[s]
            if fail_limit is not None and failed > fail_limit:
                return None
        breached = ((shortfall > 1e-9) & ~held[:, None]).sum(axis=0) / self.scenarios.count
        return PanelScore(held, breached, *self._kept(panel, dropped, staying))

    def kept(self, type_panel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``PanelScore.kept`` and ``PanelScore.seats`` alone (no replacement search)."""
        panel = np.asarray(type_panel, dtype=np.int64)
        return self._kept(panel, *self._dropped_and_staying(panel))

    def _dropped_and_staying(self, panel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``DropoutScenarios.dropped_and_staying`` without the household mates of panel members."""
        dropped, staying = self.scenarios.dropped_and_staying(panel)
        if self.group_of_type.size and (self.group_of_type >= 0).any():
            taken = np.unique(self.group_of_type[(panel > 0) & (self.group_of_type >= 0)])
            staying[:, np.isin(self.group_of_type, taken)] = 0
        return dropped, staying

    def _kept(self, panel, dropped, staying) -> tuple[np.ndarray, np.ndarray]:
        membership = self.membership
        lost = dropped @ membership.T
        kept = (panel @ membership.T) - lost + np.minimum(lost, staying @ membership.T)
        return kept.mean(axis=0), (membership @ panel).astype(float)

    def _restorable(self, shortfall: np.ndarray, headroom: np.ndarray, seats: int, staying: np.ndarray) -> bool:
        """Is there x ≤ staying, Σx ≤ seats, shortfall ≤ Mx ≤ headroom (one per household)? Only types
        holding a breached quota can help, and none needs more than ``seats`` of one type."""
        shape = (shortfall.tobytes(), np.minimum(headroom, seats).tobytes(), seats)
        # replacements that repaired the same shortfall before repair it again if they stay in this scenario
        for types, counts in self.witnesses.get(shape, ()):
            if np.all(staying[types] >= counts):
                return True
        useful = np.flatnonzero((staying > 0) & (self.membership[shortfall > 1e-9].sum(axis=0) > 0))
        upper = np.minimum(staying[useful], seats)
        key = (*shape, useful.tobytes(), upper.tobytes())
        if key not in self.cache:
            search = _CoverSearch(self, shortfall, headroom, useful, upper)
            found = search.run(seats)
            if found is None:  # the search ran out of nodes: the integer program decides
                found = self._solve(shortfall, headroom, seats, useful, upper)
            elif found and len(self.witnesses.setdefault(shape, [])) < WITNESSES:
                types, counts = np.unique(useful[search.witness], return_counts=True)
                self.witnesses[shape].append((types, counts))
            self.cache[key] = found
        return self.cache[key]

    def _solve(self, shortfall, headroom, seats, useful, upper) -> bool:
        self.exact_checks += 1
        rows = [np.ones((1, useful.size)), self.membership[:, useful]]
        lower = [[0.0], shortfall]
        high = [[float(seats)], headroom]
        groups = self.group_of_type[useful]
        for group in np.unique(groups[groups >= 0]):
            rows.append((groups == group).astype(float)[None, :])
            lower.append([0.0])
            high.append([1.0])
        solved = milp(np.zeros(useful.size), constraints=LinearConstraint(np.vstack(rows), np.concatenate(lower),
                                                                          np.concatenate(high)),
                      bounds=Bounds(np.zeros(useful.size), upper), integrality=np.ones(useful.size),
                      options={"time_limit": self.deadline.solver_seconds()})
        if solved.status == 1:  # out of time before deciding (a feasible point would be optimal at once)
            raise TimeLimitReached
        return solved.status == 0


#: Replacement sets remembered per shortfall, to be tried first in other scenarios.
WITNESSES = 4
#: Nodes the replacement search may visit before the integer program decides instead.
SEARCH_NODES = 20_000
#: The replacement search checks the deadline once per this many nodes.
NODES_PER_CHECK = 1024


class _OutOfNodes(Exception):
    """The replacement search visited ``SEARCH_NODES`` nodes without deciding."""


class _CoverSearch:
    """Exact depth-first search for replacements that repair every breached quota: branch on the
    breached quota with the fewest possible helpers (any repair seats one of them), try first the
    helpers that repair most, prune when a category needs more replacements than seats are left
    (and, when it needs exactly as many, keep only helpers that repair it), and remember sets of
    helpers already tried in another order. HiGHS costs about 3 ms a call on this machine even for
    a dozen variables; this search decides a typical case in a fraction of that."""

    def __init__(self, scorer: PanelScorer, shortfall: np.ndarray, headroom: np.ndarray, useful: np.ndarray,
                 upper: np.ndarray) -> None:
        self.holds = scorer.membership[:, useful].T > 0  # helpers × quotas
        self.rows = [scorer.rows_of_type[t] for t in useful]
        self.categories = scorer.category_masks
        self.groups = scorer.group_of_type[useful]
        self.has_groups = bool((self.groups >= 0).any())
        self.used = np.zeros(len(scorer.pool.household_groups) + 1, dtype=bool)
        self.shortfall = np.rint(shortfall).astype(np.int64)
        self.headroom = np.rint(headroom).astype(np.int64)
        self.staying = np.asarray(upper, dtype=np.int64).copy()
        self.taken: list[int] = []
        self.witness = np.zeros(0, dtype=np.int64)
        self.failed: set[tuple[int, ...]] = set()
        self.nodes = 0
        self.deadline = scorer.deadline

    def run(self, seats: int) -> bool | None:
        try:
            return self._search(seats)
        except _OutOfNodes:
            return None

    def _search(self, seats: int) -> bool:
        self.nodes += 1
        if self.nodes > SEARCH_NODES:
            raise _OutOfNodes
        if self.nodes % NODES_PER_CHECK == 0:
            self.deadline.check()
        shortfall, headroom = self.shortfall, self.headroom
        breached = shortfall > 0
        if not breached.any():
            self.witness = np.array(self.taken, dtype=np.int64)
            return True
        state = tuple(sorted(self.taken))
        if state in self.failed:
            return False
        valid = (self.staying > 0) & ~self.holds[:, headroom <= 0].any(axis=1)
        if self.has_groups:
            valid &= (self.groups < 0) | ~self.used[self.groups]
        for mask in self.categories:
            need = int(shortfall[mask].sum())
            if need > seats:
                return False
            if need == seats:  # every replacement left must repair this category
                valid &= self.holds[:, mask & breached].any(axis=1)
        open_quotas = np.flatnonzero(breached)
        helpers_per_quota = self.holds[valid][:, open_quotas].sum(axis=0)
        q = open_quotas[int(np.argmin(helpers_per_quota))]
        helpers = np.flatnonzero(valid & self.holds[:, q])
        coverage = self.holds[helpers][:, open_quotas].sum(axis=1)
        for h in helpers[np.argsort(-coverage, kind="stable")]:
            rows, group = self.rows[h], int(self.groups[h])
            lowered = rows[shortfall[rows] > 0]
            shortfall[lowered] -= 1
            headroom[rows] -= 1
            self.staying[h] -= 1
            self.taken.append(int(h))
            if group >= 0:
                self.used[group] = True
            found = self._search(seats - 1)
            self.taken.pop()
            self.staying[h] += 1
            if group >= 0:
                self.used[group] = False
            shortfall[lowered] += 1
            headroom[rows] += 1
            if found:
                return True
        self.failed.add(state)
        return False


#: What ``RobustDistribution.time_limit_reached`` names: the step the time limit cut short.
CUT_IN_SCORING = "scoring"
CUT_IN_SEARCH = "search"
CUT_IN_CHECK = "check"


@dataclass(frozen=True)
class RobustDistribution:
    """A distribution over quota-meeting type panels, robust to drop-outs, with its figures.

    ``in_sample_hold`` is Σ λ_p h_p on the scoring scenarios (optimistic: the weights were chosen
    on them); ``fresh_hold`` the same on ``fresh_scenarios`` from another seed. ``leximin_*`` are
    the LEXIMIN distribution's figures on the same scenarios. ``lowest_chance_ratio`` is the
    smallest chance / LEXIMIN chance over types with a positive LEXIMIN chance (≥ ``floor``).

    ``time_limit_reached`` is ``None`` when the fixed work finished within ``time_limit`` seconds,
    else the first step the limit cut short (module docstring, "Work and time limit"):
    ``"scoring"`` (not every LEXIMIN panel was scored, so the distribution is LEXIMIN's and no hold
    figure or kept share was measured: they are ``None``), ``"search"`` (fewer rounds than
    planned: the best distribution over the panels scored by then) or ``"check"`` (the fresh
    figures are ``None``)."""

    panels: tuple[np.ndarray, ...]
    weights: np.ndarray
    type_probabilities: np.ndarray
    floor: float
    in_sample_hold: float | None
    fresh_hold: float | None
    leximin_in_sample_hold: float | None
    leximin_fresh_hold: float | None
    lowest_chance_ratio: float
    scenarios: int
    fresh_scenarios: int
    seed: int
    rounds: int
    panels_scored: int
    kept_share: float | None = 1.0
    leximin_kept_share: float | None = 1.0
    swaps_taken: int = 0
    swap_panels_tried: int = 0
    time_limit: float = DEFAULT_TIME_LIMIT_S
    time_limit_reached: str | None = None

    def to_json(self) -> dict:
        return {"floor": self.floor, "in_sample_hold": _rounded(self.in_sample_hold),
                "fresh_hold": _rounded(self.fresh_hold), "leximin_in_sample_hold": _rounded(self.leximin_in_sample_hold),
                "leximin_fresh_hold": _rounded(self.leximin_fresh_hold),
                "lowest_chance_ratio": round(self.lowest_chance_ratio, 6), "scenarios": self.scenarios,
                "fresh_scenarios": self.fresh_scenarios, "seed": self.seed, "rounds": self.rounds,
                "panels_scored": self.panels_scored, "panels": len(self.panels),
                "kept_share": _rounded(self.kept_share), "leximin_kept_share": _rounded(self.leximin_kept_share),
                "swaps_taken": self.swaps_taken, "swap_panels_tried": self.swap_panels_tried,
                "time_limit": self.time_limit, "time_limit_reached": self.time_limit_reached}


def _rounded(figure: float | None) -> float | None:
    return None if figure is None else round(figure, 6)


def robust_distribution(
    pool: CompressedPool,
    leximin_panels: Sequence[np.ndarray],
    leximin_weights: np.ndarray,
    dropout: Mapping[str, float],
    *,
    floor: float,
    scenarios: int = DEFAULT_SCENARIOS,
    fresh_scenarios: int = DEFAULT_FRESH_SCENARIOS,
    seed: int = 0,
    rounds: int = DEFAULT_ROUNDS,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    swap_evaluations: int = SWAP_EVALUATIONS,
    clock: Callable[[], float] | None = None,
) -> RobustDistribution:
    """The robust distribution of ``pool`` (module docstring) from the LEXIMIN distribution
    (``leximin_panels`` with ``leximin_weights``); ``dropout`` maps every eligible volunteer to
    their drop-out probability; ``swap_evaluations`` bounds the swap search over all rounds.
    ``time_limit`` seconds on ``clock`` (``time.perf_counter`` by default) bound the whole call,
    whose result says which step they cut short, if any. Raises ``ValueError`` for a floor
    outside (0, 1]."""
    floor = check_floor(floor)
    deadline = Deadline.after(time_limit, clock or time.perf_counter)
    panels = [np.asarray(panel, dtype=np.int64) for panel in leximin_panels]
    leximin_weights = np.asarray(leximin_weights, dtype=float)
    if not panels or len(panels) != leximin_weights.size:
        raise ValueError("the LEXIMIN distribution needs one weight per panel, and at least one panel")
    counts = pool.type_counts
    leximin_chance = (panel_matrix(panels, pool.type_count).T @ leximin_weights) / counts
    settings = {"floor": floor, "scenarios": scenarios, "fresh_scenarios": fresh_scenarios, "seed": seed,
                "time_limit": time_limit}
    scorer = PanelScorer(pool, DropoutScenarios(pool, dropout, scenarios, seed), deadline)
    started = deadline.clock()
    try:
        scores = [scorer.score(panel) for panel in panels]
    except TimeLimitReached:
        return _leximin_unchanged(panels, leximin_weights, leximin_chance, settings)
    required = np.flatnonzero(leximin_chance > FLOOR_SLACK)
    lp = _Program(counts, required, floor * leximin_chance[required] - FLOOR_SLACK,
                  _KeepRows.of_leximin(scores, leximin_weights), pool.type_count)
    columns = _Columns(list(panels), list(scores), leximin_weights, lp)
    leximin_hold = columns.value
    swaps = _Swaps(PanelProgram(pool), scorer, counts, budget=swap_evaluations)
    # the fresh check scores LEXIMIN's panels and the new ones the weights keep, on fresh_scenarios each
    seconds_per_panel = (deadline.clock() - started) * fresh_scenarios / scenarios / len(panels)

    def fresh_check_seconds() -> float:
        return seconds_per_panel * (len(panels) + columns.new_kept_count())
    # the rounds leave the last LP its time, and the fresh check its time if that is left now
    check_fits = deadline.remaining() > LAST_LP_SECONDS + fresh_check_seconds()
    reached = None
    try:
        _add_columns(columns, swaps, pool, rounds=rounds, improvement=IMPROVEMENT_SCENARIOS / scenarios,
                     deadline=lambda: deadline.earlier(LAST_LP_SECONDS + (fresh_check_seconds() if check_fits else 0.0)))
    except TimeLimitReached:
        reached = CUT_IN_SEARCH
    robustness = min(columns.value, max(columns.value - 1.0 / scenarios, leximin_hold))
    try:
        weights = lp.fairest_weights(columns.panels, columns.scores, leximin_chance[required], robustness, deadline)
    except TimeLimitReached:
        weights, reached = columns.padded_weights(), reached or CUT_IN_SEARCH
    chosen = weights > 1e-12
    kept = tuple(panel for panel, flag in zip(columns.panels, chosen) if flag)
    kept_weights = weights[chosen] / weights[chosen].sum()
    kept_scores = [score for score, flag in zip(columns.scores, chosen) if flag]
    chance = (panel_matrix(kept, pool.type_count).T @ kept_weights) / counts
    fresh = PanelScorer(pool, DropoutScenarios(pool, dropout, fresh_scenarios, seed + FRESH_SEED_OFFSET), deadline)
    try:
        fresh_hold, leximin_fresh_hold = _fresh_holds(fresh, kept, kept_weights, panels, leximin_weights)
    except TimeLimitReached:
        fresh_hold = leximin_fresh_hold = None
        reached = reached or CUT_IN_CHECK
    ratio = float(np.min(chance[required] / leximin_chance[required])) if required.size else 1.0
    return RobustDistribution(
        panels=kept, weights=kept_weights, type_probabilities=chance,
        in_sample_hold=float(np.dot(kept_weights, [score.rate for score in kept_scores])),
        fresh_hold=fresh_hold, leximin_in_sample_hold=leximin_hold, leximin_fresh_hold=leximin_fresh_hold,
        lowest_chance_ratio=ratio, rounds=columns.rounds, panels_scored=len(columns.panels),
        kept_share=lp.keep.lowest_share(kept_scores, kept_weights), leximin_kept_share=lp.keep.share,
        swaps_taken=swaps.taken, swap_panels_tried=swaps.evaluated, time_limit_reached=reached, **settings)


def _leximin_unchanged(panels, weights, leximin_chance, settings) -> RobustDistribution:
    """LEXIMIN's own distribution, when the time limit passed before its panels were all scored:
    it meets every quota and keeps every chance (ratio 1), but nothing about drop-outs is known."""
    return RobustDistribution(
        panels=tuple(panels), weights=weights / weights.sum(), type_probabilities=leximin_chance,
        in_sample_hold=None, fresh_hold=None, leximin_in_sample_hold=None, leximin_fresh_hold=None,
        lowest_chance_ratio=1.0, rounds=0, panels_scored=0, kept_share=None, leximin_kept_share=None,
        time_limit_reached=CUT_IN_SCORING, **settings)


def _fresh_holds(fresh: PanelScorer, kept, kept_weights, leximin_panels, leximin_weights) -> tuple[float, float]:
    """The robust and the LEXIMIN distributions' hold rates on the fresh scenarios (step 5); a panel
    both keep is scored once."""
    rates: dict[bytes, float] = {}

    def rate(panel: np.ndarray) -> float:
        key = np.asarray(panel, dtype=np.int64).tobytes()
        if key not in rates:
            rates[key] = fresh.score(panel).rate
        return rates[key]
    robust = float(sum(w * rate(panel) for panel, w in zip(kept, kept_weights)))
    return robust, float(sum(w * rate(panel) for panel, w in zip(leximin_panels, leximin_weights)))


def _add_columns(columns: _Columns, swaps: _Swaps, pool: CompressedPool, *, rounds: int, improvement: float,
                 deadline: Callable[[], Deadline]) -> None:
    """Step 4's rounds, each under ``deadline()`` (the time limit less what the fresh check will
    need): the LP, then new panels from the panel program and the swap search, until a round adds
    nothing or raises the LP's value by no more than ``improvement``. Raises ``TimeLimitReached``
    when the deadline passes; every panel scored by then stays in ``columns``."""
    round_deadline = deadline()
    swaps.scorer.deadline = round_deadline
    columns.solve(round_deadline)
    for done in range(1, rounds + 1):
        round_deadline = deadline()
        round_deadline.check()
        swaps.scorer.deadline = round_deadline
        value, weights, duals = columns.value, columns.weights, columns.duals
        lp_panels, lp_scores = columns.panels[:weights.size], columns.scores[:weights.size]
        added = 0
        for candidate in _candidates(swaps.program, pool, lp_scores, weights, duals.floor, swaps.counts, round_deadline):
            added += columns.add(candidate, swaps.score)
        for candidate in swaps.improve(lp_panels, lp_scores, weights, duals, columns.lp.keep, deadline=round_deadline):
            added += columns.add(candidate, swaps.score)
        columns.rounds = done
        if not added or columns.solve(round_deadline) <= value + improvement:
            return


class _Program:
    """The LPs of steps 3 and 6 over the panels scored so far: the floor rows (``target`` for the
    ``required`` types) and the kept-share rows ``keep``."""

    def __init__(self, counts: np.ndarray, required: np.ndarray, target: np.ndarray, keep: _KeepRows,
                 type_count: int) -> None:
        self.counts = counts
        self.required = required
        self.target = target
        self.keep = keep
        self.type_count = type_count

    def best_weights(self, panels, scores, deadline: Deadline) -> tuple[np.ndarray, float, _Duals]:
        return _best_weights(panels, scores, self.counts, self.required, self.target, self.keep, self.type_count,
                             deadline)

    def fairest_weights(self, panels, scores, leximin_chance, robustness, deadline: Deadline) -> np.ndarray:
        return _fairest_weights(panels, scores, self.counts, self.required, leximin_chance, self.target, self.keep,
                                robustness, self.type_count, deadline)


class _Columns:
    """The panels scored so far, in order (LEXIMIN's first), and the step-3 LP's solution over
    those it last saw. Until the LP is solved the weights are LEXIMIN's, which meet every row."""

    def __init__(self, panels: list[np.ndarray], scores: list[PanelScore], weights: np.ndarray, lp: _Program) -> None:
        self.panels = panels
        self.scores = scores
        self.lp = lp
        self.known = {panel.tobytes() for panel in panels}
        self.leximin_count = len(panels)
        self.weights = weights / weights.sum()
        self.value = float(sum(w * score.rate for score, w in zip(scores, self.weights)))
        self.duals: _Duals | None = None
        self.rounds = 0

    def add(self, panel: np.ndarray, score: Callable[[np.ndarray], PanelScore]) -> bool:
        """Score and keep ``panel`` unless it is known already; ``True`` if it was new."""
        if panel.tobytes() in self.known:
            return False
        scored = score(panel)
        self.known.add(panel.tobytes())
        self.panels.append(panel)
        self.scores.append(scored)
        return True

    def solve(self, deadline: Deadline) -> float:
        """Solve the LP over every panel; its value."""
        self.weights, self.value, self.duals = self.lp.best_weights(self.panels, self.scores, deadline)
        return self.value

    def new_kept_count(self) -> int:
        """Panels beyond LEXIMIN's that the last LP weighs."""
        return int((self.weights[self.leximin_count:] > 1e-12).sum())

    def padded_weights(self) -> np.ndarray:
        """The last LP's weights, zero on the panels added since."""
        return np.concatenate([self.weights, np.zeros(len(self.panels) - self.weights.size)])


@dataclass(frozen=True)
class _KeepRows:
    """The kept-share rows of the LP (module docstring, step 3): for each quota group g that
    LEXIMIN seats, Σ_p λ_p (kept_gp − share · seats_gp) ≥ 0, ``share`` being LEXIMIN's lowest
    kept share over those groups on the same scenarios."""

    groups: np.ndarray
    share: float

    @classmethod
    def of_leximin(cls, scores, weights) -> _KeepRows:
        return cls(*_seated_groups_and_lowest_share(scores, weights))

    def matrix(self, scores) -> np.ndarray:
        """(groups × panels): kept_gp − share · seats_gp."""
        return np.array([score.kept[self.groups] - self.share * score.seats[self.groups] for score in scores]).T

    @staticmethod
    def lowest_share(scores, weights) -> float:
        """The lowest kept share over the groups of the distribution ``weights`` over panels ``scores``."""
        return _seated_groups_and_lowest_share(scores, weights)[1]


def _seated_groups_and_lowest_share(scores, weights) -> tuple[np.ndarray, float]:
    """The quota groups the distribution ``weights`` over panels ``scores`` seats, and the lowest
    kept share among them (1 when it seats none)."""
    seats = sum(w * score.seats for score, w in zip(scores, weights))
    kept = sum(w * score.kept for score, w in zip(scores, weights))
    groups = np.flatnonzero(seats > 1e-9)
    return groups, float(np.min(kept[groups] / seats[groups])) if groups.size else 1.0


@dataclass(frozen=True)
class _Duals:
    """The LP's duals (≥ 0): ``floor`` per type (zero off the floor rows), ``keep`` per kept-share row."""

    floor: np.ndarray
    keep: np.ndarray


def _chances_and_rates(panels, scores, counts, required, type_count) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Each required type's chance on each panel (rows: types, columns: panels) and each panel's h_p."""
    chances = (panel_matrix(panels, type_count) @ sparse.diags(1.0 / counts)).T.tocsr()[required]
    return chances, np.array([score.rate for score in scores])


def _best_weights(panels, scores, counts, required, target, keep, type_count,
                  deadline: Deadline) -> tuple[np.ndarray, float, _Duals]:
    """The LP of step 3: weights λ, its value Σ λ_p h_p, and the duals of the floor and kept-share rows."""
    chances, rates = _chances_and_rates(panels, scores, counts, required, type_count)
    keep_rows = keep.matrix(scores)
    solved = linprog(-rates, A_ub=sparse.vstack([-chances, sparse.csr_matrix(-keep_rows)]).tocsr(),
                     b_ub=np.concatenate([-target, np.full(len(keep.groups), FLOOR_SLACK)]),
                     A_eq=np.ones((1, len(panels))), b_eq=[1.0], bounds=(0, None), method="highs",
                     options={"time_limit": deadline.solver_seconds()})
    _check_solved(solved)
    weights = np.maximum(solved.x, 0.0)
    marginals = -np.asarray(solved.ineqlin.marginals)
    duals = np.zeros(type_count)
    duals[required] = marginals[:len(required)]
    return (weights / weights.sum(), float(rates @ weights),
            _Duals(np.maximum(duals, 0.0), np.maximum(marginals[len(required):], 0.0)))


def _fairest_weights(panels, scores, counts, required, leximin_chance, target, keep, robustness,
                     type_count, deadline: Deadline) -> np.ndarray:
    """Among weights whose robustness is at least ``robustness`` (and that keep the floor and the
    kept-share rows), those that keep the lowest chance / LEXIMIN chance highest: where robustness
    is free (every panel holds, or several do equally well) nobody's chance is lowered for nothing,
    and differences of one scenario are noise."""
    chances, rates = _chances_and_rates(panels, scores, counts, required, type_count)
    count = len(panels)
    objective = np.zeros(count + 1)
    objective[-1] = -1.0  # maximise t, the lowest share of a LEXIMIN chance
    share_rows = sparse.hstack([-chances, sparse.csr_matrix(leximin_chance.reshape(-1, 1))])
    floor_rows = sparse.hstack([-chances, sparse.csr_matrix((len(required), 1))])
    keep_rows = sparse.csr_matrix(np.hstack([-keep.matrix(scores), np.zeros((len(keep.groups), 1))]))
    robust_row = sparse.csr_matrix(np.append(-rates, 0.0).reshape(1, -1))
    solved = linprog(objective, A_ub=sparse.vstack([share_rows, floor_rows, keep_rows, robust_row]).tocsr(),
                     b_ub=np.concatenate([np.zeros(len(required)), -target, np.full(len(keep.groups), FLOOR_SLACK),
                                          [-robustness]]),
                     A_eq=np.append(np.ones(count), 0.0).reshape(1, -1), b_eq=[1.0],
                     bounds=[(0, None)] * count + [(0, 1)], method="highs",
                     options={"time_limit": deadline.solver_seconds()})
    _check_solved(solved)
    weights = np.maximum(solved.x[:count], 0.0)
    return weights / weights.sum()


def _check_solved(solved) -> None:
    """Raise unless HiGHS solved the LP: ``TimeLimitReached`` when it ran out of time (status 1)."""
    if solved.status == 1:
        raise TimeLimitReached
    if solved.status != 0:
        raise RuntimeError(f"the robust lottery's linear program failed: {solved.message}")


class _Swaps:
    """Step 4's swap search (``swap_search``): from the panels the LP weighs most, one-for-one
    swaps that raise a panel's reduced cost h_p + Σ_t π_t Y_pt / count_t + Σ_g μ_g (kept_gp −
    share · seats_gp) (π, μ the duals of the floor and kept-share rows), scored on the same
    scenarios as every other panel. Scores are remembered by panel; the search stops for good after
    scoring ``budget`` panels in all. ``program`` is also the pricing program of ``_candidates``."""

    def __init__(self, program: PanelProgram, scorer: PanelScorer, counts: np.ndarray, *, budget: int) -> None:
        self.program = program
        self.constraints = program.constraints
        self.scorer = scorer
        self.counts = counts
        self.budget = budget
        self.scores: dict[bytes, PanelScore] = {}
        self.membership = scorer.membership.astype(float)
        self.taken = 0
        self.evaluated = 0

    def score(self, panel: np.ndarray) -> PanelScore:
        key = panel.tobytes()
        if key not in self.scores:
            self.scores[key] = self.scorer.score(panel)
        return self.scores[key]

    def improve(self, panels, scores, weights, duals: _Duals, keep: _KeepRows, *, deadline: Deadline) -> list[np.ndarray]:
        """New panels climbed to from the panels the LP weighs most; those climbed to before the
        deadline passed, when it does (the caller's next check raises)."""
        for panel, score in zip(panels, scores):
            self.scores.setdefault(panel.tobytes(), score)
        price = duals.floor / self.counts
        keep_price = np.zeros(self.membership.shape[0])
        keep_price[keep.groups] = duals.keep
        count = self.scorer.scenarios.count

        def value(panel: np.ndarray, beat: float) -> float:
            key = panel.tobytes()
            known = self.scores.get(key)
            kept, seats = (known.kept, known.seats) if known is not None else self.scorer.kept(panel)
            extra = float(price @ panel) + float(keep_price @ (kept - keep.share * seats))
            if key not in self.scores:
                # failing in more than this many scenarios, the panel cannot beat ``beat``
                limit = math.floor(count * (1.0 - beat + extra) - 1e-9) if math.isfinite(beat) else None
                score = self.scorer.score(panel, fail_limit=limit)
                if score is None:
                    return -math.inf
                self.scores[key] = score
            return self.scores[key].rate + extra

        found: list[np.ndarray] = []
        for index in np.argsort(-weights, kind="stable")[:SWAP_STARTS]:
            if weights[index] <= 1e-12:
                break
            # seats moved into the quotas the starting panel breaches most, and onto the types whose floor binds
            pull = self.score(panels[index]).breached + keep_price

            def priority(panel: np.ndarray, swaps: np.ndarray, pull=pull) -> np.ndarray:
                moved = self.membership[:, swaps[:, 1]] - self.membership[:, swaps[:, 0]]
                return pull @ moved + price[swaps[:, 1]] - price[swaps[:, 0]]

            search = swap_search(panels[index], self.constraints, value, priority, max_tries=SWAP_TRIES,
                                 max_steps=SWAP_STEPS, max_evaluations=self.budget - self.evaluated, deadline=deadline)
            self.evaluated += search.evaluated
            self.taken += len(search.panels)
            found += search.panels
            if search.timed_out or self.evaluated >= self.budget:
                break
        return found


def _candidates(program: PanelProgram, pool: CompressedPool, scores, weights, duals, counts,
                deadline: Deadline) -> list[np.ndarray]:
    """New panels (step 4): the panel program on the floor duals, with the minimum of the most
    often breached quotas raised by one or two seats, one quota at a time and all together."""
    breached = sum(w * score.breached for w, score in zip(weights, scores))
    fragile = [int(q) for q in np.argsort(-breached)[:FRAGILE_QUOTAS] if breached[q] > 0]
    if not fragile:
        return []
    constraints = program.constraints
    price = duals / counts
    # A tie-break that spreads seats evenly over the pool when the floor binds nowhere.
    objective = price + 1e-3 * (price.max(initial=0.0) + 1.0) / counts
    found = []
    for raised in [[q] for q in fragile] + [fragile]:
        for extra in (1, 2):
            lower = constraints.lower.copy()
            rows = 1 + np.array(raised)  # row 0 is the panel size
            lower[rows] = np.minimum(lower[rows] + extra, constraints.upper[rows])
            priced = program.best_panel(objective, row_bounds=(lower, constraints.upper), relative_gap=1e-4,
                                        time_limit=deadline.solver_seconds(PRICING_TIME_LIMIT_S))
            if priced.type_panel is not None and program.is_valid(priced.type_panel):
                found.append(priced.type_panel)
    return found
