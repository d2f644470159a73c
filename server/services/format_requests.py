"""Requests for a page in another language or format, and the officers' task list of them.

A resident on a consultation, case study or panel page asks for a translation into a language
they name, large print, audio or Easy Read, and leaves an email address to be answered at. The
request is held in ``FormatRequest`` (personal data: found and erased with everything else held
under that address, ``server.services.personal_data``) and shown to officers as a task until one
marks it done. Each request and each change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from common.emails import clean_email, normalise_email
from common.i18n import gettext, lazy_gettext
from server.audit import count_recent, record_audit
from server.tables import FormatRequest

PAGE_KINDS = ("consultation", "case_study", "panel")
FORMATS = {
    "translation": lazy_gettext("A translation into another language"),
    "large_print": lazy_gettext("Large print"),
    "audio": lazy_gettext("Audio"),
    "easy_read": lazy_gettext("Easy Read"),
}
"""Key → what a resident may ask for, as the form offers it."""
MAX_LANGUAGE = 100
MAX_PURPOSE = 1000
REQUESTS_PER_HOUR = 5
"""Requests one address may make in an hour (counted in the audit log, so across workers)."""
MADE = "format_request_made"


@dataclass(frozen=True)
class FormatRequestData:
    """A request as the resident gave it and as officers and the resident's own data page show it."""

    id: int
    page_kind: str
    page_slug: str
    page_title: str
    wanted: str
    language: str
    email: str
    purpose: str
    locale: str
    created_at: datetime
    done_at: datetime | None
    done_by: str

    @property
    def wanted_words(self) -> str:
        return str(FORMATS.get(self.wanted, self.wanted))

    def as_dict(self) -> dict[str, object]:
        return {"kind": "format_request", "page": self.page_title, "wanted": self.wanted_words,
                "language": self.language, "email": self.email, "purpose": self.purpose,
                "asked_on": self.created_at.isoformat(timespec="seconds"),
                "done_on": self.done_at.isoformat(timespec="seconds") if self.done_at else ""}


def check_format_request(data: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The cleaned values and the errors (field → message) of the form."""
    values = {name: str(data.get(name, "")).strip() for name in ("wanted", "language", "email", "purpose")}
    errors: dict[str, str] = {}
    if values["wanted"] not in FORMATS:
        errors["wanted"] = gettext("Select what you would like")
    elif values["wanted"] == "translation" and not values["language"]:
        errors["language"] = gettext("Enter the language you would like it in")
    if len(values["language"]) > MAX_LANGUAGE:
        errors["language"] = gettext("The language must be %(limit)d characters or fewer", limit=MAX_LANGUAGE)
    if not values["email"]:
        errors["email"] = gettext("Enter your email address")
    elif clean_email(values["email"]) is None:
        errors["email"] = gettext("Enter an email address in the correct format, like name@example.com")
    if len(values["purpose"]) > MAX_PURPOSE:
        errors["purpose"] = gettext("What you need it for must be %(limit)d characters or fewer (it has %(length)d)",
                                    limit=MAX_PURPOSE, length=len(values["purpose"]))
    return values, errors


async def too_many_requests(ip_address: str, *, now: datetime | None = None) -> bool:
    now = now or datetime.now(timezone.utc)
    return await count_recent(action=MADE, since=now - timedelta(hours=1), ip_address=ip_address) >= REQUESTS_PER_HOUR


async def make_format_request(*, page_kind: str, page_slug: str, page_title: str, values: Mapping[str, str],
                              locale: str, ip_address: str) -> int:
    """Store a checked request (``check_format_request`` found no errors) and audit it."""
    email = clean_email(values["email"]) or ""
    row = await FormatRequest.insert(FormatRequest(
        page_kind=page_kind, page_slug=page_slug, page_title=page_title[:300], wanted=values["wanted"],
        language=values["language"] if values["wanted"] == "translation" else "", email=email,
        email_key=normalise_email(email), purpose=values["purpose"], locale=locale)).returning(FormatRequest.id).run()
    request_id = row[0]["id"]
    await record_audit(actor="resident", action=MADE, object_type="format_request", object_id=request_id,
                       detail=f"{page_kind} {page_slug}: {values['wanted']}", ip_address=ip_address)
    return request_id


def _data(row: Mapping[str, object]) -> FormatRequestData:
    return FormatRequestData(**{name: row[name] for name in FormatRequestData.__dataclass_fields__})


async def format_request_tasks() -> list[FormatRequestData]:
    """Every request, those still to do first (oldest first), then those done (latest first)."""
    rows = await FormatRequest.select().order_by(FormatRequest.created_at).run()
    to_do = [_data(row) for row in rows if row["done_at"] is None]
    done = sorted((_data(row) for row in rows if row["done_at"] is not None), key=lambda item: item.done_at, reverse=True)
    return to_do + done


async def mark_format_request_done(request_id: int, *, officer: str, done: bool = True,
                                   now: datetime | None = None) -> bool:
    """Mark a request done (or to do again); False when there is no such request."""
    now = now or datetime.now(timezone.utc)
    changed = await FormatRequest.update({FormatRequest.done_at: now if done else None,
                                          FormatRequest.done_by: officer if done else ""}).where(
        FormatRequest.id == request_id).returning(FormatRequest.id).run()
    if not changed:
        return False
    await record_audit(actor=officer, action="format_request_done" if done else "format_request_reopened",
                       object_type="format_request", object_id=request_id)
    return True


async def format_requests_for_email(email_key: str) -> list[FormatRequestData]:
    """The requests held under a (normalised) address."""
    rows = await FormatRequest.select().where(FormatRequest.email_key == email_key).order_by(FormatRequest.id).run()
    return [_data(row) for row in rows]


async def count_format_requests_before(cut_off: datetime) -> int:
    return int(await FormatRequest.count().where(FormatRequest.created_at < cut_off).run())


async def purge_format_requests_before(cut_off: datetime) -> int:
    """The retention purge: a request made before ``cut_off`` (``RETENTION_MONTHS`` ago) is
    deleted, done or not: the resident was answered long ago, or can ask again."""
    return len(await FormatRequest.delete().where(FormatRequest.created_at < cut_off).returning(FormatRequest.id).run())


async def erase_format_requests(ids: list[int]) -> int:
    """Delete the requests (they are nothing but personal data and a task); how many went."""
    if not ids:
        return 0
    return len(await FormatRequest.delete().where(FormatRequest.id.is_in(ids)).returning(FormatRequest.id).run())
