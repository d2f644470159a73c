"""Alternates of a drawn selection run, and the chances over the whole process shown beside them.

At the draw the officer sets how many alternates to choose, or leaves it to the target: as many
as keep every quota in 99% of simulated drop-out rounds (``alternates_for_target``). Either way
the choice is checked on fresh rounds beside the ceiling of the pool (every possible alternate). The run's own stored inputs are the problem (the same pool, quotas and
household keys the lottery was computed from), the drop-out rates are learnt from the council's
other panels (``panels.dropout_history``), and the program's sampling seed comes from the public
seed, so the choice can be repeated. The whole-process simulation (``final_chances``) runs with
the same seed. Everything lands in the run's ``alternates_json``.

Choosing takes from seconds to minutes (sizing for the target runs several programs and 300-round
checks), so it happens after the draw, in a background task (``choose_alternates``), never in the
officer's request. The run's ``alternates_status`` tells where it stands: "" (none asked for),
choosing, ready or failed (``alternates_error``). The task beats a heartbeat as the selection run
does (``panels.runs``): a "choosing" run whose heartbeat stopped for ``STALE_AFTER`` (the server
restarted mid-choice) is marked failed when next read, so the officer can ask again
(``request_alternates``). Nothing is marked at startup: with several server processes, one
starting says nothing about the others' tasks.

Replacement rounds read the ordered alternates of the panel's latest drawn selection run, and
wait while they are being chosen (``choosing_alternates``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio

from common.i18n import gettext
from panels.dropout_history import past_invitations
from panels.selection.alternates import TIME_LIMIT_S, checked_alternates, sampling_seed, target_limit
from panels.selection.dropout import DropoutRates, learn_dropout_rates
from panels.selection.final_chances import simulate_final_chances
from panels.selection.lottery import draw_from_lottery
from panels.selection.model import Lottery, Quota, SelectionProblem, Volunteer
from panels.tables import SelectionRun

logger = logging.getLogger(__name__)

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
#: How often the task choosing alternates says it is alive, and how long its silence means it ended.
HEARTBEAT_INTERVAL_S = 10.0
STALE_AFTER = timedelta(minutes=2)
#: ``alternates_error`` codes besides ``error:<exception name>`` (worded on the run page). A solver
#: that found no choice records SOLVER_ERROR; TIME_LIMIT_ERROR is kept for runs recorded before the
#: cover, when a program that ran out of time ended the choice without a list.
SOLVER_ERROR = "solver"
TIME_LIMIT_ERROR = "time_limit"
STOPPED_ERROR = "stopped"


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


def lottery_of(result: Mapping[str, Any]) -> Lottery:
    """The lottery a run's stored result holds (``panels.runs``: ``result_json``)."""
    return Lottery(panels=tuple(tuple(ticket) for ticket in result["lottery"]),
                   max_deviation=float(result["max_lottery_deviation"]))


def plan_alternates(inputs: Mapping[str, Any], result: Mapping[str, Any], panel: Sequence[str], count: int | None,
                    rates: DropoutRates, public_seed: str) -> dict[str, Any]:
    """The ``alternates_json`` of a drawn run: ordered alternates for ``panel`` (``count`` of them,
    or with ``None`` as many as ``alternates_for_target`` finds, at most ``target_limit``), their
    report, how often the quotas hold with them and with every possible alternate (``check``), the
    rates and the simulated final chances (CPU-bound: call it from a worker thread)."""
    problem = problem_from_inputs(inputs)
    probability = rates.by_volunteer(problem.volunteers)
    lottery = lottery_of(result)
    seed = sampling_seed(public_seed)
    targeted = checked_alternates(problem, list(panel), probability, count, limit=target_limit(problem.k), seed=seed,
                                  excluded=problem.fixed_ids,
                                  time_limit=TARGET_TIME_LIMIT_S if count is None else TIME_LIMIT_S, rounds=CHECK_ROUNDS)
    count = len(targeted.alternates.ids)
    alternates = targeted.alternates
    chances = simulate_final_chances(problem, lottery, result["probabilities"], rates, alternates=count, seed=seed,
                                     tickets=SIMULATED_TICKETS, rounds_per_ticket=ROUNDS_PER_TICKET,
                                     time_limit=SIMULATED_TIME_LIMIT_S)
    return {"count": count, "alternates": alternates.to_json(), "check": targeted.to_json(problem),
            "dropout_rates": rates.to_json(), "final_chances": chances.to_json()}


