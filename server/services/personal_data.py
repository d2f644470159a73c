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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from analysis.reports.store import forget_quotes_of_comments
from common.emails import normalise_email
from common.formulas import safe_cell
from common.i18n import gettext, ngettext
from common.tokens import PRIVATE_LINK_IDLE_DAYS, hash_token, link_active_since
from panels import personal_data as panel_data
from panels.store import about_volunteer
from server.services import follows as follow_data
from server.services import format_requests
from server.tables import OutboxEmail, PersonalDataLink
from surveys import personal_data as survey_data
from surveys.comments import about_comment
from surveys.responses import about_response
from surveys import response_files
from surveys import saved_answers as saved_data

EMAIL_LINK_DAYS = 7
"""A link asked for by email works for this many days."""
MAX_TOKEN_LENGTH = 100


def about_link(link_id: int) -> str:
    """The ``OutboxEmail.about`` key of the email carrying a personal-data link."""
    return f"personal_data_link:{int(link_id)}"


@dataclass(frozen=True)
class PersonalDataBundle:
    volunteers: list[panel_data.VolunteerData] = field(default_factory=list)
    comments: list[survey_data.CommentData] = field(default_factory=list)
    responses: list[survey_data.ResponseData] = field(default_factory=list)
    saved: list[saved_data.SavedAnswersData] = field(default_factory=list)
    """Answers saved part-way through a questionnaire to carry on later (held under an address
    only: their own link carries on the questionnaire, it does not show them here)."""
    format_requests: list[format_requests.FormatRequestData] = field(default_factory=list)
    """Requests for a page in another language or format: they have no private link of their
    own, so only a bundle under a confirmed address holds them."""
    follows: list[follow_data.FollowData] = field(default_factory=list)
    """Pages followed by email (held under an address only, as requests for formats are)."""
    email: str = ""
    """Set (normalised) when the bundle is everything held under one email address: an officer
    answering a subject access request, or a link emailed to that address and used, which confirms
    the address is the resident's. Empty for a per-record link, which reaches that record only."""

    @property
    def is_empty(self) -> bool:
        return not (self.volunteers or self.comments or self.responses or self.saved or self.format_requests
                    or self.follows)

    @property
    def abouts(self) -> list[str]:
        """The ``OutboxEmail.about`` keys of the records in the bundle."""
        return ([about_volunteer(item.volunteer_id) for item in self.volunteers]
                + [about_comment(item.comment_id) for item in self.comments]
                + [about_response(item.response_id) for item in self.responses]
                + [saved_data.about_saved_answers(item.saved_id) for item in self.saved]
                + [follow_data.about_follow(item.id) for item in self.follows])

    def records(self) -> list[dict[str, object]]:
        return ([item.as_dict() for item in self.volunteers] + [item.as_dict() for item in self.comments]
                + [item.as_dict() for item in self.responses] + [item.as_dict() for item in self.saved]
                + [item.as_dict() for item in self.format_requests] + [item.as_dict() for item in self.follows])


async def bundle_for_email(email: str) -> PersonalDataBundle:
    return PersonalDataBundle(
        volunteers=await panel_data.volunteer_data_for_email(email),
        comments=await survey_data.comment_data_for_email(email),
        responses=await survey_data.response_data_for_email(email),
        saved=await saved_data.saved_answers_for_email(email),
        format_requests=await format_requests.format_requests_for_email(normalise_email(email)),
        follows=await follow_data.follows_for_email(normalise_email(email)),
        email=normalise_email(email),
    )


