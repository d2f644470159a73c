"""Tables (small groups) at a session: seated automatically so that each table's mix is close to
the panel's on the quota dimensions (``panels.seating``), moved by hand by an officer, and what a
facilitator records of each table's discussion — notes, and points an officer can turn into a
draft recommendation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from common.i18n import gettext
from common.text import whole_number
from common.transactions import write_transaction
from panels import recommendations
from panels.ballots import VOTER_STATUS
from panels.seating import mix_gap, seat_members
from panels.store import load_quotas
from panels.tables import PanelSession, SessionTable, TableRecord, TableSeat, Volunteer

MAX_TABLES = 20
MAX_RECORD = 5000
KINDS = ("point", "note")


class TablesError(ValueError):
    """The tables cannot be changed so; the message is for the officer or facilitator."""


@dataclass(frozen=True)
class Seat:
    volunteer_id: int
    full_name: str
    reference: str


@dataclass(frozen=True)
class Record:
    id: int
    kind: str
    text: str
    recorded_at: datetime
    recommendation_id: int | None


@dataclass(frozen=True)
class TableView:
    id: int
    number: int
    seats: list[Seat] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    @property
    def points(self) -> list[Record]:
        return [record for record in self.records if record.kind == "point"]

    @property
    def notes(self) -> list[Record]:
        return [record for record in self.records if record.kind == "note"]


def _marker(session_id: int, volunteer_id: int) -> str:
    return f"{int(session_id)}:{int(volunteer_id)}"


async def _members(panel_id: int) -> dict[int, dict]:
    rows = await Volunteer.select(Volunteer.id, Volunteer.full_name, Volunteer.reference, Volunteer.answers).where(
        Volunteer.panel == panel_id, Volunteer.status == VOTER_STATUS).order_by(Volunteer.full_name).run()
    return {int(row["id"]): {**row, "answers": json.loads(row["answers"] or "{}")} for row in rows}


async def quota_dimensions(panel_id: int) -> list[str]:
    return list(dict.fromkeys(row.dimension for row in await load_quotas(panel_id)))


async def get_session(panel_id: int | None, session_id: int) -> PanelSession | None:
    """The session; of this panel only, unless ``panel_id`` is None."""
    query = PanelSession.objects().where(PanelSession.id == session_id)
    if panel_id is not None:
        query = query.where(PanelSession.panel == panel_id)
    return await query.first().run()


async def list_tables(session_id: int) -> list[TableView]:
    """The session's tables in order, each with its members (names only) and its records."""
    tables = await SessionTable.select(SessionTable.id, SessionTable.number).where(
        SessionTable.session == session_id).order_by(SessionTable.number).run()
    ids = [row["id"] for row in tables]
    seats: dict[int, list[Seat]] = {table_id: [] for table_id in ids}
    records: dict[int, list[Record]] = {table_id: [] for table_id in ids}
    if ids:
        for row in await TableSeat.select(TableSeat.table, TableSeat.volunteer.id.as_alias("volunteer_id"),
                                          TableSeat.volunteer.full_name.as_alias("full_name"),
                                          TableSeat.volunteer.reference.as_alias("reference")).where(
                TableSeat.table.is_in(ids)).order_by(TableSeat.volunteer.full_name).run():
            seats[row["table"]].append(Seat(int(row["volunteer_id"]), row["full_name"], row["reference"]))
        for row in await TableRecord.select().where(TableRecord.table.is_in(ids)).order_by(TableRecord.id).run():
            records[row["table"]].append(Record(id=int(row["id"]), kind=row["kind"], text=row["text"],
                                                recorded_at=row["recorded_at"], recommendation_id=row["recommendation"]))
    return [TableView(id=int(row["id"]), number=row["number"], seats=seats[row["id"]], records=records[row["id"]])
            for row in tables]


async def _write_seating(session_id: int, groups: list[list[int]]) -> None:
    """Replace the session's tables (inside the caller's transaction)."""
    await SessionTable.delete().where(SessionTable.session == session_id).run()
    for number, group in enumerate(groups, start=1):
        table = SessionTable(session=session_id, number=number)
        await table.save().run()
        if group:
            await TableSeat.insert(*[TableSeat(table=table.id, volunteer=member, marker=_marker(session_id, member))
                                     for member in group]).run()


async def seat_session(*, panel_id: int, session_id: int, tables: int) -> float:
    """Seat the panel's confirmed members at ``tables`` tables, each table's mix as close to the
    panel's as HiGHS can find within its time limit; returns the remaining gap (0: perfect).
    Refused once a table has records: moving people then would misattribute what was said."""
    if not 1 <= tables <= MAX_TABLES:
        raise TablesError(gettext("Enter a number of tables from 1 to %(limit)s", limit=MAX_TABLES))
    existing = await list_tables(session_id)
    if any(table.records for table in existing):
        raise TablesError(gettext("Tables at this session already have notes or points: move members by hand instead"))
    members = await _members(panel_id)
    if not members:
        raise TablesError(gettext("The panel has no confirmed members to seat"))
    dimensions = await quota_dimensions(panel_id)
    answers = {str(member_id): {d: str(row["answers"].get(d, "")) for d in dimensions} for member_id, row in members.items()}
    seating = await asyncio.to_thread(seat_members, answers, tables=tables, dimensions=dimensions)
    async with write_transaction(SessionTable._meta.db):
        await _write_seating(session_id, [[int(member) for member in group] for group in seating.tables])
    return seating.gap