async def _latest_drawn_selection(panel_id: int) -> SelectionRun | None:
    return await SelectionRun.objects().where(
        SelectionRun.panel == panel_id, SelectionRun.kind == "selection", SelectionRun.status == "drawn").order_by(
        SelectionRun.id, ascending=False).first().run()


async def replacement_alternates(panel_id: int) -> tuple[str, ...]:
    """The ordered alternates of the panel's latest drawn selection run (none when it chose none,
    or choosing them failed; a replacement round does not start while they are being chosen:
    ``choosing_alternates``)."""
    row = await _latest_drawn_selection(panel_id)
    if row is None or not row.alternates_json:
        return ()
    return tuple(json.loads(row.alternates_json)["alternates"]["ids"])


async def choosing_alternates(panel_id: int, *, now: datetime | None = None) -> bool:
    """Whether the alternates of the panel's latest drawn selection run are still being chosen
    (one whose task ended without a word is marked failed first: ``settle_stale_alternates``)."""
    row = await _latest_drawn_selection(panel_id)
    if row is None:
        return False
    return (await settle_stale_alternates(row, now=now)).alternates_status == "choosing"


# --- choosing in the background ---------------------------------------------------------------


@dataclass(frozen=True)
class AlternatesOutcome:
    """How a background choice ended, for the audit log."""

    status: str
    """ready, failed, or skipped (the run was no longer waiting for this choice)."""
    count: int = 0
    every_quota: float | None = None
    """Share of the checked drop-out rounds in which every quota held with the chosen alternates."""
    error: str = ""

    def summary(self) -> str:
        if self.status == "ready":
            held = "" if self.every_quota is None else f"; every quota held in {100 * self.every_quota:.1f}% of checked rounds"
            return f"{self.count} alternates{held}"
        return self.error or self.status


class AlternatesRequestError(ValueError):
    """Alternates cannot be asked for on this run now (the message says why)."""


def alternates_state(run: SelectionRun) -> str:
    """none, choosing, ready or failed. Runs drawn before the choice moved to the background have
    no status but may hold their alternates."""
    if run.alternates_status:
        return run.alternates_status
    return "ready" if run.alternates_json else "none"


def is_stale(run: SelectionRun, *, now: datetime) -> bool:
    """A run choosing alternates whose task has not been heard from for ``STALE_AFTER``."""
    last = run.alternates_heartbeat_at or run.drawn_at
    return run.alternates_status == "choosing" and last is not None and now - last > STALE_AFTER


async def settle_stale_alternates(run: SelectionRun, *, now: datetime | None = None) -> SelectionRun:
    """The run, marked failed (``STOPPED_ERROR``) first when its choice of alternates went silent."""
    if not is_stale(run, now=now or datetime.now(timezone.utc)):
        return run
    await _finish_choosing(run.id, status="failed", error=STOPPED_ERROR)
    return await SelectionRun.objects().where(SelectionRun.id == run.id).first().run()


def replaced_since_message() -> str:
    """Why alternates can no longer be chosen once a replacement round has been drawn (translated when shown)."""
    return gettext("A replacement round has been drawn since this panel, so alternates can no longer be chosen for it")


async def replaced_since(run: SelectionRun) -> bool:
    """Whether a replacement round of the panel has been drawn after ``run``: the panel its
    alternates would be chosen for has changed."""
    return await SelectionRun.exists().where(SelectionRun.panel == run.panel, SelectionRun.kind == "replacement",
                                             SelectionRun.status == "drawn", SelectionRun.id > run.id).run()


