"""Alternates that minimise expected misrepresentation after drop-outs (Assos, Baharav, Flanigan
& Procaccia, "Alternates, Assemble! Selecting Optimal Alternates for Citizens' Assemblies", EC 2025).

Given the drawn panel and each member's drop-out probability (``dropout``), choose a set A of N
alternates from the rest of the pool. After a drop-out set D, the replacements are the subset
R ⊆ A with |R| ≤ |D| that brings the final panel closest to the quotas; its *misrepresentation*
is the paper's weighted L1 distance Σ_q (seats below quota q's minimum or above its maximum) /
max(quota_max_q, 1). The paper chooses A to minimise the expected misrepresentation by sample
average approximation: draw S drop-out sets from the learnt probabilities and solve one integer
program that chooses A and, for every sample, the best R ⊆ A (their ``opt_l1``):

    minimise  (1/S) Σ_j Σ_q w_q z_qj
    s.t.      Σ_i x_i = N,   y_ij ≤ a_ij x_i,   Σ_i y_ij ≤ |D_j|,
              L_qj − Σ_{i holds q} y_ij ≤ z_qj,   Σ_{i holds q} y_ij − U_qj ≤ z_qj,   z ≥ 0,

with L_qj, U_qj the quota bounds left for the replacements of sample j (bounds minus the panel's
count plus the count that dropped out). Alternates drop out too: each sample also draws, for every
possible alternate, whether they would take the seat (a_ij = 1) at their own learnt rate, and
only those who would can replace in that sample. Here the program is solved exactly (scipy ``milp``,
HiGHS) over *types* of interchangeable volunteers instead of single people: the members of a
type (same answers, so the same drop-out rate) are taken in a seeded order, binary w_ts says
whether its s-th member is an alternate (w_t,s+1 ≤ w_ts), and y_tj ≤ Σ_s a_tsj w_ts counts its
replacements in sample j; this has the same optimum because swapping two people with the same
answers maps solutions to solutions. Two rules of this platform are added: nobody
from a panel member's household, and at most one alternate per household (when the household
rule is on); a profile with at least N candidates outside shared households uses only those,
which again loses nothing (any shared-household alternate can be swapped for a free one).

The guarantee, stated honestly: A is optimal for the S sampled drop-out sets (within HiGHS's
reported ``mip_gap``); the paper bounds how far that is from the true expectation as S grows (its
sample-complexity theorem) and how much is lost when the learnt probabilities are off. The
reported ``expected_loss`` and ``worst_loss`` are over the samples; ``quota_hold_rate`` is the
share of sampled drop-out sets (alternates' drop-outs included) after which the replacements
meet every quota.

Order: alternate slots are ranked by the number of samples in which the program uses them, so
the first alternate is the one most often needed. Within a type, members are taken in a
seeded random order.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from panels.selection.model import SelectionProblem, Volunteer

DEFAULT_SAMPLES = 30
#: When HiGHS finds no solution in time the program is solved again over half the samples, down to this.
MIN_SAMPLES = 4
#: Up to this many available alternates, replacements are found by trying every subset.
ENUMERATE_UP_TO = 12
#: Seconds HiGHS may spend on the alternates program; the gap it reaches is reported.
TIME_LIMIT_S = 8.0


@dataclass(frozen=True)
class Alternates:
    """The ordered alternates of a drawn panel and what the program promises for them."""

    ids: tuple[str, ...]
    expected_loss: float
    worst_loss: float
    quota_hold_rate: float
    samples: int
    seed: int
    mip_gap: float

    def to_json(self) -> dict:
        return {"ids": list(self.ids), "expected_misrepresentation": round(self.expected_loss, 6),
                "worst_misrepresentation": round(self.worst_loss, 6), "quota_hold_rate": round(self.quota_hold_rate, 6),
                "samples": self.samples, "seed": self.seed, "mip_gap": round(self.mip_gap, 6)}


class QuotaRows:
    """Quota rows of a problem: which row each volunteer's answers hold, and the weights w_q."""

    def __init__(self, problem: SelectionProblem) -> None:
        self.problem = problem
        self.index = {(quota.category, quota.name): row for row, quota in enumerate(problem.quotas)}
        self.quota_min = np.array([quota.quota_min for quota in problem.quotas], dtype=float)
        self.quota_max = np.array([quota.quota_max for quota in problem.quotas], dtype=float)
        self.weights = 1.0 / np.maximum(self.quota_max, 1.0)
        self.by_id = {volunteer.id: volunteer for volunteer in problem.volunteers}

    def rows(self, volunteer: Volunteer) -> tuple[int, ...]:
        return tuple(self.index[(category, volunteer.features[category])] for category in self.problem.categories)

    def counts(self, ids: Iterable[str]) -> np.ndarray:
        counts = np.zeros(len(self.quota_min))
        for member in ids:
            counts[list(self.rows(self.by_id[member]))] += 1
        return counts

    def loss(self, counts: np.ndarray) -> float:
        """Misrepresentation of a panel with these quota counts (see module docstring)."""
        below = np.maximum(self.quota_min - counts, 0.0)
        above = np.maximum(counts - self.quota_max, 0.0)
        return float(self.weights @ (below + above))


