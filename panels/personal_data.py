"""A volunteer's rights over what the panels package holds about them: see it, correct their
contact details, withdraw from the panel, and erase it; and deletion when a panel's retention
period ends.

Erasure deletes every field that identifies the person (name, email, telephone, address,
postcode, age, date of birth, ward, household key, private link) and takes them out of the pool for good. What stays
is the volunteer's random reference and their answers about themselves (sex, age band, ethnic
group…): the published lottery lists the pool by reference, so anyone can still repeat the
draw, and the answers can no longer be linked to anyone.

Functions return what happened; the server records the audit entry and clears the outbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from common.emails import normalise_email
from common.transactions import write_transaction
from panels.census import DIMENSION_LABELS
from panels.membership import SEAT_STATUSES, STATUS_LABELS
from panels.registration import check_contact_details
from panels.store import link_used_since
from panels.selection.csv_input import normalise_household
from panels.import_batches import basis_label
from panels.service_records import SERVED_STATUSES
from panels.tables import Attendance, ImportBatch, Panel, PanelSession, Volunteer

ERASED = "erased"
WITHDRAWN = "withdrawn"
WITHDRAWABLE_STATUSES = ("pool", *SEAT_STATUSES)
VOLUNTEER_PURPOSE = (
    "To choose a Resident Panel that looks like the borough by a fair lottery, to contact you about it, and, if you "
    "take part, to arrange the sessions and your thank-you voucher. Your answers about yourself are used only for "
    "the selection and to check that groups are treated fairly; they are never published with your name."
)
CONSENT_TEXT = ("I agree that the council may use my information as described above "
                "(consent text version {version})")
IMPORTED_EARLIER_TEXT = ("Your details came to the panel in a file the council imported, not through this site's form, "
                         "so you did not agree to this site's consent text.")
IMPORTED_TEXT = ("Your details came to the panel in a file the council imported, not through this site's form. "
                 "Lawful basis: {basis}. The wording you were shown when your details were collected: “{notice}”")


@dataclass(frozen=True)
class VolunteerData:
    """Everything held about one volunteer, in words a resident can read."""

    volunteer_id: int
    panel_name: str
    panel_slug: str
    reference: str
    status: str
    status_label: str
    full_name: str
    email: str
    phone: str
    address: str
    postcode: str
    age: int | None
    answers: dict[str, str]
    """Question label → answer."""
    consent_version: str
    consent_text: str
    consent_at: datetime | None
    registered_at: datetime
    source: str
    retention_days: int
    purpose: str = VOLUNTEER_PURPOSE
    access_needs: str = ""
    served: bool = False
    """Took a seat or attended a session: a record of service outlives an erasure
    (``panels.service_records``), and the resident is told so before erasing."""

    @property
    def can_withdraw(self) -> bool:
        return self.status in WITHDRAWABLE_STATUSES

    def as_dict(self) -> dict[str, object]:
        """Plain values for the JSON and CSV downloads."""
        return {
            "kind": "panel volunteer", "panel": self.panel_name, "reference": self.reference,
            "status": self.status_label, "full_name": self.full_name, "email": self.email, "phone": self.phone,
            "address": self.address, "postcode": self.postcode, "age": self.age, "answers_about_you": self.answers,
            "consent_text": self.consent_text, "consent_at": _iso(self.consent_at),
            "registered_at": _iso(self.registered_at), "how_registered": self.source,
            "access_needs": self.access_needs, "used_for": self.purpose, "kept_for": f"{self.retention_days} days after the panel's last session",
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def _email_matches(email: str):
    """Exact match of the normalised address (case-folded and NFKC in Python, never SQL's
    ``lower``, which on SQLite folds only ASCII)."""
    return Volunteer.email_key == normalise_email(email)


def _consent_text(volunteer: Volunteer, batch: dict | None) -> str:
    """The consent the volunteer gave on the registration form; for an imported volunteer, the
    lawful basis and the wording the council says they were shown (they never saw the form)."""
    if batch is not None:
        return IMPORTED_TEXT.format(basis=basis_label(batch["lawful_basis"]), notice=batch["notice_text"])
    if volunteer.source == "import":  # imported before imports recorded their terms
        return IMPORTED_EARLIER_TEXT
    return CONSENT_TEXT.format(version=volunteer.consent_version)


async def _to_data(rows: list[Volunteer]) -> list[VolunteerData]:
    panels = {row["id"]: row for row in await Panel.select(Panel.id, Panel.name, Panel.slug, Panel.retention_days).where(
        Panel.id.is_in([volunteer.panel for volunteer in rows] or [-1])).run()}
    batches = {row["id"]: row for row in await ImportBatch.select().where(
        ImportBatch.id.is_in([volunteer.import_batch for volunteer in rows if volunteer.import_batch] or [-1])).run()}
    attended = {row["volunteer"] for row in await Attendance.select(Attendance.volunteer).where(
        Attendance.volunteer.is_in([volunteer.id for volunteer in rows] or [-1]), Attendance.attended.eq(True)).run()}
    result = []
    for volunteer in rows:
        panel = panels[volunteer.panel]
        answers = {str(DIMENSION_LABELS.get(dimension, dimension)): answer
                   for dimension, answer in json.loads(volunteer.answers or "{}").items()}
        result.append(VolunteerData(
            volunteer_id=volunteer.id, panel_name=panel["name"], panel_slug=panel["slug"], reference=volunteer.reference,
            status=volunteer.status, status_label=str(STATUS_LABELS.get(volunteer.status, volunteer.status)),
            full_name=volunteer.full_name, email=volunteer.email, phone=volunteer.phone, address=volunteer.address,
            postcode=volunteer.postcode, age=volunteer.age, answers=answers, consent_version=volunteer.consent_version,
            consent_text=_consent_text(volunteer, batches.get(volunteer.import_batch)),
            consent_at=None if volunteer.source == "import" else volunteer.consent_at,
            registered_at=volunteer.registered_at, source=volunteer.source, retention_days=panel["retention_days"],
            access_needs=volunteer.access_needs or "",
            served=volunteer.status in SERVED_STATUSES or volunteer.id in attended))
    return result


async def volunteer_data_for_token_hash(token_hash: str, *, active_since: datetime) -> list[VolunteerData]:
    """The volunteer whose private link this is, when the link was used or issued since
    ``active_since``; using it keeps it working."""
    rows = await Volunteer.objects().where(Volunteer.token_hash == token_hash, Volunteer.status != ERASED,
                                           link_used_since(active_since)).run()
    if rows:
        await Volunteer.update({Volunteer.link_active_at: datetime.now(timezone.utc)}).where(
            Volunteer.id.is_in([row.id for row in rows])).run()
    return await _to_data(rows)


async def volunteer_data_for_email(email: str) -> list[VolunteerData]:
    if not email.strip():
        return []
    rows = await Volunteer.objects().where(_email_matches(email), Volunteer.status != ERASED).order_by(Volunteer.id).run()
    return await _to_data(rows)


async def correct_volunteer_details(*, volunteer_id: int, data: dict[str, str]) -> dict[str, str]:
    """Replace the volunteer's contact details; returns the messages for bad fields (nothing is
    changed then). The household key follows the new address, for the one-per-household rule."""
    volunteer = await Volunteer.objects().where(Volunteer.id == volunteer_id, Volunteer.status != ERASED).first().run()
    if volunteer is None:
        return {"full_name": "These details have been erased"}
    panel = await Panel.select(Panel.postcode_prefixes).where(Panel.id == volunteer.panel).first().run()
    values, errors = check_contact_details(data, postcode_prefixes=panel["postcode_prefixes"].split())
    if errors:
        return errors
    await Volunteer.update({
        Volunteer.full_name: values["full_name"], Volunteer.email: normalise_email(values["email"]),
        Volunteer.email_key: normalise_email(values["email"]), Volunteer.phone: values["phone"],
        Volunteer.address: values["address"], Volunteer.postcode: values["postcode"],
        Volunteer.household_key: normalise_household([values["address"], values["postcode"]]) or "",
    }).where(Volunteer.id == volunteer_id).run()
    return {}


async def withdraw_volunteer(*, volunteer_id: int, now: datetime | None = None) -> bool:
    """The volunteer leaves the pool, or gives up their seat (a replacement run refills it).
    False when they had already left."""
    now = now or datetime.now(timezone.utc)
    async with write_transaction(Volunteer._meta.db):
        changed = await Volunteer.update({
            Volunteer.status: WITHDRAWN, Volunteer.withdrawn_at: now,
            Volunteer.withdrawal_reason: "Withdrew through their private link",
        }).where(Volunteer.id == volunteer_id, Volunteer.status.is_in(list(WITHDRAWABLE_STATUSES))).returning(
            Volunteer.id).run()
    return bool(changed)


ERASED_FIELDS = {
    Volunteer.full_name: "", Volunteer.email: "", Volunteer.email_key: "", Volunteer.phone: "", Volunteer.address: "",
    Volunteer.postcode: "",
    Volunteer.age: None, Volunteer.date_of_birth: None, Volunteer.ward: "", Volunteer.household_key: "",
    Volunteer.token_hash: None, Volunteer.withdrawal_reason: "", Volunteer.access_needs: "", Volunteer.reply_note: "",
    Volunteer.status: ERASED,
}


async def erase_volunteers(volunteer_ids: list[int], *, now: datetime | None = None) -> list[str]:
    """Delete the personal fields of these volunteers; returns the references erased (a volunteer
    already erased is not counted again)."""
    if not volunteer_ids:
        return []
    now = now or datetime.now(timezone.utc)
    async with write_transaction(Volunteer._meta.db):
        rows = await Volunteer.update({**ERASED_FIELDS, Volunteer.withdrawn_at: now}).where(
            Volunteer.id.is_in([int(value) for value in volunteer_ids]), Volunteer.status != ERASED).returning(
            Volunteer.reference).run()
    return [row["reference"] for row in rows]


def retention_ends(*, last_day: date, retention_days: int) -> datetime:
    """The first moment after the retention period: midnight UTC after ``last_day + retention_days``."""
    return datetime.combine(last_day + timedelta(days=retention_days + 1), time.min, tzinfo=timezone.utc)


async def panel_last_days() -> dict[int, date]:
    """Each panel's last day of use: its last session, else its registration deadline, else its creation."""
    sessions = await PanelSession.select(PanelSession.panel, PanelSession.held_on).run()
    last: dict[int, date] = {}
    for row in sessions:
        last[row["panel"]] = max(last.get(row["panel"], row["held_on"]), row["held_on"])
    for panel in await Panel.select(Panel.id, Panel.registration_deadline, Panel.created_at).run():
        if panel["id"] not in last:
            moment = panel["registration_deadline"] or panel["created_at"]
            last[panel["id"]] = moment.astimezone(timezone.utc).date()
    return last


@dataclass(frozen=True)
class PanelRetention:
    panel_id: int
    name: str
    retention_days: int
    last_day: date
    ends: datetime


async def panel_retention() -> list[PanelRetention]:
    """When each panel's volunteers' personal data is deleted."""
    last_days = await panel_last_days()
    rows = await Panel.select(Panel.id, Panel.name, Panel.retention_days).order_by(Panel.year, ascending=False).run()
    return [PanelRetention(panel_id=row["id"], name=row["name"], retention_days=row["retention_days"],
                           last_day=last_days[row["id"]],
                           ends=retention_ends(last_day=last_days[row["id"]], retention_days=row["retention_days"]))
            for row in rows]


async def volunteers_past_retention(*, now: datetime) -> list[int]:
    """Volunteers (not yet erased) of every panel whose retention period has ended by ``now``."""
    expired = [item.panel_id for item in await panel_retention() if item.ends <= now]
    if not expired:
        return []
    rows = await Volunteer.select(Volunteer.id).where(Volunteer.panel.is_in(expired), Volunteer.status != ERASED).run()
    return [row["id"] for row in rows]
