"""Selection and replacement runs: build the engine's problem from the database, run LEXIMIN in a
worker thread with progress written to the run's row, then draw with a public seed.

A run row is written in three steps and never edited after each: inputs (at start), result
(when the engine finishes), draw (when the officer enters the seed). A selection run's alternates
are chosen after the draw, in the background, and written when ready (``panels.run_alternates``).
``inputs_hash`` is the SHA-256 of the canonical inputs JSON, so anyone holding the inputs can
check they were used.

Volunteers appear to the engine only by their reference (``RP-…``) and their answers: the run
record holds no names or contact details. The one-per-household rule needs only to know which
volunteers share a household, so the engine and the record see a keyed hash of each household
(``household_hasher``: HMAC-SHA-256 under a key made from the app's secret and a random salt of
the run's own, never stored), not the street address and postcode: once a volunteer is erased,
nothing in a run links their reference and answers to where they live.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import anyio
import anyio.from_thread

from common.i18n import gettext
from common.transactions import write_transaction
from panels.quotas import QuotaRow, relaxation_key
from panels.selection import (
    OBJECTIVES, InfeasibleQuotasError, Infeasibility, Quota, SelectionInputError, SelectionProblem, SelectionProgress,
    Volunteer as PoolMember, check_feasibility, draw_from_lottery, lottery_digest, result_to_json, select_panel,
)
from panels.selection.lottery import canonical_hash
from panels.selection.recent_service import RecentServiceRule, apply_recent_service
from panels.selection.robust import RobustSettings, check_floor
from panels.selection.replacement import replace_alternates_first
from panels import run_alternates, service_records
from common.clock import council_today
from panels.run_rules import drawn_panel_counts, run_refusal
from panels.duplicates import withdrawn_or_duplicate
from panels.membership import SEAT_STATUSES, WITHDRAWN_STATUSES
from panels.store import load_quotas, with_derived_answers
from panels.tables import Panel, SelectionRun, Volunteer

PROGRESS_INTERVAL_S = 0.5
HEARTBEAT_INTERVAL_S = 10.0
STALE_AFTER = timedelta(minutes=2)
STALE_MESSAGE = ("The computation stopped because the server worker running it ended (for example a restart). "
                 "Nothing was drawn: start the run again.")
LOTTERY_SIZE = 1000
VERIFY_RECIPE = (
    "import hashlib\n"
    "ticket = int.from_bytes(hashlib.sha256(seed.encode('utf-8')).digest(), 'big') % lottery_size + 1"
)


ROBUST = "robust"
"""The objective of a drop-out-robust lottery: LEXIMIN re-weighted towards panels whose quotas
survive drop-outs, every volunteer keeping at least a floor of their LEXIMIN chance
(``panels.selection.robust``); the floor is the officer's choice."""
RUN_OBJECTIVES = (*OBJECTIVES, ROBUST)
DEFAULT_ROBUST_FLOOR = 0.8


def engine_objective(objective: str) -> str:
    """The engine's algorithm for a run's objective (a robust lottery starts from LEXIMIN)."""
    return "leximin" if objective == ROBUST else objective


def refill_objective(drawn_objective: str | None) -> str:
    """The objective a replacement round keeps: the drawn selection's, except that a robust
    lottery's refill is plain LEXIMIN over the remaining pool (the members who stay are fixed,
    and the drop-outs it guards against have happened)."""
    return drawn_objective if drawn_objective in OBJECTIVES else "leximin"


@dataclass(frozen=True)
class PoolProblem:
    """The engine's problem and the volunteers left out of it (answers missing for a quota);
    ``robust``: the settings of a drop-out-robust lottery, when the run computes one."""

    problem: SelectionProblem
    incomplete: int
    withdrawn: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    robust: RobustSettings | None = None


def engine_quotas(rows: list[QuotaRow]) -> tuple[Quota, ...]:
    return tuple(Quota(category=row.dimension, name=row.category, quota_min=int(row.quota_min),
                       quota_max=int(row.quota_max)) for row in rows)


