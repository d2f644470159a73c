"""The exact integer programs of replacements and the cover (panels.selection.integer_program).

Programs shaped like the cover's: whole numbers of each profile to take (at most its supply, at
most ``seats`` in all), each seat rewarded, and the L1 distance of the profiles' quota counts from
a target paid through continuous variables. Their relaxations are often fractional, so every step
of the column fixing is reached, and each must give HiGHS's optimum over every column.
"""

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from panels.selection import integer_program


def cover_like(rng, profiles=40, rows=8):
    membership = (rng.random((rows, profiles)) < 0.35).astype(float)
    seats = int(rng.integers(3, 9))
    target = rng.integers(0, seats + 1, rows).astype(float)
    supply = rng.integers(0, 3, profiles).astype(float)
    # each seat is worth more than any distance it adds; half the programs have a small, uneven cost
    # per profile that breaks ties
    ties = rng.random(profiles) / (seats + 1) if rng.random() < 0.5 else np.zeros(profiles)
    objective = np.concatenate([-(2.0 * rows + 1) + ties, np.ones(rows)])
    identity = sparse.identity(rows, format="csr")
    matrix = sparse.vstack([
        sparse.hstack([np.ones((1, profiles)), sparse.csr_matrix((1, rows))]),
        sparse.hstack([membership, -identity]),
        sparse.hstack([membership, identity]),
    ]).tocsr()
    infinite = np.full(rows, np.inf)
    constraints = LinearConstraint(matrix, np.concatenate([[0], -infinite, target]),
                                   np.concatenate([[seats], target, infinite]))
    bounds = Bounds(np.zeros(profiles + rows), np.concatenate([supply, infinite]))
    return objective, constraints, bounds, profiles


def value(objective, constraints, bounds, integers, taken):
    """The optimum over the continuous variables with the whole ones fixed at ``taken``."""
    lower, upper = np.array(bounds.lb, dtype=float), np.array(bounds.ub, dtype=float)
    lower[:integers] = upper[:integers] = taken
    return milp(c=objective, constraints=constraints, bounds=Bounds(lower, upper)).fun


def test_fixing_columns_finds_the_optimum_of_the_program_over_every_column(monkeypatch):
    calls = []
    real = integer_program._integer_program

    def counted(*args):
        calls.append(args[-1].sum())
        return real(*args)

    monkeypatch.setattr(integer_program, "_integer_program", counted)
    steps = []
    rng = np.random.default_rng(21)
    for _ in range(60):
        program = cover_like(rng)
        objective, constraints, bounds, integers = program
        everything = milp(c=objective, constraints=constraints, bounds=bounds, options={"mip_rel_gap": 0.0},
                          integrality=np.concatenate([np.ones(integers), np.zeros(len(objective) - integers)]))
        before = len(calls)
        fixed = integer_program.integer_solution(*program, fix_columns=True)
        steps.append(len(calls) - before)
        plain = integer_program.integer_solution(*program)
        assert value(*program, fixed) == pytest.approx(everything.fun, abs=1e-7)
        assert value(*program, plain) == pytest.approx(everything.fun, abs=1e-7)
        assert (fixed >= 0).all() and (fixed <= bounds.ub[:integers]).all()
    # the relaxation alone, the program over its columns, and the columns the reduced costs leave
    assert set(steps) == {0, 1, 2}
    assert any(count < 40 for count in calls)  # some programs were solved over fewer columns


def test_a_program_without_a_solution_says_so():
    objective = np.array([1.0, 1.0])
    constraints = LinearConstraint(np.array([[1.0, 1.0]]), 3, 3)
    bounds = Bounds(np.zeros(2), np.ones(2))
    for fix_columns in (False, True):
        with pytest.raises(RuntimeError, match="no solution"):
            integer_program.integer_solution(objective, constraints, bounds, 2, fix_columns=fix_columns)


def test_a_whole_relaxation_is_the_answer():
    objective = np.array([-1.0, -2.0])
    constraints = LinearConstraint(np.array([[1.0, 1.0]]), 0, 2)
    bounds = Bounds(np.zeros(2), np.array([1.0, 1.0]))
    for fix_columns in (False, True):
        assert integer_program.integer_solution(objective, constraints, bounds, 2, fix_columns=fix_columns).tolist() == [1, 1]


def test_a_relaxation_highs_cannot_settle_leaves_the_answer_to_the_whole_program(monkeypatch):
    program = cover_like(np.random.default_rng(3))
    expected = integer_program.integer_solution(*program)
    monkeypatch.setattr(integer_program, "_relaxation", lambda *args: None)
    assert value(*program, integer_program.integer_solution(*program, fix_columns=True)) == pytest.approx(
        value(*program, expected), abs=1e-7)


@pytest.mark.parametrize("fix_columns", [False, True])
def test_a_first_objective_is_least_before_the_rest_is_minimised(fix_columns, monkeypatch):
    """Take one of three profiles (a whole number each), paying a misrepresentation of 1/3, 1/4 or
    1/4 through a continuous variable: ``first`` picks the least of it, then ``objective`` decides
    between the two that tie, although ``objective`` alone (weighing misrepresentation by 1, far too
    little) would take the first profile."""
    penalty = np.array([1 / 3, 1 / 4, 1 / 4])
    # x_0..x_2 whole, m continuous with m >= penalty·x; exactly one profile taken.
    matrix = np.array([[1.0, 1.0, 1.0, 0.0], [*penalty, -1.0]])
    constraints = LinearConstraint(matrix, [1.0, -np.inf], [1.0, 0.0])
    bounds = Bounds(np.zeros(4), np.array([1.0, 1.0, 1.0, np.inf]))
    objective = np.array([-10.0, 0.0, -1.0, 1.0])
    first = np.array([0.0, 0.0, 0.0, 1.0])
    alone = integer_program.integer_solution(objective, constraints, bounds, 3, fix_columns=fix_columns)
    assert alone.tolist() == [1, 0, 0]
    both = integer_program.integer_solution(objective, constraints, bounds, 3, fix_columns=fix_columns, first=first)
    assert both.tolist() == [0, 0, 1]
    # Where ``first`` is zero at ``objective``'s optimum nothing more is solved.
    calls = []
    real = integer_program._optimum
    monkeypatch.setattr(integer_program, "_optimum", lambda *args: calls.append(args) or real(*args))
    free = LinearConstraint(matrix, [1.0, -np.inf], [1.0, np.inf])
    integer_program.integer_solution(objective, free, bounds, 3, fix_columns=fix_columns, first=first)
    assert len(calls) == 1
