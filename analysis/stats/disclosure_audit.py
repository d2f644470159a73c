"""The attacker's view of a publication, and the audit that disclosure control must pass.

Everything a report publishes about one consultation — each question's overall counts, the
About-you counts, every cross-table's cells and group totals, and every earlier published version
— is a set of *entries* (numbers, published or hidden) tied by linear *constraints* (a group's
cells add up to its total, a column of cells to the option's overall count, a group total is at
most that group's About-you count, …). An attacker who knows the constraints can ask, for each
hidden entry, for the smallest and largest value consistent with everything published: two
integer programmes. ``derivable_ranges`` solves them; ``failures`` says which hidden entries the
attacker can pin to a range narrower than required; ``protect`` hides more entries until none can.

**Required width.** A hidden entry must be undetermined over at least ``threshold`` consecutive
values (max − min ≥ threshold), or over everything its published margins allow when they allow
less (a cell of an option that 4 people chose overall can never range wider than 0 to 4: publishing
the overall count is a design rule, and the cell then gives away nothing the margin did not).

**How the audit stays fast and sound.** The constraints are one sparse matrix over every entry,
built once; hiding an entry turns a constant into a variable and changes no row. An entry is
*certified* (its range is wide enough) by any two feasible integer points whose values of it lie
at least the required width apart — the attacker's range contains both, so it is at least that
wide. Points come, cheapest first, from:

1. the truth (the published entries and the true hidden values satisfy every constraint);
2. *moves*: directions that keep every equation (a cross-table's 4-cycle +1, −1, +1, −1 around
   two rows and two columns of hidden cells). From a feasible point, the furthest integer step
   each way that keeps every entry ≥ 0 and every inequality is again feasible: computed for all
   moves at once with sparse products, no solver;
3. *alternatives*: whole other datasets that publish exactly the same figures (``alternatives``,
   for instance the responses of hidden About-you categories relabelled among themselves: every
   figure they move is hidden, so the publication cannot tell them apart). They are used only
   while every entry they change is hidden;
4. per cross-table programmes: a stronger attacker who knows every entry outside the table
   exactly has a smaller feasible set (a subset of the real attacker's), so a range wide enough
   for that attacker is wide enough for the real one. These LPs have a few dozen variables;
5. only the entries still in doubt are solved in the joint programme of their component (hidden
   entries joined by constraints), which is exact.

**LP relaxation, integrality where it matters.** A bound is solved as a linear programme (HiGHS
through ``scipy.optimize.linprog``); when its optimal vertex is fractional the bound is solved
again as a MILP (``scipy.optimize.milp``), so the audit never relies on a fractional optimum. One
cross-table with fixed margins is a transportation problem (totally unimodular): its vertices are
integral and the MILP is rarely needed. Hiding more entries only enlarges the feasible set, so an
entry certified once stays certified while ``protect`` adds suppressions (as long as constraints
are not added).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csc_array, csr_array, vstack
from scipy.sparse.csgraph import connected_components

Key = Hashable
INTEGRAL = 1e-6


class InconsistentPublication(ValueError):
    """The constraints have no solution: the audit cannot pass (a versions' churn set too low,
    or documents that contradict each other). Never read as "nothing can be narrowed"."""


@dataclass
class Entry:
    value: float | None
    """The true value; None when unknown (an attacker reading a published document)."""
    hidden: bool
    hideable: bool = True
    """False for figures always published (overall counts, numbers answered)."""
    cap: float = math.inf
    """The widest range the published margins could ever allow (see the module docstring)."""
    table: Hashable = None
    """The cross-table (or About-you question) the entry belongs to: the unit of the per-table audit."""


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
    alternatives: list[dict[Key, float]] = field(default_factory=list)
    """Other datasets that publish the same figures while every entry they change is hidden:
    the entries they change and their values there (see the module docstring, point 3)."""

    def add_entry(self, key: Key, value: float | None, *, hidden: bool, hideable: bool = True,
                  cap: float = math.inf, table: Hashable = None) -> None:
        self.entries[key] = Entry(None if value is None or not np.isfinite(value) else float(value), hidden,
                                  hideable, cap, table)

    def add_constraint(self, coefficients: Mapping[Key, float], *, equality: bool, rhs: float = 0.0) -> None:
        self.constraints.append(Constraint(dict(coefficients), equality, rhs))

    def hidden_keys(self) -> list[Key]:
        return [key for key, entry in self.entries.items() if entry.hidden]

    def required_width(self, key: Key, threshold: int) -> float:
        return min(float(threshold), self.entries[key].cap)


class _Matrix:
    """Every constraint over every entry, as sparse rows (equalities, then inequalities ≤)."""

    def __init__(self, system: LinearSystem) -> None:
        self.keys = list(system.entries)
        self.index = {key: position for position, key in enumerate(self.keys)}
        parts: dict[bool, tuple[list, list, list, list]] = {True: ([], [], [], []), False: ([], [], [], [])}
        for constraint in system.constraints:
            rows, columns, data, rhs = parts[constraint.equality]
            row = len(rhs)
            for key, coefficient in constraint.coefficients.items():
                rows.append(row)
                columns.append(self.index[key])
                data.append(coefficient)
            rhs.append(constraint.rhs)
        size = len(self.keys)
        self.a_eq, self.b_eq = self._sparse(parts[True], size)
        self.a_ub, self.b_ub = self._sparse(parts[False], size)
        self.a_eq_csc, self.a_ub_csc = csc_array(self.a_eq), csc_array(self.a_ub)
        self.n_constraints = len(system.constraints)
        move_rows, move_columns, move_data = [], [], []
        for row, move in enumerate(system.moves):
            for key, step in move.items():
                move_rows.append(row)
                move_columns.append(self.index[key])
                move_data.append(step)
        self.moves = csr_array((move_data, (move_rows, move_columns)), shape=(len(system.moves), size))
        self.move_support = csr_array((np.ones(len(move_data)), (move_rows, move_columns)),
                                      shape=(len(system.moves), size))
        self.moves_keep_equalities = (np.abs(self.a_eq @ self.moves.T).max(axis=0).toarray().ravel() < INTEGRAL
                                      if self.a_eq.shape[0] and self.moves.shape[0] else np.ones(self.moves.shape[0], bool))

    @staticmethod
    def _sparse(part: tuple[list, list, list, list], size: int) -> tuple[csr_array, np.ndarray]:
        rows, columns, data, rhs = part
        return csr_array((data, (rows, columns)), shape=(len(rhs), size)), np.array(rhs, dtype=float)


@dataclass
class _Programme:
    """Min/max of one entry over the integer points with ``variables`` free (≥ 0) and every other
    entry fixed at ``fixed``: the constraint rows that touch the variables, constants moved right."""

    variables: np.ndarray
    a_eq: csr_array | None
    b_eq: np.ndarray | None
    a_ub: csr_array | None
    b_ub: np.ndarray | None

    @classmethod
    def build(cls, matrix: _Matrix, variables: np.ndarray, fixed: np.ndarray) -> _Programme:
        free = np.zeros(len(matrix.keys), bool)
        free[variables] = True
        constants = np.where(free, 0.0, np.nan_to_num(fixed))
        pieces = []
        for a, a_csc, b in ((matrix.a_eq, matrix.a_eq_csc, matrix.b_eq), (matrix.a_ub, matrix.a_ub_csc, matrix.b_ub)):
            rows = np.unique(a_csc[:, variables].nonzero()[0]) if a.shape[0] else np.zeros(0, int)
            if rows.size == 0:
                pieces += [None, None]
                continue
            block = a[rows]
            pieces += [csr_array(block[:, variables]), b[rows] - block @ constants]
        return cls(variables, *pieces)

    def __post_init__(self) -> None:
        self._solver: highspy.Highs | None = None

    def _highs(self) -> highspy.Highs:
        """The programme passed to HiGHS once; later solves change only the objective and start
        from the previous basis (a warm start: a fraction of a millisecond for a cross-table)."""
        if self._solver is None:
            blocks = [(block, rhs, rhs) for block, rhs in ((self.a_eq, self.b_eq),) if block is not None]
            blocks += [(block, np.full(len(rhs), -highspy.kHighsInf), rhs)
                       for block, rhs in ((self.a_ub, self.b_ub),) if block is not None]
            size = len(self.variables)
            matrix = csc_array(vstack([block for block, _, _ in blocks])) if blocks else csc_array((0, size))
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = size, matrix.shape[0]
            lp.col_cost_ = np.zeros(size)
            lp.col_lower_, lp.col_upper_ = np.zeros(size), np.full(size, highspy.kHighsInf)
            lp.row_lower_ = np.concatenate([lower for _, lower, _ in blocks]) if blocks else np.zeros(0)
            lp.row_upper_ = np.concatenate([upper for _, _, upper in blocks]) if blocks else np.zeros(0)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
            solver = highspy.Highs()
            solver.setOptionValue("output_flag", False)
            solver.passModel(lp)
            self._solver = solver
        return self._solver

    def optimum(self, objective: np.ndarray) -> tuple[float, np.ndarray] | None:
        """Minimum of objective · x over the integer points (LP first, MILP when the LP vertex is
        fractional); None when there is none."""
        solver = self._highs()
        solver.changeColsCost(len(objective), np.arange(len(objective), dtype=np.int32), objective.astype(float))
        solver.run()
        status = solver.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                             bounds=(0, None), method="highs")  # HiGHS again, from scratch
            if result.status == 2:
                return None
            if result.status != 0:
                raise RuntimeError(f"disclosure audit: {result.message}")
            point = result.x
        else:
            point = np.asarray(solver.getSolution().col_value, dtype=float)
        if np.abs(point - np.round(point)).max(initial=0.0) > INTEGRAL:
            constraints = []
            if self.a_eq is not None:
                constraints.append(LinearConstraint(self.a_eq, self.b_eq, self.b_eq))
            if self.a_ub is not None:
                constraints.append(LinearConstraint(self.a_ub, -np.inf, self.b_ub))
            exact = milp(objective, constraints=constraints, integrality=np.ones(len(self.variables)),
                         bounds=Bounds(0, np.inf))
            if exact.status != 0:
                return None
            point = exact.x
        point = np.round(point)
        return float(objective @ point), point


class Audit:
    """The audit of one system, kept between rounds of ``protect`` (the matrix is built once)."""

    def __init__(self, system: LinearSystem) -> None:
        self.system = system
        self.matrix = _Matrix(system)
        size = len(self.matrix.keys)
        self.truth = np.array([np.nan if entry.value is None else entry.value for entry in system.entries.values()])
        self.low = np.where(np.isnan(self.truth), np.inf, self.truth)
        self.high = np.where(np.isnan(self.truth), -np.inf, self.truth)
        self.exact: dict[int, tuple[float, float]] = {}
        self.base: np.ndarray | None = None if np.isnan(self.truth).any() else self.truth.copy()
        self.solves = 0
        self._tables: dict[Hashable, np.ndarray] = {}
        tables = [entry.table for entry in system.entries.values()]
        for position, table in enumerate(tables):
            if table is not None:
                self._tables.setdefault(table, []).append(position)
        self._tables = {table: np.array(positions) for table, positions in self._tables.items()}
        self._size = size

    # -- state ---------------------------------------------------------------------------------

    def hidden(self) -> np.ndarray:
        return np.array([entry.hidden for entry in self.system.entries.values()], dtype=bool)

    def need(self, threshold: float) -> np.ndarray:
        """Per entry, the width its range must reach (``inf``: solve it exactly; 1: not be
        determined, whatever the margins allow)."""
        if math.isinf(threshold) or threshold == 1.0:
            return np.full(self._size, threshold)
        return np.array([min(float(threshold), entry.cap) for entry in self.system.entries.values()])

    def _see(self, point: np.ndarray, mask: np.ndarray | None = None) -> None:
        if mask is None:
            np.minimum(self.low, point, out=self.low)
            np.maximum(self.high, point, out=self.high)
        else:
            self.low[mask] = np.minimum(self.low[mask], point[mask])
            self.high[mask] = np.maximum(self.high[mask], point[mask])

    def width(self) -> np.ndarray:
        return self.high - self.low

    # -- cheap certificates --------------------------------------------------------------------

    def _step_along_moves(self, hidden: np.ndarray) -> None:
        """Points 2 of the module docstring, from ``self.base``: every usable move at once."""
        matrix = self.matrix
        if self.base is None or matrix.moves.shape[0] == 0:
            return
        published = (~hidden).astype(float)
        usable = (matrix.move_support @ published < 0.5) & matrix.moves_keep_equalities
        if not usable.any():
            return
        self._step(matrix.moves[np.flatnonzero(usable)])

    def _step(self, moves: csr_array) -> None:
        """The furthest integer step each way along each move (rows of ``moves``) from
        ``self.base`` that keeps every entry ≥ 0 and every inequality; both ends recorded."""
        matrix = self.matrix
        if moves.shape[0] == 0:
            return
        base = self.base
        up = np.full(moves.shape[0], np.inf)
        down = np.full(moves.shape[0], np.inf)
        # x + δ·d ≥ 0: up limited where d < 0, down where d > 0.
        _limit(moves, lambda rows, columns, data: np.where(data < 0, base[columns] / -data, np.inf), up)
        _limit(moves, lambda rows, columns, data: np.where(data > 0, base[columns] / data, np.inf), down)
        if matrix.a_ub.shape[0]:
            slack = matrix.b_ub - matrix.a_ub @ base
            growth = csr_array(moves @ matrix.a_ub.T)
            _limit(growth, lambda rows, columns, data: np.where(data > INTEGRAL, slack[columns] / np.where(
                data > INTEGRAL, data, 1.0), np.inf), up)
            _limit(growth, lambda rows, columns, data: np.where(data < -INTEGRAL, slack[columns] / np.where(
                data < -INTEGRAL, -data, 1.0), np.inf), down)
        up = np.floor(np.where(np.isfinite(up), up, 0.0) + INTEGRAL)
        down = np.floor(np.where(np.isfinite(down), down, 0.0) + INTEGRAL)
        coo = moves.tocoo()
        reach_high = base[coo.col] + np.where(coo.data > 0, up[coo.row] * coo.data, down[coo.row] * -coo.data)
        reach_low = base[coo.col] - np.where(coo.data > 0, down[coo.row] * coo.data, up[coo.row] * -coo.data)
        np.maximum.at(self.high, coo.col, reach_high)
        np.minimum.at(self.low, coo.col, reach_low)

    def _cycle_moves(self, hidden: np.ndarray) -> csr_array:
        """Moves along the fundamental cycles of the hidden entries' equation graph.

        Nodes are equations; a hidden entry in exactly two equations is an edge between them (a
        cell joins its group's row and its option's column). Around any cycle of such edges,
        +1 and −1 can alternate (the sign chosen at each node so that its equation keeps its
        value), which keeps every equation: a move. A spanning forest's fundamental cycles cover
        every edge that lies on any cycle; one breadth-first pass finds them all."""
        a_eq_csc = self.matrix.a_eq_csc
        positions = np.flatnonzero(hidden)
        ends: dict[int, tuple[tuple[int, float], tuple[int, float]]] = {}
        adjacency: dict[int, list[tuple[int, int]]] = {}
        for position in positions:
            start, stop = a_eq_csc.indptr[position], a_eq_csc.indptr[position + 1]
            if stop - start != 2:
                continue
            (row_a, row_b), (coef_a, coef_b) = a_eq_csc.indices[start:stop], a_eq_csc.data[start:stop]
            ends[position] = ((int(row_a), float(coef_a)), (int(row_b), float(coef_b)))
            adjacency.setdefault(int(row_a), []).append((int(position), int(row_b)))
            adjacency.setdefault(int(row_b), []).append((int(position), int(row_a)))
        parent: dict[int, tuple[int, int] | None] = {}
        depth: dict[int, int] = {}
        tree_edges: set[int] = set()
        for root in adjacency:
            if root in parent:
                continue
            parent[root], depth[root] = None, 0
            queue = [root]
            for node in queue:
                for edge, other in adjacency[node]:
                    if other not in parent:
                        parent[other], depth[other] = (edge, node), depth[node] + 1
                        tree_edges.add(edge)
                        queue.append(other)
        rows, columns, data = [], [], []
        for edge, ((node_a, _), (node_b, _)) in ends.items():
            if edge in tree_edges:
                continue
            # The cycle: this edge, then the tree paths from both ends up to where they meet.
            path_a, path_b = [], []
            a, b = node_a, node_b
            while a != b:
                if depth[a] >= depth[b]:
                    path_a.append(parent[a][0])
                    a = parent[a][1]
                else:
                    path_b.append(parent[b][0])
                    b = parent[b][1]
            cycle = [edge, *path_b, *reversed(path_a)]  # node_a → node_b → … → node_a
            signs = _signs_around(cycle, ends, node_b)
            if signs is None:
                continue
            move = len(rows) and rows[-1] + 1
            for position, sign in zip(cycle, signs):
                rows.append(move)
                columns.append(position)
                data.append(sign)
        count = rows[-1] + 1 if rows else 0
        return csr_array((data, (rows, columns)), shape=(count, self._size))

    def _use_alternatives(self, hidden: np.ndarray) -> None:
        """Points 3 of the module docstring: only while every entry an alternative changes is hidden."""
        index = self.matrix.index
        for alternative in self.system.alternatives:
            positions = np.array([index[key] for key in alternative])
            if positions.size and hidden[positions].all():
                values = np.array(list(alternative.values()), dtype=float)
                self.low[positions] = np.minimum(self.low[positions], values)
                self.high[positions] = np.maximum(self.high[positions], values)

    # -- programmes ----------------------------------------------------------------------------

    def _components(self, hidden: np.ndarray) -> np.ndarray:
        """Component label per entry (published entries get −1)."""
        blocks = [block for block in (self.matrix.a_eq, self.matrix.a_ub) if block.shape[0]]
        labels = np.full(self._size, -1)
        positions = np.flatnonzero(hidden)
        if positions.size == 0:
            return labels
        if not blocks:
            labels[positions] = np.arange(positions.size)
            return labels
        incidence = (vstack([abs(block) for block in blocks]).tocsc()[:, positions] != 0).astype(float)
        graph = csr_array(incidence.T @ incidence)
        _, component = connected_components(graph, directed=False)
        labels[positions] = component
        return labels

    def _bound(self, programme: _Programme, position: int, sign: float) -> tuple[float, np.ndarray] | None:
        objective = np.zeros(len(programme.variables))
        objective[np.searchsorted(programme.variables, position)] = sign
        self.solves += 1
        return programme.optimum(objective)

    def _solve_range(self, programme: _Programme, position: int) -> tuple[float, float] | None:
        """Exact min and max of one entry over the programme. Both optimal points are points of
        the real attacker's system too (the entries outside the programme keep feasible values),
        so they certify the other entries they move."""
        low = self._bound(programme, position, 1.0)
        high = self._bound(programme, position, -1.0)
        if low is None or high is None:
            return None
        for _, point in (low, high):
            self.low[programme.variables] = np.minimum(self.low[programme.variables], point)
            self.high[programme.variables] = np.maximum(self.high[programme.variables], point)
        return low[0], -high[0]

    def _sweep(self, programme: _Programme, positions: np.ndarray, need: np.ndarray, rounds: int = 3) -> None:
        """A few programmes that push the entries in doubt apart at once — random signs, each
        objective and its opposite — so that their optimal points certify most of them; each
        entry's own pair of programmes is then needed only where these left it short. (Pushing
        all of a table's cells up together would do nothing: their sum is fixed by the margins.)"""
        rng = np.random.default_rng(len(positions))
        places = np.searchsorted(programme.variables, positions)
        for _ in range(rounds):
            short = self.width()[positions] < need[positions]
            if not short.any():
                return
            objective = np.zeros(len(programme.variables))
            objective[places[short]] = rng.choice([-1.0, 1.0], size=int(short.sum()))
            for sign in (-1.0, 1.0):
                self.solves += 1
                solved = programme.optimum(sign * objective)
                if solved is None:
                    return
                self.low[programme.variables] = np.minimum(self.low[programme.variables], solved[1])
                self.high[programme.variables] = np.maximum(self.high[programme.variables], solved[1])

    def _ensure_base(self, hidden: np.ndarray, labels: np.ndarray) -> bool:
        """A feasible point of the whole system (the truth, or one LP per component)."""
        if self.base is not None:
            return True
        base = np.nan_to_num(self.truth)
        for label in np.unique(labels[labels >= 0]):
            variables = np.flatnonzero(labels == label)
            solved = _Programme.build(self.matrix, variables, base).optimum(np.zeros(variables.size))
            self.solves += 1
            if solved is None:
                return False
            base[variables] = solved[1]
        self.base = base
        self._see(base)
        return True

    def narrow(self, threshold: float, *, only: np.ndarray | None = None,
               audited: np.ndarray | None = None) -> set[int]:
        """Positions of hidden entries whose range is narrower than required. ``only``: audit
        these positions alone (certificates found so far are kept); ``audited``: entries that
        must be checked (others are not required to be wide)."""
        hidden = self.hidden()
        need = self.need(threshold)
        wanted = hidden.copy()
        if only is not None:
            wanted &= only
        if audited is not None:
            wanted &= audited
        labels = self._components(hidden)
        if not self._ensure_base(hidden, labels):
            raise InconsistentPublication("no figures are consistent with everything published")
        self._step_along_moves(hidden)
        if self.base is not None:
            self._step(self._cycle_moves(hidden))
        self._use_alternatives(hidden)
        doubt = wanted & (self.width() < need)
        exactly = math.isinf(threshold)
        failing: set[int] = set()
        if not exactly and self.matrix.a_eq.shape[0]:
            # An entry alone (of the hidden ones) in an equation is determined: width 0.
            alone_rows = (abs(self.matrix.a_eq) @ hidden.astype(float)) == 1
            determined = (abs(self.matrix.a_eq[np.flatnonzero(alone_rows)]).sum(axis=0) > 0) & hidden
            for position in np.flatnonzero(determined & doubt & (need > 0)):
                failing.add(int(position))
                doubt[position] = False
        # Point 4: per table, against an attacker who knows everything outside it (sound only
        # with the truth known: that attacker is the real one with more equations).
        if not exactly and not np.isnan(self.truth).any():
            for table, positions in self._tables.items():
                in_doubt = positions[doubt[positions]]
                if in_doubt.size == 0:
                    continue
                variables = np.sort(positions[hidden[positions]])
                # The table's hidden entries make up a whole component: its programme is the
                # joint one, and a narrow range here is a failure.
                whole = np.array_equal(variables, np.flatnonzero(labels == labels[in_doubt[0]]))
                programme = _Programme.build(self.matrix, variables, self.truth)
                self._sweep(programme, in_doubt, need)
                for position in in_doubt:
                    if self.width()[position] >= need[position]:
                        doubt[position] = False
                        continue
                    solved = self._solve_range(programme, position)
                    if solved is None:
                        continue
                    if solved[1] - solved[0] >= need[position]:
                        doubt[position] = False
                    elif whole:
                        self.exact[int(position)] = solved
                        doubt[position] = False
                        failing.add(int(position))
        # Point 5: the joint programme of each component, for what is still in doubt.
        for label in np.unique(labels[doubt]):
            variables = np.flatnonzero(labels == label)
            programme = _Programme.build(self.matrix, variables, self.base)
            if not exactly:
                self._sweep(programme, np.flatnonzero(doubt & (labels == label)), need)
            for position in np.flatnonzero(doubt & (labels == label)):
                if not exactly and self.width()[position] >= need[position]:
                    continue  # certified by a point found while solving another entry
                solved = self._solve_range(programme, position)
                if solved is None:
                    raise InconsistentPublication("no figures are consistent with everything published")
                self.exact[int(position)] = solved
                if solved[1] - solved[0] < need[position]:
                    failing.add(int(position))
        return failing


