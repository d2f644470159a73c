"""Running the sessions: attendance per member per session, thank-you vouchers, the finance export.

Attendance is recorded only for sessions that have started (London time). A member receives one
voucher for each session they attended (the panel's voucher amount each), with a reference of its
own, issued and then collected; issuing again adds only the vouchers still due and says so."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone

from common.clock import COUNCIL_TIME_ZONE
from common.formulas import safe_cell
from common.i18n import gettext
from common.transactions import write_transaction
from panels.tables import Attendance, PanelSession, Volunteer, Voucher

MEMBER_STATUSES = ("confirmed",)
VOUCHER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class VoucherError(ValueError):
    """Vouchers cannot be issued; the message is for the officer."""


@dataclass(frozen=True)
class AttendanceReport:
    written: int
    not_started: tuple[int, ...] = ()
    """Ids of sessions marked as attended that have not started: nothing was recorded for them."""


@dataclass(frozen=True)
class VoucherReport:
    issued: int
    """Vouchers issued now."""
    already: int
    """Sessions attended that already had their voucher (issued earlier)."""
    members: int
    """Members the new vouchers went to."""


def session_start(session: PanelSession) -> datetime:
    return datetime.combine(session.held_on, session.starts_at, tzinfo=COUNCIL_TIME_ZONE)


def session_started(session: PanelSession, *, now: datetime) -> bool:
    """The session's start (London time) is at or before ``now``."""
    return session_start(session) <= now


async def attendance_grid(panel_id: int) -> dict[tuple[int, int], bool]:
    """(volunteer id, session id) → attended, for the panel's recorded marks."""
    rows = await Attendance.select(Attendance.volunteer, Attendance.session, Attendance.attended).where(
        Attendance.session.panel == panel_id).run()
    return {(row["volunteer"], row["session"]): bool(row["attended"]) for row in rows}


async def record_attendance(*, panel_id: int, marks: Mapping[tuple[int, int], bool], recorded_by: str,
                            now: datetime | None = None) -> AttendanceReport:
    """Set attendance for the members and the started sessions of this panel; marks for anyone
    else are ignored, and marks for a session that has not started are refused (named in the report)."""
    now = now or datetime.now(timezone.utc)
    members = {row["id"] for row in await Volunteer.select(Volunteer.id).where(
        Volunteer.panel == panel_id, Volunteer.status.is_in(list(MEMBER_STATUSES))).run()}
    sessions = {session.id: session for session in await PanelSession.objects().where(PanelSession.panel == panel_id).run()}
    written = 0
    refused: set[int] = set()
    async with write_transaction(Attendance._meta.db):
        for (volunteer_id, session_id), attended in marks.items():
            if volunteer_id not in members or session_id not in sessions:
                continue
            if not session_started(sessions[session_id], now=now):
                if attended:
                    refused.add(session_id)
                continue
            await Attendance.delete().where(Attendance.volunteer == volunteer_id, Attendance.session == session_id).run()
            await Attendance.insert(Attendance(volunteer=volunteer_id, session=session_id, attended=bool(attended),
                                               recorded_by=recorded_by)).run()
            written += 1
    return AttendanceReport(written=written, not_started=tuple(sorted(refused)))


def new_voucher_reference() -> str:
    return "TV-" + "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(6))


async def issue_vouchers(*, panel_id: int, amount_pence: int, issued_on: date, issued_by: str,
                         now: datetime | None = None) -> VoucherReport:
    """A voucher for each session a member attended that has none yet. A member holding a voucher
    from before vouchers were per session (no session) is left out: they have been thanked.
    Raises ``VoucherError`` when the panel has no voucher amount."""
    if amount_pence <= 0:
        raise VoucherError(gettext("This panel has no thank-you voucher amount: set one on the panel first"))
    now = now or datetime.now(timezone.utc)
    started = {session.id for session in await PanelSession.objects().where(PanelSession.panel == panel_id).run()
               if session_started(session, now=now)}
    async with write_transaction(Voucher._meta.db):
        attended = {(volunteer, session) for (volunteer, session), present in (await attendance_grid(panel_id)).items()
                    if present and session in started}
        rows = await Voucher.select(Voucher.volunteer, Voucher.session).where(Voucher.volunteer.panel == panel_id).run()
        covered = {(row["volunteer"], row["session"]) for row in rows}
        thanked_before = {row["volunteer"] for row in rows if row["session"] is None}
        due = sorted(pair for pair in attended - covered if pair[0] not in thanked_before)
        if due:
            await Voucher.insert(*[Voucher(volunteer=volunteer, session=session, amount_pence=int(amount_pence),
                                           issued_on=issued_on, issued_by=issued_by, reference=new_voucher_reference())
                                   for volunteer, session in due]).run()
    return VoucherReport(issued=len(due), already=len(attended) - len(due), members=len({volunteer for volunteer, _ in due}))


async def mark_collected(*, panel_id: int, voucher_id: int, collected_on: date, collected_by: str) -> str | None:
    """Record that the member collected the voucher; returns its reference, or None when the panel
    has no such voucher or it was already collected."""
    voucher = await Voucher.objects().where(Voucher.id == voucher_id, Voucher.volunteer.panel == panel_id).first().run()
    if voucher is None or voucher.collected_on is not None:
        return None
    await Voucher.update({Voucher.collected_on: collected_on, Voucher.collected_by: collected_by}).where(
        Voucher.id == voucher.id, Voucher.collected_on.is_null()).run()
    return voucher.reference or f"#{voucher.id}"


async def vouchers_by_volunteer(panel_id: int) -> dict[int, list[dict]]:
    rows = await Voucher.select(Voucher.id, Voucher.volunteer, Voucher.session, Voucher.reference, Voucher.amount_pence,
                                Voucher.issued_on, Voucher.collected_on).where(
        Voucher.volunteer.panel == panel_id).order_by(Voucher.id).run()
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["volunteer"], []).append(row)
    return grouped


FINANCE_COLUMNS = ["voucher_reference", "member_reference", "full_name", "email", "session", "session_date",
                   "amount_gbp", "issued_on", "issued_by", "collected_on"]


async def finance_csv(panel_id: int) -> tuple[str, int]:
    """Vouchers issued, one row each, for the finance team (formulas guarded); and how many rows."""
    rows = await Voucher.select(Voucher.reference, Voucher.volunteer.reference, Voucher.volunteer.full_name,
                                Voucher.volunteer.email, Voucher.session.title, Voucher.session.held_on,
                                Voucher.amount_pence, Voucher.issued_on, Voucher.issued_by, Voucher.collected_on).where(
        Voucher.volunteer.panel == panel_id).order_by(Voucher.id).run()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FINANCE_COLUMNS)
    for row in rows:
        held_on = row["session.held_on"]
        writer.writerow([safe_cell(row["reference"]), safe_cell(row["volunteer.reference"]),
                         safe_cell(row["volunteer.full_name"]), safe_cell(row["volunteer.email"]),
                         safe_cell(row["session.title"] or ""), held_on.isoformat() if held_on else "",
                         f"{row['amount_pence'] / 100:.2f}", row["issued_on"].isoformat(), safe_cell(row["issued_by"]),
                         row["collected_on"].isoformat() if row["collected_on"] else ""])
    return buffer.getvalue(), len(rows)
