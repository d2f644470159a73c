"""Alternates of a drawn selection run, and the chances over the whole process shown beside them.

At the draw the officer sets how many alternates to choose, or leaves it to the target: as many
as keep every quota in 99% of simulated drop-out rounds (``alternates_for_target``). Either way
the choice is checked on fresh rounds beside the ceiling of the pool (every possible alternate). The run's own stored inputs are the problem (the same pool, quotas and
household keys the lottery was computed from), the drop-out rates are learnt from the council's
other panels (``panels.dropout_history``), and the program's sampling seed comes from the public
seed, so the choice can be repeated. The whole-process simulation (``final_chances``) runs with
the same seed. Everything lands in the run's ``alternates_json``, written once with the draw.

Replacement rounds read the ordered alternates of the panel's latest drawn selection run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from panels.dropout_history import past_invitations
from panels.selection.alternates import TIME_LIMIT_S, checked_alternates, sampling_seed, target_limit
from panels.selection.dropout import DropoutRates, learn_dropout_rates
from panels.selection.final_chances import simulate_final_chances
from panels.selection.model import Lottery, Quota, SelectionProblem, Volunteer
from panels.tables import SelectionRun

#: Tickets and drop-out rounds per ticket of the simulation shown on the run page: enough to name
#: the groups that lose most, cheap enough to run during the draw.
SIMULATED_TICKETS = 5
ROUNDS_PER_TICKET = 40
#: Seconds HiGHS may spend on each simulated ticket's alternates (the drawn panel's own get the full limit).
SIMULATED_TIME_LIMIT_S = 2.0
#: Drop-out rounds on which the drawn panel's alternates, and the ceiling, are checked at the draw.
CHECK_ROUNDS = 300
#: Seconds HiGHS may spend on the alternates program (each size tried, when the officer leaves the number to the target).
TARGET_TIME_LIMIT_S = 2.0


def default_alternates(seats: int) -> int:
    """A tenth of the seats to fill, rounded up, and at least 2."""
    return max(2, math.ceil(seats / 10))


def problem_from_inputs(inputs: Mapping[str, Any]) -> SelectionProblem:
    """The engine's problem exactly as a run recorded it (``panels.runs.inputs_record``)."""
    return SelectionProblem(
        volunteers=tuple(Volunteer(id=str(v["id"]), features=dict(v["features"]), household=v.get("household"),
                                   weight=float(v.get("weight", 1.0)))
                         for v in inputs["volunteers"]),
        quotas=tuple(Quota(str(q["category"]), str(q["name"]), int(q["min"]), int(q["max"])) for q in inputs["quotas"]),
        k=int(inputs["k"]), enforce_households=bool(inputs.get("enforce_households")),
        fixed_ids=frozenset(inputs.get("fixed_ids", [])))


async def learnt_rates(panel_id: int, quotas: Sequence[Quota]) -> DropoutRates:
    """Drop-out rates for ``panel_id``'s quota groups, learnt from the council's other panels."""
    history = await past_invitations(panel_id=panel_id, dimensions=tuple(dict.fromkeys(q.category for q in quotas)))
    return learn_dropout_rates(history, quotas)


def plan_alternates(inputs: Mapping[str, Any], result: Mapping[str, Any], panel: Sequence[str], count: int | None,
                    rates: DropoutRates, public_seed: str) -> dict[str, Any]:
    """The ``alternates_json`` of a drawn run: ordered alternates for ``panel`` (``count`` of them,
    or with ``None`` as many as ``alternates_for_target`` finds, at most ``target_limit``), their
    report, how often the quotas hold with them and with every possible alternate (``check``), the
    rates and the simulated final chances (CPU-bound: call it from a worker thread)."""
    problem = problem_from_inputs(inputs)
    probability = {v.id: rates.probability(v.features) for v in problem.volunteers}
    seed = sampling_seed(public_seed)
    targeted = checked_alternates(problem, list(panel), probability, count, limit=target_limit(problem.k), seed=seed,
                                  excluded=problem.fixed_ids,
                                  time_limit=TARGET_TIME_LIMIT_S if count is None else TIME_LIMIT_S, rounds=CHECK_ROUNDS)
    count = len(targeted.alternates.ids)
    alternates = targeted.alternates
    lottery = Lottery(panels=tuple(tuple(ticket) for ticket in result["lottery"]),
                      max_deviation=float(result["max_lottery_deviation"]))
    chances = simulate_final_chances(problem, lottery, result["probabilities"], rates, alternates=count, seed=seed,
                                     tickets=SIMULATED_TICKETS, rounds_per_ticket=ROUNDS_PER_TICKET,
                                     time_limit=SIMULATED_TIME_LIMIT_S)
    return {"count": count, "alternates": alternates.to_json(), "check": targeted.to_json(problem),
            "dropout_rates": rates.to_json(), "final_chances": chances.to_json()}


async def replacement_alternates(panel_id: int) -> tuple[str, ...]:
    """The ordered alternates of the panel's latest drawn selection run (none when it chose none)."""
    row = await SelectionRun.select(SelectionRun.alternates_json).where(
        SelectionRun.panel == panel_id, SelectionRun.kind == "selection", SelectionRun.status == "drawn").order_by(
        SelectionRun.id, ascending=False).first().run()
    if row is None or not row["alternates_json"]:
        return ()
    return tuple(json.loads(row["alternates_json"])["alternates"]["ids"])


async def freed_seats(run_id: int, withdrawn: Sequence[str]) -> tuple[Volunteer, ...]:
    """Those of ``withdrawn`` who were drawn onto the panel of run ``run_id`` by an earlier draw
    (selection or replacement), with their answers as that run recorded them: the members whose
    seats a replacement round fills."""
    run = await SelectionRun.select(SelectionRun.panel).where(SelectionRun.id == run_id).first().run()
    if run is None:
        return ()
    rows = await SelectionRun.select(SelectionRun.drawn_json, SelectionRun.inputs_json).where(
        SelectionRun.panel == run["panel"], SelectionRun.status == "drawn").run()
    wanted = set(withdrawn)
    freed: dict[str, Volunteer] = {}
    for row in rows:
        drawn = set(json.loads(row["drawn_json"] or "[]")) & wanted
        for volunteer in problem_from_inputs(json.loads(row["inputs_json"])).volunteers if drawn else ():
            if volunteer.id in drawn:
                freed[volunteer.id] = volunteer
    return tuple(freed.values())
