"""One person, one registration per panel.

* The same email address (normalised) for the same panel is refused: at the form the resident is
  told, at an import the row is named and nothing is stored twice.
* The same name and address (with postcode) under another email is stored but flagged with the
  reference of the earlier registration (``Volunteer.duplicate_of``), and left out of selection
  while that registration stands.
* Someone who declined or withdrew is never drawn again for that panel, under any of their
  registrations: ``same_person_as_withdrawn`` finds the registrations that share an email, or a
  name and address, with a withdrawn one.

Registrations whose data was erased carry nothing personal any more and match nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


from common.emails import normalise_email
from common.i18n import gettext
from panels.selection.csv_input import normalise_household
from panels.tables import Volunteer


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

    @classmethod
    def of(cls, row: dict) -> PersonKeys:
        return cls(email=normalise_email(row["email"] or ""), name=name_key(row["full_name"] or ""),
                   household=row["household_key"] or "")

    def same_person(self, other: PersonKeys) -> bool:
        if self.email and self.email == other.email:
            return True
        return bool(self.name and self.household) and (self.name, self.household) == (other.name, other.household)


async def _people(panel_id: int) -> list[dict]:
    return await Volunteer.select(Volunteer.id, Volunteer.reference, Volunteer.email, Volunteer.full_name,
                                  Volunteer.household_key, Volunteer.status, Volunteer.duplicate_of).where(
        Volunteer.panel == panel_id, Volunteer.status != "erased").order_by(Volunteer.id).run()


async def check_not_registered(*, panel_id: int, email: str, full_name: str, household_key: str) -> str:
    """Raise ``DuplicateRegistration`` when the email is already registered for the panel;
    otherwise the reference of an earlier registration with the same name and address ("" if none)."""
    keys = PersonKeys(email=normalise_email(email), name=name_key(full_name), household=household_key)
    # Two narrow queries, not the whole pool: an import of thousands of rows checks each one.
    same_email = await Volunteer.select(Volunteer.reference).where(
        Volunteer.panel == panel_id, Volunteer.status != "erased",
        Volunteer.email_key == keys.email).first().run()
    if keys.email and same_email:
        raise DuplicateRegistration(same_email["reference"])
    if not household_key:
        return ""
    same_address = await Volunteer.select(Volunteer.reference, Volunteer.full_name).where(
        Volunteer.panel == panel_id, Volunteer.status != "erased", Volunteer.household_key == household_key).order_by(
        Volunteer.id).run()
    return next((row["reference"] for row in same_address if name_key(row["full_name"] or "") == keys.name), "")


def left_out_as_duplicates(rows: Iterable[dict], *, withdrawn_statuses: Iterable[str]) -> dict[str, str]:
    """Registrations that must not be drawn, with why: ``{reference: reason}``.

    ``withdrawn``: the same person (email, or name and address) declined or withdrew under another
    registration. ``duplicate``: flagged as a second registration of someone still registered.
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
        elif row.get("duplicate_of") and row["duplicate_of"] in standing:
            left_out[row["reference"]] = "duplicate"
    return left_out


async def withdrawn_or_duplicate(panel_id: int, *, withdrawn_statuses: Iterable[str]) -> dict[str, str]:
    return left_out_as_duplicates(await _people(panel_id), withdrawn_statuses=withdrawn_statuses)
