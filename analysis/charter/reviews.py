"""Reviews against a charter: an officer puts a data use (a case study, or a project described for
the panel) before a Resident Panel; each member rates it against every principle of the charter —
meets / partly / does not meet / can't tell — with reasons, online through their private link or
on a paper form at a session that a facilitator enters. The result is "The Resident Panel's view",
published with the council's reply once the review has ended.

**Secrecy**, as for ballots (``panels.ballots``): a member's ratings are stored as a mark in the
register (``CharterReviewCast``: this member has rated; no time, no rating) and additions to a
count per principle and rating (``CharterReviewTally``); each reason is a row of its own with no
name and no time, kept in a random order. No row joins a member to a rating, and no page shows
counts while the review is open (counts that move after a known member rates would tell how).

**Counts are published whole**, like the ballot totals of the same panel and unlike the panel's
view of a council response (published under the disclosure threshold rules): the design's
threshold is for breakdowns by group, and these counts are the panel's overall answer to one
question, broken down by nothing about its members (``/work/shared/DESIGN.md``, "Publishing
numbers": overall results are always shown). They are fixed once the review ends, so no later
change in a figure can be traced to one member's rating; members are not named anywhere public.
With panels of 20 to 45, hiding counts under 10 would hide most of the panel's view.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from analysis.charter.review_forms import MemberRatings, PaperForms, ReviewInput
from analysis.charter.review_ratings import RATING_LABELS, RATINGS
from analysis.tables import (
    Charter, CharterReview, CharterReviewCast, CharterReviewPaperBatch, CharterReviewReason, CharterReviewTally,
    Principle,
)
from common.periods import OpenUntilDay
from common.i18n import gettext
from common.transactions import is_unique_violation, write_transaction
from panels.ballots import VOTER_STATUS
from panels.tables import PanelSession, Volunteer


class ReviewError(ValueError):
    """The review or the ratings cannot be taken; the message is for the person who tried."""


@dataclass(frozen=True)
class ReviewView(OpenUntilDay):
    id: int
    panel_id: int
    charter_id: int
    charter_name: str
    case_study_id: int | None
    case_study_slug: str
    title: str
    description: str
    opened_on: date
    closes_on: date
    closed_on: date | None
    reply: str
    replied_on: date | None
    panel_name: str = ""
    panel_slug: str = ""


@dataclass(frozen=True)
class PrincipleItem:
    id: int
    number: int
    title: str
    description: str


@dataclass(frozen=True)
class PrincipleResult:
    """The panel's view of one principle: a count per rating and the reasons, by rating."""

    principle: PrincipleItem
    counts: dict[str, int]
    reasons: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[tuple[str, str, int, list[str]]]:
        """(rating, label, count, reasons) in the scale's order."""
        return [(rating, str(RATING_LABELS[rating]), self.counts[rating], self.reasons.get(rating, []))
                for rating in RATINGS]


@dataclass(frozen=True)
class ReviewResult:
    review: ReviewView
    members: int
    """How many members rated it (online and on paper)."""
    principles: list[PrincipleResult]


_COLUMNS = (CharterReview.id, CharterReview.panel, CharterReview.charter, CharterReview.charter.name.as_alias("charter_name"),
            CharterReview.case_study, CharterReview.case_study.slug.as_alias("case_study_slug"), CharterReview.title,
            CharterReview.description, CharterReview.opened_on, CharterReview.closes_on, CharterReview.closed_on,
            CharterReview.reply, CharterReview.replied_on, CharterReview.panel.name.as_alias("panel_name"),
            CharterReview.panel.slug.as_alias("panel_slug"))


def _view(row: dict) -> ReviewView:
    return ReviewView(id=int(row["id"]), panel_id=int(row["panel"]), charter_id=int(row["charter"]),
                      charter_name=row["charter_name"], case_study_id=row["case_study"],
                      case_study_slug=row["case_study_slug"] or "", title=row["title"], description=row["description"],
                      opened_on=row["opened_on"], closes_on=row["closes_on"], closed_on=row["closed_on"],
                      reply=row["reply"], replied_on=row["replied_on"], panel_name=row["panel_name"],
                      panel_slug=row["panel_slug"])


async def open_review(*, panel_id: int, review: ReviewInput, opened_by: str, today: date) -> ReviewView:
    row = CharterReview(panel=panel_id, charter=review.charter_id, case_study=review.case_study_id, title=review.title,
                        description=review.description, opened_on=today, closes_on=review.closes_on,
                        opened_by=opened_by)
    await row.save().run()
    return await get_review(int(row.id))


async def get_review(review_id: int, *, panel_id: int | None = None) -> ReviewView | None:
    query = CharterReview.select(*_COLUMNS).where(CharterReview.id == review_id)
    if panel_id is not None:
        query = query.where(CharterReview.panel == panel_id)
    row = await query.first().run()
    return _view(row) if row else None


async def list_reviews(panel_id: int) -> list[ReviewView]:
    rows = await CharterReview.select(*_COLUMNS).where(CharterReview.panel == panel_id).order_by(CharterReview.id).run()
    return [_view(row) for row in rows]


