"""Who served on which panel, kept after a panel's personal data is erased, so that a later panel
can leave out recent members or lower their chance (``panels.selection.recent_service``).

A record identifies nobody by itself: two keyed hashes (HMAC-SHA-256 under a key made from the
app's ``SECRET_KEY``, never stored) — one of the normalised name with the date of birth, one of
the normalised email address — with the panel, its year and the day they served. Someone who
registers for a later panel matches a record when either key matches; without the secret key
nobody can test a name or an address against the records. (Changing ``SECRET_KEY`` therefore
stops earlier records from matching.)

A record is written for everyone who took a seat (confirmed) or attended a session: when they
confirm (through their link, or an officer records their reply) and when attendance is recorded;
again at the start of every selection run, for every panel whose personal data is still held; and
by the retention purge just before it erases a panel's volunteers. Records are kept ``SERVICE_RECORD_YEARS`` and
then deleted by the purge.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from common.emails import normalise_email
from panels.duplicates import name_key
from panels.tables import Attendance, Panel, ServiceRecord, Volunteer

SERVICE_RECORD_YEARS = 10
"""How long a record of service is kept (whole years after the panel's year); also the longest
"recent" an officer may choose."""
SERVED_STATUSES = ("confirmed",)
"""Statuses that mean the volunteer took a seat; anyone marked as attending a session served too."""
ERASED = "erased"


@dataclass(frozen=True)
class ServiceKeys:
    """The two keys of one person (either may be empty)."""

    name_birth: str
    email: str


def service_hasher(secret_key: str) -> Callable[[str, str], str]:
    """(kind, value) → 64 hex digits of HMAC-SHA-256 under a key derived from ``secret_key`` for
    service records alone (other keyed hashes of the app use other derivations)."""
    key = hmac.new(secret_key.encode("utf-8"), b"panel-service-record", hashlib.sha256).digest()
    return lambda kind, value: hmac.new(key, f"{kind}|{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def person_keys(hasher: Callable[[str, str], str], *, full_name: str, date_of_birth: date | None,
                email: str) -> ServiceKeys:
    """The keys of a person: case, spaces and punctuation of the name are ignored (as for
    duplicates), the email address is normalised (``common.emails``)."""
    name = name_key(full_name or "")
    address = normalise_email(email or "")
    return ServiceKeys(
        name_birth=hasher("name_birth", f"{name}|{date_of_birth.isoformat()}") if name and date_of_birth else "",
        email=hasher("email", address) if address else "",
    )


async def record_service(*, secret_key: str, panel_ids: list[int] | None = None) -> int:
    """Write a record for each volunteer (of ``panel_ids``, else of every panel) who took a seat or
    attended a session and whose personal data is still held; returns how many were new."""
    query = Volunteer.select(Volunteer.id, Volunteer.panel, Volunteer.full_name, Volunteer.date_of_birth,
                             Volunteer.email, Volunteer.status, Volunteer.responded_at, Volunteer.registered_at).where(
        Volunteer.status != ERASED)
    if panel_ids is not None:
        query = query.where(Volunteer.panel.is_in(panel_ids or [-1]))
    volunteers = await query.run()
    attended: dict[int, date] = {}
    marks = Attendance.select(Attendance.volunteer, Attendance.session.held_on).where(Attendance.attended.eq(True))
    if panel_ids is not None:
        marks = marks.where(Attendance.session.panel.is_in(panel_ids or [-1]))
    for row in await marks.run():
        day = row["session.held_on"]
        attended[row["volunteer"]] = max(attended.get(row["volunteer"], day), day)
    served = [v for v in volunteers if v["status"] in SERVED_STATUSES or v["id"] in attended]
    if not served:
        return 0
    years = {row["id"]: row["year"] for row in await Panel.select(Panel.id, Panel.year).where(
        Panel.id.is_in(list({v["panel"] for v in served}))).run()}
    existing = {(row["panel"], row["name_birth_key"], row["email_key"]) for row in await ServiceRecord.select(
        ServiceRecord.panel, ServiceRecord.name_birth_key, ServiceRecord.email_key).where(
        ServiceRecord.panel.is_in(list(years))).run()}
    hasher = service_hasher(secret_key)
    new = []
    for volunteer in served:
        keys = person_keys(hasher, full_name=volunteer["full_name"], date_of_birth=volunteer["date_of_birth"],
                           email=volunteer["email"])
        signature = (volunteer["panel"], keys.name_birth, keys.email)
        if not (keys.name_birth or keys.email) or signature in existing:
            continue
        existing.add(signature)
        took_seat = volunteer["responded_at"] or volunteer["registered_at"]
        new.append(ServiceRecord(panel=volunteer["panel"], name_birth_key=keys.name_birth, email_key=keys.email,
                                 year=years[volunteer["panel"]],
                                 served_on=attended.get(volunteer["id"]) or took_seat.date()))
    if new:
        await ServiceRecord.insert(*new).run()
    return len(new)


def first_recent_year(*, today: date, years: int) -> int:
    """"Served in the last N years": on a panel of this year or of the N years before."""
    return today.year - years


async def recent_members(*, panel_id: int, secret_key: str, years: int, today: date) -> set[str]:
    """References of ``panel_id``'s volunteers who match a record of another panel of
    ``first_recent_year`` or later. Records are brought up to date first."""
    await record_service(secret_key=secret_key)
    records = await ServiceRecord.select(ServiceRecord.name_birth_key, ServiceRecord.email_key).where(
        ServiceRecord.panel != panel_id, ServiceRecord.year >= first_recent_year(today=today, years=years)).run()
    birth_keys = {row["name_birth_key"] for row in records if row["name_birth_key"]}
    email_keys = {row["email_key"] for row in records if row["email_key"]}
    if not records:
        return set()
    hasher = service_hasher(secret_key)
    matched = set()
    for volunteer in await Volunteer.select(Volunteer.reference, Volunteer.full_name, Volunteer.date_of_birth,
                                            Volunteer.email).where(Volunteer.panel == panel_id,
                                                                   Volunteer.status != ERASED).run():
        keys = person_keys(hasher, full_name=volunteer["full_name"], date_of_birth=volunteer["date_of_birth"],
                           email=volunteer["email"])
        if keys.name_birth in birth_keys or keys.email in email_keys:
            matched.add(volunteer["reference"])
    return matched


async def forget_old_service_records(*, today: date, dry_run: bool = False) -> int:
    """Delete (or count) records of panels older than ``SERVICE_RECORD_YEARS``."""
    old = ServiceRecord.year < today.year - SERVICE_RECORD_YEARS
    if dry_run:
        return int(await ServiceRecord.count().where(old).run())
    return len(await ServiceRecord.delete().where(old).returning(ServiceRecord.id).run())
