"""The audit log: record who did what to which record, when and why, and read it back.

Entries are only ever inserted. Domain functions return what happened; the server records it
here with the actor, because only the server knows who is asking.

The log outlives every erasure, so it never holds a resident's email address: an address given as
the object (a subject access search, a refused sign-in) or written anywhere in the detail or
reason (unless it is a staff member's) is stored as a keyed hash (``email_audit_key``:
HMAC-SHA-256 with the app's secret): one address always gives the same hash, so the entries about
it can still be found, and nobody can read it back. Every string is cut to its column, so no
input can make the insert fail.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone

from common.batches import in_batches
from common.emails import normalise_email
from server.platform.database import contains
from server.tables import AuditEntry, StaffUser

MAX_TEXT = 2000
"""Longest ``detail`` or ``reason`` kept (the other columns are cut to their own lengths)."""
EMAIL_IN_TEXT = re.compile(r"[^\s@<>(),;:\"'\[\]]+@[^\s@<>(),;:\"'\[\]]+")
"""Anything shaped like an address (something@something), wherever it appears in a text."""
_secret: list[bytes] = []


def use_secret(secret_key: str) -> None:
    """The key of the email hashes (the app factory passes ``SECRET_KEY``; without it the
    environment's settings are read)."""
    _secret[:] = [hashlib.sha256(b"audit-email|" + secret_key.encode("utf-8")).digest()]


def _key() -> bytes:
    if not _secret:
        from server.settings import Settings

        use_secret(Settings.from_env().secret_key)
    return _secret[0]


def email_audit_key(email: str) -> str:
    """What the log holds instead of an email address: ``email:`` and the first 32 hex digits of
    its keyed hash (the same for every spelling that normalises alike)."""
    digest = hmac.new(_key(), normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"email:{digest[:32]}"


async def _without_emails(text: str) -> str:
    """The text with every address but a staff member's (staff are accountable by name) hashed."""
    found = {match.group(0) for match in EMAIL_IN_TEXT.finditer(text)}
    if not found:
        return text
    staff = {row["email"] for row in await StaffUser.select(StaffUser.email).where(
        StaffUser.email.is_in(sorted({normalise_email(address) for address in found}))).run()}
    return EMAIL_IN_TEXT.sub(lambda match: match.group(0) if normalise_email(match.group(0)) in staff
                             else email_audit_key(match.group(0)), text)


def _stored_object_id(object_id: str, *, is_email: bool = False) -> str:
    """The object id as the log holds it: an email address (or anything with an ``@``) hashed."""
    if (is_email or "@" in object_id) and object_id.strip():
        return email_audit_key(object_id[:1000])
    return object_id


def _bounded(value: object, length: int) -> str:
    return str(value)[:length]


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
    """Write one entry. ``actor`` is a staff member's email (kept: staff are accountable by name)
    or ``anonymous``, ``resident`` or ``system``; an email anywhere else is replaced by its keyed hash."""
    object_text = _stored_object_id(str(object_id), is_email=object_type == "email")
    await AuditEntry.insert(
        AuditEntry(
            actor=_bounded(actor, 254),
            action=_bounded(action, 60),
            object_type=_bounded(object_type, 60),
            object_id=_bounded(object_text, 120),
            detail=_bounded(await _without_emails(str(detail)[:MAX_TEXT * 4]), MAX_TEXT),
            reason=_bounded(await _without_emails(str(reason)[:MAX_TEXT * 4]), MAX_TEXT),
            ip_address=_bounded(ip_address, 64),
        )
    ).run()


async def count_recent(*, action: str, since: datetime, object_id: str | None = None, ip_address: str | None = None) -> int:
    """How many entries of one action happened since a moment, for one object or one address."""
    query = AuditEntry.count().where(AuditEntry.action == action, AuditEntry.at >= since)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == _bounded(_stored_object_id(object_id), 120))
    if ip_address is not None:
        query = query.where(AuditEntry.ip_address == ip_address)
    return int(await query.run())


def _matching(query, *, actor: str, action: str, since: datetime | None, until: datetime | None):
    if actor:
        query = query.where(contains(AuditEntry.actor, actor))
    if action:
        query = query.where(contains(AuditEntry.action, action))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query


_RECORD_COLUMNS = (AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
                   AuditEntry.detail, AuditEntry.reason, AuditEntry.ip_address)


async def search_audit(
    *,
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 200,
    offset: int = 0,
) -> list[AuditRecord]:
    """Entries newest first; ``actor`` and ``action`` match as case-insensitive substrings;
    ``since`` is inclusive and ``until`` exclusive; ``limit`` entries from ``offset`` (a page)."""
    query = _matching(AuditEntry.select(*_RECORD_COLUMNS), actor=actor, action=action, since=since, until=until).order_by(
        AuditEntry.at, ascending=False).order_by(AuditEntry.id, ascending=False)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [AuditRecord(**row) for row in await query.run()]


async def count_audit(*, actor: str = "", action: str = "", since: datetime | None = None,
                      until: datetime | None = None) -> int:
    """How many entries ``search_audit`` with the same filters pages through."""
    return int(await _matching(AuditEntry.count(), actor=actor, action=action, since=since, until=until).run())


async def audit_csv_chunks(*, actor: str = "", action: str = "", since: datetime | None = None,
                           until: datetime | None = None, batch: int | None = None) -> AsyncIterator[str]:
    """``audit_csv`` of every matching entry, newest first, a batch at a time (``in_batches``):
    the download starts at once and never holds the whole log in memory."""
    yield audit_csv([])
    async for rows in in_batches(
            lambda: _matching(AuditEntry.select(AuditEntry.id, *_RECORD_COLUMNS), actor=actor, action=action,
                              since=since, until=until),
            order=AuditEntry.at, id_column=AuditEntry.id, descending=True, size=batch):
        yield audit_csv([AuditRecord(**{key: value for key, value in row.items() if key != "id"}) for row in rows],
                        header=False)


AUDIT_CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "detail", "reason", "ip_address")


def audit_csv(records: list[AuditRecord], *, header: bool = True) -> str:
    """The records as CSV, with formula injection neutralised in every cell (``header``: with the
    row of column names first)."""
    from common.formulas import safe_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(AUDIT_CSV_COLUMNS)
    for record in records:
        row = [record.at.astimezone(timezone.utc).isoformat(timespec="seconds")]
        row += [safe_cell(getattr(record, column)) for column in AUDIT_CSV_COLUMNS[1:]]
        writer.writerow(row)
    return buffer.getvalue()