async def principles_of(review: ReviewView) -> list[PrincipleItem]:
    rows = await Principle.select(Principle.id, Principle.number, Principle.title, Principle.description).where(
        Principle.charter == review.charter_id).order_by(Principle.number).run()
    return [PrincipleItem(id=int(row["id"]), number=row["number"], title=row["title"], description=row["description"])
            for row in rows]


async def close_review(*, review_id: int, today: date) -> None:
    await CharterReview.update({CharterReview.closed_on: today}).where(
        CharterReview.id == review_id, CharterReview.closed_on.is_null()).run()


async def save_reply(*, review_id: int, reply: str, replied_by: str, today: date) -> None:
    await CharterReview.update({CharterReview.reply: reply, CharterReview.replied_on: today,
                                CharterReview.replied_by: replied_by}).where(CharterReview.id == review_id).run()


def _marker(review_id: int, volunteer_id: int) -> str:
    return f"{int(review_id)}:{int(volunteer_id)}"


async def has_rated(*, review_id: int, volunteer_id: int) -> bool:
    return await CharterReviewCast.exists().where(CharterReviewCast.marker == _marker(review_id, volunteer_id)).run()


async def turnout(review_id: int) -> int:
    return await CharterReviewCast.count().where(CharterReviewCast.review == review_id).run()


async def _add(review_id: int, counts: Mapping[int, Mapping[str, int]], reasons: Mapping[int, Mapping[str, list[str]]],
               *, session_id: int | None) -> None:
    """Add counts and reasons inside the caller's transaction."""
    for principle_id, by_rating in counts.items():
        for rating, count in by_rating.items():
            if not count:
                continue
            where = [CharterReviewTally.review == review_id, CharterReviewTally.principle == principle_id,
                     CharterReviewTally.rating == rating,
                     CharterReviewTally.session.is_null() if session_id is None else CharterReviewTally.session == session_id]
            existing = await CharterReviewTally.select(CharterReviewTally.id).where(*where).first().run()
            if existing is None:
                await CharterReviewTally.insert(CharterReviewTally(review=review_id, principle=principle_id, rating=rating,
                                                                   session=session_id, count=int(count))).run()
            else:
                await CharterReviewTally.update({CharterReviewTally.count: CharterReviewTally.count + int(count)}).where(
                    CharterReviewTally.id == existing["id"]).run()
    rows = [CharterReviewReason(review=review_id, principle=principle_id, rating=rating, text=text,
                                shuffle=secrets.token_hex(16))
            for principle_id, by_rating in reasons.items() for rating, texts in by_rating.items() for text in texts]
    if rows:
        await CharterReviewReason.insert(*rows).run()


async def rate(*, review: ReviewView, volunteer_id: int, ratings: MemberRatings, today: date) -> None:
    """Record one member's ratings: the mark in the register, the counts and the reasons, together."""
    if not review.is_open(today):
        raise ReviewError(gettext("This review has closed"))
    member = await Volunteer.select(Volunteer.status).where(Volunteer.id == volunteer_id,
                                                            Volunteer.panel == review.panel_id).first().run()
    if member is None or member["status"] != VOTER_STATUS:
        raise ReviewError(gettext("Only confirmed members of this panel can rate it"))
    if set(ratings.ratings) != {item.id for item in await principles_of(review)}:
        raise ReviewError(gettext("Rate it against every principle"))
    already = gettext("You have already rated this. Ratings are counted without names, so they cannot be changed")
    try:
        async with write_transaction(CharterReviewCast._meta.db):
            if await has_rated(review_id=review.id, volunteer_id=volunteer_id):
                raise ReviewError(already)
            await CharterReviewCast.insert(CharterReviewCast(review=review.id, volunteer=volunteer_id,
                                                             marker=_marker(review.id, volunteer_id))).run()
            await _add(review.id, {pid: {rating: 1} for pid, rating in ratings.ratings.items()},
                       {pid: {ratings.ratings[pid]: [text]} for pid, text in ratings.reasons.items()}, session_id=None)
    except Exception as error:
        if is_unique_violation(error):
            raise ReviewError(already) from error
        raise


async def members_who_may_rate(review: ReviewView) -> list[dict]:
    """Confirmed members without a mark in the register: names and references only, for ticking
    off the paper forms (a facilitator sees no contact details)."""
    rated = {row["volunteer"] for row in await CharterReviewCast.select(CharterReviewCast.volunteer).where(
        CharterReviewCast.review == review.id).run()}
    rows = await Volunteer.select(Volunteer.id, Volunteer.reference, Volunteer.full_name).where(
        Volunteer.panel == review.panel_id, Volunteer.status == VOTER_STATUS).order_by(Volunteer.full_name).run()
    return [row for row in rows if row["id"] not in rated]


