"""Can any panel meet the quotas? If not, which quotas conflict and what is the smallest fix.

The relaxation is an integer program over the same type variables as the panel program,
plus slack ``lower_q ≥ 0`` (seats taken off quota q's minimum) and ``upper_q ≥ 0`` (seats
added to its maximum):

    minimise   Σ_q (lower_q + upper_q)
    subject to quota_min_q − lower_q ≤ Σ_{t holds q} Y_t ≤ quota_max_q + upper_q,
               Σ_t Y_t = seats, household rows ≤ 1, 0 ≤ Y_t ≤ count_t integer.

Its optimum is the smallest total change of min/max (in seats) that admits a panel. Many
relaxations usually reach it (lowering either of two minimums that add up to too much, by
any split); a second program keeps that total and minimises the largest change to any one
quota, so the change is shared out (``_balance``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from panels.selection.compression import CompressedPool, compress_pool
from panels.selection.model import Conflict, Infeasibility, Relaxation, SelectionProblem
from panels.selection.panel_program import PanelProgram


def check_feasibility(problem: SelectionProblem) -> Infeasibility | None:
    """Return ``None`` if some panel meets every quota (and the household rule), else why not."""
    pool = compress_pool(problem)
    return None if feasible_panel(pool) is not None else explain_infeasibility(pool)


def feasible_panel(pool: CompressedPool) -> np.ndarray | None:
    """Some type panel of ``pool`` that meets every quota and the household rule, or ``None``."""
    if pool.seats < 0:
        return None
    return PanelProgram(pool).best_panel(np.zeros(pool.type_count)).type_panel


def explain_infeasibility(pool: CompressedPool) -> Infeasibility:
    """Why no panel of ``pool`` meets the quotas, and the smallest relaxation that would."""
    details = _simple_conflicts(pool)
    conflicts = [text for text, _ in details]
    relaxations = _smallest_relaxation(pool)
    if relaxations is None:
        selectable = _selectable_units(pool)
        conflicts.append(
            f"only {selectable} volunteers can sit together (one per household, after fixed members), "
            f"but {pool.seats} seats are to be filled"
        )
        details.append(("", Conflict("too_few_households", available=selectable, seats=pool.seats)))
        relaxations = []
    if not conflicts:
        relaxed = {(r.category, r.name) for r in relaxations}
        quotas = [pool.problem.quotas[row] for row in _conflicting_quotas(pool, relaxed)]
        named = " with ".join(f"{quota.category}={quota.name}" for quota in quotas)
        conflicts.append(f"the quotas on {named} cannot be met together by this pool" if len(quotas) > 1
                         else f"the quota on {named} cannot be met by this pool")
        details.append(("", Conflict("together", quotas=tuple((quota.category, quota.name) for quota in quotas))))
    return Infeasibility(conflicts=tuple(conflicts), relaxations=tuple(relaxations),
                         details=tuple(detail for _, detail in details))


def _conflicting_quotas(pool: CompressedPool, relaxed: set[tuple[str, str]]) -> list[int]:
    """Rows of a smallest-by-inclusion set of quotas that no panel meets together (with the panel
    size and household rule): an irreducible infeasible subset, found by the deletion filter
    (Chinneck & Dravnieks, *ORSA J. Computing* 3, 1991) — drop each quota in turn and keep it out
    when the rest still admit no panel.

    The smallest relaxation changes only some of the quotas in conflict (lowering sex=f alone
    may be enough when the conflict is sex=f with age=young), so naming the relaxed quotas would
    name half the conflict. Quotas the relaxation changes are tried last, so they stay in the
    set when another conflict would do as well."""
    program = PanelProgram(pool)
    quota_count = pool.membership.shape[0]
    lower, upper = program.constraints.lower.copy(), program.constraints.upper.copy()
    no_weights = np.zeros(pool.type_count)
    quotas = pool.problem.quotas
    order = sorted(range(quota_count), key=lambda row: (quotas[row].category, quotas[row].name) in relaxed)
    active = set(range(quota_count))
    for row in order:
        trial_lower, trial_upper = lower.copy(), upper.copy()
        trial_lower[1 + row], trial_upper[1 + row] = -np.inf, np.inf
        if program.best_panel(no_weights, row_bounds=(trial_lower, trial_upper)).type_panel is None:
            lower, upper = trial_lower, trial_upper  # still infeasible without it: not needed
            active.discard(row)
    return sorted(active)


def _selectable_units(pool: CompressedPool) -> int:
    in_groups = sum(len(group) for group in pool.household_groups)
    return int(pool.type_counts.sum()) - in_groups + len(pool.household_groups)


def _simple_conflicts(pool: CompressedPool) -> list[tuple[str, Conflict]]:
    """Conflicts visible without optimisation: per-category sums and per-value pool counts, each
    as the engine's short text and as data."""
    problem = pool.problem
    conflicts: list[tuple[str, Conflict]] = []
    if pool.seats < 0:
        conflicts.append((f"{len(pool.fixed_ids)} members are fixed but the panel has only {problem.k} seats",
                          Conflict("fixed_over_seats", available=len(pool.fixed_ids), seats=problem.k)))
        return conflicts
    per_category: dict[str, list[int]] = {}
    for row, quota in enumerate(problem.quotas):
        per_category.setdefault(quota.category, []).append(row)
    available = pool.membership @ pool.type_counts
    for category, rows in per_category.items():
        total_min = int(sum(pool.quota_min[row] for row in rows))
        total_max = int(sum(pool.quota_max[row] for row in rows))
        if total_min > pool.seats:
            conflicts.append((f"the minimums of '{category}' add up to {total_min}, more than the {pool.seats} seats",
                              Conflict("minimums_over_seats", category=category, number=total_min, seats=pool.seats)))
        if total_max < pool.seats:
            conflicts.append((f"the maximums of '{category}' add up to {total_max}, fewer than the {pool.seats} seats",
                              Conflict("maximums_under_seats", category=category, number=total_max, seats=pool.seats)))
    fixed_counts = Counter(
        (category, volunteer.features[category])
        for volunteer in problem.volunteers
        if volunteer.id in problem.fixed_ids
        for category in problem.categories
    )
    for row, quota in enumerate(problem.quotas):
        if available[row] < pool.quota_min[row]:
            having = int(available[row]) + fixed_counts[(quota.category, quota.name)]
            conflicts.append((
                f"{quota.category}={quota.name} needs at least {quota.quota_min} but only {having} volunteers have it",
                Conflict("too_few_volunteers", category=quota.category, name=quota.name, number=quota.quota_min,
                         available=having)))
        if pool.quota_max[row] < 0:
            fixed = fixed_counts[(quota.category, quota.name)]
            conflicts.append((
                f"{quota.category}={quota.name} allows at most {quota.quota_max} but {fixed} fixed members have it",
                Conflict("fixed_over_maximum", category=quota.category, name=quota.name, number=quota.quota_max,
                         available=fixed)))
    return conflicts