def sampling_seed(public_seed: str) -> int:
    """The program's sampling seed from the draw's public seed, so anyone can repeat the choice."""
    return int.from_bytes(hashlib.sha256(public_seed.encode("utf-8")).digest()[:4], "big")


def candidate_ids(problem: SelectionProblem, panel: Iterable[str], excluded: Iterable[str] = ()) -> list[Volunteer]:
    """Volunteers who may be alternates: not on the panel, not excluded, and (household rule on)
    not in a panel member's household."""
    panel = set(panel)
    excluded = set(excluded)
    households = {v.household for v in problem.volunteers if v.id in panel and v.household is not None}
    return [v for v in problem.volunteers if v.id not in panel and v.id not in excluded
            and not (problem.enforce_households and v.household in households)]


def choose_alternates(
    problem: SelectionProblem,
    panel: Sequence[str],
    dropout: Mapping[str, float],
    count: int,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    excluded: Iterable[str] = (),
    time_limit: float = TIME_LIMIT_S,
) -> Alternates:
    """N = ``count`` ordered alternates for ``panel`` (see module docstring); ``dropout`` maps each
    panel member and each possible alternate to their drop-out probability; ``excluded`` ids are
    never alternates; HiGHS stops after ``time_limit`` seconds with the best choice found."""
    rows = QuotaRows(problem)
    rng = np.random.default_rng(seed)
    types = _candidate_types(problem, candidate_ids(problem, panel, excluded), count, rows, rng)
    available = sum(len(members) for members, _, group in types if group is None) + len(
        {group for _, _, group in types if group is not None})
    count = min(count, available)
    panel = list(panel)
    if count == 0:
        return Alternates((), 0.0, 0.0, 1.0, samples, seed, 0.0)
    probabilities = np.array([dropout[member] for member in panel])
    panel_counts = rows.counts(panel)
    drops = rng.random((samples, len(panel))) < probabilities
    # stays[t][s, j]: whether the s-th member of type t would take a seat in sample j
    stays = [rng.random((len(members), samples)) >= np.array([dropout[m] for m in members])[:, None]
             for members, _, _ in types]
    used = [j for j in range(samples) if drops[j].any()]
    drop_counts = [rows.counts([panel[i] for i in np.flatnonzero(drops[j])]) for j in used]
    solved = _solve(types, rows, panel_counts, drop_counts, [int(drops[j].sum()) for j in used],
                    [[stay[:, j] for stay in stays] for j in used], count, samples, time_limit)
    if solved is None:  # no solution within the time limit: the same choice over half the samples
        if samples <= MIN_SAMPLES:
            raise RuntimeError("the alternates program found no solution within its time limit")
        return choose_alternates(problem, panel, dropout, count, samples=samples // 2, seed=seed, excluded=excluded,
                                 time_limit=time_limit)
    slots, y, gap = solved
    ranked = []
    for t, (members, _, _) in enumerate(types):
        for s in range(slots[t]):
            # slot s serves sample j when its member stays and fewer than y_tj earlier slots did
            served = sum(1 for u, j in enumerate(used)
                         if stays[t][s, j] and int(stays[t][:s, j].sum()) < y[t, u])
            ranked.append((-served, t, s, members[s]))
    ordered = tuple(member for *_, member in sorted(ranked))
    position = {member: (t, s) for _, t, s, member in ranked}
    losses = []
    solver = ReplacementSolver(rows)
    for u, j in enumerate(used):  # exact inner problem per sample, whatever the program's own second stage
        dropped = {panel[i] for i in np.flatnonzero(drops[j])}
        staying = [member for member in ordered if stays[position[member][0]][position[member][1], j]]
        final = [m for m in panel if m not in dropped] + list(
            solver.best([m for m in panel if m not in dropped], len(dropped), staying))
        losses.append(rows.loss(rows.counts(final)))
    held = (samples - len(used)) + sum(1 for loss in losses if loss <= 1e-9)
    return Alternates(ordered, sum(losses) / samples, max(losses, default=0.0), held / samples, samples, seed, gap)


