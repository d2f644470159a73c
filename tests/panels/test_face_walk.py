"""The decomposition walk's face LP, squeezed so that every path of it runs on small pools.

On real pools the face LP (``decomposition._FaceProgram``) starts with hundreds of columns and
drops idle ones only above hundreds (idle household rows above dozens), so the small pools of
the property tests never leave it out a column. Here it starts with one column, prices in one
at a time and drops idle columns and household rows before every solve, and the walk must still write the LEXIMIN point as a mixture of
valid panels that matches brute force.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from panels.selection import decomposition, linear_program
from panels.selection.compression import compress_pool
from panels.selection.decomposition import decompose
from panels.selection.linear_program import LinearProgram
from panels.selection.panel_program import panel_constraints
from panels.selection.relaxed_leximin import relaxed_leximin
from tests.panels.test_leximin_properties import (
    THREE_CATEGORIES,
    assert_matches_brute_force,
    feasible_panels,
    small_problems,
)


@pytest.fixture
def squeezed_face_program(monkeypatch):
    monkeypatch.setattr(decomposition, "INITIAL_COLUMNS", 1)
    monkeypatch.setattr(decomposition, "COLUMNS_PER_ROUND", 1)
    monkeypatch.setattr(decomposition, "MAX_COLUMNS", 1)
    monkeypatch.setattr(decomposition, "PRICE_AHEAD", 1)
    monkeypatch.setattr(decomposition, "MAX_ROWS", 0)
    deleted = {"columns": [], "rows": []}
    for kind in deleted:
        monkeypatch.setattr(LinearProgram, f"delete_{kind}", _counting(getattr(LinearProgram, f"delete_{kind}"), deleted[kind]))
    return deleted


def _counting(delete, counts):
    def counted(self, indices):
        counts.append(len(indices))
        delete(self, indices)

    return counted


SQUEEZED = settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


@SQUEEZED
@given(small_problems(households=True, categories=THREE_CATEGORIES))
def test_a_squeezed_face_program_still_finds_the_leximin(squeezed_face_program, problem):
    assert_matches_brute_force(problem)


@SQUEEZED
@given(small_problems(households=True, categories=THREE_CATEGORIES))
def test_a_squeezed_walk_writes_the_target_as_a_mixture_of_valid_panels(squeezed_face_program, problem):
    assert_walk_writes_the_target(problem)


@SQUEEZED
@given(small_problems(households=True, categories=THREE_CATEGORIES))
def test_integer_programs_round_every_fractional_vertex(squeezed_face_program, monkeypatch, problem):
    """With no noisy re-solve, a fractional vertex goes straight to the integer programs
    (over its fractional coordinates, then over the face LP's columns, then over the face)."""
    assume(feasible_panels(problem))
    monkeypatch.setattr(decomposition, "NOISE_RETRIES", 0)
    assert_walk_writes_the_target(problem)
    assert_matches_brute_force(problem)


def assert_walk_writes_the_target(problem):
    if not feasible_panels(problem):
        return
    pool = compress_pool(problem)
    constraints = panel_constraints(pool)
    target = relaxed_leximin(constraints).expected_seats
    walk = decompose(pool, constraints, target)
    if not walk.complete:
        return  # the bound is not a mixture of panels: cuts take over (tested with the engine)
    assert all(constraints.contains(panel) for panel in walk.panels)
    assert np.all(walk.weights > 0)
    np.testing.assert_allclose(np.array(walk.panels, dtype=float).T @ walk.weights, target, atol=1e-7)


def test_the_squeezed_face_program_drops_and_prices_columns(squeezed_face_program, instances):
    """On a real pool the squeezed LP must really leave columns and household rows out and
    bring them back."""
    from panels.selection import load_problem, select_panel

    folder = instances / "opendlp_monitoring_30"
    problem = load_problem(folder / "categories.csv", folder / "respondents.csv", 30, household_columns=["address_line_1"])
    result = select_panel(problem, lottery_size=50)
    assert sum(squeezed_face_program["columns"]) > 0
    assert sum(squeezed_face_program["rows"]) > 0
    assert abs(sum(result.probabilities.values()) - 30) < 1e-6


@pytest.mark.parametrize("private_highs", [True, False])
def test_deleting_columns_keeps_the_others_in_order(monkeypatch, private_highs):
    monkeypatch.setattr(linear_program, "USE_HIGHS_CORE", private_highs and linear_program.USE_HIGHS_CORE)
    program = LinearProgram()
    # maximise x0 + 2 x1 + 3 x2 + 4 x3 with x0 + x1 + x2 + x3 <= 2, each in [0, 1]
    program.add_columns([-1.0, -2.0, -3.0, -4.0], np.zeros(4), np.ones(4))
    program.add_rows([-np.inf], [2.0], np.ones((1, 4)))
    assert program.solve().values.tolist() == pytest.approx([0, 0, 1, 1])
    program.delete_columns(np.array([3, 1]))
    assert program.column_count == 2
    solution = program.solve()
    assert solution.values.tolist() == pytest.approx([1, 1])  # what were x0 and x2
    assert solution.objective == pytest.approx(-4.0)
    program.set_costs(np.array([0]), np.array([-5.0]))
    assert program.solve().objective == pytest.approx(-8.0)


@pytest.mark.parametrize("private_highs", [True, False])
def test_deleting_rows_keeps_the_others_in_order(monkeypatch, private_highs):
    monkeypatch.setattr(linear_program, "USE_HIGHS_CORE", private_highs and linear_program.USE_HIGHS_CORE)
    program = LinearProgram()
    # maximise x0 + 2 x1 + 3 x2 with x0 + x1 + x2 <= 2, x0 + x1 <= 5, x1 + x2 <= 1, each in [0, 1]
    program.add_columns([-1.0, -2.0, -3.0], np.zeros(3), np.ones(3))
    program.add_rows(np.full(3, -np.inf), [2.0, 5.0, 1.0], np.array([[1, 1, 1], [1, 1, 0], [0, 1, 1]]))
    assert program.solve().values.tolist() == pytest.approx([1, 0, 1])
    assert program.basic_rows()[1]  # x0 + x1 = 1 < 5: its slack is basic
    program.delete_rows(np.array([1, 0]))
    assert program.row_count == 1
    assert program.solve().values.tolist() == pytest.approx([1, 0, 1])
    program.set_row_bounds(0, -np.inf, 0.0)  # the row left is x1 + x2
    assert program.solve().values.tolist() == pytest.approx([1, 0, 0])
