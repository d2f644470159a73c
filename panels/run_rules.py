"""What a selection run may do next, and what it publishes.

* **Starting a run.** A selection run computes a lottery over the whole panel. Once a panel has
  been drawn and members hold seats, computing it again would fix every seat (nothing left to
  draw): the officer is told to run a replacement round instead, which refills freed seats. A
  replacement needs a drawn panel and a free seat, and waits while the drawn panel's alternates
  are being chosen (it takes them first). ``run_refusal`` gives the reason, or "".
* **Announcing the draw.** Before the seed exists, the officer publishes the lottery's
  fingerprint with where the seed will come from ("the numbers of the National Lottery draw on
  3 February 2027"): nobody can then pick a seed to suit a lottery, nor a lottery to suit a seed.
  The announcement is written once (``announce_run``) and shown on "How we chose".
* **Counts of the drawn panel.** At the draw the count of seat holders in each quota group is
  written on the run (``drawn_panel_counts``), so the public page never has to show "–".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from common.i18n import format_day, gettext
from panels.membership import SEAT_STATUSES
from panels.run_alternates import choosing_alternates, problem_from_inputs
from panels.selection.engine import quota_outcomes
from panels.tables import Panel, SelectionRun, Volunteer

MAX_SEED_SOURCE = 300


class AnnouncementError(ValueError):
    pass


async def run_refusal(panel: Panel, *, kind: str) -> str:
    """Why a run of ``kind`` (selection or replacement) cannot start now, or ""."""
    drawn = await SelectionRun.select(SelectionRun.drawn_at).where(
        SelectionRun.panel == panel.id, SelectionRun.kind == "selection", SelectionRun.status == "drawn").order_by(
        SelectionRun.id, ascending=False).first().run()
    seats = await Volunteer.count().where(Volunteer.panel == panel.id, Volunteer.status.is_in(list(SEAT_STATUSES))).run()
    if kind == "selection":
        if drawn is not None and seats:
            return gettext("This panel was drawn on %(day)s and %(seats)d members hold a seat, so the selection is not "
                           "computed again. To fill the seats of people who declined or dropped out, choose replacements "
                           "from the members page.", day=format_day(drawn["drawn_at"].date()), seats=seats)
        return ""
    if drawn is None:
        return gettext("Draw the panel first: replacements refill seats of a drawn panel.")
    if seats >= panel.panel_size:
        return gettext("Every seat is held, so there is nothing to replace.")
    if await choosing_alternates(panel.id):
        return gettext("The alternates of the drawn panel are still being chosen, and replacements take them first. "
                       "Choose replacements once they are ready: the selection run’s page shows when.")
    return ""


async def announce_run(*, run_id: int, seed_source: str, announced_by: str, now: datetime | None = None) -> None:
    """Publish the fingerprint of a computed, undrawn run with the seed's future public source."""
    text = " ".join(seed_source.split())
    if not text:
        raise AnnouncementError(gettext("Say where the seed will come from, like ‘the numbers of the National Lottery "
                                        "draw on 3 February 2027’"))
    if len(text) > MAX_SEED_SOURCE:
        raise AnnouncementError(gettext("Where the seed will come from must be %(most)d characters or fewer",
                                        most=MAX_SEED_SOURCE))
    written = await SelectionRun.update({
        SelectionRun.seed_source: text, SelectionRun.announced_by: announced_by,
        SelectionRun.announced_at: now or datetime.now(timezone.utc),
    }).where(SelectionRun.id == run_id, SelectionRun.status == "done", SelectionRun.announced_at.is_null()).returning(
        SelectionRun.id).run()
    if not written:
        raise AnnouncementError(gettext("This run has been announced or drawn already, or has no lottery yet"))


def drawn_panel_counts(inputs: Mapping[str, Any], panel: Iterable[str]) -> list[dict[str, Any]]:
    """Seat holders per quota group for the drawn ``panel`` (every member, the fixed ones too)."""
    outcomes = quota_outcomes(problem_from_inputs(inputs), tuple(panel))
    return [{"category": outcome.category, "name": outcome.name, "selected": int(outcome.selected or 0)}
            for outcome in outcomes]


def with_drawn_counts(quotas: list[dict[str, Any]], panel_counts_json: str) -> list[dict[str, Any]]:
    """The run's recorded quotas with ``selected`` from the counts stored at the draw (runs drawn
    before the counts were stored keep what the record has)."""
    if not panel_counts_json:
        return quotas
    counts = {(row["category"], row["name"]): row["selected"] for row in json.loads(panel_counts_json)}
    return [{**quota, "selected": counts.get((quota["category"], quota["name"]), quota.get("selected"))}
            for quota in quotas]