async def bundle_for_token(token: str, *, now: datetime | None = None,
                           idle_days: int = PRIVATE_LINK_IDLE_DAYS) -> PersonalDataBundle | None:
    """What a private link reaches, or None for a link that is unknown, expired or erased. A link
    asked for by email reaches everything held under that address; a record's own link (shown
    on screen when the resident gave their details, so it proves nothing about the address) reaches
    that record only, and stops working after ``idle_days`` without use."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = now or datetime.now(timezone.utc)
    token_hash = hash_token(token)
    link = await PersonalDataLink.select(PersonalDataLink.email, PersonalDataLink.email_key).where(
        PersonalDataLink.token_hash == token_hash, PersonalDataLink.expires_at > now).first().run()
    if link is not None:
        bundle = await bundle_for_email(link["email_key"] or link["email"])
        return None if bundle.is_empty else bundle
    active_since = link_active_since(now, idle_days)
    bundle = PersonalDataBundle(
        volunteers=await panel_data.volunteer_data_for_token_hash(token_hash, active_since=active_since),
        comments=await survey_data.comment_data_for_token_hash(token_hash, active_since=active_since),
        responses=await survey_data.response_data_for_token_hash(token_hash, active_since=active_since),
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
    saved_answers: int = 0
    format_requests: int = 0
    follows: int = 0
    files: int = 0
    """Files sent with those responses (or held with the saved answers), deleted from the disk."""

    @property
    def total(self) -> int:
        return (len(self.volunteers) + self.comments + self.responses + self.saved_answers + self.format_requests
                + self.follows + self.files)

    def notice(self) -> str:
        """What the officer is told: counts with labels (one message, whatever the numbers)."""
        return gettext("Erased. Panel registrations: %(volunteers)d. Comments: %(comments)d. Questionnaire "
                       "contact details: %(responses)d. Answers saved to carry on later: %(saved)d. "
                       "Requests for another language or format: %(formats)d. Emails removed: %(emails)d.",
                       volunteers=len(self.volunteers), comments=self.comments, responses=self.responses,
                       saved=self.saved_answers, formats=self.format_requests, emails=self.emails_removed) + (
            " " + gettext("Pages followed by email: %(follows)d.", follows=self.follows) if self.follows else "")

    def describe(self) -> str:
        """Counts, never contents, for the audit log (a record kept in one language, as its other
        entries' details are)."""
        return (f"{len(self.volunteers)} panel registration(s) {', '.join(self.volunteers)}; {self.comments} comment(s); "
                f"contact details of {self.responses} questionnaire response(s); {self.saved_answers} saved questionnaire(s); "
                f"{self.format_requests} request(s) for another language or format; {self.follows} follow(s); "
                f"{self.emails_removed} queued email(s)")


async def forget_emails_about(bundle: PersonalDataBundle) -> int:
    """Delete outbox emails (sent or not) about the bundle's records: they hold names and private
    links. For a bundle under a confirmed address, also the links emailed to that address (and
    emails queued to it before messages named their record). Nothing else is touched: a record's
    own link must not cancel other mail to an address it merely names."""
    ids = [row["id"] for row in await OutboxEmail.select(OutboxEmail.id).where(
        OutboxEmail.about.is_in(bundle.abouts or ["-"])).run()]
    if bundle.email:
        links = await PersonalDataLink.select(PersonalDataLink.id).where(PersonalDataLink.email_key == bundle.email).run()
        link_abouts = [about_link(row["id"]) for row in links]
        ids += [row["id"] for row in await OutboxEmail.select(OutboxEmail.id).where(
            OutboxEmail.about.is_in(link_abouts or ["-"])).run()]
        ids += [row["id"] for row in await OutboxEmail.select(OutboxEmail.id, OutboxEmail.to_address).where(
            OutboxEmail.about == "").run() if normalise_email(row["to_address"]) == bundle.email]
        await PersonalDataLink.delete().where(PersonalDataLink.email_key == bundle.email).run()
    if not ids:
        return 0
    rows = await OutboxEmail.delete().where(OutboxEmail.id.is_in(sorted(set(ids)))).returning(OutboxEmail.id).run()
    return len(rows)


async def erase_bundle(bundle: PersonalDataBundle, *, now: datetime | None = None,
                       data_dir: Path | None = None) -> ErasureSummary:
    """Erase everything in the bundle: volunteers' personal fields, comments (and quotes of them),
    respondents' contact details and the files they sent (under ``data_dir``), and the emails held
    about those records."""
    emails_removed = await forget_emails_about(bundle)
    references = await panel_data.erase_volunteers([item.volunteer_id for item in bundle.volunteers], now=now)
    comment_ids = [item.comment_id for item in bundle.comments]
    comments = await survey_data.erase_comments(comment_ids)
    await forget_quotes_of_comments(comment_ids)
    responses = await survey_data.remove_response_contacts([item.response_id for item in bundle.responses])
    files = 0
    if data_dir is not None:
        files = await response_files.delete_files_of_responses([item.response_id for item in bundle.responses],
                                                               data_dir=data_dir)
        files += await response_files.delete_pending_files(
            await response_files.idempotency_keys_of_saved([item.saved_id for item in bundle.saved]), data_dir=data_dir)
    saved = await saved_data.erase_saved_answers([item.saved_id for item in bundle.saved])
    formats = await format_requests.erase_format_requests([item.id for item in bundle.format_requests])
    followed = await follow_data.erase_follows(item.id for item in bundle.follows)
    return ErasureSummary(volunteers=references, comments=comments, responses=responses, emails_removed=emails_removed,
                          saved_answers=saved, format_requests=formats, follows=followed, files=files)


async def request_link(*, email: str, private_link: Callable[[str], str], council_name: str,
                       now: datetime | None = None) -> OutboxEmail | None:
    """A new private link to everything held under ``email``, or None when nothing is held (the
    caller answers the same either way, so the page never reveals whether an email is known).
    ``private_link(token)`` is the link's absolute address, built by the web side on ``SITE_URL``.
    The link goes to the address held on the records, never to the address as typed: two
    addresses that normalise alike (``K`` and the Kelvin sign ``\u212a``) are different mailboxes."""
    now = now or datetime.now(timezone.utc)
    bundle = await bundle_for_email(email)
    if bundle.is_empty:
        return None
    stored = [item.email for item in bundle.volunteers] + [item.email for item in bundle.comments]
    stored += [item.contact_email for item in bundle.responses] + [item.email for item in bundle.saved]
    stored += [item.email for item in bundle.format_requests] + [item.email for item in bundle.follows]
    to_address = next(address for address in stored if address.strip())
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(days=EMAIL_LINK_DAYS)
    inserted = await PersonalDataLink.insert(PersonalDataLink(
        token_hash=hash_token(token), email=to_address, email_key=bundle.email, created_at=now,
        expires_at=expires)).returning(PersonalDataLink.id).run()
    return OutboxEmail(
        to_address=to_address, about=about_link(inserted[0]["id"]),
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
            EMAIL_LINK_DAYS, council=council_name, link=private_link(token)),
    )


async def forget_expired_links(*, now: datetime) -> int:
    rows = await PersonalDataLink.delete().where(PersonalDataLink.expires_at <= now).returning(PersonalDataLink.id).run()
    return len(rows)