def _candidate_types(problem, candidates, count, rows, rng) -> list[tuple[list[str], tuple[int, ...], str | None]]:
    """(members in seeded order, quota rows, shared household or None) per type; see module docstring."""
    household_size: dict[str, int] = defaultdict(int)
    if problem.enforce_households:
        for volunteer in candidates:
            if volunteer.household is not None:
                household_size[volunteer.household] += 1
    free: dict[tuple[int, ...], list[str]] = defaultdict(list)
    shared: dict[tuple[int, ...], list[Volunteer]] = defaultdict(list)
    for volunteer in candidates:
        key = rows.rows(volunteer)
        if household_size.get(volunteer.household, 0) >= 2:
            shared[key].append(volunteer)
        else:
            free[key].append(volunteer.id)
    types = []
    for key in sorted(set(free) | set(shared)):
        members = list(rng.permutation(np.array(free.get(key, []), dtype=object)))
        if members:
            types.append((members[:count], key, None))
        if len(members) < count:
            types += [([volunteer.id], key, volunteer.household) for volunteer in shared.get(key, [])]
    return types


def _solve(types, rows: QuotaRows, panel_counts, drop_counts, drop_sizes, stays, count, samples, time_limit):
    """The sample-average program of the module docstring; returns the slots taken per type, the
    replacements y[t, sample] and HiGHS's gap. ``stays[j][t][s]``: slot s of type t stays in sample j."""
    type_count, sample_count, quota_count = len(types), len(drop_counts), len(rows.quota_min)
    caps = [len(members) for members, _, _ in types]
    slot_start = np.concatenate([[0], np.cumsum(caps)]).astype(int)
    slot_count = int(slot_start[-1])
    membership = sparse.csr_matrix(
        (np.ones(sum(len(key) for _, key, _ in types)),
         ([q for _, key, _ in types for q in key], [t for t, (_, key, _) in enumerate(types) for _ in key])),
        shape=(quota_count, type_count))
    y_start = slot_count
    z_start = slot_count + type_count * sample_count
    variables = z_start + quota_count * sample_count
    blocks, lower, upper = [], [], []

    def add(matrix, low, high):
        blocks.append(sparse.csr_matrix(matrix))
        lower.append(np.broadcast_to(np.asarray(low, dtype=float), (matrix.shape[0],)))
        upper.append(np.broadcast_to(np.asarray(high, dtype=float), (matrix.shape[0],)))

    def columns(entries, row_count):
        data, row_index, col_index = zip(*entries) if entries else ((), (), ())
        return sparse.csr_matrix((data, (row_index, col_index)), shape=(row_count, variables))

    add(columns([(1.0, 0, s) for s in range(slot_count)], 1), count, count)
    # slots of a type are taken in order: w_{t,s+1} <= w_{t,s}
    order = [(sign, row, slot_start[t] + s + offset) for row, (t, s) in enumerate(
        (t, s) for t in range(type_count) for s in range(caps[t] - 1)) for sign, offset in ((1.0, 1), (-1.0, 0))]
    if order:
        add(columns(order, sum(cap - 1 for cap in caps)), -np.inf, 0)
    groups = defaultdict(list)
    for t, (_, _, household) in enumerate(types):
        if household is not None:
            groups[household].append(t)
    if groups:
        add(columns([(1.0, g, slot_start[t]) for g, ts in enumerate(groups.values()) for t in ts], len(groups)), -np.inf, 1)
    for j in range(sample_count):
        y_columns = y_start + j * type_count + np.arange(type_count)
        y_part = sparse.csr_matrix((np.ones(type_count), (np.arange(type_count), y_columns)), shape=(type_count, variables))
        z_part = sparse.csr_matrix((np.ones(quota_count), (np.arange(quota_count), z_start + j * quota_count + np.arange(quota_count))),
                                   shape=(quota_count, variables))
        # y_tj <= number of taken slots of type t whose member stays in sample j
        add(y_part - columns([(1.0, t, slot_start[t] + s) for t in range(type_count)
                              for s in np.flatnonzero(stays[j][t])], type_count), -np.inf, 0)
        add(sparse.csr_matrix(np.ones((1, type_count))) @ y_part, -np.inf, drop_sizes[j])
        left_min = rows.quota_min - panel_counts + drop_counts[j]
        left_max = rows.quota_max - panel_counts + drop_counts[j]
        add(membership @ y_part + z_part, left_min, np.inf)
        add(membership @ y_part - z_part, -np.inf, left_max)
    objective = np.zeros(variables)
    objective[z_start:] = np.tile(rows.weights, sample_count) / samples
    high = np.concatenate([np.ones(slot_count), np.tile(np.asarray(caps, dtype=float), sample_count),
                           np.full(quota_count * sample_count, np.inf)])
    integrality = np.concatenate([np.ones(z_start), np.zeros(quota_count * sample_count)])
    result = milp(c=objective, constraints=LinearConstraint(sparse.vstack(blocks).tocsr(), np.concatenate(lower),
                                                          np.concatenate(upper)),
                  bounds=Bounds(np.zeros(variables), high), integrality=integrality,
                  options={"time_limit": time_limit, "mip_rel_gap": 1e-6})
    if result.x is None:
        if result.status == 1:  # the time limit came before any solution: the caller tries fewer samples
            return None
        raise RuntimeError(f"the alternates program found no solution: {result.message}")
    solution = np.rint(result.x[:z_start])
    taken = [int(solution[slot_start[t]:slot_start[t + 1]].sum()) for t in range(type_count)]
    y = solution[y_start:].reshape(sample_count, type_count).T if sample_count else np.zeros((type_count, 0))
    gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
    return taken, y, gap