async def build_pool_problem(panel: Panel) -> PoolProblem:
    """Everyone who registered and has not withdrawn (declined, dropped out, no reply), with the
    members holding a seat (invited or confirmed) fixed, so that a replacement round refills only
    the seats that were freed. Another registration of someone who withdrew, and a flagged second
    registration, are left out too (``panels.duplicates``)."""
    quota_rows = await load_quotas(panel.id)
    quotas = engine_quotas(quota_rows)
    dimensions = tuple(dict.fromkeys(row.dimension for row in quota_rows))
    rows = await Volunteer.select(Volunteer.reference, Volunteer.answers, Volunteer.household_key, Volunteer.status,
                                  Volunteer.age, Volunteer.ward).where(Volunteer.panel == panel.id).order_by(
        Volunteer.id).run()
    left_out = await withdrawn_or_duplicate(panel.id, withdrawn_statuses=WITHDRAWN_STATUSES)
    members, withdrawn, fixed, incomplete = [], [], [], 0
    for row in rows:
        answers = with_derived_answers(json.loads(row["answers"] or "{}"), dimensions, age=row["age"], ward=row["ward"])
        if row["status"] in WITHDRAWN_STATUSES or row["reference"] in left_out:
            withdrawn.append(row["reference"])
            continue
        if not all(dimension in answers for dimension in dimensions):
            incomplete += 1
            continue
        members.append(PoolMember(id=row["reference"], features={d: answers[d] for d in dimensions},
                                  household=row["household_key"] or None))
        if row["status"] in SEAT_STATUSES:
            fixed.append(row["reference"])
    problem = SelectionProblem(volunteers=tuple(members), quotas=quotas, k=int(panel.panel_size),
                               enforce_households=bool(panel.household_rule), fixed_ids=frozenset(fixed))
    return PoolProblem(problem=problem, incomplete=incomplete, withdrawn=tuple(withdrawn), confirmed=tuple(fixed))


def feasibility(problem: SelectionProblem) -> tuple[Infeasibility | None, str]:
    """The engine's answer, or a plain reason when the problem cannot even be posed (e.g. pool < k)."""
    if not problem.quotas:
        return None, "Set the quotas first."
    if len(problem.volunteers) < problem.k:
        return None, f"The pool has {len(problem.volunteers)} volunteers with complete answers, fewer than the {problem.k} seats."
    try:
        return check_feasibility(problem), ""
    except SelectionInputError as error:
        return None, error.message


@dataclass(frozen=True)
class FeasibilityAnswer:
    """Whether the pool can fill the panel within every quota, for the officer's pool page."""

    infeasibility: Infeasibility | None
    """The engine's conflicts and smallest relaxation, when the quotas cannot be met."""
    reason: str
    """Why the question cannot even be asked yet (no quotas, pool smaller than k), or ''."""
    eligible: int
    incomplete: int
    checked_at: datetime
    refusal: str = ""
    """Why a selection run cannot start (the panel has been drawn), or '' (``panels.run_rules``)."""
    proposal: str = ""
    """The fingerprint of the relaxation proposed (``panels.quotas.relaxation_key``), which the
    officer's one click sends back: it is applied only while it is still the one proposed."""


async def feasibility_answer(panel: Panel) -> FeasibilityAnswer:
    """Build the problem from the database, then ask the engine in a worker thread (a MILP on a
    large pool takes long enough to stall every other request if run on the event loop)."""
    pool = await build_pool_problem(panel)
    infeasibility, reason = await anyio.to_thread.run_sync(feasibility, pool.problem)
    return FeasibilityAnswer(infeasibility=infeasibility, reason=reason, eligible=len(pool.problem.volunteers),
                             incomplete=pool.incomplete, checked_at=datetime.now(timezone.utc),
                             refusal=await run_refusal(panel, kind="selection"),
                             proposal=relaxation_key(infeasibility.relaxations) if infeasibility else "")


def inputs_record(problem: SelectionProblem, *, kind: str, algorithm: str) -> dict:
    return {
        "kind": kind,
        "algorithm": algorithm,
        "k": problem.k,
        "enforce_households": problem.enforce_households,
        "fixed_ids": sorted(problem.fixed_ids),
        "quotas": [{"category": q.category, "name": q.name, "min": q.quota_min, "max": q.quota_max}
                   for q in problem.quotas],
        "volunteers": [{"id": v.id, "features": dict(sorted(v.features.items())), "household": v.household,
                        **({"weight": v.weight} if v.weight != 1.0 else {})}
                       for v in problem.volunteers],
        "lottery_size": LOTTERY_SIZE,
    }


