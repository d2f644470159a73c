"""Changing a panel's details after it was created: each property may change while it still
makes sense, and the refusal says why in a sentence.

    name, description, year, retention      any time (not while archived)
    seats, one member per household         until a selection is computed (the lottery is for
                                            that many seats, with that rule); the quotas are
                                            computed again from the panel's census for a new size
    "Prefer not to say"                     until someone registers (they answered the questions
                                            as they were)
    opening date, deadline                  until the draw; once letters are sent, the deadline
                                            may move later but not earlier than they say
    postcode areas                          until the draw; after registrations only when the
                                            officer confirms (registrations already made are
                                            not checked again)
    thank-you voucher                       until a voucher is issued
    adults per letter                       up, never below what letters already sent promise
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from common.clock import COUNCIL_TIME_ZONE, council_date
from common.i18n import format_day, gettext, ngettext
from common.postcodes import in_areas, parse_areas
from common.text import whole_number
from panels.census import CensusFormatError, parse_census
from panels.lifecycle import PanelFacts
from panels.panel_form import check_panel_form
from panels.quotas import QuotaError, QuotaRow, compute_quotas
from panels.store import save_quotas
from panels.tables import Letter, Panel, Volunteer, Voucher

EDITABLE = ("name", "description", "year", "panel_size", "registration_opens_at", "registration_deadline",
            "voucher_pence", "household_rule", "retention_days", "postcode_prefixes", "prefer_not_to_say",
            "adults_per_letter")
FIELD_OF = {"registration_opens_at": "opens", "registration_deadline": "deadline", "voucher_pence": "voucher"}
"""The form field of a column whose name differs."""


@dataclass(frozen=True)
class PanelChange:
    column: str
    old: object
    new: object

    @property
    def field(self) -> str:
        return FIELD_OF.get(self.column, self.column)

    def audit_text(self) -> str:
        return f"{self.column}: {_plain(self.old)} → {_plain(self.new)}"


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return council_date(value).isoformat()
    if value is None or value == "":
        return "(none)"
    return str(value)


def start_of_council_day(day: date) -> datetime:
    """00:00 London time on ``day``, in UTC: the moment registration opens on its opening day."""
    return datetime.combine(day, time(0, 0), tzinfo=COUNCIL_TIME_ZONE).astimezone(timezone.utc)


def form_values(panel: Panel) -> dict[str, str]:
    """The edit form filled in from the panel as it is."""
    day = lambda moment: council_date(moment).isoformat() if moment else ""  # noqa: E731
    return {"name": panel.name, "description": panel.description, "year": str(panel.year),
            "panel_size": str(panel.panel_size), "voucher": f"{panel.voucher_pence / 100:.2f}" if panel.voucher_pence else "",
            "opens": day(panel.registration_opens_at), "deadline": day(panel.registration_deadline),
            "retention_days": str(panel.retention_days), "postcode_prefixes": panel.postcode_prefixes,
            "household_rule": "yes" if panel.household_rule else "", "prefer_not_to_say": "yes" if panel.prefer_not_to_say else "",
            "adults_per_letter": str(panel.adults_per_letter)}


def check_edit_form(data: Mapping[str, str]) -> tuple[dict[str, object] | None, dict[str, str]]:
    """The new values of ``EDITABLE`` columns from the form, or the errors (field → sentence)."""
    panel_input, errors = check_panel_form({key: value for key, value in data.items() if not key.startswith("session_")})
    opens_at = None
    raw_opens = str(data.get("opens", "")).strip()
    if raw_opens:
        try:
            opens_at = start_of_council_day(date.fromisoformat(raw_opens))
        except ValueError:
            errors["opens"] = gettext("The opening date must be a real date, for example 1 3 2027")
    adults = whole_number(data.get("adults_per_letter", ""))
    if adults is None or not 1 <= adults <= 10:
        errors["adults_per_letter"] = gettext("The number of adults per letter must be a whole number from 1 to 10")
    if panel_input and opens_at and panel_input.registration_deadline and opens_at >= panel_input.registration_deadline:
        errors["opens"] = gettext("Registration must open before its deadline")
    if errors or panel_input is None:
        return None, errors
    values = {column: getattr(panel_input, column) for column in EDITABLE if hasattr(panel_input, column)}
    values["registration_opens_at"] = opens_at
    values["adults_per_letter"] = adults
    return values, {}


def _same(old: object, new: object) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return council_date(old) == council_date(new)
    return old == new


def changes_of(panel: Panel, values: Mapping[str, object]) -> list[PanelChange]:
    return [PanelChange(column, getattr(panel, column), values[column]) for column in EDITABLE
            if column in values and not _same(getattr(panel, column), values[column])]


@dataclass(frozen=True)
class EditContext:
    """What the rules need beyond the panel's stage facts."""

    facts: PanelFacts
    vouchers_issued: int
    letters_promise: int
    """The most adults per letter that letters already drawn promise (0: no letters)."""
    postcodes: tuple[str, ...]
    """The postcodes of the registrations already made."""