def _smallest_relaxation(pool: CompressedPool) -> list[Relaxation] | None:
    """Solve the relaxation program; ``None`` if even free quotas admit no panel."""
    if pool.seats < 0:
        return None
    program = PanelProgram(pool)
    quota_count = pool.membership.shape[0]
    type_count = pool.type_count
    base = program.constraint.A
    # Columns: [Y (types) | lower slack (quotas) | upper slack (quotas)].
    size_row = sparse.hstack([base[:1], sparse.csr_matrix((1, 2 * quota_count))])
    identity = sparse.identity(quota_count, format="csr")
    quota_low = sparse.hstack([pool.membership, identity, sparse.csr_matrix((quota_count, quota_count))])
    quota_high = sparse.hstack([pool.membership, sparse.csr_matrix((quota_count, quota_count)), -identity])
    blocks = [size_row, quota_low, quota_high]
    lower = [np.array([pool.seats]), pool.quota_min, np.full(quota_count, -np.inf)]
    upper = [np.array([pool.seats]), np.full(quota_count, np.inf), pool.quota_max]
    household_rows = base.shape[0] - 1 - quota_count
    if household_rows:
        blocks.append(sparse.hstack([base[1 + quota_count :], sparse.csr_matrix((household_rows, 2 * quota_count))]))
        lower.append(np.zeros(household_rows))
        upper.append(np.ones(household_rows))
    constraint = LinearConstraint(sparse.vstack(blocks).tocsr(), np.concatenate(lower), np.concatenate(upper))
    bounds = Bounds(
        np.zeros(type_count + 2 * quota_count),
        np.concatenate([pool.type_counts, pool.quota_min, np.full(quota_count, np.inf)]),
    )
    objective = np.concatenate([np.zeros(type_count), np.ones(2 * quota_count)])
    result = milp(objective, constraints=constraint, bounds=bounds, integrality=np.ones(objective.size))
    if result.x is None:
        return None
    smallest_total = round(result.fun)
    balanced = _balance(constraint, bounds, type_count, quota_count, smallest_total)
    slack = np.rint((balanced if balanced is not None else result.x)[type_count : type_count + 2 * quota_count]).astype(int)
    relaxations = []
    for row, quota in enumerate(pool.problem.quotas):
        lower_by, raise_by = int(slack[row]), int(slack[quota_count + row])
        if lower_by or raise_by:
            relaxations.append(
                Relaxation(
                    category=quota.category,
                    name=quota.name,
                    quota_min=quota.quota_min,
                    quota_max=quota.quota_max,
                    relaxed_min=quota.quota_min - lower_by,
                    relaxed_max=quota.quota_max + raise_by,
                )
            )
    return relaxations


