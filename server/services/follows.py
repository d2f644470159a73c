"""Following by email: anyone may follow a consultation, a Resident Panel, one of its
recommendations or a commitment, with no account, and is told when something is published.

Double opt-in: the form stores a pending follow and sends one email, with a private link to
confirm (only the SHA-256 of its token is stored, ``common.tokens``). Nothing else is ever sent to
an address that has not confirmed; a pending follow expires after ``CONFIRM_DAYS``. Every email
carries a one-click link that stops it (a keyed signature of the follow, so no further secret is
stored, and old emails' links keep working): it deletes the follow.

Who is told of what (``notify_*``): followers of a consultation, and respondents who gave their
address (they agreed to be told when the results are published), when its report is published;
followers of a recommendation when the council records or changes its response; followers of a
commitment when an update is posted; followers of a panel when the results of a vote on its
recommendations are published. Each email says only what happened, with a link, in the language
the person used when they followed (or answered).

The follows live here, with the outbox, because they reach across panels, surveys and analysis,
which must stay unaware of each other; domain code only says what happened.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from analysis.commitments.store import CommitmentNotFound, commitment_page
from common.clock import council_today
from common.emails import clean_email, normalise_email
from common.i18n import gettext, lazy_gettext, speaking
from common.text import whole_number
from common.tokens import hash_token
from panels import recommendations as panel_recommendations
from panels import store as panel_store
from surveys.consultations import get_consultation
from surveys.personal_data import remove_response_contacts
from surveys.responses import about_response, respondents_to_tell, response_contact
from common.transactions import is_unique_violation
from panels import ballots
from server.tables import Follow, FollowAnnouncement

logger = logging.getLogger("civicpanel")

SUBJECT_KINDS = ("consultation", "panel", "recommendation", "commitment")
CONFIRM_DAYS = 7
"""A pending follow's confirmation link works for this many days; then the follow is deleted."""
MAX_TOKEN_LENGTH = 100
STOP_FOLLOW = "follow"
STOP_RESPONSE = "response"
"""What a stop link ends: a follow (deleted), or a respondent's address (removed from their response)."""

FOLLOWING_WHAT = {
    "consultation": lazy_gettext("You will get an email when the results of this consultation are published."),
    "panel": lazy_gettext("You will get an email when the Resident Panel publishes the results of a vote on its recommendations."),
    "recommendation": lazy_gettext("You will get an email when the council records or changes its response to this recommendation."),
    "commitment": lazy_gettext("You will get an email when the council posts an update on this commitment."),
}
"""What a follower of each kind of page will be told, as the form and the confirmation say it."""


@dataclass(frozen=True)
class Subject:
    """What is followed: its kind, key (``Follow.subject_key``), title, and its public page as a
    route name with parameters (and a fragment for a recommendation on its panel's page)."""

    kind: str
    key: str
    title: str
    route: str
    params: Mapping[str, object]
    fragment: str = ""


@dataclass(frozen=True)
class FollowLinks:
    """The site's absolute addresses, built by the web side on ``SITE_URL``."""

    confirm: Callable[[str], str]
    """token -> the confirmation link."""
    stop: Callable[[str, int, str], str]
    """(what, record id, signature) -> the one-click stop link."""
    page: Callable[[Subject], str]
    """A subject's public page."""
    secret_key: str


@dataclass(frozen=True)
class FollowEmail:
    to_address: str
    subject: str
    body: str
    about: str = ""
    unsubscribe_link: str = ""


@dataclass(frozen=True)
class FollowData:
    """A follow as the follower's own data page and the officer's subject access tools show it."""

    id: int
    subject_kind: str
    subject_title: str
    email: str
    created_at: datetime
    confirmed_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {"kind": "follow", "following": self.subject_title, "email": self.email,
                "asked_on": self.created_at.isoformat(timespec="seconds"),
                "confirmed_on": self.confirmed_at.isoformat(timespec="seconds") if self.confirmed_at else ""}


