"""The attacker's view of a publication, and the audit that disclosure control must pass.

Everything a report publishes about one consultation — each question's overall counts, the
About-you counts, every cross-table's cells and group totals, and every earlier published version
— is a set of *entries* (numbers, published or hidden) tied by linear *constraints* (a group's
cells add up to its total, a column of cells to the option's overall count, a group total is at
most that group's About-you count, …). An attacker who knows the constraints can ask, for each
hidden entry, for the smallest and largest value consistent with everything published: two
integer programmes. ``derivable_ranges`` solves them; ``failures`` says which hidden entries the
attacker can pin to a range narrower than required; ``protect`` hides more entries, cheapest
first, until none can.

**Required width.** A hidden entry must be undetermined over at least ``threshold`` consecutive
values (max − min ≥ threshold), or over everything its published margins allow when they allow
less (a cell of an option that 4 people chose overall can never range wider than 0 to 4: publishing
the overall count is a design rule, and the cell then gives away nothing the margin did not).

**LP relaxation, integrality where it matters.** Solving each bound as a linear programme (HiGHS
through ``scipy.optimize.linprog``) gives an upper bound of the integer maximum and a lower bound
of the integer minimum, so an LP width below the requirement proves a failure. An LP width at or
above it is exact when the optimal vertex is integral — always, for one cross-table with fixed
margins, whose constraint matrix (a transportation problem) is totally unimodular. Cross-table
links (About-you counts shared by several tables, multiple-choice rows, versions) can make a
vertex fractional; only then is that bound solved again as a MILP (``scipy.optimize.milp``), so
the audit never passes on a fractional optimum. Every integral solution found is also a feasible
point: an entry whose values seen so far already span the requirement needs no programme of its
own, which keeps the demo report's audit well under a second. Hiding more entries only enlarges
the feasible set (a constant becomes a variable), so an entry certified once stays certified
while ``protect`` adds suppressions.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array

Key = Hashable
INTEGRAL = 1e-6


@dataclass
class Entry:
    value: float | None
    """The true value; None when unknown (an attacker reading a published document)."""
    hidden: bool
    hideable: bool = True
    """False for figures always published (overall counts, numbers answered)."""
    cap: float = math.inf
    """The widest range the published margins could ever allow (see the module docstring)."""


@dataclass(frozen=True)
class Constraint:
    coefficients: Mapping[Key, float]
    equality: bool
    """True: Σ coefficient × entry = rhs; False: ≤ rhs."""
    rhs: float = 0.0


@dataclass
class LinearSystem:
    entries: dict[Key, Entry] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    moves: list[dict[Key, float]] = field(default_factory=list)
    """Directions that keep every equation (a cross-table's 4-cycles, for instance): stepping
    along them from a feasible point finds other feasible points without solving anything."""

    def add_entry(self, key: Key, value: float | None, *, hidden: bool, hideable: bool = True,
                  cap: float = math.inf) -> None:
        self.entries[key] = Entry(None if value is None or not np.isfinite(value) else float(value), hidden,
                                  hideable, cap)

    def add_constraint(self, coefficients: Mapping[Key, float], *, equality: bool, rhs: float = 0.0) -> None:
        self.constraints.append(Constraint(dict(coefficients), equality, rhs))

    def hidden_keys(self) -> list[Key]:
        return [key for key, entry in self.entries.items() if entry.hidden]

    def required_width(self, key: Key, threshold: int) -> float:
        return min(float(threshold), self.entries[key].cap)


@dataclass
class _Seen:
    """The smallest and largest value of each entry in the integral feasible points found so far."""

    low: dict[Key, float] = field(default_factory=dict)
    high: dict[Key, float] = field(default_factory=dict)

    def add(self, key: Key, value: float) -> None:
        self.low[key] = min(self.low.get(key, value), value)
        self.high[key] = max(self.high.get(key, value), value)

    def width(self, key: Key) -> float:
        return self.high.get(key, 0.0) - self.low.get(key, 0.0) if key in self.low else -1.0


def components(system: LinearSystem) -> list[list[Key]]:
    """Hidden entries grouped by the constraints that join them (each solved on its own)."""
    parent = {key: key for key in system.hidden_keys()}

    def root(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for constraint in system.constraints:
        hidden = [key for key in constraint.coefficients if key in parent]
        for other in hidden[1:]:
            parent[root(other)] = root(hidden[0])
    groups: dict[Key, list[Key]] = {}
    for key in parent:
        groups.setdefault(root(key), []).append(key)
    return list(groups.values())


class _Programme:
    """One component's constraints over its hidden entries, published entries moved to the right."""

    def __init__(self, system: LinearSystem, keys: list[Key]) -> None:
        self.keys = keys
        position = {key: index for index, key in enumerate(keys)}
        equal_rows, equal_rhs, upper_rows, upper_rhs = [], [], [], []
        for constraint in system.constraints:
            if not any(key in position for key in constraint.coefficients):
                continue
            row = np.zeros(len(keys))
            rhs = constraint.rhs
            for key, coefficient in constraint.coefficients.items():
                if key in position:
                    row[position[key]] += coefficient
                else:
                    value = system.entries[key].value
                    if value is None:  # an unknown published figure cannot be: it is in no component
                        raise ValueError(f"{key!r} is published without a value")
                    rhs -= coefficient * value
            (equal_rows if constraint.equality else upper_rows).append(row)
            (equal_rhs if constraint.equality else upper_rhs).append(rhs)
        self.a_eq = csr_array(np.array(equal_rows)) if equal_rows else None
        self.b_eq = np.array(equal_rhs) if equal_rhs else None
        self.a_ub = csr_array(np.array(upper_rows)) if upper_rows else None
        self.b_ub = np.array(upper_rhs) if upper_rhs else None

    def optimum(self, objective: np.ndarray) -> tuple[float, np.ndarray] | None:
        """Minimum of objective · x over the integer points (LP first, MILP if the LP vertex is
        fractional); None when the system has no solution."""
        result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                         bounds=(0, None), method="highs")
        if result.status == 2:
            return None
        if result.status != 0:
            raise RuntimeError(f"disclosure audit: {result.message}")
        point = result.x
        if np.abs(point - np.round(point)).max(initial=0.0) > INTEGRAL:
            constraints = []
            if self.a_eq is not None:
                constraints.append(LinearConstraint(self.a_eq, self.b_eq, self.b_eq))
            if self.a_ub is not None:
                constraints.append(LinearConstraint(self.a_ub, -np.inf, self.b_ub))
            exact = milp(objective, constraints=constraints, integrality=np.ones(len(self.keys)),
                         bounds=Bounds(0, np.inf))
            if exact.status != 0:
                return None
            point = exact.x
        point = np.round(point)
        return float(objective @ point), point