def _signs_around(cycle: list[int], ends: Mapping[int, tuple[tuple[int, float], tuple[int, float]]],
                  start: int) -> list[float] | None:
    """+1 on the cycle's first edge, then at each node the sign that keeps the node's equation:
    coefficient_in × sign_in + coefficient_out × sign_out = 0. None if the cycle does not close
    consistently (an odd cycle with like coefficients)."""
    signs = [1.0]
    node = start
    for previous, edge in zip(cycle, cycle[1:]):
        coefficient_in = next(coefficient for row, coefficient in ends[previous] if row == node)
        coefficient_out = next(coefficient for row, coefficient in ends[edge] if row == node)
        signs.append(-coefficient_in * signs[-1] / coefficient_out)
        node = next(row for row, _ in ends[edge] if row != node)
    first_in = next(coefficient for row, coefficient in ends[cycle[-1]] if row == node)
    first_out = next(coefficient for row, coefficient in ends[cycle[0]] if row == node)
    if abs(first_in * signs[-1] + first_out * signs[0]) > INTEGRAL:
        return None
    return signs


def _limit(matrix: csr_array, ratio, out: np.ndarray) -> None:
    """``out[row] = min(out[row], min over the row's stored entries of ratio(...))``."""
    coo = matrix.tocoo()
    if coo.data.size == 0:
        return
    values = ratio(coo.row, coo.col, coo.data)
    np.minimum.at(out, coo.row, values)