async def request_alternates(*, run: SelectionRun, count: int | None) -> bool:
    """Ask again for ``count`` alternates (``None``: as many as the target needs) for a drawn
    selection run that has none, or whose choice failed. Returns whether a background choice must
    now run (``choose_alternates``): 0 clears a failure and chooses none. Refused once a
    replacement round has been drawn (the panel the alternates would be checked against has changed)."""
    if run.kind != "selection" or run.status != "drawn":
        raise AlternatesRequestError(gettext("Alternates are chosen for a drawn selection run only"))
    state = alternates_state(await settle_stale_alternates(run))
    if state == "choosing":
        raise AlternatesRequestError(gettext("The alternates are being chosen already"))
    if state == "ready":
        raise AlternatesRequestError(gettext("The alternates of this run have been chosen already"))
    if await replaced_since(run):
        raise AlternatesRequestError(replaced_since_message())
    choosing = count is None or count > 0
    written = await SelectionRun.update({
        SelectionRun.alternates_status: "choosing" if choosing else "", SelectionRun.alternates_error: "",
        SelectionRun.alternates_asked: count, SelectionRun.alternates_heartbeat_at: datetime.now(timezone.utc),
    }).where(SelectionRun.id == run.id, SelectionRun.alternates_status != "choosing",
             SelectionRun.alternates_json == "").returning(SelectionRun.id).run()
    if not written:
        raise AlternatesRequestError(gettext("The alternates are being chosen already"))
    return choosing


async def choose_alternates(*, run_id: int, count: int | None) -> AlternatesOutcome:
    """The background task after a draw (or ``request_alternates``): choose ``count`` alternates
    (``None``: for the target) for the run's drawn panel in a worker thread, beating the heartbeat
    meanwhile, and write them (or why it failed) on the run. Never raises: a background task has
    nobody to tell; an unexpected error is logged and recorded on the run for the officer to see."""
    done = asyncio.Event()
    heartbeat = asyncio.create_task(_heartbeat_while_choosing(run_id, done))
    try:
        return await _choose(run_id, count)
    finally:  # stopped between beats, not cancelled mid-query (its connection would outlive the loop)
        done.set()
        await heartbeat


async def _choose(run_id: int, count: int | None) -> AlternatesOutcome:
    run = await SelectionRun.objects().where(SelectionRun.id == run_id).first().run()
    if run is None or run.alternates_status != "choosing" or run.seed is None:
        return AlternatesOutcome(status="skipped")
    try:
        inputs, result = json.loads(run.inputs_json), json.loads(run.result_json)
        panel = draw_from_lottery(run.seed, lottery_of(result)).panel
        rates = await learnt_rates(run.panel, problem_from_inputs(inputs).quotas)
        plan = await anyio.to_thread.run_sync(lambda: plan_alternates(inputs, result, panel, count, rates, run.seed))
    except RuntimeError:  # an optimisation program found no solution (a time limit no longer ends without a list)
        logger.exception("The solver found no alternates for selection run %s", run_id)
        await _finish_choosing(run_id, status="failed", error=SOLVER_ERROR)
        return AlternatesOutcome(status="failed", error=SOLVER_ERROR)
    except Exception as error:  # noqa: BLE001 - recorded on the run for the officer, logged for us
        logger.exception("Choosing the alternates of selection run %s failed", run_id)
        code = f"error:{type(error).__name__}"[:100]
        await _finish_choosing(run_id, status="failed", error=code)
        return AlternatesOutcome(status="failed", error=code)
    await _finish_choosing(run_id, status="ready", alternates_json=json.dumps(plan, sort_keys=True))
    return AlternatesOutcome(status="ready", count=int(plan["count"]),
                             every_quota=plan.get("check", {}).get("holds", {}).get("every_quota"))


async def _finish_choosing(run_id: int, *, status: str, error: str = "", alternates_json: str = "") -> None:
    await SelectionRun.update({
        SelectionRun.alternates_status: status, SelectionRun.alternates_error: error,
        SelectionRun.alternates_json: alternates_json,
    }).where(SelectionRun.id == run_id, SelectionRun.alternates_status == "choosing").run()


async def _heartbeat_while_choosing(run_id: int, done: asyncio.Event) -> None:
    while not done.is_set():
        try:
            await SelectionRun.update({SelectionRun.alternates_heartbeat_at: datetime.now(timezone.utc)}).where(
                SelectionRun.id == run_id, SelectionRun.alternates_status == "choosing").run()
        except Exception:  # noqa: BLE001 - a missed beat (a locked database) must not end the beating
            logger.warning("Could not record the heartbeat of selection run %s's alternates", run_id, exc_info=True)
        try:
            await asyncio.wait_for(done.wait(), timeout=HEARTBEAT_INTERVAL_S)
        except asyncio.TimeoutError:
            pass


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
