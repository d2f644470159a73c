"""``select_panel``: the one entry point the recruitment workflow and the CLI call.

Order of work: validate → feasibility (explain and propose a relaxation if none; LEXIMIN
checks it on the way, as the panels it finds prove it) → distribution (LEXIMIN, see
``leximin``; or legacy draws) → uniform lottery of M panels →
optional public draw from a seed → independent checks → warnings (a lottery too small for
the distribution) → result of plain Python values (no numpy scalars: the database layer
cannot store them).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from collections.abc import Callable

import numpy as np

from panels.selection.checks import check_panels, check_probabilities
from panels.selection.compression import CompressedPool, compress_pool
from panels.selection.csv_input import validate_problem
from panels.selection.feasibility import InfeasibleQuotasError, explain_infeasibility, feasible_panel
from panels.selection.goldilocks import goldilocks_distribution
from panels.selection.legacy import legacy_draws
from panels.selection.leximin import leximin_distribution
from panels.selection.lottery import build_lottery, draw_from_lottery
from panels.selection.model import Lottery, QuotaOutcome, SelectionProblem, SelectionProgress, SelectionResult
from panels.selection.robust import RobustSettings, check_floor, robust_distribution

ALGORITHMS = ("leximin", "goldilocks", "legacy")
#: The objectives a fair lottery can be computed for (``legacy`` is the old greedy draws, kept for comparison).
OBJECTIVES = ("leximin", "goldilocks")
#: Above this, the lottery moves someone's probability noticeably from its computed value.
LOTTERY_DEVIATION_WARNING = 0.01


def select_panel(
    problem: SelectionProblem,
    *,
    algorithm: str = "leximin",
    seed: str | None = None,
    lottery_size: int = 1000,
    progress: Callable[[SelectionProgress], None] | None = None,
    robust: RobustSettings | None = None,
) -> SelectionResult:
    """Compute selection probabilities, the lottery and (with ``seed``) the drawn panel.

    ``lottery_size`` is M, the number of tickets; for ``legacy`` it is also the number of
    greedy draws from which probabilities are estimated. Raises ``SelectionInputError`` for
    a malformed problem and ``InfeasibleQuotasError`` when no panel meets the quotas.
    Members in ``problem.fixed_ids`` sit on every panel (replacement rounds). Volunteers with a
    ``weight`` below 1 get weighted LEXIMIN (``leximin`` only).
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm '{algorithm}' (choose from {', '.join(ALGORITHMS)})")
    weights = [volunteer.weight for volunteer in problem.volunteers]
    if any(not 0.0 < weight <= 1.0 for weight in weights):
        raise ValueError("every volunteer's weight must be more than 0 and at most 1")
    if algorithm != "leximin" and any(weight != 1.0 for weight in weights):
        raise ValueError(f"lowering some volunteers' chances needs the leximin objective, not {algorithm}")
    if lottery_size < 1:
        raise ValueError("lottery_size must be at least 1")
    if robust is not None:
        check_floor(robust.floor)
        if algorithm != "leximin":
            raise ValueError(f"a drop-out-robust lottery starts from LEXIMIN, not {algorithm}")
    started = time.perf_counter()
    validate_problem(problem)
    pool = compress_pool(problem)
    limits = robustness = None
    if algorithm == "leximin":
        # LEXIMIN proves the quotas feasible by the panels it finds, and runs the feasibility
        # integer program itself only when it needs a panel to start from (``leximin``).
        lottery, target, distribution_size, iterations, robustness = _leximin(pool, lottery_size, progress, robust)
        draws = None
    elif algorithm == "goldilocks":
        # Any panel that meets the quotas proves them feasible and starts the search.
        initial = _feasible(pool)
        lottery, target, distribution_size, iterations, limits = _goldilocks(pool, initial, lottery_size, progress)
        draws = None
    else:
        _feasible(pool)
        lottery, target, distribution_size = _legacy(pool, lottery_size, progress)
        iterations = draws = lottery_size
    probabilities = {volunteer.id: 0.0 for volunteer in problem.volunteers}
    probabilities.update({member: 1.0 for member in pool.fixed_ids})
    probabilities.update(target)
    check_probabilities(problem, probabilities)
    check_panels(problem, lottery.panels)
    draw = draw_from_lottery(seed, lottery) if seed is not None else None
    # Every volunteer not fixed; ``probabilities`` has them all (0.0 for one the lottery never seats),
    # while ``target`` may leave some out (none at all when every seat is fixed).
    eligible = [probabilities[member] for members in pool.type_members for member in members]
    return SelectionResult(
        algorithm=algorithm,
        n=len(problem.volunteers),
        k=problem.k,
        probabilities=probabilities,
        min_probability=min(eligible, default=1.0),
        max_probability=max(eligible, default=1.0),
        distribution_size=distribution_size,
        lottery=lottery,
        draw=draw,
        quotas=quota_outcomes(problem, draw.panel if draw else None),
        runtime_s=time.perf_counter() - started,
        iterations=iterations,
        draws=draws,
        fixed_ids=frozenset(pool.fixed_ids),
        warnings=_lottery_warnings(lottery, distribution_size) if algorithm in OBJECTIVES else (),
        chance_limits=limits,
        robustness=robustness,
    )