def check_moves(values: Mapping[str, str], *, members: set[int], tables: int) -> tuple[dict[int, int] | None, dict[str, str]]:
    """The officer's edit: a table number for every member (field ``m<volunteer id>``)."""
    moves, errors = {}, {}
    for member in sorted(members):
        table = whole_number(values.get(f"m{member}", ""))
        if table is None or not 1 <= table <= tables:
            errors[f"m{member}"] = gettext("Choose a table from 1 to %(count)s", count=tables)
        else:
            moves[member] = table
    return (None, errors) if errors else (moves, {})


async def move_members(*, session_id: int, moves: Mapping[int, int]) -> None:
    """Seat members at the tables the officer chose (numbers of existing tables); records stay
    with their tables."""
    async with write_transaction(SessionTable._meta.db):
        tables = {row["number"]: row["id"] for row in await SessionTable.select(SessionTable.id, SessionTable.number).where(
            SessionTable.session == session_id).run()}
        if any(number not in tables for number in moves.values()):
            raise TablesError(gettext("Choose a table that exists"))
        for member, number in moves.items():
            await TableSeat.delete().where(TableSeat.marker == _marker(session_id, member)).run()
            await TableSeat.insert(TableSeat(table=tables[number], volunteer=member,
                                             marker=_marker(session_id, member))).run()


async def session_mix(panel_id: int, tables: list[TableView]) -> dict:
    """Each table's count per category of every quota dimension beside the panel's share, and the
    total gap (``panels.seating.mix_gap``), for the officer to judge a seating."""
    members = await _members(panel_id)
    dimensions = await quota_dimensions(panel_id)
    seated = [[seat.volunteer_id for seat in table.seats if seat.volunteer_id in members] for table in tables]
    answers = {member_id: {d: str(row["answers"].get(d, "")) for d in dimensions} for member_id, row in members.items()}
    everyone = [member for group in seated for member in group]
    rows = []
    for dimension in dimensions:
        for category in sorted({answers[m][dimension] for m in everyone}):
            panel_count = sum(answers[m][dimension] == category for m in everyone)
            rows.append({"dimension": dimension, "category": category or gettext("Not given"),
                         "panel": panel_count, "tables": [sum(answers[m][dimension] == category for m in group)
                                                          for group in seated]})
    gap = mix_gap([[str(m) for m in group] for group in seated],
                  {str(m): answers[m] for m in everyone}, dimensions) if everyone else 0.0
    return {"rows": rows, "gap": gap, "unseated": [row for member_id, row in members.items() if member_id not in everyone]}


def check_record(values: Mapping[str, str]) -> tuple[tuple[str, str] | None, dict[str, str]]:
    kind, text = str(values.get("kind", "")), str(values.get("text", "")).strip()
    errors = {}
    if kind not in KINDS:
        errors["kind"] = gettext("Choose whether this is a point the table made or a note")
    if not text:
        errors["text"] = gettext("Enter what the table said")
    elif len(text) > MAX_RECORD:
        errors["text"] = gettext("It must be %(limit)s characters or fewer", limit=format(MAX_RECORD, ","))
    return (None, errors) if errors else ((kind, text), {})


async def add_record(*, table_id: int, kind: str, text: str, recorded_by: str) -> None:
    await TableRecord.insert(TableRecord(table=table_id, kind=kind, text=text, recorded_by=recorded_by)).run()


async def draft_from_point(*, panel_id: int, session: PanelSession, record_id: int, title: str,
                           edited_by: str) -> recommendations.RecommendationView:
    """A draft recommendation in the table's words, linked from the point it came from."""
    row = await TableRecord.select(TableRecord.id, TableRecord.text, TableRecord.kind, TableRecord.recommendation,
                                   TableRecord.table.number.as_alias("table_number"),
                                   TableRecord.table.session.as_alias("session")).where(
        TableRecord.id == record_id).first().run()
    if row is None or row["session"] != session.id or row["kind"] != "point":
        raise TablesError(gettext("Choose a point recorded at this session"))
    if row["recommendation"] is not None:
        raise TablesError(gettext("This point is already a draft recommendation"))
    note = gettext("From table %(number)s's points at %(session)s", number=row["table_number"], session=session.title)
    draft, errors = recommendations.check_recommendation_form({"title": title, "text": row["text"], "note": note[:300]})
    if errors:
        raise TablesError(next(iter(errors.values())))
    item = await recommendations.draft_recommendation(panel_id=panel_id, recommendation=draft, edited_by=edited_by)
    await TableRecord.update({TableRecord.recommendation: item.id}).where(TableRecord.id == record_id).run()
    return item


MAX_AGENDA = 5000


def check_agenda(values: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    agenda = str(values.get("agenda", "")).strip()
    if len(agenda) > MAX_AGENDA:
        return None, {"agenda": gettext("The agenda must be %(limit)s characters or fewer", limit=format(MAX_AGENDA, ","))}
    return agenda, {}


async def save_agenda(*, session_id: int, agenda: str) -> None:
    """The session's agenda, one item a line, as the officer wrote it."""
    await PanelSession.update({PanelSession.agenda: agenda}).where(PanelSession.id == session_id).run()
