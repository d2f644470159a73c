"""Comments on case studies and their moderation.

Pre-moderated by default: a new comment waits for a moderator unless the case study says
otherwise. A moderator approves, rejects (naming a house rule) or redacts (removing personal
information: the original is kept in ``original_body`` only until ``purge_redacted_originals``
runs after the audit period). A published comment reported by ``REPORTS_TO_HIDE`` different
people is hidden until reviewed. The author follows moderation on a private link whose token is
stored only as a SHA-256.

Functions return what to send (``EmailNotice``); the server writes the outbox and the audit log.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from common.batches import in_batches
from common.emails import clean_email, normalise_email
from common.formulas import safe_cell
from common.i18n import active_locale, gettext, lazy_gettext, speaking
from common.text import whole_number
from common.tokens import PRIVATE_LINK_IDLE_DAYS, hash_token, link_active_since
from common.transactions import write_transaction
from surveys.house_rules import HOUSE_RULES, rule_text
from surveys.tables import CaseStudy, Comment, CommentReport

MAX_BODY = 2000
MAX_NAME = 80
RATE_LIMIT = 5
RATE_WINDOW = timedelta(minutes=10)
REPORTS_TO_HIDE = 3
ERASED_PLACEHOLDER = "This comment was removed by the person who wrote it."


def hash_address(address: str, salt: str) -> str:
    """A salted hash of an IP address: enough to count one address's comments, not to recover it."""
    return hashlib.sha256(f"{salt}|{address}".encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EmailNotice:
    to_address: str
    subject: str
    body: str
    about: str = ""
    """The record the email is about (``case_study_comment:42``): erasing that record deletes it."""


PERSONAL_INFORMATION = "personal_information"
"""The house rule whose rejected comments are forgotten at once (``moderate_comment``)."""


def about_comment(comment_id: int) -> str:
    """The ``about`` of an email about this comment: erasing the comment deletes the email."""
    return f"case_study_comment:{int(comment_id)}"


class CommentError(ValueError):
    def __init__(self, errors: dict[str, str], *, rate_limited: bool = False):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.rate_limited = rate_limited


def check_comment_form(form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {name: str(form.get(name, "")).strip() for name in ("body", "display_name", "email", "parent_id")}
    errors: dict[str, str] = {}
    reply = bool(values["parent_id"])
    if not values["body"]:
        errors["body"] = gettext("Enter your reply") if reply else gettext("Enter your comment")
    elif len(values["body"]) > MAX_BODY:
        limits = {"limit": MAX_BODY, "length": len(values["body"])}
        errors["body"] = (gettext("Your reply must be %(limit)d characters or fewer (it has %(length)d)", **limits) if reply
                          else gettext("Your comment must be %(limit)d characters or fewer (it has %(length)d)", **limits))
    if len(values["display_name"]) > MAX_NAME:
        errors["display_name"] = gettext("The name must be %(limit)s characters or fewer", limit=MAX_NAME)
    if values["email"] and clean_email(values["email"]) is None:
        errors["email"] = gettext("Enter an email address in the correct format, like name@example.com")
    if values["parent_id"] and whole_number(values["parent_id"]) is None:  # "²" or 10**30 is no comment's id
        values["parent_id"] = ""
    return values, errors


@dataclass(frozen=True)
class PostedComment:
    comment_id: int
    token: str
    """The author's private link token (shown once; only its hash is stored)."""
    published: bool
    notice: EmailNotice | None


async def post_comment(*, case_study_slug: str, values: dict[str, str], ip_hash: str,
                       private_link: Callable[[str], str], now: datetime | None = None) -> PostedComment:
    """Store a checked comment (``check_comment_form``). Raises ``CommentError`` when comments are
    closed, the reply target is not a published comment here, or this address posted
    ``RATE_LIMIT`` comments in the last ``RATE_WINDOW`` (counted in the database, so the limit
    holds across workers). ``private_link`` makes the absolute address of the author's private page
    from its token (the server builds it on ``SITE_URL``; this package holds no web addresses)."""
    now = now or datetime.now(timezone.utc)
    # The statements here are written as SQL: they run for every comment posted, and Piccolo's
    # query builder costs several times what they do themselves.
    studies = await CaseStudy.raw(
        "SELECT id, title, comments_open, premoderated FROM case_study "
        "WHERE slug = {} AND published_at IS NOT NULL AND withdrawn_at IS NULL LIMIT 1", case_study_slug).run()
    study = studies[0] if studies else None
    if study is None or not study["comments_open"]:
        raise CommentError({"body": gettext("Comments on this case study are closed")})
    async with write_transaction(Comment._meta.db):
        counted = await Comment.raw("SELECT COUNT(*) AS n FROM case_study_comment WHERE ip_hash = {} AND created_at >= {}",
                                    ip_hash, now - RATE_WINDOW).run()
        recent = counted[0]["n"]
        if ip_hash and int(recent) >= RATE_LIMIT:
            raise CommentError({"body": gettext("You have posted %(count)s comments in the last few minutes. Wait 10 minutes, then try again.", count=RATE_LIMIT)}, rate_limited=True)
        parent_id = None
        if values.get("parent_id"):
            parent = await Comment.select(Comment.id, Comment.parent).where(
                Comment.id == int(values["parent_id"]), Comment.case_study == study["id"],
                Comment.state == "published").first().run()
            if parent is None:
                raise CommentError({"body": gettext("The comment you are replying to is no longer shown")})
            parent_id = parent["parent"] or parent["id"]  # one level of replies
        token = secrets.token_urlsafe(32)
        published = not study["premoderated"]
        inserted = await Comment.raw(
            "INSERT INTO case_study_comment (case_study, parent, display_name, email, email_key, body, state, reason, "
            "original_body, redacted_at, moderated_at, created_at, published_at, author_token_hash, ip_hash, "
            "report_count, link_active_at, locale) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, '', '', NULL, NULL, {}, {}, {}, {}, 0, {}, {}) RETURNING id",
            study["id"], parent_id, values["display_name"], normalise_email(values["email"]),
            normalise_email(values["email"]), values["body"], "published" if published else "pending", now,
            now if published else None, hash_token(token), ip_hash, now, active_locale.get()).run()
    notice = None
    if values["email"]:
        notice = EmailNotice(
            to_address=values["email"], about=about_comment(inserted[0]["id"]),
            subject=gettext("Your comment on ‘%(title)s’", title=study["title"]),
            body=gettext("Thank you for your comment on ‘%(title)s’.\n\n%(state)s\n\nSee its status at any time on "
                         "your private link:\n%(link)s\n\nKeep this link to yourself: anyone with it can see your "
                         "comment's status.", title=study["title"], link=private_link(token),
                         state=gettext("It is now published.") if published else
                         gettext("A moderator will check it against the house rules before it appears.")),
        )
    return PostedComment(comment_id=int(inserted[0]["id"]), token=token, published=published, notice=notice)


@dataclass(frozen=True)
class PublishedComment:
    id: int
    display_name: str
    body: str
    published_at: datetime | None
    redacted: bool
    replies: list["PublishedComment"] = field(default_factory=list)
    erased: bool = False
    """Its author erased it; shown (as a placeholder) only when others replied to it."""


async def published_comments(case_study_id: int, *, newest_first: bool = True) -> list[PublishedComment]:
    """Top-level comments in the order asked for, each with its replies oldest first."""
    rows = await Comment.select(
        Comment.id, Comment.parent, Comment.display_name, Comment.body, Comment.published_at, Comment.redacted_at,
        Comment.state,
    ).where(Comment.case_study == case_study_id, Comment.state.is_in(["published", "erased"]),
            Comment.published_at.is_not_null()).order_by(Comment.published_at).order_by(Comment.id).run()
    replies: dict[int, list[PublishedComment]] = {}
    top: list[PublishedComment] = []
    for row in rows:
        erased = row["state"] == "erased"
        item = PublishedComment(id=row["id"], display_name="" if erased else row["display_name"] or "Anonymous",
                                body=ERASED_PLACEHOLDER if erased else row["body"], published_at=row["published_at"],
                                redacted=row["redacted_at"] is not None, replies=[], erased=erased)
        if row["parent"]:
            if not erased:
                replies.setdefault(row["parent"], []).append(item)
        else:
            top.append(item)
    for item in top:
        item.replies.extend(replies.get(item.id, []))
    top = [item for item in top if not item.erased or item.replies]  # an erased comment stays only to hold replies
    return list(reversed(top)) if newest_first else top


async def shown_comment(case_study_id: int, comment_id: int, *, replies: bool = True) -> PublishedComment | None:
    """One comment shown on the case study page (not an erased placeholder): a top-level comment,
    or with ``replies`` also a reply to one."""
    for item in await published_comments(case_study_id):
        candidates = [item, *item.replies] if replies else [item]
        found = next((candidate for candidate in candidates if candidate.id == comment_id and not candidate.erased), None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class ReportOutcome:
    counted: bool
    """False when this person had already reported this comment, or it is not published."""
    hidden: bool


async def report_comment(*, comment_id: int, reporter_hash: str) -> ReportOutcome:
    async with write_transaction(Comment._meta.db):
        comment = await Comment.select(Comment.id, Comment.state).where(Comment.id == comment_id).first().run()
        if comment is None or comment["state"] != "published":
            return ReportOutcome(counted=False, hidden=comment is not None and comment["state"] == "hidden")
        already = await CommentReport.exists().where(CommentReport.comment == comment_id,
                                                     CommentReport.reporter_hash == reporter_hash).run()
        if already:
            return ReportOutcome(counted=False, hidden=False)
        await CommentReport.insert(CommentReport(comment=comment_id, reporter_hash=reporter_hash)).run()
        reports = int(await CommentReport.count().where(CommentReport.comment == comment_id).run())
        hidden = reports >= REPORTS_TO_HIDE
        await Comment.update({Comment.report_count: reports, **({Comment.state: "hidden"} if hidden else {})}).where(
            Comment.id == comment_id).run()
    return ReportOutcome(counted=True, hidden=hidden)


@dataclass(frozen=True)
class QueueItem:
    id: int
    case_study_title: str
    case_study_slug: str
    display_name: str
    body: str
    state: str
    created_at: datetime
    report_count: int
    is_reply: bool


MODERATION_ACTIONS = {
    "pending": ("approved", "rejected", "redacted"),
    "hidden": ("approved", "rejected", "redacted"),
    "published": ("kept", "rejected", "redacted"),
}
"""The states a comment waits for a moderator in, and what each allows: a published comment that
was reported is kept (its reports cleared), removed or redacted."""


def _waiting():
    """New comments, comments hidden after ``REPORTS_TO_HIDE`` reports, and published comments
    with fewer reports: without pre-moderation these would otherwise never reach a moderator."""
    return Comment.state.is_in(["pending", "hidden"]) | ((Comment.state == "published") & (Comment.report_count > 0))


def _queue_where(case_study_slug: str):
    condition = _waiting()
    if case_study_slug:
        condition = condition & Comment.case_study.is_in(CaseStudy.select(CaseStudy.id).where(CaseStudy.slug == case_study_slug))
    return condition


async def moderation_queue(*, case_study_slug: str = "", offset: int = 0, limit: int | None = None) -> list[QueueItem]:
    """Comments waiting for a decision (``_waiting``), oldest first: on one case study when
    ``case_study_slug`` is given, and ``limit`` of them from ``offset`` (a page, in the database)."""
    query = Comment.select(
        Comment.id, Comment.case_study.title, Comment.case_study.slug, Comment.display_name, Comment.body,
        Comment.state, Comment.created_at, Comment.report_count, Comment.parent,
    ).where(_queue_where(case_study_slug)).order_by(Comment.created_at).order_by(Comment.id)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    rows = await query.run()
    return [QueueItem(id=row["id"], case_study_title=row["case_study.title"], case_study_slug=row["case_study.slug"],
                      display_name=row["display_name"] or "Anonymous", body=row["body"], state=row["state"],
                      created_at=row["created_at"], report_count=row["report_count"], is_reply=bool(row["parent"]))
            for row in rows]


async def queue_length(*, case_study_slug: str = "") -> int:
    """How many comments ``moderation_queue`` holds, in all."""
    return int(await Comment.count().where(_queue_where(case_study_slug)).run())


async def queue_case_studies() -> list[tuple[str, str]]:
    """(slug, title) of the case studies with comments waiting, by title: the queue's filter."""
    rows = await CaseStudy.select(CaseStudy.slug, CaseStudy.title).where(
        CaseStudy.id.is_in(Comment.select(Comment.case_study).where(_waiting()))).order_by(CaseStudy.title).run()
    return [(row["slug"], row["title"]) for row in rows]


class ModerationError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ModerationOutcome:
    comment_id: int
    action: str
    """``approved``, ``kept``, ``rejected`` or ``redacted``."""
    reason: str
    notice: EmailNotice | None


DECISION_WORDS = {
    "approved": lazy_gettext("Your comment on ‘%(title)s’ was checked and is now published."),
    "kept": lazy_gettext("Your comment on ‘%(title)s’ was checked after it was reported and stays published."),
    "rejected": lazy_gettext("Your comment on ‘%(title)s’ was checked and will not be published."),
    "redacted": lazy_gettext("Your comment on ‘%(title)s’ was checked and published with some words removed."),
}
"""The moderator's decisions, and the sentence that tells the author (``%(title)s`` is the case study)."""
REMOVED_WORDS = lazy_gettext("Your comment on ‘%(title)s’ was checked after it was reported and has been removed.")


def _notice(row: dict, action: str, reason: str) -> EmailNotice | None:
    """What the author is told; nothing when they gave no email, or when a reported comment is kept
    (it stays as it was, and they were never told of the reports)."""
    if not row["email"] or action == "kept":
        return None
    with speaking(row.get("locale")):
        return _notice_words(row, action, reason)


def _notice_words(row: dict, action: str, reason: str) -> EmailNotice:
    words = REMOVED_WORDS if action == "rejected" and row["state"] == "published" else DECISION_WORDS[action]
    paragraphs = [str(words) % {"title": row["case_study.title"]}]
    if reason:
        paragraphs.append(gettext("The reason: %(rule)s.", rule=rule_text(reason)))
    paragraphs.append(gettext("You can see it on the private link you were given when you posted it."))
    return EmailNotice(
        to_address=row["email"], subject=gettext("Your comment has been checked"), body="\n\n".join(paragraphs),
        about=about_comment(row["id"]),
    )


async def moderate_comment(*, comment_id: int, action: str, reason: str = "", redacted_body: str = "",
                           now: datetime | None = None) -> ModerationOutcome:
    """Approve (or keep, for a reported comment still published), reject (``reason`` is a
    house-rule key) or redact (``redacted_body`` replaces the text; the original is kept for the
    audit period) a comment in the moderation queue. Keeping or redacting a reported comment
    clears its reports."""
    now = now or datetime.now(timezone.utc)
    errors: dict[str, str] = {}
    if action not in DECISION_WORDS:
        errors[f"moderation-{comment_id}"] = gettext("Choose what to do with the comment: approve or keep, reject or remove, or redact")
    if action in ("rejected", "redacted") and reason not in HOUSE_RULES:
        errors[f"reason-{comment_id}"] = gettext("Select the house rule the comment breaks")
    redacted_body = redacted_body.strip()
    if action == "redacted" and not redacted_body:
        errors[f"redacted_body-{comment_id}"] = gettext("Enter the comment as it should be published")
    elif action == "redacted" and len(redacted_body) > MAX_BODY:
        errors[f"redacted_body-{comment_id}"] = gettext("The comment must be %(limit)s characters or fewer", limit=MAX_BODY)
    if errors:
        raise ModerationError(errors)
    async with write_transaction(Comment._meta.db):
        row = await Comment.select(Comment.id, Comment.state, Comment.report_count, Comment.body, Comment.email, Comment.locale,
                                   Comment.published_at, Comment.case_study.title).where(Comment.id == comment_id).first().run()
        if row is None:
            raise ModerationError({"moderation-queue": gettext("That comment no longer exists")})
        if row["state"] not in MODERATION_ACTIONS or (row["state"] == "published" and not row["report_count"]):
            raise ModerationError({"moderation-queue": gettext("Another moderator has already dealt with that comment")})
        if action not in MODERATION_ACTIONS[row["state"]]:
            raise ModerationError({f"moderation-{comment_id}": gettext("That comment is already published: keep it, remove it or redact it")
                                   if row["state"] == "published" else gettext("Approve, reject or redact that comment")})
        changes: dict = {Comment.moderated_at: now, Comment.reason: reason if action in ("rejected", "redacted") else ""}
        if action == "rejected":
            changes[Comment.state] = "rejected"
            if reason == PERSONAL_INFORMATION:  # never shown, and holds what it must not: forget it now
                changes.update({Comment.body: "", Comment.original_body: "", Comment.display_name: ""})
        else:
            changes[Comment.state] = "published"
            changes[Comment.published_at] = row["published_at"] or now
        if action == "redacted":
            changes[Comment.original_body] = row["body"]
            changes[Comment.body] = redacted_body
            changes[Comment.redacted_at] = now
        if row["state"] in ("hidden", "published") and action != "rejected":
            await CommentReport.delete().where(CommentReport.comment == comment_id).run()
            changes[Comment.report_count] = 0
        await Comment.update(changes).where(Comment.id == comment_id).run()
    return ModerationOutcome(comment_id=comment_id, action=action, reason=reason, notice=_notice(row, action, reason))


def _rejected_and_held(moderated_before: datetime):
    return ((Comment.state == "rejected") & (Comment.moderated_at < moderated_before)
            & ((Comment.body != "") | (Comment.original_body != "") | (Comment.display_name != "")
               | (Comment.email != "") | (Comment.ip_hash != "")))


async def rejected_comments_before(*, moderated_before: datetime) -> int:
    """How many comments rejected before then still hold text, a name, an email or an address hash."""
    return int(await Comment.count().where(_rejected_and_held(moderated_before)).run())


async def purge_rejected_comments(*, moderated_before: datetime) -> list[int]:
    """Forget the text, name, email and address hash of comments rejected before
    ``moderated_before`` (they are not shown, and their authors were told why long enough ago);
    returns their ids."""
    ids = [row["id"] for row in await Comment.select(Comment.id).where(_rejected_and_held(moderated_before)).run()]
    if ids:
        await Comment.update({Comment.body: "", Comment.original_body: "", Comment.display_name: "", Comment.email: "",
                              Comment.email_key: "", Comment.ip_hash: ""}).where(Comment.id.is_in(ids)).run()
    return ids


async def purge_redacted_originals(*, older_than: datetime) -> int:
    """Forget the original text of comments redacted before ``older_than`` (the audit period)."""
    query = Comment.select(Comment.id).where(Comment.redacted_at < older_than, Comment.original_body != "")
    ids = [row["id"] for row in await query.run()]
    if ids:
        await Comment.update({Comment.original_body: ""}).where(Comment.id.is_in(ids)).run()
    return len(ids)


@dataclass(frozen=True)
class AuthorView:
    case_study_title: str
    case_study_slug: str
    body: str
    state: str
    reason_text: str
    created_at: datetime
    moderated_at: datetime | None
    redacted: bool


STATE_WORDS = {
    "pending": lazy_gettext("Waiting to be checked"),
    "published": lazy_gettext("Published"),
    "rejected": lazy_gettext("Not published"),
    "hidden": lazy_gettext("Hidden while a moderator looks at reports about it"),
    "erased": lazy_gettext("Erased at your request"),
}


def author_link_used_since(since: datetime):
    """The author's private link was issued or used at ``since`` or later (comments from before
    that was recorded count from when they were posted)."""
    return (Comment.link_active_at >= since) | (Comment.link_active_at.is_null() & (Comment.created_at >= since))


async def comment_for_author(token: str, *, idle_days: int = PRIVATE_LINK_IDLE_DAYS,
                             now: datetime | None = None) -> AuthorView | None:
    """The comment whose author's private link this is; None for an unknown link or one unused
    for ``idle_days`` (opening it keeps it working another ``idle_days``)."""
    if not token or len(token) > 100:
        return None
    now = now or datetime.now(timezone.utc)
    since = link_active_since(now, idle_days)
    row = await Comment.select(Comment.id, Comment.body, Comment.state, Comment.reason, Comment.created_at,
                               Comment.moderated_at, Comment.redacted_at, Comment.case_study.title,
                               Comment.case_study.slug).where(
        Comment.author_token_hash == hash_token(token), author_link_used_since(since)).first().run()
    if row is None:
        return None
    await Comment.update({Comment.link_active_at: now}).where(Comment.id == row["id"]).run()
    return AuthorView(case_study_title=row["case_study.title"], case_study_slug=row["case_study.slug"],
                      body=row["body"], state=row["state"], reason_text=rule_text(row["reason"]),
                      created_at=row["created_at"], moderated_at=row["moderated_at"],
                      redacted=row["redacted_at"] is not None)


COMMENT_CSV_COLUMNS = ("id", "case_study", "reply_to", "display_name", "body", "state", "reason", "created_at",
                       "published_at", "report_count")


def _cell(value: object) -> str:
    text = "" if value is None else (value.astimezone(timezone.utc).isoformat(timespec="seconds")
                                     if isinstance(value, datetime) else str(value))
    return safe_cell(text)


def _comment_rows_csv(rows: list[dict], *, with_header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if with_header:
        writer.writerow(COMMENT_CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in (
            row["id"], row["case_study.slug"], row["parent"] or "", row["display_name"], row["body"], row["state"],
            row["reason"], row["created_at"], row["published_at"], row["report_count"])])
    return buffer.getvalue()


def _exported(case_study_slug: str | None):
    query = Comment.select(Comment.id, Comment.case_study.slug, Comment.parent, Comment.display_name, Comment.body,
                           Comment.state, Comment.reason, Comment.created_at, Comment.published_at,
                           Comment.report_count)
    return query.where(Comment.case_study.slug == case_study_slug) if case_study_slug else query


async def comments_csv_chunks(case_study_slug: str | None = None) -> AsyncIterator[str]:
    """Comments (never the email or address hash) as CSV with formulas neutralised, oldest first,
    a batch at a time (``common.batches``), for a download that starts at once."""
    yield _comment_rows_csv([], with_header=True)
    async for rows in in_batches(lambda: _exported(case_study_slug), order=Comment.id, id_column=Comment.id):
        yield _comment_rows_csv(rows, with_header=False)


async def count_comments(case_study_slug: str | None = None) -> int:
    query = Comment.count()
    return int(await (query.where(Comment.case_study.slug == case_study_slug) if case_study_slug else query).run())
