"""One person, one registration per panel.

* The same email address (normalised) for the same panel is refused: at the form the resident is
  told, at an import the row is named and nothing is stored twice.
* The same name and address (with postcode) under another email is stored but flagged with the
  reference of the earlier registration (``Volunteer.duplicate_of``, kind ``name_address``), and
  left out of selection while that registration stands. So is the same name and date of birth
  (kind ``name_birth``), when both gave a date of birth in the "age, or date of birth" box.
* When one of the two gave only an age, the same name, age band and postcode is a weaker sign:
  flagged as a *possible* duplicate (kind ``possible``) for the officer to look at, and not left
  out of selection (two neighbours may share a name and a decade).
* An officer merges a flagged pair (``panels.pool_merge``): one record keeps the chosen fields,
  the other leaves the pool with its personal data erased, ``merged_into`` naming the one kept.
* Someone who declined or withdrew is never drawn again for that panel, under any of their
  registrations: ``left_out_as_duplicates`` finds the registrations that share an email, a name
  and address, or a name and date of birth with a withdrawn one.

Registrations whose data was erased carry nothing personal any more and match nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


from common.emails import normalise_email
from common.i18n import gettext
from panels.registration import age_band_for
from panels.selection.csv_input import normalise_household
from panels.tables import Volunteer

DUPLICATE_KINDS = ("name_address", "name_birth", "possible")
"""Why a registration is flagged (worded for officers in ``templates/panels/officer/_duplicate_flag.html``).
``possible`` alone stays in selection."""
LEFT_OUT_KINDS = ("name_address", "name_birth", "")
"""Flags that leave a registration out of selection ("": flagged before kinds were recorded)."""


@dataclass(frozen=True)
class DuplicateFlag:
    """An earlier registration this one resembles (``reference``), and how (a ``DUPLICATE_KINDS`` key)."""

    reference: str = ""
    kind: str = ""


class DuplicateRegistration(ValueError):
    """The email address is already registered for this panel (under ``reference``)."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(gettext("This email address is already registered for this panel (%(reference)s)",
                                 reference=reference))


def name_key(full_name: str) -> str:
    """Case, spaces and punctuation ignored: "Ann  O'Neill" and "ann oneill" match."""
    return normalise_household([full_name]) or ""


@dataclass(frozen=True)
class PersonKeys:
    email: str
    name: str
    household: str
    born: date | None = None

    @classmethod
    def of(cls, row: dict) -> PersonKeys:
        return cls(email=normalise_email(row["email"] or ""), name=name_key(row["full_name"] or ""),
                   household=row["household_key"] or "", born=row.get("date_of_birth"))

    def same_person(self, other: PersonKeys) -> bool:
        if self.email and self.email == other.email:
            return True
        if self.name and self.born and (self.name, self.born) == (other.name, other.born):
            return True
        return bool(self.name and self.household) and (self.name, self.household) == (other.name, other.household)


async def _people(panel_id: int) -> list[dict]:
    return await Volunteer.select(Volunteer.id, Volunteer.reference, Volunteer.email, Volunteer.full_name,
                                  Volunteer.household_key, Volunteer.status, Volunteer.duplicate_of,
                                  Volunteer.duplicate_kind, Volunteer.date_of_birth).where(
        Volunteer.panel == panel_id, Volunteer.status != "erased").order_by(Volunteer.id).run()


async def check_not_registered(*, panel_id: int, email: str, full_name: str, household_key: str,
                               date_of_birth: date | None = None, age: int | None = None,
                               postcode: str = "") -> DuplicateFlag:
    """Raise ``DuplicateRegistration`` when the email is already registered for the panel;
    otherwise the earlier registration this one resembles (``DuplicateFlag()`` if none): the same
    name and address, else the same name and date of birth, else (one of the two gave only an age)
    the same name, age band and postcode."""
    keys = PersonKeys(email=normalise_email(email), name=name_key(full_name), household=household_key)
    # Narrow queries, not the whole pool: an import of thousands of rows checks each one.
    same_email = await Volunteer.select(Volunteer.reference).where(
        Volunteer.panel == panel_id, Volunteer.status != "erased",
        Volunteer.email_key == keys.email).first().run()
    if keys.email and same_email:
        raise DuplicateRegistration(same_email["reference"])
    if not keys.name:
        return DuplicateFlag()
    fields = (Volunteer.reference, Volunteer.full_name, Volunteer.date_of_birth, Volunteer.age)
    standing = (Volunteer.panel == panel_id) & (Volunteer.status != "erased")
    if household_key:
        for row in await Volunteer.select(*fields).where(standing, Volunteer.household_key == household_key).order_by(
                Volunteer.id).run():
            if name_key(row["full_name"] or "") == keys.name:
                return DuplicateFlag(row["reference"], "name_address")
    if date_of_birth is not None:
        for row in await Volunteer.select(*fields).where(standing, Volunteer.date_of_birth == date_of_birth).order_by(
                Volunteer.id).run():
            if name_key(row["full_name"] or "") == keys.name:
                return DuplicateFlag(row["reference"], "name_birth")
    if postcode and age is not None:
        band = age_band_for(age) if age >= 18 else ""
        for row in await Volunteer.select(*fields).where(standing, Volunteer.postcode == postcode).order_by(
                Volunteer.id).run():
            if date_of_birth is not None and row["date_of_birth"] is not None:
                continue  # both gave a date of birth, and they differ: not the same person
            if (name_key(row["full_name"] or "") == keys.name and row["age"] is not None and row["age"] >= 18
                    and age_band_for(row["age"]) == band):
                return DuplicateFlag(row["reference"], "possible")
    return DuplicateFlag()


def left_out_as_duplicates(rows: Iterable[dict], *, withdrawn_statuses: Iterable[str]) -> dict[str, str]:
    """Registrations that must not be drawn, with why: ``{reference: reason}``.

    ``withdrawn``: the same person (email, name and address, or name and date of birth) declined or
    withdrew under another registration. ``duplicate``: flagged as a second registration of someone
    still registered (a *possible* duplicate is not left out).
    Only volunteers still in the pool are left out: whoever holds a seat keeps it."""
    rows = list(rows)
    withdrawn_statuses = set(withdrawn_statuses)
    gone = [PersonKeys.of(row) for row in rows if row["status"] in withdrawn_statuses]
    # ``same_person`` against every one of them, as two set lookups (a pool of thousands)
    gone_emails = {keys.email for keys in gone if keys.email}
    gone_households = {(keys.name, keys.household) for keys in gone if keys.name and keys.household}
    standing = {row["reference"] for row in rows if row["status"] not in withdrawn_statuses}
    left_out: dict[str, str] = {}
    for row in rows:
        if row["status"] != "pool":  # seat holders keep their seat; the withdrawn are out already
            continue
        keys = PersonKeys.of(row)
        if keys.email in gone_emails or (keys.name, keys.household) in gone_households:
            left_out[row["reference"]] = "withdrawn"
        elif (row.get("duplicate_of") and row["duplicate_of"] in standing
              and row.get("duplicate_kind", "") in LEFT_OUT_KINDS):
            left_out[row["reference"]] = "duplicate"
    return left_out


async def withdrawn_or_duplicate(panel_id: int, *, withdrawn_statuses: Iterable[str]) -> dict[str, str]:
    return left_out_as_duplicates(await _people(panel_id), withdrawn_statuses=withdrawn_statuses)