def _feasible(pool: CompressedPool) -> np.ndarray:
    """A panel of ``pool`` that meets the quotas (raises ``InfeasibleQuotasError`` if none does)."""
    initial = feasible_panel(pool)
    if initial is None:
        raise InfeasibleQuotasError(explain_infeasibility(pool))
    return initial


def _lottery_warnings(lottery: Lottery, distribution_size: int) -> tuple[str, ...]:
    """Say when rounding to M tickets changed the fair probabilities more than a little."""
    warnings = []
    if lottery.max_deviation > LOTTERY_DEVIATION_WARNING:
        warnings.append(
            f"the lottery of {lottery.size} tickets moves a volunteer's selection probability by up to "
            f"{lottery.max_deviation:.4f} from its LEXIMIN value (more than {LOTTERY_DEVIATION_WARNING}); "
            "a lottery with more tickets keeps it closer"
        )
    if lottery.size < distribution_size:
        warnings.append(
            f"the lottery has {lottery.size} tickets but the distribution has {distribution_size} panels, "
            "so some panels get no ticket; a lottery with more tickets keeps the probabilities closer"
        )
    return tuple(warnings)


def _leximin(
    pool: CompressedPool, lottery_size: int, progress: Callable[[SelectionProgress], None] | None,
    robust: RobustSettings | None = None,
) -> tuple[Lottery, dict[str, float], int, int, dict | None]:
    if pool.seats == 0 or pool.type_count == 0:
        _feasible(pool)
        panel = tuple(sorted(pool.fixed_ids))
        return Lottery(panels=(panel,) * lottery_size, max_deviation=0.0), {}, 1, 0, None
    distribution = leximin_distribution(pool, progress=progress)
    robustness = None
    if robust is not None:
        if progress is not None:
            progress(SelectionProgress(phase="robust", iteration=distribution.iterations, fixed_types=pool.type_count,
                                       total_types=pool.type_count,
                                       min_probability=float(distribution.type_probabilities.min()),
                                       message=f"scoring panels on {robust.scenarios} drop-out scenarios"))
        robust_result = robust_distribution(
            pool, distribution.panels, distribution.weights, robust.dropout, floor=robust.floor,
            scenarios=robust.scenarios, fresh_scenarios=robust.fresh_scenarios, seed=robust.seed,
            rounds=robust.rounds, time_limit=robust.time_limit)
        robustness = robust_result.to_json()
        distribution = replace(distribution, panels=robust_result.panels, weights=robust_result.weights,
                               type_probabilities=robust_result.type_probabilities)
    if progress is not None:
        progress(
            SelectionProgress(
                phase="lottery",
                iteration=distribution.iterations,
                fixed_types=pool.type_count,
                total_types=pool.type_count,
                min_probability=float(distribution.type_probabilities.min()),
                message=f"rounding {len(distribution.panels)} panels to {lottery_size} tickets",
            )
        )
    lottery, _ = build_lottery(pool, distribution.panels, distribution.weights, lottery_size)
    target = {
        member: float(min(max(distribution.type_probabilities[t], 0.0), 1.0))
        for t, members in enumerate(pool.type_members)
        for member in members
    }
    return lottery, target, len(distribution.panels), int(distribution.iterations), robustness


def _goldilocks(
    pool: CompressedPool, initial: np.ndarray, lottery_size: int, progress: Callable[[SelectionProgress], None] | None
) -> tuple[Lottery, dict[str, float], int, int, tuple[float, float] | None]:
    if pool.seats == 0 or pool.type_count == 0:
        panel = tuple(sorted(pool.fixed_ids))
        return Lottery(panels=(panel,) * lottery_size, max_deviation=0.0), {}, 1, 0, None
    distribution = goldilocks_distribution(pool, initial, progress=progress)
    lottery, _ = build_lottery(pool, distribution.panels, distribution.weights, lottery_size)
    target = {member: float(min(max(distribution.type_probabilities[t], 0.0), 1.0))
              for t, members in enumerate(pool.type_members) for member in members}
    return (lottery, target, len(distribution.panels), int(distribution.iterations),
            (float(distribution.lower), float(distribution.upper)))


def _legacy(
    pool: CompressedPool, draws: int, progress: Callable[[SelectionProgress], None] | None
) -> tuple[Lottery, dict[str, float], int]:
    eligible_panels = legacy_draws(pool, draws, progress=progress) if pool.seats else [()] * draws
    counts = Counter(member for panel in eligible_panels for member in panel)
    target = {member: counts[member] / draws for members in pool.type_members for member in members}
    panels = tuple(tuple(sorted((*pool.fixed_ids, *panel))) for panel in eligible_panels)
    return Lottery(panels=panels, max_deviation=0.0), target, len(set(panels))


def quota_outcomes(problem: SelectionProblem, panel: tuple[str, ...] | None) -> tuple[QuotaOutcome, ...]:
    features = {volunteer.id: volunteer.features for volunteer in problem.volunteers}
    counts = Counter()
    if panel is not None:
        counts = Counter((category, features[member][category]) for member in panel for category in problem.categories)
    return tuple(
        QuotaOutcome(
            category=quota.category,
            name=quota.name,
            quota_min=quota.quota_min,
            quota_max=quota.quota_max,
            selected=counts[(quota.category, quota.name)] if panel is not None else None,
        )
        for quota in problem.quotas
    )