def _balance(
    constraint: LinearConstraint, bounds: Bounds, type_count: int, quota_count: int, smallest_total: int
) -> np.ndarray | None:
    """Among relaxations of total change ``smallest_total``, one whose largest single change
    is smallest (so a shortfall is shared out instead of falling on one arbitrary quota).

    Adds a variable ``largest`` ≥ lower_q + upper_q for every quota q and the row
    Σ (lower + upper) ≤ smallest_total, and minimises ``largest``.
    """
    columns = type_count + 2 * quota_count
    identity = sparse.identity(quota_count, format="csr")
    per_quota = sparse.hstack([sparse.csr_matrix((quota_count, type_count)), identity, identity, -np.ones((quota_count, 1))])
    total = sparse.csr_matrix(np.concatenate([np.zeros(type_count), np.ones(2 * quota_count), [0.0]]).reshape(1, -1))
    base = sparse.hstack([constraint.A, sparse.csr_matrix((constraint.A.shape[0], 1))])
    matrix = sparse.vstack([base, per_quota, total]).tocsr()
    lower = np.concatenate([constraint.lb, np.full(quota_count, -np.inf), [-np.inf]])
    upper = np.concatenate([constraint.ub, np.zeros(quota_count), [smallest_total]])
    objective = np.zeros(columns + 1)
    objective[-1] = 1.0
    result = milp(
        objective,
        constraints=LinearConstraint(matrix, lower, upper),
        bounds=Bounds(np.append(bounds.lb, 0.0), np.append(bounds.ub, np.inf)),
        integrality=np.ones(columns + 1),
    )
    return None if result.x is None else result.x[:columns]


class InfeasibleQuotasError(ValueError):
    """No panel meets the quotas; ``infeasibility`` says why and how to relax them."""

    def __init__(self, infeasibility: Infeasibility) -> None:
        self.infeasibility = infeasibility
        super().__init__(infeasibility.describe())
