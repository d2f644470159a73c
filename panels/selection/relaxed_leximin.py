"""LEXIMIN over the LP relaxation Q of the panel constraints: an upper bound, usually exact.

Any distribution over panels has expected seats per type x_t = E[Y_t], and x lies in the
convex hull of integer panels, conv(P) ⊆ Q. So the LEXIMIN of π_t = x_t / count_t over Q is
lexicographically at least the true LEXIMIN; when the point x* it finds is a mixture of
integer panels (``decomposition`` tries to write it as one), it *is* the LEXIMIN, and
no column generation is needed. Q has one variable per type and a few hundred rows, so each
level is a small LP solved in milliseconds.

Levels, as in Flanigan et al.'s Methods, with F the types already fixed at f_t:

    maximise z  s.t.  x ∈ Q,  x_t / (w_t count_t) ≥ z (t ∉ F),  x_t / (w_t count_t) ≥ f_t (t ∈ F)

where w_t is the type's weight (``Volunteer.weight``; 1 for everyone unless chances are
lowered, which is the plain LEXIMIN): weighted LEXIMIN maximises π_t / w_t, so a type of
weight ½ gets half the others' chance wherever the quotas allow. z may then exceed 1 (up to
1 / min w).

Every type whose row has a positive dual is fixed at z (complementary slackness: it sits at
z in every optimal solution). Types at z with a zero dual are fixed by the next level, which
then has the same z. Fixed values are lowered by ``FIX_SLACK`` so that floating-point noise
does not make a later level infeasible; should it all the same (HiGHS's tolerances are looser
than the slack), every fixed value is lowered tenfold more and the level solved again, up to
``MAX_FIX_SLACK``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from panels.selection.linear_program import INFINITY, LinearProgram, LinearProgramError
from panels.selection.panel_program import PanelConstraints

FIX_SLACK = 1e-9
#: When a level is infeasible all the same, the slack grows tenfold up to this, then gives up.
MAX_FIX_SLACK = 1e-6
POSITIVE_DUAL = 1e-9


@dataclass(frozen=True)
class RelaxedLeximin:
    """``expected_seats[t]`` is x*_t; ``probabilities[t]`` is x*_t / count_t."""

    expected_seats: np.ndarray
    probabilities: np.ndarray
    levels: int


def relaxed_leximin(constraints: PanelConstraints, weights: np.ndarray | None = None) -> RelaxedLeximin:
    """(Weighted) LEXIMIN over Q (see module docstring). ``constraints`` must admit a panel;
    ``weights`` (one per type, in (0, 1]) default to 1."""
    counts = constraints.type_counts
    type_count = counts.size
    weights = np.ones(type_count) if weights is None else np.asarray(weights, dtype=float)
    # Fixing a level keeps the last solution feasible, so the next level starts from a primal
    # feasible basis: primal simplex re-solves it in a few pivots where dual simplex took
    # hundreds (n = 20,000, 12 levels: 0.83 s instead of 1.45 s of CPU, the second level
    # 31 ms instead of 383 ms; the first, from scratch, 0.63 s instead of 0.75 s). The optimal
    # vertex it ends at may differ from dual simplex's within HiGHS's tolerances: probabilities
    # differed by up to 8.5e-8 (camden_500_40) and 2e-8 (n = 20,000).
    program = LinearProgram(primal_simplex=True)
    # Columns: x_0 … x_{T-1}, then z. Minimise −z.
    program.add_columns(np.zeros(type_count), np.zeros(type_count), counts)
    program.add_rows(constraints.lower, constraints.upper, constraints.matrix)
    z_column = constraints.row_count + np.arange(type_count)
    program.add_columns([-1.0], [0.0], [float(1.0 / weights.min(initial=1.0))])
    level_rows = sparse.hstack(
        [sparse.diags(1.0 / (weights * counts), format="csr"), sparse.csr_matrix(-np.ones((type_count, 1)))], format="csr"
    )
    program.add_rows(np.zeros(type_count), np.full(type_count, INFINITY), level_rows)
    unfixed = np.ones(type_count, dtype=bool)
    levels = 0
    values = np.zeros(type_count)
    fixed_at = np.zeros(type_count)  # the level z at which each fixed type was fixed
    slack = FIX_SLACK
    while unfixed.any():
        try:
            solution = program.solve()
        except LinearProgramError:
            # A level fixed a hair too high for HiGHS's tolerances (seen on refills with
            # confirmed members): lower every fixed value a little more and solve again.
            if levels == 0 or slack >= MAX_FIX_SLACK:
                raise
            slack *= 10
            for t in np.flatnonzero(~unfixed):
                program.set_row_bounds(int(z_column[t]), max(fixed_at[t] - slack, 0.0), INFINITY)
            continue
        levels += 1
        z = float(solution.values[type_count])
        duals = solution.row_duals[constraints.row_count :]
        newly_fixed = unfixed & (duals > POSITIVE_DUAL)
        if not newly_fixed.any():
            newly_fixed = unfixed & (duals == duals[unfixed].max())
        fixed_value = max(z - slack, 0.0)
        for t in np.flatnonzero(newly_fixed):
            program.set_coefficient(int(z_column[t]), type_count, 0.0)
            program.set_row_bounds(int(z_column[t]), fixed_value, INFINITY)
        fixed_at[newly_fixed] = z
        unfixed &= ~newly_fixed
        values = solution.values[:type_count]
    expected = np.clip(values, 0.0, counts)
    return RelaxedLeximin(expected_seats=expected, probabilities=expected / counts, levels=levels)
