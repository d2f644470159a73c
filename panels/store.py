"""Write and read functions for panels: the panel and its sessions, quotas, and the volunteer pool.

Domain functions return what happened and what to send (``OutgoingEmail``); the server records
audit entries and writes the outbox.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from piccolo.engine.sqlite import SQLiteEngine

from common.emails import normalise_email
from common.transactions import write_transaction
from common.i18n import DEFAULT_LOCALE, gettext, lazy_gettext
from common.text import slugify
from common.tokens import PRIVATE_LINK_IDLE_DAYS, hash_token, link_active_since
from panels.census import DIMENSION_LABELS
from panels.duplicates import DuplicateRegistration, check_not_registered
from panels.letters import claim_letter
from panels.postcode_wards import NOT_KNOWN, ward_for
from panels.membership import WITHDRAWN_STATUSES
from panels.quotas import QuotaRow
from panels.registration import Question, Registration, age_band_for
from panels.selection.csv_input import normalise_household
from panels.tables import Panel, PanelQuota, PanelSession, Volunteer

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUESTION_LABELS = {
    "sex": lazy_gettext("What is your sex?"),
    "ethnicity": lazy_gettext("What is your ethnic group?"),
    "ethnicity_detailed": lazy_gettext("What is your ethnic group?"),
    "disability": lazy_gettext("Are your day-to-day activities limited because of a health problem or disability?"),
    "tenure": lazy_gettext("Does your household own or rent the home you live in?"),
    "economic_activity": lazy_gettext("What best describes what you were doing last week?"),
}
SELECTABLE_STATUSES = ("pool", "selected", "confirmed")


@dataclass(frozen=True)
class OutgoingEmail:
    to_address: str
    subject: str
    body: str
    about: str = ""
    """The record the email is about (``panel_volunteer:7``): erasing that record deletes it."""
    attachment_name: str = ""
    """A text file sent with the email (``panel-sessions.ics``); empty: none."""
    attachment_text: str = ""


@dataclass(frozen=True)
class OutgoingText:
    """A text message to a volunteer (sent only where the council's GOV.UK Notify sends texts)."""

    to_phone: str
    subject: str
    """What the outbox lists it as ("Text: reminder of 3 February 2027")."""
    body: str
    about: str = ""
    channel: str = "sms"
    to_address: str = ""


def about_volunteer(volunteer_id: int) -> str:
    return f"panel_volunteer:{int(volunteer_id)}"


@dataclass(frozen=True)
class SessionInput:
    title: str
    held_on: date
    starts_at: time
    ends_at: time
    place: str


def new_token() -> tuple[str, str]:
    """A private-link token and the SHA-256 (hex) that is stored instead of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def new_reference() -> str:
    return "RP-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


# --- panels and sessions -------------------------------------------------------------------

async def create_panel(*, name: str, year: int, panel_size: int, registration_deadline: datetime | None,
                       voucher_pence: int, household_rule: bool, retention_days: int, description: str = "",
                       postcode_prefixes: str = "", prefer_not_to_say: bool = True,
                       sessions: list[SessionInput] = ()) -> Panel:
    base = slugify(name) or "panel"
    slug = base
    suffix = 2
    while await Panel.exists().where(Panel.slug == slug).run():
        slug = f"{base}-{suffix}"
        suffix += 1
    panel = Panel(name=name, slug=slug, year=year, panel_size=panel_size, registration_deadline=registration_deadline,
                  voucher_pence=voucher_pence, household_rule=household_rule, retention_days=retention_days,
                  description=description, postcode_prefixes=postcode_prefixes, prefer_not_to_say=prefer_not_to_say)
    await panel.save().run()
    if sessions:
        await PanelSession.insert(*[PanelSession(panel=panel.id, title=s.title, held_on=s.held_on, starts_at=s.starts_at,
                                                 ends_at=s.ends_at, place=s.place) for s in sessions]).run()
    return panel


async def list_panels() -> list[dict]:
    return await Panel.select(Panel.id, Panel.name, Panel.slug, Panel.year, Panel.panel_size,
                              Panel.registration_deadline).order_by(Panel.year, ascending=False).order_by(Panel.id).run()


async def panel_rows() -> list[Panel]:
    """Every panel as a row object, newest year first (the officer's list)."""
    return await Panel.objects().order_by(Panel.year, ascending=False).order_by(Panel.id).run()


async def get_panel(panel_id: int) -> Panel | None:
    return await Panel.objects().where(Panel.id == panel_id).first().run()


async def get_panel_by_slug(slug: str) -> Panel | None:
    return await Panel.objects().where(Panel.slug == slug).first().run()


async def list_sessions(panel_id: int) -> list[PanelSession]:
    return await PanelSession.objects().where(PanelSession.panel == panel_id).order_by(PanelSession.held_on).order_by(
        PanelSession.starts_at).run()


# --- quotas --------------------------------------------------------------------------------

async def panels_with_sessions(*, today: date) -> list[dict]:
    """Every panel that has sessions, with them (``panel``, ``sessions``, ``coming``): panels with
    a session today or later first, then the rest, newest first."""
    panels = []
    for panel in await list_panels():
        sessions = await list_sessions(panel["id"])
        if sessions:
            panels.append({"panel": panel, "sessions": sessions,
                           "coming": any(session.held_on >= today for session in sessions)})
    panels.sort(key=lambda entry: (not entry["coming"], -entry["panel"]["year"]))
    return panels


async def save_quotas(*, panel_id: int, rows: list[QuotaRow], census_file: str, census_csv: str,
                      tolerance: float, tenure_prefix: str) -> None:
    """Replace the panel's quotas with ``rows`` and remember where they came from."""
    await PanelQuota.delete().where(PanelQuota.panel == panel_id).run()
    if rows:
        await PanelQuota.insert(*[
            PanelQuota(panel=panel_id, position=position, dimension=row.dimension, category=row.category,
                       census_share=None if row.census_share is None else float(row.census_share),
                       target=float(row.target), quota_min=int(row.quota_min), quota_max=int(row.quota_max))
            for position, row in enumerate(rows)
        ]).run()
    await Panel.update({Panel.census_file: census_file, Panel.census_csv: census_csv, Panel.tolerance: float(tolerance),
                        Panel.tenure_prefix: tenure_prefix}).where(Panel.id == panel_id).run()


async def load_quotas(panel_id: int) -> list[QuotaRow]:
    rows = await PanelQuota.select().where(PanelQuota.panel == panel_id).order_by(PanelQuota.position).run()
    return [QuotaRow(row["dimension"], row["category"], row["census_share"], row["target"], row["quota_min"],
                     row["quota_max"]) for row in rows]


def questions_for(quotas: list[QuotaRow]) -> list[Question]:
    """One question per quota dimension, except age and ward, which come from the age and the
    address the resident gives."""
    options: dict[str, list[str]] = defaultdict(list)
    for row in quotas:
        if row.dimension not in ("age_band", "ward"):
            options[row.dimension].append(row.category)
    return [Question(dimension, str(QUESTION_LABELS.get(dimension, DIMENSION_LABELS.get(dimension, dimension))),
                     tuple(categories)) for dimension, categories in options.items()]


# --- volunteers ----------------------------------------------------------------------------

def _answers_with_age(registration: Registration, quotas: list[QuotaRow], *, ward: str = "") -> dict[str, str]:
    """The answers with the groups no one is asked about: the age band and the ward."""
    answers = dict(registration.answers)
    if any(row.dimension == "age_band" for row in quotas):
        answers["age_band"] = age_band_for(registration.age)
    if any(row.dimension == "ward" for row in quotas):
        answers["ward"] = ward or NOT_KNOWN
    return answers


def with_derived_answers(answers: dict[str, str], dimensions: tuple[str, ...], *, age: int | None,
                         ward: str) -> dict[str, str]:
    """``answers`` with the age band and ward filled in where a quota on them was set after the
    volunteer registered (nobody is asked either: they come from the age and the address)."""
    if "age_band" in dimensions and "age_band" not in answers and age is not None and age >= 18:
        answers = {**answers, "age_band": age_band_for(age)}
    if "ward" in dimensions and "ward" not in answers:
        answers = {**answers, "ward": ward or NOT_KNOWN}
    return answers


PrivateLink = Callable[[str], str]
"""Makes the absolute address of a volunteer's private page from its token. The server passes one
built on ``SITE_URL`` and the page's route name: domain code holds no web addresses."""


async def register_volunteer(*, panel: Panel, registration: Registration, quotas: list[QuotaRow], source: str = "form",
                             now: datetime | None = None,
                             private_link: PrivateLink | None = None,
                             letter_id: int | None = None,
                             import_batch_id: int | None = None, locale: str = DEFAULT_LOCALE) -> tuple[Volunteer, str, OutgoingEmail | None]:
    """Add a volunteer to the pool with consent recorded; returns the volunteer, their private-link
    token (shown once) and the confirmation email to send (None without ``private_link``: an
    import or the demo data, which send nothing). Raises ``DuplicateRegistration`` when the email
    is already registered for the panel; the same name and address is stored, flagged
    (``panels.duplicates``). With ``letter_id`` (a code from an invitation letter, ``panels.letters``),
    the letter is claimed in the same transaction: ``LetterCodeError`` when it admits no one more.
    The volunteer's ward is the letter's, else the postcode directory's (``panels.postcode_wards``).
    An import (``import_batch_id``) records no consent: the batch holds the lawful basis and the
    wording those people saw (``panels.import_batches``).
    ``locale``: the language they registered in, that later emails to them are written in."""
    token, token_hash = new_token()
    now = now or datetime.now(timezone.utc)
    household_key = normalise_household([registration.address, registration.postcode]) or ""
    ward = await ward_for(panel_id=panel.id, postcode=registration.postcode, letter_id=letter_id)
    engine = Volunteer._meta.db
    async with write_transaction(engine):  # the check and the insert together: never two of one email
        if not isinstance(engine, SQLiteEngine):
            await Panel.select(Panel.id).where(Panel.id == panel.id).lock_rows().run()
        flag = await check_not_registered(panel_id=panel.id, email=registration.email,
                                          full_name=registration.full_name, household_key=household_key,
                                          date_of_birth=registration.date_of_birth, age=registration.age,
                                          postcode=registration.postcode)
        if letter_id is not None:
            await claim_letter(letter_id, adults_per_letter=panel.adults_per_letter)
        reference = new_reference()
        while await Volunteer.exists().where(Volunteer.reference == reference).run():
            reference = new_reference()
        volunteer = Volunteer(
            panel=panel.id, reference=reference, full_name=registration.full_name,
            email=normalise_email(registration.email), email_key=normalise_email(registration.email),
            link_active_at=now, phone=registration.phone, address=registration.address,
            postcode=registration.postcode, age=registration.age,
            answers=json.dumps(_answers_with_age(registration, quotas, ward=ward), sort_keys=True),
            household_key=household_key,
            consent_version="" if import_batch_id else panel.consent_version,
            consent_at=None if import_batch_id else now, source=source, token_hash=token_hash,
            registered_at=now, duplicate_of=flag.reference, duplicate_kind=flag.kind, letter=letter_id,
            date_of_birth=registration.date_of_birth, ward=ward, import_batch=import_batch_id,
            locale=locale or DEFAULT_LOCALE,
        )
        await volunteer.save().run()
    if private_link is None:
        return volunteer, token, None
    email = OutgoingEmail(
        to_address=registration.email, about=about_volunteer(volunteer.id),
        subject=gettext("%(panel)s: we have your registration (%(reference)s)", panel=panel.name, reference=reference),
        body=gettext("Dear %(name)s,\n\nThank you for registering your interest in the %(panel)s.\nYour reference is "
                     "%(reference)s.\n\nWe will choose the panel by a fair lottery after registration closes, and email "
                     "you if you are chosen.\n\nSee, download or withdraw your registration at any time "
                     "with your private link (keep it to yourself):\n%(link)s\n",
                     name=registration.full_name, panel=panel.name, reference=reference,
                     link=private_link(token)),
    )
    return volunteer, token, email


def link_used_since(since: datetime):
    """The volunteer's private link was issued or used at ``since`` or later (rows from before that
    was recorded count from registration)."""
    return ((Volunteer.link_active_at >= since)
            | (Volunteer.link_active_at.is_null() & (Volunteer.registered_at >= since)))


async def volunteer_by_token(token: str, *, idle_days: int = PRIVATE_LINK_IDLE_DAYS,
                             now: datetime | None = None) -> Volunteer | None:
    """The volunteer whose private link this is, or None for an unknown link or one unused for
    ``idle_days`` (a link that works counts as used: it keeps working another ``idle_days``)."""
    if not token or len(token) > 100:
        return None
    now = now or datetime.now(timezone.utc)
    volunteer = await Volunteer.objects().where(Volunteer.token_hash == hash_token(token),
                                                link_used_since(link_active_since(now, idle_days))).first().run()
    if volunteer is not None:
        await Volunteer.update({Volunteer.link_active_at: now}).where(Volunteer.id == volunteer.id).run()
    return volunteer


async def get_volunteer(panel_id: int, volunteer_id: int) -> Volunteer | None:
    return await Volunteer.objects().where(Volunteer.panel == panel_id, Volunteer.id == volunteer_id,
                                           Volunteer.status != "erased").first().run()


async def list_volunteers(panel_id: int, *, statuses: tuple[str, ...] | None = None) -> list[Volunteer]:
    """The panel's volunteers, except those whose data was erased (nothing personal is left of them)."""
    query = Volunteer.objects().where(Volunteer.panel == panel_id, Volunteer.status != "erased").order_by(Volunteer.id)
    if statuses:
        query = query.where(Volunteer.status.is_in(list(statuses)))
    return await query.run()


def _volunteers_shown(panel_id: int, *, status: str = "", reference: str = ""):
    """The ``WHERE`` of the pool list: the panel's volunteers but the erased, with the filters."""
    conditions = [Volunteer.panel == panel_id, Volunteer.status != "erased"]
    if status:
        conditions.append(Volunteer.status == status)
    if reference:
        conditions.append(Volunteer.reference.like(f"%{reference.upper().replace('%', '').replace('_', '')}%"))  # references are upper case
    return conditions


async def count_volunteers(panel_id: int, *, status: str = "", reference: str = "") -> int:
    """How many volunteers ``volunteers_page`` pages through."""
    return int(await Volunteer.count().where(*_volunteers_shown(panel_id, status=status, reference=reference)).run())


async def volunteers_page(panel_id: int, *, offset: int, limit: int, status: str = "",
                          reference: str = "") -> list[Volunteer]:
    """One page of the pool, in the order they registered (``list_volunteers`` order): ``status``
    keeps one status, ``reference`` the references containing it (in any case). Paged in the database, so the
    page costs the same however big the pool."""
    return await Volunteer.objects().where(*_volunteers_shown(panel_id, status=status, reference=reference)).order_by(
        Volunteer.id).offset(offset).limit(limit).run()


async def pool_summary(panel_id: int) -> list[dict]:
    """Per quota category: census share, quota range and how many volunteers in the pool gave it.

    Counts only; no personal data, so cabinet-safe aggregates could be built from it."""
    quotas = await load_quotas(panel_id)
    dimensions = tuple(dict.fromkeys(quota.dimension for quota in quotas))
    rows = await Volunteer.select(Volunteer.answers, Volunteer.age, Volunteer.ward).where(
        Volunteer.panel == panel_id, Volunteer.status.not_in(list(WITHDRAWN_STATUSES))).run()
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        answers = with_derived_answers(json.loads(row["answers"] or "{}"), dimensions, age=row["age"], ward=row["ward"])
        for dimension, category in answers.items():
            counts[dimension][category] += 1
    total = len(rows)
    return [{"dimension": quota.dimension, "category": quota.category, "census_share": quota.census_share,
             "quota_min": quota.quota_min, "quota_max": quota.quota_max, "target": quota.target,
             "pool": counts[quota.dimension][quota.category],
             "pool_share": counts[quota.dimension][quota.category] / total if total else 0.0} for quota in quotas]


async def set_volunteer_token(volunteer_id: int) -> str:
    """A fresh private link for the volunteer (the old one stops working)."""
    token, token_hash = new_token()
    now = datetime.now(timezone.utc)
    await Volunteer.update({Volunteer.token_hash: token_hash, Volunteer.link_active_at: now}).where(
        Volunteer.id == volunteer_id).run()
    return token


async def respond_to_invitation(*, volunteer: Volunteer, accept: bool, now: datetime | None = None) -> bool:
    """Confirm or decline a place through the private link; only a volunteer whose invitation has
    been sent (``selected``, not waiting for the officer's review) can answer."""
    if volunteer.status != "selected" or volunteer.invitation_pending:
        return False
    answered = await Volunteer.update({Volunteer.status: "confirmed" if accept else "declined",
                                       Volunteer.responded_at: now or datetime.now(timezone.utc),
                                       Volunteer.reply_channel: "link"}).where(
        Volunteer.id == volunteer.id, Volunteer.status == "selected", Volunteer.invitation_pending == False,  # noqa: E712
    ).returning(Volunteer.id).run()
    return bool(answered)



@dataclass(frozen=True)
class ImportReport:
    """What an import did: how many were added, the rows left out as already registered (row
    number, reference), and the rows added but flagged as the same name and address as an earlier
    registration (row number, new reference, earlier reference)."""

    imported: int
    duplicates: tuple[tuple[int, str], ...]
    flagged: tuple[tuple[int, str, str, str], ...]
    """(row, new reference, earlier reference, kind of likeness: ``panels.duplicates.DUPLICATE_KINDS``)."""


async def import_volunteers(*, panel: Panel, rows: list, quotas: list[QuotaRow],
                            import_batch_id: int | None = None) -> ImportReport:
    """Add each checked row of an import (``panels.pool_csv.ImportedRow``); an email already in the
    pool (or earlier in the same file) is named and skipped, so importing a file twice adds nothing.
    Each volunteer carries the import's batch (lawful basis and notice wording), no consent."""
    imported, duplicates, flagged = 0, [], []
    for row in rows:
        try:
            volunteer, _, _ = await register_volunteer(panel=panel, registration=row.registration, quotas=quotas,
                                                       source="import", import_batch_id=import_batch_id)
        except DuplicateRegistration as duplicate:
            duplicates.append((row.row, duplicate.reference))
            continue
        imported += 1
        if volunteer.duplicate_of:
            flagged.append((row.row, volunteer.reference, volunteer.duplicate_of, volunteer.duplicate_kind))
    return ImportReport(imported=imported, duplicates=tuple(duplicates), flagged=tuple(flagged))