def _explore(system: LinearSystem, keys: list[Key], seen: _Seen, need: Mapping[Key, float],
             ranges: dict[Key, tuple[float, float]] | None = None) -> set[Key]:
    """The entries of one component whose derivable range is narrower than ``need``; fills
    ``ranges`` with exact (min, max) for every entry it had to solve for."""
    pending = [key for key in keys if seen.width(key) < need[key]]
    if not pending:
        return set()
    programme = _Programme(system, keys)
    position = {key: index for index, key in enumerate(keys)}

    def record(point: np.ndarray) -> None:
        for key, value in zip(keys, point):
            seen.add(key, float(value))

    base = np.array([system.entries[key].value if system.entries[key].value is not None else np.nan for key in keys])
    if np.isnan(base).any():
        solved = programme.optimum(np.zeros(len(keys)))
        if solved is None:
            return set()
        base = solved[1]
    record(base)
    _step_along_moves(system, programme, position, base, seen)
    pending = [key for key in pending if seen.width(key) < need[key] or ranges is not None]
    rng = np.random.default_rng(len(keys))
    for _ in range(min(6, len(pending) // 4)):  # random directions certify many entries at once
        direction = rng.standard_normal(len(keys))
        for sign in (1.0, -1.0):
            solved = programme.optimum(sign * direction)
            if solved is None:
                return set()
            record(solved[1])
    narrow = set()
    for key in pending:
        if seen.width(key) >= need[key] and ranges is None:
            continue
        objective = np.zeros(len(keys))
        objective[position[key]] = 1.0
        low = programme.optimum(objective)
        high = programme.optimum(-objective)
        if low is None or high is None:
            return set()
        record(low[1])
        record(high[1])
        if ranges is not None:
            ranges[key] = (low[0], -high[0])
        if -high[0] - low[0] < need[key]:
            narrow.add(key)
    return narrow


def _step_along_moves(system: LinearSystem, programme: _Programme, position: Mapping[Key, int], base: np.ndarray,
                      seen: _Seen) -> None:
    """From the feasible point ``base``, the furthest integer step each way along every move
    that lies inside the component, recorded as feasible points (vectorised: no programme)."""
    usable = [move for move in system.moves if all(key in position for key in move)]
    if not usable:
        return
    directions = np.zeros((len(usable), len(position)))
    for row, move in enumerate(usable):
        for key, step in move.items():
            directions[row, position[key]] = step
    if programme.a_eq is not None:
        keeps = np.abs(programme.a_eq @ directions.T).max(axis=0) < INTEGRAL
        directions = directions[keeps]
    limits_up = [np.full(len(directions), np.inf)]
    limits_down = [np.full(len(directions), -np.inf)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = base[None, :] / -directions  # x + δd ≥ 0
        limits_up.append(np.where(directions < 0, ratio, np.inf).min(axis=1, initial=np.inf))
        limits_down.append(np.where(directions > 0, ratio, -np.inf).max(axis=1, initial=-np.inf))
        if programme.a_ub is not None:
            slack = programme.b_ub - programme.a_ub @ base
            growth = (programme.a_ub @ directions.T).T
            ratio = slack[None, :] / growth
            limits_up.append(np.where(growth > INTEGRAL, ratio, np.inf).min(axis=1, initial=np.inf))
            limits_down.append(np.where(growth < -INTEGRAL, ratio, -np.inf).max(axis=1, initial=-np.inf))
    up = np.floor(np.minimum.reduce(limits_up) + INTEGRAL)
    down = np.ceil(np.maximum.reduce(limits_down) - INTEGRAL)
    finite = np.isfinite(up) & np.isfinite(down)
    if not finite.any():
        return
    points = np.vstack([base + up[finite, None] * directions[finite], base + down[finite, None] * directions[finite]])
    keys = list(position)
    for index, key in enumerate(keys):
        seen.add(key, float(points[:, index].min()))
        seen.add(key, float(points[:, index].max()))


def derivable_ranges(system: LinearSystem) -> dict[Key, tuple[float, float]]:
    """For every hidden entry, the smallest and largest integer value consistent with everything
    published (what an attacker with an integer-programming solver derives)."""
    ranges: dict[Key, tuple[float, float]] = {}
    seen = _Seen()
    for keys in components(system):
        _explore(system, keys, seen, {key: math.inf for key in keys}, ranges)
    return ranges


def recovered(system: LinearSystem) -> set[Key]:
    """Hidden entries an attacker can work out exactly."""
    seen = _Seen()
    exact: set[Key] = set()
    for keys in components(system):
        exact |= _explore(system, keys, seen, {key: 1.0 for key in keys})
    return exact


def failures(system: LinearSystem, threshold: int, *, seen: _Seen | None = None,
             only: Iterable[Key] | None = None, audited: set[Key] | None = None) -> set[Key]:
    """Hidden entries whose derivable range is narrower than required (see the module docstring).
    ``only``: audit just the components holding these entries; ``audited``: check only these
    entries (the others were certified against a stronger attacker)."""
    seen = seen if seen is not None else _Seen()
    for key, entry in system.entries.items():
        if entry.hidden and entry.value is not None:
            seen.add(key, entry.value)  # the truth is a feasible point
    wanted = None if only is None else set(only)
    narrow: set[Key] = set()
    for keys in components(system):
        if wanted is not None and wanted.isdisjoint(keys):
            continue
        narrow |= _explore(system, keys, seen, {key: system.required_width(key, threshold)
                                                if audited is None or key in audited else -math.inf for key in keys})
    return narrow


def _neighbours(system: LinearSystem) -> dict[Key, set[Key]]:
    linked: dict[Key, set[Key]] = {}
    for constraint in system.constraints:
        keys = list(constraint.coefficients)
        for key in keys:
            linked.setdefault(key, set()).update(keys)
    return linked


def protect(system: LinearSystem, threshold: int, *, max_rounds: int = 200,
            audited: set[Key] | None = None) -> tuple[set[Key], set[Key]]:
    """Hide more entries until no hidden entry's derivable range is narrower than required.

    Each round audits the components that changed; for every entry that fails, it hides the
    cheapest (smallest) published, hideable entry that shares a constraint with it or with its
    component, unless this round already hid one beside it. Returns (entries hidden here, entries
    still failing when nothing is left to hide)."""
    linked = _neighbours(system)
    seen = _Seen()
    added: set[Key] = set()
    dirty: set[Key] | None = None
    for _ in range(max_rounds):
        narrow = failures(system, threshold, seen=seen, only=dirty, audited=audited)
        if not narrow:
            return added, set()
        by_component = {key: keys for keys in components(system) for key in keys}
        chosen: set[Key] = set()
        for key in sorted(narrow, key=repr):
            if linked.get(key, set()) & chosen:
                continue
            candidate = _cheapest(system, linked.get(key, set()))
            if candidate is None:
                around = set().union(*(linked.get(member, set()) for member in by_component[key]))
                candidate = _cheapest(system, around)
            if candidate is not None:
                chosen.add(candidate)
        if not chosen:
            return added, narrow
        for key in chosen:
            system.entries[key].hidden = True
            seen.add(key, system.entries[key].value)
        added |= chosen
        dirty = chosen | narrow
    return added, failures(system, threshold, seen=seen, audited=audited)


def _cheapest(system: LinearSystem, keys: Iterable[Key]) -> Key | None:
    open_keys = [key for key in keys if not system.entries[key].hidden and system.entries[key].hideable
                 and system.entries[key].value is not None and system.entries[key].cap > 0]
    if not open_keys:
        return None
    return min(open_keys, key=lambda key: (system.entries[key].value, repr(key)))