def about_follow(follow_id: int) -> str:
    """The ``OutboxEmail.about`` of an email to a follower: erasing the follow deletes it."""
    return f"follow:{int(follow_id)}"


# --- what can be followed ---------------------------------------------------------------------

async def find_subject(kind: str, key: str) -> Subject | None:
    """The public thing a follow is about, or None when there is none (or it is not public)."""
    if kind == "consultation":
        consultation = await get_consultation(key, council_today())
        return Subject(kind, key, consultation.title, "consultation_page", {"slug": key}) if consultation else None
    if kind == "panel":
        panel = await panel_store.get_panel_by_slug(key)
        return Subject(kind, key, panel.name, "panel_public", {"slug": key}) if panel else None
    if kind == "recommendation":
        panel_part, _, item_part = key.partition("/")
        panel_id, item_id = whole_number(panel_part), whole_number(item_part)
        if panel_id is None or item_id is None:
            return None
        panel = await panel_store.get_panel(panel_id)
        item = await panel_recommendations.get_recommendation(panel_id, item_id) if panel else None
        if item is None or item.vote_id is None or item.merged_into is not None:
            return None
        return Subject(kind, key, item.title, "panel_recommendations", {"slug": panel.slug},
                       fragment=f"#r{item.number}")
    if kind == "commitment":
        charter, _, commitment_key = key.partition("/")
        try:
            page = await commitment_page(charter, commitment_key, council_today())
        except CommitmentNotFound:
            return None
        return Subject(kind, key, page.commitment.title, "commitments_public_item", {"slug": charter, "key": commitment_key})
    return None


def recommendation_key(panel_id: int, recommendation_id: int) -> str:
    return f"{int(panel_id)}/{int(recommendation_id)}"


def commitment_key(charter_slug: str, key: str) -> str:
    return f"{charter_slug}/{key}"


# --- the form, confirmation and stopping --------------------------------------------------------