def replace_from_alternates(
    problem: SelectionProblem, panel: Sequence[str], dropped: Iterable[str], alternates: Sequence[str]
) -> tuple[str, ...]:
    """The replacements for ``dropped`` among the available ``alternates`` (in their order): see
    ``best_replacements``."""
    dropped = set(dropped)
    return ReplacementSolver(QuotaRows(problem)).best([member for member in panel if member not in dropped], len(dropped),
                                                     alternates)


def best_replacements(
    problem: SelectionProblem, remaining: Sequence[str], seats: int, alternates: Sequence[str]
) -> tuple[str, ...]:
    """At most ``seats`` of the available ``alternates`` to join ``remaining``: see
    ``ReplacementSolver.best``."""
    return ReplacementSolver(QuotaRows(problem)).best(remaining, seats, alternates)


class ReplacementSolver:
    """The paper's inner problem, with its answers remembered: a simulation meets the same
    (remaining quota counts, free seats, profiles of the available alternates) again and again."""

    def __init__(self, rows: QuotaRows) -> None:
        self.rows = rows
        self.cache: dict[tuple, tuple[int, ...]] = {}

    def best(self, remaining: Sequence[str], seats: int, alternates: Sequence[str]) -> tuple[str, ...]:
        """At most ``seats`` of the available ``alternates`` to join ``remaining``: the subset that
        minimises the final panel's misrepresentation (an exact integer program); among equally
        good subsets, the one filling most seats, then the one using alternates earliest in the
        list. Returned in list order."""
        if seats <= 0 or not alternates:
            return ()
        rows = self.rows
        counts = rows.counts(remaining)
        profiles = tuple(rows.rows(rows.by_id[member]) for member in alternates)
        key = (counts.tobytes(), seats, profiles)
        if key not in self.cache:
            self.cache[key] = self._solve(counts, seats, profiles)
        return tuple(alternates[a] for a in self.cache[key])

    def _solve(self, counts: np.ndarray, seats: int, profiles: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
        """The integer program below; with at most ``ENUMERATE_UP_TO`` alternates, the same objective
        minimised over every subset instead (exact, and far quicker than a solver call)."""
        rows = self.rows
        size = len(profiles)
        quota_count = len(rows.quota_min)
        membership = np.zeros((quota_count, size))
        for a, profile in enumerate(profiles):
            membership[list(profile), a] = 1
        step = float(rows.weights.min()) / (4 * (size + 1))
        seat_value = -step - step / (4 * (size + 1)) * (size - np.arange(size)) / size
        if size <= ENUMERATE_UP_TO:
            subsets = (np.arange(2 ** size)[:, None] >> np.arange(size)) & 1
            subsets = subsets[subsets.sum(axis=1) <= seats]
            final = counts + subsets @ membership.T
            loss = (np.maximum(rows.quota_min - final, 0.0) + np.maximum(final - rows.quota_max, 0.0)) @ rows.weights
            best = subsets[int(np.argmin(loss + subsets @ seat_value))]
            return tuple(int(a) for a in np.flatnonzero(best))
        objective = np.concatenate([seat_value, rows.weights])
        matrix = np.block([
            [np.ones((1, size)), np.zeros((1, quota_count))],
            [membership, np.identity(quota_count)],
            [membership, -np.identity(quota_count)],
        ])
        low = np.concatenate([[0], rows.quota_min - counts, np.full(quota_count, -np.inf)])
        high = np.concatenate([[seats], np.full(quota_count, np.inf), rows.quota_max - counts])
        result = milp(c=objective, constraints=LinearConstraint(matrix, low, high),
                      bounds=Bounds(np.zeros(size + quota_count),
                                    np.concatenate([np.ones(size), np.full(quota_count, np.inf)])),
                      integrality=np.concatenate([np.ones(size), np.zeros(quota_count)]))
        return tuple(int(a) for a in np.flatnonzero(np.rint(result.x[:size]) > 0))