async def record_paper_forms(*, review: ReviewView, paper: PaperForms, entered_by: str, today: date) -> None:
    """Add one session's paper forms: the register marks of the members who handed one in, the
    counts and the reasons, together. A session's forms are entered once."""
    if not review.is_open(today):
        raise ReviewError(gettext("This review has closed"))
    if not await PanelSession.exists().where(PanelSession.id == paper.session_id,
                                             PanelSession.panel == review.panel_id).run():
        raise ReviewError(gettext("Choose the session the forms were filled in at"))
    try:
        async with write_transaction(CharterReviewCast._meta.db):
            if await CharterReviewPaperBatch.exists().where(CharterReviewPaperBatch.review == review.id,
                                                            CharterReviewPaperBatch.session == paper.session_id).run():
                raise ReviewError(gettext("The forms of this session have already been entered"))
            await CharterReviewPaperBatch.insert(CharterReviewPaperBatch(
                review=review.id, session=paper.session_id, forms=paper.forms, entered_by=entered_by,
                entered_on=today)).run()
            await CharterReviewCast.insert(*[CharterReviewCast(review=review.id, volunteer=member,
                                                               marker=_marker(review.id, member))
                                             for member in paper.member_ids]).run()
            await _add(review.id, paper.counts, paper.reasons, session_id=paper.session_id)
    except Exception as error:
        if is_unique_violation(error):
            raise ReviewError(gettext("Tick only members who have not rated it yet")) from error
        raise


async def paper_batches(review_id: int) -> list[dict]:
    return await CharterReviewPaperBatch.select(
        CharterReviewPaperBatch.forms, CharterReviewPaperBatch.entered_on,
        CharterReviewPaperBatch.session.title.as_alias("session_title"),
        CharterReviewPaperBatch.session.held_on.as_alias("held_on")).where(
        CharterReviewPaperBatch.review == review_id).order_by(CharterReviewPaperBatch.id).run()


async def review_result(review: ReviewView) -> ReviewResult:
    """Counts per principle and rating (online and paper together) and the reasons grouped by
    principle and rating, in their random order. Callers show it only once the review has ended."""
    principles = await principles_of(review)
    counts = {item.id: {rating: 0 for rating in RATINGS} for item in principles}
    reasons: dict[int, dict[str, list[str]]] = {item.id: {} for item in principles}
    for row in await CharterReviewTally.select(CharterReviewTally.principle, CharterReviewTally.rating,
                                               CharterReviewTally.count).where(CharterReviewTally.review == review.id).run():
        if row["principle"] in counts and row["rating"] in RATINGS:
            counts[row["principle"]][row["rating"]] += int(row["count"])
    for row in await CharterReviewReason.select(CharterReviewReason.principle, CharterReviewReason.rating,
                                                CharterReviewReason.text).where(
            CharterReviewReason.review == review.id).order_by(CharterReviewReason.shuffle).run():
        if row["principle"] in reasons:
            reasons[row["principle"]].setdefault(row["rating"], []).append(row["text"])
    return ReviewResult(review=review, members=await turnout(review.id), principles=[
        PrincipleResult(principle=item, counts=counts[item.id], reasons=reasons[item.id]) for item in principles])


async def published_reviews_of_case_study(case_study_id: int, *, today: date) -> list[ReviewResult]:
    """The ended reviews of a case study, each with its result (for the case study's page)."""
    rows = await CharterReview.select(*_COLUMNS).where(CharterReview.case_study == case_study_id).order_by(
        CharterReview.id).run()
    return [await review_result(view) for view in map(_view, rows) if view.ended_on(today)]


async def open_reviews_for_member(*, panel_id: int, volunteer_id: int, today: date) -> list[tuple[ReviewView, bool]]:
    """The panel's open reviews, each with whether this member has rated it."""
    return [(review, await has_rated(review_id=review.id, volunteer_id=volunteer_id))
            for review in await list_reviews(panel_id) if review.is_open(today)]


async def charter_choices() -> dict[int, str]:
    """Every charter a review can rate against: id → name."""
    rows = await Charter.select(Charter.id, Charter.name).order_by(Charter.id).run()
    return {int(row["id"]): row["name"] for row in rows}


async def open_reviews_by_panel(*, today: date) -> dict[int, list[ReviewView]]:
    """Every open review, by panel id (the facilitator's list of forms to enter)."""
    rows = await CharterReview.select(*_COLUMNS).where(CharterReview.closed_on.is_null(),
                                                       CharterReview.closes_on >= today).order_by(CharterReview.id).run()
    by_panel: dict[int, list[ReviewView]] = {}
    for view in map(_view, rows):
        by_panel.setdefault(view.panel_id, []).append(view)
    return by_panel


async def ended_reviews_of_panel(panel_id: int, *, today: date) -> list[ReviewView]:
    """The panel's reviews whose result is published (for the panel's public pages)."""
    return [review for review in await list_reviews(panel_id) if review.ended_on(today)]


async def session_has_paper_reviews(session_id: int) -> bool:
    """Paper review forms were entered for this panel session: the session stays, or they would go with it."""
    return await CharterReviewPaperBatch.exists().where(CharterReviewPaperBatch.session == session_id).run()