def check_follow_form(data: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """The address as typed and the errors (field -> message)."""
    values = {"email": str(data.get("email", "")).strip()}
    if not values["email"]:
        return values, {"email": gettext("Enter your email address")}
    if clean_email(values["email"]) is None:
        return values, {"email": gettext("Enter an email address in the correct format, like name@example.com")}
    return values, {}


def stop_signature(secret_key: str, what: str, record_id: int, salt: str) -> str:
    """The keyed signature in a stop link. ``salt`` is the record's own token hash, so a link
    never stops a later record that was given the same id."""
    return hmac.new(secret_key.encode(), f"stop:{what}:{int(record_id)}:{salt}".encode(), hashlib.sha256).hexdigest()


def _stop_link(links: FollowLinks, what: str, record_id: int, salt: str) -> str:
    return links.stop(what, record_id, stop_signature(links.secret_key, what, record_id, salt))


def _footer(stop: str) -> str:
    return gettext("To stop these emails, use this link:") + f"\n{stop}\n"


async def start_follow(*, subject: Subject, email: str, locale: str, links: FollowLinks,
                       now: datetime | None = None) -> FollowEmail:
    """Store a pending follow (or renew one not yet confirmed) and return the email asking to
    confirm it. An address already following is told so, and nothing changes."""
    now = now or datetime.now(timezone.utc)
    address = clean_email(email) or ""
    key = normalise_email(address)
    existing = await Follow.select(Follow.id, Follow.token_hash, Follow.confirmed_at, Follow.locale).where(
        Follow.subject_kind == subject.kind, Follow.subject_key == subject.key, Follow.email_key == key).first().run()
    if existing is not None and existing["confirmed_at"] is not None:
        stop = _stop_link(links, STOP_FOLLOW, existing["id"], existing["token_hash"])
        with speaking(existing["locale"]):
            return FollowEmail(
                to_address=address, about=about_follow(existing["id"]), unsubscribe_link=stop,
                subject=gettext("You already follow ‘%(title)s’", title=subject.title),
                body=gettext("Someone, probably you, asked to follow ‘%(title)s’ with this address. You already follow "
                             "it, so nothing has changed.", title=subject.title) + "\n\n" + _footer(stop))
    token = secrets.token_urlsafe(32)
    if existing is not None:
        follow_id = existing["id"]
        await Follow.update({Follow.token_hash: hash_token(token), Follow.created_at: now, Follow.email: address,
                             Follow.locale: locale, Follow.subject_title: subject.title[:300]}).where(
            Follow.id == follow_id).run()
    else:
        inserted = await Follow.insert(Follow(
            subject_kind=subject.kind, subject_key=subject.key, subject_title=subject.title[:300], email=address,
            email_key=key, locale=locale, token_hash=hash_token(token), created_at=now)).returning(Follow.id).run()
        follow_id = inserted[0]["id"]
    stop = _stop_link(links, STOP_FOLLOW, follow_id, hash_token(token))
    with speaking(locale):
        return FollowEmail(
            to_address=address, about=about_follow(follow_id), unsubscribe_link=stop,
            subject=gettext("Confirm you want to follow ‘%(title)s’", title=subject.title),
            body=(gettext("You asked to follow ‘%(title)s’.", title=subject.title) + " " + str(FOLLOWING_WHAT[subject.kind])
                  + "\n\n" + gettext("Confirm with this link within %(days)d days:", days=CONFIRM_DAYS)
                  + f"\n{links.confirm(token)}\n\n"
                  + gettext("If you did not ask for this, ignore this email: we will send you nothing more and delete "
                            "your address.") + "\n\n" + _footer(stop)))


@dataclass(frozen=True)
class Confirmed:
    follow_id: int
    subject_kind: str
    subject_key: str
    subject_title: str
    stop_link: str
    newly: bool
    """False when it had been confirmed before (the link used again)."""


async def confirm_follow(token: str, *, links: FollowLinks, now: datetime | None = None) -> Confirmed | None:
    """Confirm the follow whose link this is; None for a link unknown or expired. Using the link
    again does nothing more."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = now or datetime.now(timezone.utc)
    token_hash = hash_token(token)
    row = await Follow.select().where(Follow.token_hash == token_hash).first().run()
    if row is None:
        return None
    newly = row["confirmed_at"] is None
    if newly:
        if row["created_at"] < now - timedelta(days=CONFIRM_DAYS):
            return None
        await Follow.update({Follow.confirmed_at: now}).where(Follow.id == row["id"], Follow.confirmed_at.is_null()).run()
    return Confirmed(follow_id=row["id"], subject_kind=row["subject_kind"], subject_key=row["subject_key"],
                     subject_title=row["subject_title"], newly=newly,
                     stop_link=_stop_link(links, STOP_FOLLOW, row["id"], token_hash))


@dataclass(frozen=True)
class Stopped:
    what: str
    title: str
    record_id: int


async def stop(*, what: str, record_id: int, signature: str, secret_key: str) -> Stopped | None:
    """Follow a stop link: delete the follow, or remove a respondent's address from their
    response. None when the link is not genuine or its record has already gone."""
    if what == STOP_FOLLOW:
        row = await Follow.select(Follow.id, Follow.token_hash, Follow.subject_title).where(Follow.id == record_id).first().run()
        if row is None or not hmac.compare_digest(stop_signature(secret_key, what, record_id, row["token_hash"]), signature):
            return None
        await Follow.delete().where(Follow.id == record_id).run()
        return Stopped(what=what, title=row["subject_title"], record_id=record_id)
    if what == STOP_RESPONSE:
        contact = await response_contact(record_id)
        if contact is None or not hmac.compare_digest(
                stop_signature(secret_key, what, record_id, contact.salt), signature):
            return None
        await remove_response_contacts([record_id])
        return Stopped(what=what, title=contact.consultation_title, record_id=record_id)
    return None


# --- telling followers --------------------------------------------------------------------------

async def _confirmed_followers(kind: str, key: str) -> list[dict]:
    return await Follow.select(Follow.id, Follow.email, Follow.email_key, Follow.locale, Follow.token_hash).where(
        Follow.subject_kind == kind, Follow.subject_key == key, Follow.confirmed_at.is_not_null()).order_by(Follow.id).run()


def _notice(row: dict, links: FollowLinks, subject: Subject, *, headline: Callable[[], str],
            sentence: Callable[[], str]) -> FollowEmail:
    stop_link = _stop_link(links, STOP_FOLLOW, row["id"], row["token_hash"])
    with speaking(row["locale"]):
        return FollowEmail(
            to_address=row["email"], about=about_follow(row["id"]), unsubscribe_link=stop_link, subject=headline(),
            body=sentence() + "\n\n" + links.page(subject) + "\n\n"
            + gettext("You are getting this email because you follow ‘%(title)s’.", title=subject.title) + " "
            + _footer(stop_link))


async def _tell_followers(subject: Subject, links: FollowLinks, *, headline: Callable[[], str],
                          sentence: Callable[[], str]) -> list[FollowEmail]:
    return [_notice(row, links, subject, headline=headline, sentence=sentence)
            for row in await _confirmed_followers(subject.kind, subject.key)]


async def notify_report_published(*, slug: str, version: int, links: FollowLinks) -> list[FollowEmail]:
    """Followers of the consultation, and (for the first version only: they asked to be told when
    the results are published, once) respondents who gave their address, one email per address."""
    subject = await find_subject("consultation", slug)
    if subject is None:
        return []
    title = subject.title
    if version == 1:
        headline = lambda: gettext("Results published: %(title)s", title=title)  # noqa: E731
        sentence = lambda: gettext("The council has published the results of ‘%(title)s’: what residents said and "  # noqa: E731
                                   "what the council will do.", title=title)
    else:
        headline = lambda: gettext("Results updated: %(title)s", title=title)  # noqa: E731
        sentence = lambda: gettext("The council has published an updated version of the results of ‘%(title)s’.",  # noqa: E731
                                   title=title)
    emails = await _tell_followers(subject, links, headline=headline, sentence=sentence)
    if version != 1:
        return emails
    told = {normalise_email(email.to_address) for email in emails}
    for contact in await respondents_to_tell(slug):
        if contact.email_key in told:
            continue
        told.add(contact.email_key)
        stop_link = _stop_link(links, STOP_RESPONSE, contact.response_id, contact.salt)
        with speaking(contact.locale):
            emails.append(FollowEmail(
                to_address=contact.email, about=about_response(contact.response_id), unsubscribe_link=stop_link,
                subject=headline(),
                body=sentence() + "\n\n" + links.page(subject) + "\n\n"
                + gettext("You are getting this email because you answered ‘%(title)s’ and asked to be told when the "
                          "results were published. We will not email you about it again.", title=title) + " "
                + gettext("To remove your email address from your response, use this link:") + f"\n{stop_link}\n"))
    return emails


async def notify_response_recorded(*, panel_id: int, recommendation_id: int, changed: bool,
                                   links: FollowLinks) -> list[FollowEmail]:
    """Followers of the recommendation: the council recorded (or changed) its response."""
    subject = await find_subject("recommendation", recommendation_key(panel_id, recommendation_id))
    if subject is None:
        return []
    title = subject.title
    if changed:
        return await _tell_followers(
            subject, links, headline=lambda: gettext("The council has changed its response: %(title)s", title=title),
            sentence=lambda: gettext("The council has changed its response to the Resident Panel's recommendation "
                                     "‘%(title)s’.", title=title))
    return await _tell_followers(
        subject, links, headline=lambda: gettext("The council has responded: %(title)s", title=title),
        sentence=lambda: gettext("The council has published its response to the Resident Panel's recommendation "
                                 "‘%(title)s’.", title=title))


async def notify_commitment_updated(*, charter_slug: str, key: str, status_words: Callable[[], str],
                                    links: FollowLinks) -> list[FollowEmail]:
    """Followers of the commitment: an update was posted (``status_words`` is its status, in
    the follower's language)."""
    subject = await find_subject("commitment", commitment_key(charter_slug, key))
    if subject is None:
        return []
    title = subject.title
    return await _tell_followers(
        subject, links, headline=lambda: gettext("Update on a council commitment: %(title)s", title=title),
        sentence=lambda: gettext("The council has posted an update on its commitment ‘%(title)s’. Where it stands "
                                 "today: %(status)s.", title=title, status=status_words()))


async def claim_announcement(event: str) -> bool:
    """True the first time ``event`` is claimed, on any worker; False after that."""
    try:
        await FollowAnnouncement.insert(FollowAnnouncement(event=event[:120])).run()
    except Exception as error:
        if is_unique_violation(error):
            return False
        raise
    return True


def vote_results_event(vote_id: int) -> str:
    return f"vote_results:{int(vote_id)}"


async def notify_vote_results(*, vote_id: int, panel_slug: str, links: FollowLinks) -> list[FollowEmail]:
    """Followers of the panel: the results of a vote on its recommendations are published. Told
    once per vote, whether an officer closed it or it ran to its last day."""
    panel = await find_subject("panel", panel_slug)
    if panel is None or not await claim_announcement(vote_results_event(vote_id)):
        return []
    page = Subject("panel", panel.key, panel.title, "panel_recommendations", {"slug": panel_slug})
    title = panel.title
    return await _tell_followers(
        page, links, headline=lambda: gettext("Recommendations published: %(title)s", title=title),
        sentence=lambda: gettext("%(title)s has published the results of its vote on its recommendations, with the "
                                 "council's response where there is one.", title=title))


VOTE_LOOKBACK_DAYS = 7
"""Votes that ended up to this many days ago are announced by the background check (a vote that
ended before following existed, or while the server was stopped for longer, is not)."""
ANNOUNCE_INTERVAL_S = 3600


async def announce_ended_votes(*, today, links: FollowLinks) -> list[FollowEmail]:
    """The emails for every vote whose results became public lately and that its panel's followers
    have not yet been told of (a vote that ran to its last day has no officer's action to say so)."""
    emails: list[FollowEmail] = []
    for vote in await ballots.votes_ended_since(today - timedelta(days=VOTE_LOOKBACK_DAYS), today):
        panel = await panel_store.get_panel(vote.panel_id)
        if panel is not None:
            emails += await notify_vote_results(vote_id=vote.id, panel_slug=panel.slug, links=links)
    return emails


async def run_announcements_forever(links: FollowLinks, send: Callable[[list[FollowEmail]], object], *,
                                    interval_s: float = ANNOUNCE_INTERVAL_S) -> None:
    """The app's hourly background check; ``send`` queues the emails. Every worker runs it; each
    event is claimed once, so nobody is told twice."""
    while True:
        try:
            emails = await announce_ended_votes(today=council_today(), links=links)
            if emails:
                await send(emails)
        except Exception:  # a failed pass must not stop the next; it is logged with its trace
            logger.exception("telling followers of ended votes failed")
        await asyncio.sleep(interval_s)


# --- personal data ------------------------------------------------------------------------------

def _data(row: Mapping[str, object]) -> FollowData:
    return FollowData(**{name: row[name] for name in FollowData.__dataclass_fields__})


async def follows_for_email(email_key: str) -> list[FollowData]:
    rows = await Follow.select().where(Follow.email_key == email_key).order_by(Follow.id).run()
    return [_data(row) for row in rows]


async def erase_follows(ids: Iterable[int]) -> int:
    ids = [int(value) for value in ids]
    if not ids:
        return 0
    return len(await Follow.delete().where(Follow.id.is_in(ids)).returning(Follow.id).run())


def _past_retention(*, now: datetime, retention: timedelta):
    """Unconfirmed follows past their link's life, and confirmed ones ``retention`` after confirming."""
    return ((Follow.confirmed_at.is_null() & (Follow.created_at < now - timedelta(days=CONFIRM_DAYS)))
            | (Follow.confirmed_at < now - retention))


async def follows_past_retention(*, now: datetime, retention: timedelta) -> list[int]:
    return [row["id"] for row in await Follow.select(Follow.id).where(_past_retention(now=now, retention=retention)).run()]