def household_hasher(secret_key: str, salt: str) -> Callable[[str], str]:
    """Household key → 32 hex digits of its HMAC under a key for this run alone. Equal households
    stay equal within the run (all the rule needs); without the secret and the salt, which is not
    kept, nobody can test an address against it, nor match households across runs."""
    run_key = hmac.new(secret_key.encode("utf-8"), b"household|" + salt.encode("utf-8"), hashlib.sha256).digest()
    return lambda household: hmac.new(run_key, household.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def with_hashed_households(problem: SelectionProblem, hasher: Callable[[str], str]) -> SelectionProblem:
    return replace(problem, volunteers=tuple(
        replace(volunteer, household=hasher(volunteer.household) if volunteer.household else None)
        for volunteer in problem.volunteers))


async def start_run(*, panel: Panel, started_by: str, secret_key: str,
                    kind: str = "selection", objective: str = "leximin",
                    recent_rule: RecentServiceRule | None = None, recent_years: int = 0,
                    robust_floor: float = DEFAULT_ROBUST_FLOOR) -> tuple[SelectionRun, PoolProblem]:
    """Record a run's inputs (households as keyed hashes, see ``household_hasher``); the caller
    then runs ``execute_run`` in the background with the pool returned. ``objective`` is one of
    ``RUN_OBJECTIVES``: ``leximin``, ``goldilocks`` or ``robust`` (with ``robust_floor``, the
    share of their LEXIMIN chance everyone keeps, and the drop-out rates learnt from the council's
    other panels, both recorded with the inputs, as is the seed of the drop-out scenarios).

    ``recent_rule`` says what to do with volunteers who served on a panel of the last
    ``recent_years`` years (``panels.service_records``): leave them out or lower their chance. A
    replacement round applies the rule of the panel's drawn selection run, so that nobody that run
    left out comes back through a replacement."""
    pool = await build_pool_problem(panel)
    if kind == "replacement":
        recent_rule, recent_years = await _selection_recent_rule(panel.id)
    recent_rule = recent_rule or RecentServiceRule()
    recent = None
    since_year = service_records.first_recent_year(today=council_today(), years=recent_years)
    if recent_rule.rule != "include":
        served = await service_records.recent_members(panel_id=panel.id, secret_key=secret_key, years=recent_years,
                                                      today=council_today())
        problem, recent = apply_recent_service(pool.problem, served, recent_rule)
        pool = replace(pool, problem=problem)
    hasher = household_hasher(secret_key, secrets.token_hex(16))
    pool = replace(pool, problem=with_hashed_households(pool.problem, hasher))
    record = inputs_record(pool.problem, kind=kind, algorithm=objective)
    record["withdrawn_ids"] = list(pool.withdrawn)
    if recent is not None:
        record["recent_service"] = {"years": recent_years, "since_year": since_year, **recent.to_json()}
    if objective == ROBUST and kind == "selection":
        floor = check_floor(robust_floor)
        rates = await run_alternates.learnt_rates(panel.id, pool.problem.quotas)
        seed = int(canonical_hash(record)[:8], 16)  # the scenarios follow from the inputs
        record["robust"] = {"floor": floor, "seed": seed, "dropout_rates": rates.to_json()}
        pool = replace(pool, robust=RobustSettings(
            floor=floor, seed=seed, dropout=rates.by_volunteer(pool.problem.volunteers)))
    run = SelectionRun(panel=panel.id, kind=kind, algorithm=objective, status="running", started_by=started_by,
                       inputs_json=json.dumps(record, sort_keys=True), inputs_hash=canonical_hash(record),
                       progress_message="Waiting to start", recent_rule=recent_rule.rule,
                       recent_years=recent_years if recent is not None else 0,
                       recent_factor=recent_rule.factor if recent_rule.rule == "lower" else 1.0)
    await run.save().run()
    return run, pool


def recent_rule_summary(run: SelectionRun) -> str:
    """The run's rule for recent panel members, and how many it touched, for the audit log."""
    recent = json.loads(run.inputs_json or "{}").get("recent_service")
    if recent is None:
        return "include"
    if recent["rule"] == "exclude":
        return f"exclude (since {recent['since_year']}): {len(recent['excluded'])} left out"
    return f"lower x{recent['factor']:g} (since {recent['since_year']}): {len(recent['lowered'])} lowered"


async def _selection_recent_rule(panel_id: int) -> tuple[RecentServiceRule | None, int]:
    """The rule for recent panel members of the panel's latest drawn selection run."""
    drawn = await latest_drawn_run(panel_id)
    if drawn is None or drawn.recent_rule == "include":
        return None, 0
    return RecentServiceRule(drawn.recent_rule, float(drawn.recent_factor)), int(drawn.recent_years)


async def _write_progress(run_id: int, fraction: float, message: str) -> None:
    await SelectionRun.update({SelectionRun.progress_fraction: float(fraction),
                               SelectionRun.progress_message: message[:300]}).where(
        SelectionRun.id == run_id, SelectionRun.status == "running").run()


async def _beat(run_id: int) -> None:
    await SelectionRun.update({SelectionRun.heartbeat_at: datetime.now(timezone.utc)}).where(
        SelectionRun.id == run_id, SelectionRun.status == "running").run()


async def _heartbeat_forever(run_id: int) -> None:
    while True:
        await _beat(run_id)
        await asyncio.sleep(HEARTBEAT_INTERVAL_S)


def is_stale(run: SelectionRun, *, now: datetime) -> bool:
    """A running run whose worker has not been heard from for ``STALE_AFTER`` (it was killed)."""
    last = run.heartbeat_at or run.started_at
    return run.status == "running" and last is not None and now - last > STALE_AFTER


async def execute_run(run_id: int, pool: PoolProblem, *, kind: str, alternates: tuple[str, ...] = (),
                      objective: str = "leximin") -> None:
    """Run the engine off the event loop; progress and then the result (or the reason it failed)
    go to the run's row, and a heartbeat shows the worker is still at it. Never raises: a
    background task has nobody to tell. A replacement round takes ``alternates`` (the drawn
    panel's, in order) first (``replace_alternates_first``)."""
    heartbeat = asyncio.create_task(_heartbeat_forever(run_id))
    try:
        await _execute(run_id, pool, kind=kind, alternates=alternates, objective=objective)
    finally:
        heartbeat.cancel()


async def _execute(run_id: int, pool: PoolProblem, *, kind: str, alternates: tuple[str, ...] = (),
                   objective: str = "leximin") -> None:
    last = 0.0

    def report(progress: SelectionProgress) -> None:
        nonlocal last
        now = time_module.monotonic()
        if now - last < PROGRESS_INTERVAL_S and progress.phase != "lottery":
            return
        last = now
        fraction = progress.fixed_types / progress.total_types if progress.total_types else 0.0
        minimum = "" if progress.min_probability is None else f"; smallest probability so far {progress.min_probability:.3f}"
        message = f"{progress.phase}: iteration {progress.iteration}, {progress.fixed_types} of {progress.total_types} groups settled{minimum}"
        if progress.phase == "robust":  # LEXIMIN is done; the robust lottery says what it is doing
            message = f"LEXIMIN done; {progress.message}"
        anyio.from_thread.run(_write_progress, run_id, fraction, message)

    how: dict = {}
    freed = await run_alternates.freed_seats(run_id, pool.withdrawn) if kind == "replacement" and alternates else ()

    def compute():
        if kind == "replacement":
            replacement = replace_alternates_first(pool.problem, confirmed_ids=pool.confirmed, alternates=alternates,
                                                   freed=freed, lottery_size=LOTTERY_SIZE, progress=report,
                                                   objective=objective)
            how.update(replacement_method=replacement.method, from_alternates=list(replacement.from_alternates),
                       fallback_reason=replacement.reason, alternates_available=replacement.available)
            return replacement.result
        return select_panel(pool.problem, algorithm=engine_objective(objective), lottery_size=LOTTERY_SIZE,
                            progress=report, robust=pool.robust)

    try:
        result = await anyio.to_thread.run_sync(compute)
    except InfeasibleQuotasError as error:
        await _finish(run_id, status="failed", error=error.infeasibility.describe())
        return
    except (SelectionInputError, ValueError) as error:
        await _finish(run_id, status="failed", error=str(error))
        return
    except Exception as error:  # noqa: BLE001 - recorded on the run for the officer to see
        await _finish(run_id, status="failed", error=f"The selection stopped unexpectedly: {type(error).__name__}")
        raise
    record = result_to_json(result)
    record.update(how)
    await _finish(run_id, status="done", result_json=json.dumps(record, sort_keys=True),
                  lottery_digest=lottery_digest([tuple(panel) for panel in record["lottery"]]))


async def _finish(run_id: int, *, status: str, error: str = "", result_json: str = "", lottery_digest: str = "") -> None:
    await SelectionRun.update({
        SelectionRun.status: status, SelectionRun.error: error, SelectionRun.result_json: result_json,
        SelectionRun.lottery_digest: lottery_digest, SelectionRun.progress_fraction: 1.0,
        SelectionRun.progress_message: "Finished" if status == "done" else "Stopped",
        SelectionRun.finished_at: datetime.now(timezone.utc),
    }).where(SelectionRun.id == run_id, SelectionRun.status == "running").run()


async def get_run(panel_id: int, run_id: int, *, now: datetime | None = None) -> SelectionRun | None:
    """The run; one left "running", or "choosing" its alternates, by a worker that died is marked
    as stopped (failed) first."""
    run = await SelectionRun.objects().where(SelectionRun.panel == panel_id, SelectionRun.id == run_id).first().run()
    now = now or datetime.now(timezone.utc)
    if run is not None and is_stale(run, now=now):
        await _finish(run_id, status="failed", error=STALE_MESSAGE)
        run = await SelectionRun.objects().where(SelectionRun.id == run_id).first().run()
    if run is not None:
        run = await run_alternates.settle_stale_alternates(run, now=now)
    return run


async def list_runs(panel_id: int) -> list[dict]:
    return await SelectionRun.select(
        SelectionRun.id, SelectionRun.kind, SelectionRun.status, SelectionRun.started_by, SelectionRun.started_at,
        SelectionRun.seed, SelectionRun.drawn_at).where(SelectionRun.panel == panel_id).order_by(SelectionRun.id).run()


async def latest_drawn_run(panel_id: int, *, kind: str = "selection") -> SelectionRun | None:
    return await SelectionRun.objects().where(SelectionRun.panel == panel_id, SelectionRun.status == "drawn",
                                              SelectionRun.kind == kind).order_by(
        SelectionRun.id, ascending=False).first().run()


class DrawError(ValueError):
    pass


@dataclass(frozen=True)
class DrawOutcome:
    """What a draw did: the new members, and whether their alternates are now to be chosen in the
    background (the caller runs ``run_alternates.choose_alternates(run_id=…, count=alternates)``)."""

    members: list[str]
    choosing_alternates: bool


async def draw_run(*, panel: Panel, run: SelectionRun, seed: str, drawn_by: str, alternates: int | None = 0) -> DrawOutcome:
    """Draw from the stored lottery with the public seed, mark the new members as invited with
    their invitation pending (the officer reviews and sends it: ``panels.invitations``) and return
    them. A selection run asked for ``alternates`` alternates (``None``: as many as the 99% target
    needs) is marked as choosing them, which happens after the draw in the background
    (``panels.run_alternates``): the draw itself is cheap. A run is drawn once only."""
    seed = seed.strip()
    if not seed:
        raise DrawError(gettext("Enter the public seed"))
    if len(seed) > 300:
        raise DrawError(gettext("The seed must be 300 characters or fewer"))
    already_drawn = gettext("This run has already been drawn, or has no result to draw from")
    current = await SelectionRun.objects().where(SelectionRun.id == run.id).first().run()
    if current.status != "done" or current.seed is not None:
        raise DrawError(already_drawn)
    inputs = json.loads(current.inputs_json)
    draw = draw_from_lottery(seed, run_alternates.lottery_of(json.loads(current.result_json)))
    choosing = current.kind == "selection" and (alternates is None or alternates > 0)
    fixed = set(inputs.get("fixed_ids", []))
    new_members = [reference for reference in draw.panel if reference not in fixed]
    now = datetime.now(timezone.utc)
    async with write_transaction(SelectionRun._meta.db):
        current = await SelectionRun.objects().where(SelectionRun.id == run.id).first().run()
        if current.status != "done" or current.seed is not None:
            raise DrawError(already_drawn)
        await SelectionRun.update({
            SelectionRun.seed: seed, SelectionRun.ticket: int(draw.ticket), SelectionRun.status: "drawn",
            SelectionRun.drawn_json: json.dumps(new_members), SelectionRun.drawn_by: drawn_by,
            SelectionRun.drawn_at: now, SelectionRun.alternates_json: "",
            SelectionRun.alternates_status: "choosing" if choosing else "", SelectionRun.alternates_error: "",
            SelectionRun.alternates_asked: alternates if choosing else 0,
            SelectionRun.alternates_heartbeat_at: now if choosing else None,
            SelectionRun.panel_counts_json: json.dumps(drawn_panel_counts(inputs, draw.panel)),
        }).where(SelectionRun.id == run.id).run()
        await Volunteer.update({Volunteer.status: "selected", Volunteer.invitation_pending: True}).where(
            Volunteer.panel == panel.id, Volunteer.reference.is_in(new_members or [""])).run()
    return DrawOutcome(members=new_members, choosing_alternates=choosing)
