"""Everything the platform holds about one resident, gathered from panels and surveys, and what a
resident (through a private link) or an officer answering a subject access request can do with it.

A private link reaches either one record (the link a volunteer, commenter or respondent got when
they gave their details) or, when they asked for a new link by email, every record held under
that email address. Tokens are never stored: only their SHA-256.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from piccolo.columns.combination import WhereRaw

from common.emails import normalise_email
from common.formulas import safe_cell
from common.i18n import gettext, ngettext
from common.tokens import hash_token
from panels import personal_data as panel_data
from server.tables import OutboxEmail, PersonalDataLink
from surveys import personal_data as survey_data

EMAIL_LINK_DAYS = 7
"""A link asked for by email works for this many days."""
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class PersonalDataBundle:
    volunteers: list[panel_data.VolunteerData] = field(default_factory=list)
    comments: list[survey_data.CommentData] = field(default_factory=list)
    responses: list[survey_data.ResponseData] = field(default_factory=list)
    email: str = ""
    """Set when the bundle is everything held under one email address."""

    @property
    def is_empty(self) -> bool:
        return not (self.volunteers or self.comments or self.responses)

    @property
    def emails(self) -> set[str]:
        """Every email address in the bundle, normalised (for clearing the outbox on erasure)."""
        found = {item.email for item in self.volunteers} | {item.email for item in self.comments}
        found |= {item.contact_email for item in self.responses}
        return {normalise_email(email) for email in found | {self.email} if email.strip()}

    def records(self) -> list[dict[str, object]]:
        return ([item.as_dict() for item in self.volunteers] + [item.as_dict() for item in self.comments]
                + [item.as_dict() for item in self.responses])


async def bundle_for_email(email: str) -> PersonalDataBundle:
    return PersonalDataBundle(
        volunteers=await panel_data.volunteer_data_for_email(email),
        comments=await survey_data.comment_data_for_email(email),
        responses=await survey_data.response_data_for_email(email),
        email=normalise_email(email),
    )


async def bundle_for_token(token: str, *, now: datetime | None = None) -> PersonalDataBundle | None:
    """What a private link reaches, or None for a link that is unknown, expired or erased."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = now or datetime.now(timezone.utc)
    token_hash = hash_token(token)
    link = await PersonalDataLink.select(PersonalDataLink.email).where(
        PersonalDataLink.token_hash == token_hash, PersonalDataLink.expires_at > now).first().run()
    if link is not None:
        bundle = await bundle_for_email(link["email"])
        return None if bundle.is_empty else bundle
    bundle = PersonalDataBundle(
        volunteers=await panel_data.volunteer_data_for_token_hash(token_hash),
        comments=await survey_data.comment_data_for_token_hash(token_hash),
        responses=await survey_data.response_data_for_token_hash(token_hash),
    )
    return None if bundle.is_empty else bundle


def bundle_json(bundle: PersonalDataBundle, *, council_name: str, generated_at: datetime) -> str:
    return json.dumps({
        "controller": council_name,
        "generated_at": generated_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "records": bundle.records(),
    }, indent=2, ensure_ascii=False)


CSV_COLUMNS = ("record", "kind", "field", "value")


def bundle_csv(bundle: PersonalDataBundle) -> str:
    """One row per field of each record (records differ in shape), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for number, record in enumerate(bundle.records(), start=1):
        kind = record["kind"]
        for name, value in record.items():
            if name == "kind":
                continue
            if isinstance(value, dict):
                for inner, inner_value in value.items():
                    writer.writerow([number, kind, f"{name}: {safe_cell(inner)}", safe_cell(inner_value)])
            else:
                writer.writerow([number, kind, name, safe_cell(value)])
    return buffer.getvalue()


@dataclass(frozen=True)
class ErasureSummary:
    volunteers: list[str]
    """References of the volunteers erased."""
    comments: int
    responses: int
    emails_removed: int

    @property
    def total(self) -> int:
        return len(self.volunteers) + self.comments + self.responses

    def describe(self) -> str:
        """Counts, never contents (this goes into the audit log)."""
        return (f"{len(self.volunteers)} panel registration(s) {', '.join(self.volunteers)}; {self.comments} comment(s); "
                f"contact details of {self.responses} questionnaire response(s); {self.emails_removed} queued email(s)")


async def forget_emails_to(addresses: set[str]) -> int:
    """Delete outbox emails (sent or not) to these addresses: they hold names and private links."""
    removed = 0
    for address in addresses:
        rows = await OutboxEmail.delete().where(WhereRaw("lower(to_address) = {}", address)).returning(
            OutboxEmail.id).run()
        removed += len(rows)
        await PersonalDataLink.delete().where(PersonalDataLink.email == address).run()
    return removed


async def erase_bundle(bundle: PersonalDataBundle, *, now: datetime | None = None) -> ErasureSummary:
    """Erase everything in the bundle: volunteers' personal fields, comments, respondents' contact
    details, and emails still held for them."""
    references = await panel_data.erase_volunteers([item.volunteer_id for item in bundle.volunteers], now=now)
    comments = await survey_data.erase_comments([item.comment_id for item in bundle.comments])
    responses = await survey_data.remove_response_contacts([item.response_id for item in bundle.responses])
    emails_removed = await forget_emails_to(bundle.emails)
    return ErasureSummary(volunteers=references, comments=comments, responses=responses, emails_removed=emails_removed)


async def request_link(*, email: str, site_url: str, council_name: str, now: datetime | None = None) -> OutboxEmail | None:
    """A new private link to everything held under ``email``, or None when nothing is held (the
    caller answers the same either way, so the page never reveals whether an email is known)."""
    now = now or datetime.now(timezone.utc)
    bundle = await bundle_for_email(email)
    if bundle.is_empty:
        return None
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(days=EMAIL_LINK_DAYS)
    await PersonalDataLink.insert(PersonalDataLink(token_hash=hash_token(token), email=normalise_email(email),
                                                   created_at=now, expires_at=expires)).run()
    return OutboxEmail(
        to_address=email.strip(),
        subject=gettext("Your private link to the information %(council)s holds about you", council=council_name)[:200],
        body=ngettext(
            "You asked for a link to see the information %(council)s holds about you on its engagement website.\n\n"
            "Use this private link within %(num)d day:\n%(link)s\n\n"
            "There you can see it, download it, correct your details, withdraw, or erase it.\n"
            "Keep the link to yourself. If you did not ask for it, you can ignore this email.",
            "You asked for a link to see the information %(council)s holds about you on its engagement website.\n\n"
            "Use this private link within %(num)d days:\n%(link)s\n\n"
            "There you can see it, download it, correct your details, withdraw, or erase it.\n"
            "Keep the link to yourself. If you did not ask for it, you can ignore this email.",
            EMAIL_LINK_DAYS, council=council_name, link=f"{site_url}/your-data/{token}"),
    )


async def forget_expired_links(*, now: datetime) -> int:
    rows = await PersonalDataLink.delete().where(PersonalDataLink.expires_at <= now).returning(PersonalDataLink.id).run()
    return len(rows)
