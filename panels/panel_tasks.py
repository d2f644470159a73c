"""The steps of running a panel, each with its state, for the officer's task list (the GOV.UK
task list pattern: Not started, In progress, Completed, Cannot start yet).

Plain data in, plain data out: ``task_states`` takes what the platform knows of the panel and
says where each step stands; the template turns the keys into words and links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from panels.attendance import attendance_grid
from panels.lifecycle import PanelFacts
from panels.membership import WITHDRAWN_STATUSES
from panels.recruitment import session_instant
from panels.tables import Panel, SelectionRun, Volunteer, Voucher

TASKS = ("details", "sessions", "quotas", "recruitment", "selection", "invitations", "held", "payments")
STATES = ("not_started", "in_progress", "completed", "cannot_start")


@dataclass(frozen=True)
class TaskFacts:
    """Beyond the stage facts: the details filled in, the pool, runs, replies, attendance, vouchers."""

    stage: PanelFacts
    details_complete: bool
    """A description and a registration deadline are set."""
    pool: int
    """Volunteers who have not withdrawn."""
    run_pending: bool
    """A selection run is computing or ready to draw."""
    awaiting_reply: int
    confirmed: int
    sessions_with_attendance: int
    attended: int
    """Members who attended at least one session."""
    paid: int
    """Of those, members who have a voucher."""
    voucher_pence: int


def task_states(facts: TaskFacts, *, now: datetime) -> dict[str, str]:
    """Task (``TASKS``) → state (``STATES``)."""
    stage = facts.stage
    sessions = stage.sessions
    states: dict[str, str] = {}
    states["details"] = "completed" if facts.details_complete else "in_progress"
    states["sessions"] = "completed" if sessions else "not_started"
    states["quotas"] = "completed" if stage.has_quotas else "not_started"
    if not stage.has_quotas:
        states["recruitment"] = "cannot_start"
    elif stage.registration_over(now):
        states["recruitment"] = "completed"
    elif stage.is_open(now) or stage.letters or facts.pool:
        states["recruitment"] = "in_progress"
    else:
        states["recruitment"] = "not_started"
    if stage.drawn:
        states["selection"] = "completed"
    elif facts.run_pending:
        states["selection"] = "in_progress"
    elif stage.has_quotas and facts.pool:
        states["selection"] = "not_started"
    else:
        states["selection"] = "cannot_start"
    if not stage.drawn:
        states["invitations"] = "cannot_start"
    else:
        states["invitations"] = "in_progress" if facts.awaiting_reply else "completed"
    held = [s for s in sessions if now >= session_instant(s)]
    if not stage.drawn or not sessions:
        states["held"] = "cannot_start"
    elif not held:
        states["held"] = "not_started"
    elif len(held) == len(sessions) and now >= session_instant(sessions[-1], ends=True) \
            and facts.sessions_with_attendance >= len(sessions):
        states["held"] = "completed"
    else:
        states["held"] = "in_progress"
    if not facts.attended:
        states["payments"] = "completed" if states["held"] == "completed" and not facts.voucher_pence else "cannot_start"
    elif not facts.voucher_pence or facts.paid >= facts.attended:
        states["payments"] = "completed"
    elif facts.paid:
        states["payments"] = "in_progress"
    else:
        states["payments"] = "not_started"
    return states


async def load_task_facts(panel: Panel, stage: PanelFacts) -> TaskFacts:
    statuses = await Volunteer.select(Volunteer.status).where(Volunteer.panel == panel.id, Volunteer.status != "erased").run()
    counts: dict[str, int] = {}
    for row in statuses:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    pending = await SelectionRun.exists().where(SelectionRun.panel == panel.id, SelectionRun.kind == "selection",
                                                SelectionRun.status.is_in(["running", "done"])).run()
    grid = await attendance_grid(panel.id)
    attended = {volunteer for (volunteer, _), present in grid.items() if present}
    paid = {row["volunteer"] for row in await Voucher.select(Voucher.volunteer).where(
        Voucher.volunteer.panel == panel.id).run()}
    return TaskFacts(
        stage=stage, details_complete=bool(panel.description.strip()) and panel.registration_deadline is not None,
        pool=sum(count for status, count in counts.items() if status not in WITHDRAWN_STATUSES),
        run_pending=pending, awaiting_reply=counts.get("selected", 0), confirmed=counts.get("confirmed", 0),
        sessions_with_attendance=len({session for (_, session) in grid}), attended=len(attended),
        paid=len(attended & paid), voucher_pence=panel.voucher_pence)