def refusals(changes: list[PanelChange], context: EditContext, *, confirmed_postcodes: bool) -> dict[str, str]:
    """Field → why that change is refused now (``{}``: every change may be made)."""
    facts = context.facts
    errors: dict[str, str] = {}
    for change in changes:
        reason = ""
        if facts.archived:
            reason = gettext("The panel is archived. Bring it back from the archive to change it.")
        elif change.column in ("panel_size", "household_rule") and facts.computed:
            reason = gettext("A selection has been computed for this panel, so its seats and the household rule "
                             "cannot change now.")
        elif change.column == "prefer_not_to_say" and facts.registrations:
            reason = gettext("People have already registered with the questions as they are, so this cannot change now.")
        elif change.column in ("registration_opens_at", "registration_deadline", "postcode_prefixes") and facts.drawn:
            reason = gettext("The panel has been drawn and registration has closed for good, so this cannot change now.")
        elif (change.column == "registration_deadline" and context.letters_promise and change.old is not None
              and (change.new is None or council_date(change.new) < council_date(change.old))):
            reason = gettext("Letters already sent say residents can register until %(day)s: the deadline can move "
                             "later, not earlier.", day=format_day(council_date(change.old)))
        elif change.column == "voucher_pence" and context.vouchers_issued:
            reason = gettext("Vouchers have already been issued, so the amount cannot change now.")
        elif change.column == "adults_per_letter" and int(change.new) < context.letters_promise:
            reason = gettext("Letters already sent say up to %(count)s adults can register with each code: the "
                             "number can go up, not down.", count=context.letters_promise)
        elif change.column == "postcode_prefixes" and context.postcodes and not confirmed_postcodes:
            areas, _ = parse_areas(str(change.new))
            outside = sum(1 for postcode in context.postcodes if postcode and not in_areas(postcode, areas))
            reason = ngettext(
                "%(num)d person has registered already and their postcode is not checked again (%(outside)s outside "
                "the new areas). Confirm the change below to make it.",
                "%(num)d people have registered already and their postcodes are not checked again (%(outside)s of "
                "them outside the new areas). Confirm the change below to make it.",
                len(context.postcodes), outside=outside)
        if reason:
            errors[change.field] = reason
    return errors


def requotas(panel: Panel, quotas: list[QuotaRow], *, panel_size: int, prefer_not_to_say: bool) -> list[QuotaRow]:
    """The panel's quotas computed again from its census for a new size or answer set, with the
    same dimensions, tolerance and tenure base. Raises ``QuotaError`` when they cannot be."""
    if not quotas:
        return []
    try:
        census = parse_census(panel.census_csv, name=panel.census_file or "census")
    except CensusFormatError as error:
        raise QuotaError(str(error)) from error
    dimensions = list(dict.fromkeys(row.dimension for row in quotas))
    return compute_quotas(census, dimensions, k=panel_size, tolerance=panel.tolerance,
                          tenure_prefix=panel.tenure_prefix, prefer_not_to_say=prefer_not_to_say)


async def edit_context(panel: Panel, facts: PanelFacts) -> EditContext:
    vouchers = await Voucher.count().where(Voucher.volunteer.panel == panel.id).run()
    letters = facts.letters
    postcodes = await Volunteer.select(Volunteer.postcode).where(Volunteer.panel == panel.id,
                                                                 Volunteer.status != "erased").run()
    promise = panel.adults_per_letter if letters else 0
    if letters:
        used = await Letter.select(Letter.used_count).where(Letter.panel == panel.id).order_by(
            Letter.used_count, ascending=False).first().run()
        promise = max(promise, used["used_count"] if used else 0)
    return EditContext(facts=facts, vouchers_issued=vouchers, letters_promise=promise,
                       postcodes=tuple(row["postcode"] for row in postcodes))


async def apply_changes(*, panel: Panel, changes: list[PanelChange], quotas: list[QuotaRow] | None) -> None:
    """Write the changes, and the quotas computed again (``quotas`` not None) in place of the old ones.
    No changes write nothing (the form sent as it was shown: Piccolo refuses an empty update)."""
    if changes:
        await Panel.update({getattr(Panel, change.column): change.new for change in changes}).where(Panel.id == panel.id).run()
    if quotas is not None:
        await save_quotas(panel_id=panel.id, rows=quotas, census_file=panel.census_file, census_csv=panel.census_csv,
                          tolerance=panel.tolerance, tenure_prefix=panel.tenure_prefix)


def audit_detail(changes: list[PanelChange]) -> str:
    return "; ".join(change.audit_text() for change in changes)
