"""The audit log: record who did what to which record, when and why, and read it back.

Entries are only ever inserted. Domain functions return what happened; the server records it
here with the actor, because only the server knows who is asking.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone

from piccolo.engine.sqlite import SQLiteEngine

from server.tables import AuditEntry


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: str
    reason: str
    ip_address: str


async def record_audit(
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: str = "",
    reason: str = "",
    ip_address: str = "",
) -> None:
    await AuditEntry.insert(
        AuditEntry(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
            reason=reason,
            ip_address=ip_address,
        )
    ).run()


async def count_recent(*, action: str, since: datetime, object_id: str | None = None, ip_address: str | None = None) -> int:
    """How many entries of one action happened since a moment, for one object or one address."""
    query = AuditEntry.count().where(AuditEntry.action == action, AuditEntry.at >= since)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    if ip_address is not None:
        query = query.where(AuditEntry.ip_address == ip_address)
    return int(await query.run())


def _contains(column, text: str):
    """Case-insensitive substring match: ILIKE on PostgreSQL; SQLite's LIKE already ignores
    ASCII case (and has no ILIKE)."""
    pattern = f"%{text}%"  # % and _ in the search act as wildcards, which is harmless here
    if isinstance(AuditEntry._meta.db, SQLiteEngine):
        return column.like(pattern)
    return column.ilike(pattern)


async def search_audit(
    *,
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 200,
) -> list[AuditRecord]:
    """Entries newest first; ``actor`` and ``action`` match as case-insensitive substrings;
    ``since`` is inclusive and ``until`` exclusive."""
    query = AuditEntry.select(
        AuditEntry.at,
        AuditEntry.actor,
        AuditEntry.action,
        AuditEntry.object_type,
        AuditEntry.object_id,
        AuditEntry.detail,
        AuditEntry.reason,
        AuditEntry.ip_address,
    ).order_by(AuditEntry.at, ascending=False).order_by(AuditEntry.id, ascending=False)
    if actor:
        query = query.where(_contains(AuditEntry.actor, actor))
    if action:
        query = query.where(_contains(AuditEntry.action, action))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if limit is not None:
        query = query.limit(limit)
    return [AuditRecord(**row) for row in await query.run()]


AUDIT_CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "detail", "reason", "ip_address")


def audit_csv(records: list[AuditRecord]) -> str:
    """The records as CSV, with formula injection neutralised in every cell."""
    from common.formulas import safe_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_CSV_COLUMNS)
    for record in records:
        row = [record.at.astimezone(timezone.utc).isoformat(timespec="seconds")]
        row += [safe_cell(getattr(record, column)) for column in AUDIT_CSV_COLUMNS[1:]]
        writer.writerow(row)
    return buffer.getvalue()
