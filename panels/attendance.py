"""Running the sessions: attendance per member per session, thank-you vouchers, the finance export."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date

from common.formulas import safe_cell
from common.transactions import write_transaction
from panels.tables import Attendance, PanelSession, Volunteer, Voucher

MEMBER_STATUSES = ("confirmed",)


async def attendance_grid(panel_id: int) -> dict[tuple[int, int], bool]:
    """(volunteer id, session id) → attended, for the panel's recorded marks."""
    rows = await Attendance.select(Attendance.volunteer, Attendance.session, Attendance.attended).where(
        Attendance.session.panel == panel_id).run()
    return {(row["volunteer"], row["session"]): bool(row["attended"]) for row in rows}


async def record_attendance(*, panel_id: int, marks: Mapping[tuple[int, int], bool], recorded_by: str) -> int:
    """Set attendance for the members and sessions of this panel; marks for anyone else are ignored.
    Returns how many marks were written."""
    members = {row["id"] for row in await Volunteer.select(Volunteer.id).where(
        Volunteer.panel == panel_id, Volunteer.status.is_in(list(MEMBER_STATUSES))).run()}
    sessions = {row["id"] for row in await PanelSession.select(PanelSession.id).where(PanelSession.panel == panel_id).run()}
    written = 0
    async with write_transaction(Attendance._meta.db):
        for (volunteer_id, session_id), attended in marks.items():
            if volunteer_id not in members or session_id not in sessions:
                continue
            await Attendance.delete().where(Attendance.volunteer == volunteer_id, Attendance.session == session_id).run()
            await Attendance.insert(Attendance(volunteer=volunteer_id, session=session_id, attended=bool(attended),
                                               recorded_by=recorded_by)).run()
            written += 1
    return written


async def issue_vouchers(*, panel_id: int, amount_pence: int, issued_on: date, issued_by: str) -> int:
    """One voucher to each member who attended at least one session and has none yet."""
    attended = {volunteer for (volunteer, _), present in (await attendance_grid(panel_id)).items() if present}
    already = {row["volunteer"] for row in await Voucher.select(Voucher.volunteer).where(
        Voucher.volunteer.panel == panel_id).run()}
    due = sorted(attended - already)
    if due:
        await Voucher.insert(*[Voucher(volunteer=volunteer, amount_pence=int(amount_pence), issued_on=issued_on,
                                       issued_by=issued_by) for volunteer in due]).run()
    return len(due)


async def vouchers_by_volunteer(panel_id: int) -> dict[int, list[dict]]:
    rows = await Voucher.select(Voucher.volunteer, Voucher.amount_pence, Voucher.issued_on).where(
        Voucher.volunteer.panel == panel_id).order_by(Voucher.id).run()
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["volunteer"], []).append(row)
    return grouped


async def finance_csv(panel_id: int) -> tuple[str, int]:
    """Vouchers issued, one row each, for the finance team (formulas guarded); and how many rows."""
    rows = await Voucher.select(Voucher.volunteer.reference, Voucher.volunteer.full_name, Voucher.volunteer.email,
                                Voucher.amount_pence, Voucher.issued_on, Voucher.issued_by).where(
        Voucher.volunteer.panel == panel_id).order_by(Voucher.id).run()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["reference", "full_name", "email", "amount_gbp", "issued_on", "issued_by"])
    for row in rows:
        writer.writerow([safe_cell(row["volunteer.reference"]), safe_cell(row["volunteer.full_name"]),
                         safe_cell(row["volunteer.email"]), f"{row['amount_pence'] / 100:.2f}",
                         row["issued_on"].isoformat(), safe_cell(row["issued_by"])])
    return buffer.getvalue(), len(rows)
