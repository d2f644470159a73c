"""The figures of a panel for its chances from letter to panel (``panels.selection.whole_process``):
the letters' batches, the census the quotas came from, the registrations and a selection run's
chances, read from the database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from panels.census import QUOTA_DIMENSIONS, Census, CensusFormatError, dimension_margin, parse_census
from panels.duplicates import LEFT_OUT_KINDS
from panels.run_alternates import settle_stale_alternates
from panels.selection.whole_process import Borough, LetterFigures, Registrant, WholeProcess, whole_process_chances
from panels.store import with_derived_answers
from panels.tables import LetterBatch, Panel, SelectionRun, Volunteer

ADULTS_ROW = "usual residents aged 18 and over"
HOUSEHOLDS_ROW = "all households"


@dataclass(frozen=True)
class LetterToPanel:
    """The estimate and what it was made from, for the officer's page."""

    chances: WholeProcess
    census_name: str
    letters: LetterFigures | None
    run_id: int | None
    """The selection run whose chances are used; None before any run has a result."""
    bases: dict[str, str]
    """Dimension → the base of its census shares in words (``Margin.base``)."""
    households_from_census: bool


def census_bases(census: Census) -> tuple[float | None, float | None]:
    """The adults (18+) and households of the census file's ``population`` rows (None when absent;
    the adults then come from the adult age bands)."""
    adults = households = None
    for row in census.rows:
        if row.dimension != "population":
            continue
        label = row.category.casefold()
        if label.startswith(ADULTS_ROW):
            adults = float(row.count)
        elif label.startswith(HOUSEHOLDS_ROW):
            households = float(row.count)
    if adults is None:
        try:
            adults = float(dimension_margin(census, "age_band").total)
        except CensusFormatError:
            adults = None
    return adults, households


async def letter_figures(panel_id: int) -> LetterFigures | None:
    """Every letter the panel sent, out of the addresses of the file they were drawn from (the
    largest file, when batches came from different ones); None when no letter was sent."""
    batches = await LetterBatch.select(LetterBatch.letters, LetterBatch.address_count).where(
        LetterBatch.panel == panel_id).run()
    letters = sum(int(batch["letters"]) for batch in batches)
    if not letters:
        return None
    return LetterFigures(letters=letters, addresses=max(int(batch["address_count"]) for batch in batches))


async def chances_run(panel_id: int, run_id: int | None = None) -> SelectionRun | None:
    """The selection run to use: ``run_id`` when given (with a result), else the latest drawn
    selection run, else the latest one with a result. Its alternates may still be being chosen
    (``panels.run_alternates``): then it has no final chances yet."""
    query = SelectionRun.objects().where(SelectionRun.panel == panel_id, SelectionRun.kind == "selection",
                                         SelectionRun.status.is_in(["done", "drawn"]))
    if run_id is not None:
        run = await query.where(SelectionRun.id == run_id).first().run()
    else:
        runs = await query.order_by(SelectionRun.id, ascending=False).run()
        run = next((run for run in runs if run.status == "drawn"), runs[0] if runs else None)
    return None if run is None else await settle_stale_alternates(run)


async def letter_to_panel(panel: Panel, run: SelectionRun | None) -> LetterToPanel | None:
    """The panel's chances from letter to panel with ``run``'s selection chances (every chance 0
    without a run); None when the panel has no census to compare with (no quotas yet)."""
    if not panel.census_csv:
        return None
    try:
        census = parse_census(panel.census_csv, name=panel.census_file or "census")
    except CensusFormatError:
        return None
    adults, households = census_bases(census)
    if not adults:
        return None
    letters = await letter_figures(panel.id)
    rows = await Volunteer.select(Volunteer.reference, Volunteer.answers, Volunteer.age, Volunteer.ward,
                                  Volunteer.letter, Volunteer.registered_at, Volunteer.duplicate_of,
                                  Volunteer.duplicate_kind, Volunteer.merged_into).where(
        Volunteer.panel == panel.id).order_by(Volunteer.id).run()
    selection: dict[str, float] = {}
    final: dict[str, float] | None = None
    started: datetime | None = None
    if run is not None:
        selection = json.loads(run.result_json)["probabilities"]
        plan = json.loads(run.alternates_json) if run.alternates_json else None
        final = plan["final_chances"]["final"] if plan else None
        started = run.started_at
    registrants = []
    for row in rows:
        if row["merged_into"] or (row["duplicate_of"] and row["duplicate_kind"] in LEFT_OUT_KINDS):
            continue  # a second registration of someone already counted
        if letters is not None and row["letter"] is None:
            continue
        if letters is None and run is not None and row["reference"] not in selection:
            continue
        if started is not None and row["registered_at"] is not None and row["registered_at"] > started:
            continue  # registered after the run: not in its pool
        answers = with_derived_answers(json.loads(row["answers"] or "{}"), ("age_band",), age=row["age"],
                                       ward=row["ward"] or "")
        registrants.append(Registrant(id=row["reference"], answers=answers,
                                      selection=float(selection.get(row["reference"], 0.0)),
                                      final=None if final is None else float(final.get(row["reference"], 0.0))))
    answered = {dimension for person in registrants for dimension in person.answers}
    shares, bases = {}, {}
    for dimension in QUOTA_DIMENSIONS:
        if dimension not in answered or dimension not in census.dimensions:
            continue
        try:
            margin = dimension_margin(census, dimension, tenure_prefix=panel.tenure_prefix or "households")
        except CensusFormatError:
            continue
        shares[dimension], bases[dimension] = margin.shares(), margin.base()
    seats = int(json.loads(run.result_json)["k"]) if run is not None else int(panel.panel_size)
    chances = whole_process_chances(borough=Borough(adults=adults, households=households, shares=shares),
                                    registrants=registrants, seats=seats, letters=letters)
    return LetterToPanel(chances=chances, census_name=census.name, letters=letters,
                         run_id=None if run is None else run.id, bases=bases,
                         households_from_census=households is not None)