def derivable_ranges(system: LinearSystem) -> dict[Key, tuple[float, float]]:
    """For every hidden entry, the smallest and largest integer value consistent with everything
    published (what an attacker with an integer-programming solver derives)."""
    audit = Audit(system)
    audit.narrow(math.inf)
    return {audit.matrix.keys[position]: bounds for position, bounds in audit.exact.items()}


def recovered(system: LinearSystem) -> set[Key]:
    """Hidden entries an attacker can work out exactly."""
    audit = Audit(system)
    return {audit.matrix.keys[position] for position in audit.narrow(1.0)}


def failures(system: LinearSystem, threshold: int, *, audit: Audit | None = None,
             only: Iterable[Key] | None = None, audited: Iterable[Key] | None = None) -> set[Key]:
    """Hidden entries whose derivable range is narrower than required (see the module docstring).
    ``only``: audit just these entries; ``audited``: entries required to be wide (default all)."""
    audit = audit or Audit(system)
    index = audit.matrix.index
    only_mask = None if only is None else _mask(index, only, audit._size)
    audited_mask = None if audited is None else _mask(index, audited, audit._size)
    return {audit.matrix.keys[position] for position in audit.narrow(threshold, only=only_mask, audited=audited_mask)}


def _mask(index: Mapping[Key, int], keys: Iterable[Key], size: int) -> np.ndarray:
    mask = np.zeros(size, bool)
    mask[[index[key] for key in keys if key in index]] = True
    return mask


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

    Each round audits what changed; for every entry that fails it hides one published, hideable
    entry sharing a constraint with it (the smallest whose value covers the missing width, else
    the largest), unless this round already hid one beside it. Returns (entries hidden here,
    entries still failing when nothing is left to hide)."""
    linked = _neighbours(system)
    audit = Audit(system)
    added: set[Key] = set()
    only: set[Key] | None = None
    for _ in range(max_rounds):
        narrow = failures(system, threshold, audit=audit, only=only, audited=audited)
        if not narrow:
            return added, set()
        chosen: set[Key] = set()
        width = audit.width()
        for key in sorted(narrow, key=repr):
            if linked.get(key, set()) & chosen:
                continue
            position = audit.matrix.index[key]
            missing = system.required_width(key, threshold) - max(width[position], 0.0)
            candidate = _candidate(system, linked.get(key, set()), missing)
            if candidate is None:
                around = set().union(*(linked.get(other, set()) for other in linked.get(key, set())))
                candidate = _candidate(system, around, missing)
            if candidate is not None:
                chosen.add(candidate)
        if not chosen:
            return added, narrow
        for key in chosen:
            system.entries[key].hidden = True
        added |= chosen
        only = narrow | chosen
    return added, failures(system, threshold, audit=audit, audited=audited)


def _candidate(system: LinearSystem, keys: Iterable[Key], missing: float) -> Key | None:
    """The published entry to hide next: the smallest that could supply the missing width, or
    else the largest (hiding a figure costs what it says; a small one may not free enough)."""
    open_keys = [key for key in keys if not system.entries[key].hidden and system.entries[key].hideable
                 and system.entries[key].value is not None and system.entries[key].cap > 0]
    if not open_keys:
        return None
    enough = [key for key in open_keys if system.entries[key].value >= missing]
    if enough:
        return min(enough, key=lambda key: (system.entries[key].value, repr(key)))
    return max(open_keys, key=lambda key: (system.entries[key].value, repr(key)))
