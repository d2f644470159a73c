"""Merging two registrations of one person, side by side.

The officer opens a flagged registration (``panels.duplicates``) beside the one it resembles,
chooses which record stays (its reference, status and private link go on) and, field by field,
whose value it keeps. The record that goes is taken out of the pool for good: its personal fields
are erased as on a resident's request (``panels.personal_data.ERASED_FIELDS``) and it keeps only
its reference, its answers about the person (no longer linked to anyone) and ``merged_into``, the
reference of the record kept — so a published lottery that listed it can still be repeated.

A letter's code the removed record used stays with the person: the record kept takes it, or, when
it has a letter of its own, the place is given back to the code.

Only a record still in the pool can go: whoever holds a seat, or has declined or withdrawn, is the
record to keep (their status is part of the panel's history).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from common.i18n import gettext, lazy_gettext
from common.transactions import write_transaction
from panels.personal_data import ERASED, ERASED_FIELDS
from panels.selection.csv_input import normalise_household
from panels.tables import Letter, Volunteer

MERGE_FIELDS = {
    "full_name": lazy_gettext("Name"),
    "email": lazy_gettext("Email"),
    "phone": lazy_gettext("Telephone"),
    "address": lazy_gettext("Address and postcode"),
    "age": lazy_gettext("Age or date of birth"),
    "answers": lazy_gettext("Answers about themselves"),
}
"""The choices on the merge screen; each moves these columns together."""
COLUMNS = {
    "full_name": ("full_name",),
    "email": ("email", "email_key"),
    "phone": ("phone",),
    "address": ("address", "postcode", "ward"),
    "age": ("age", "date_of_birth"),
    "answers": ("answers",),
}


class MergeError(ValueError):
    pass


@dataclass(frozen=True)
class MergeResult:
    kept: str
    removed: str
    fields_from_removed: tuple[str, ...]
    """The fields whose value came from the record removed."""


async def merge_volunteers(*, panel_id: int, keep_id: int, remove_id: int, take_from_removed: Mapping[str, bool],
                           now: datetime | None = None) -> MergeResult:
    """Keep ``keep_id`` with, for each field of ``MERGE_FIELDS`` marked in ``take_from_removed``,
    the value of ``remove_id``; erase ``remove_id``'s personal data and mark it merged."""
    if keep_id == remove_id:
        raise MergeError(gettext("Choose two different registrations"))
    async with write_transaction(Volunteer._meta.db):
        rows = {row.id: row for row in await Volunteer.objects().where(
            Volunteer.panel == panel_id, Volunteer.id.is_in([keep_id, remove_id]), Volunteer.status != ERASED).run()}
        if len(rows) != 2:
            raise MergeError(gettext("One of these registrations has been merged or erased already"))
        keep, remove = rows[keep_id], rows[remove_id]
        if remove.status != "pool":
            raise MergeError(gettext("%(reference)s is no longer just in the pool (it holds a seat or has left), "
                                     "so it must be the record kept", reference=remove.reference))
        taken = tuple(field for field in MERGE_FIELDS if take_from_removed.get(field))
        changes = {getattr(Volunteer, column): getattr(remove, column) for field in taken for column in COLUMNS[field]}
        address = remove.address if "address" in taken else keep.address
        postcode = remove.postcode if "address" in taken else keep.postcode
        changes[Volunteer.household_key] = normalise_household([address, postcode]) or ""
        if keep.duplicate_of == remove.reference:
            changes.update({Volunteer.duplicate_of: "", Volunteer.duplicate_kind: ""})
        if remove.letter is not None:
            if keep.letter is None:  # the person answered a letter: the record kept says so
                changes[Volunteer.letter] = remove.letter
            else:  # one person used two places of a letter's code: one is free again
                await Letter.update({Letter.used_count: Letter.used_count - 1}).where(
                    Letter.id == remove.letter, Letter.used_count > 0).run()
        # The one removed goes first: its email is free before the kept record may take it.
        await Volunteer.update({**ERASED_FIELDS, Volunteer.withdrawn_at: now or datetime.now(timezone.utc),
                                Volunteer.merged_into: keep.reference, Volunteer.duplicate_of: "", Volunteer.duplicate_kind: "",
                                Volunteer.letter: None}).where(
            Volunteer.id == remove.id).run()
        await Volunteer.update(changes).where(Volunteer.id == keep.id).run()
        await Volunteer.update({Volunteer.duplicate_of: keep.reference}).where(
            Volunteer.panel == panel_id, Volunteer.duplicate_of == remove.reference).run()
    return MergeResult(kept=keep.reference, removed=remove.reference, fields_from_removed=taken)


async def merge_pair(panel_id: int, volunteer_id: int) -> tuple[Volunteer, Volunteer] | None:
    """A flagged registration and the earlier one it resembles, both still held; else None."""
    flagged = await Volunteer.objects().where(Volunteer.panel == panel_id, Volunteer.id == volunteer_id,
                                              Volunteer.status != ERASED).first().run()
    if flagged is None or not flagged.duplicate_of:
        return None
    earlier = await Volunteer.objects().where(Volunteer.panel == panel_id, Volunteer.reference == flagged.duplicate_of,
                                              Volunteer.status != ERASED).first().run()
    return None if earlier is None else (earlier, flagged)
