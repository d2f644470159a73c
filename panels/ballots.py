"""Secret graded ballots on a set of recommendations, and their results.

**Secrecy.** A member's vote is stored as two things written in one transaction: a mark in the
register (``BallotCast``: this member has voted in this vote; no time, no choice) and one added to
a count per recommendation and grade (``BallotTally``). There is no row per ballot, so no row
joins a member to a choice and no order of rows says which ballot came when; paper ballots from a
session are added as that session's counts. Staff see totals only, and only once the vote is
closed (while it runs, totals that move after a known member votes would tell how they voted).

**Support.** Five grades; "support" for the threshold counts those who strongly support, support,
or can live with it, as a share of the ballots that graded the recommendation. A recommendation
is adopted when that share reaches the threshold fixed before the vote opened (80% by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from common.periods import OpenUntilDay
from common.i18n import gettext, lazy_gettext
from common.text import whole_number
from common.transactions import is_unique_violation, write_transaction
from panels.recommendations import recommendations_of_vote
from panels.tables import (
    BallotCast, BallotTally, PanelSession, PaperBallotBatch, Recommendation, RecommendationVote, Volunteer,
)

GRADES = ("strongly_support", "support", "live_with", "oppose", "strongly_oppose")
GRADE_LABELS = {
    "strongly_support": lazy_gettext("Strongly support"),
    "support": lazy_gettext("Support"),
    "live_with": lazy_gettext("Can live with it"),
    "oppose": lazy_gettext("Oppose"),
    "strongly_oppose": lazy_gettext("Strongly oppose"),
}
SUPPORTING_GRADES = frozenset({"strongly_support", "support", "live_with"})
DEFAULT_THRESHOLD_PERCENT = 80
VOTER_STATUS = "confirmed"
MAX_TITLE = 200
MAX_PAPER_BALLOTS = 10_000


class BallotError(ValueError):
    """The vote or ballot cannot be taken; the message is for the person who tried."""


@dataclass(frozen=True)
class VoteView(OpenUntilDay):
    id: int
    panel_id: int
    title: str
    threshold_percent: int
    opened_on: date
    closes_on: date
    closed_on: date | None


@dataclass(frozen=True)
class RecommendationResult:
    """The counts of one recommendation and whether it passed the threshold."""

    counts: dict[str, int]
    threshold_percent: int

    @property
    def ballots(self) -> int:
        return sum(self.counts.values())

    @property
    def supporting(self) -> int:
        return sum(self.counts[grade] for grade in SUPPORTING_GRADES)

    @property
    def support_percent(self) -> float | None:
        return 100 * self.supporting / self.ballots if self.ballots else None

    @property
    def adopted(self) -> bool:
        # Integers only, so that 80% of 20 ballots is exactly 16, never a float a hair below.
        return self.ballots > 0 and 100 * self.supporting >= self.threshold_percent * self.ballots


def result_of(counts: Mapping[str, int], threshold_percent: int) -> RecommendationResult:
    return RecommendationResult(counts={grade: int(counts.get(grade, 0)) for grade in GRADES},
                                threshold_percent=threshold_percent)


@dataclass(frozen=True)
class VoteInput:
    title: str
    threshold_percent: int
    closes_on: date
    recommendation_ids: tuple[int, ...]


def check_vote_form(values: Mapping[str, object], *, closes_on: date | None, today: date,
                    recommendation_ids: set[int]) -> tuple[VoteInput | None, dict[str, str]]:
    """Validate the officer's form to open a vote. ``closes_on`` is the parsed date (None when
    the boxes did not make a date); ``values["recommendations"]`` the ticked ids."""
    errors: dict[str, str] = {}
    title = str(values.get("title", "")).strip()
    if not title:
        errors["title"] = gettext("Enter a name for the vote")
    elif len(title) > MAX_TITLE:
        errors["title"] = gettext("The name must be %(limit)s characters or fewer", limit=MAX_TITLE)
    raw_threshold = str(values.get("threshold", "")).strip().rstrip("%").strip()
    threshold = whole_number(raw_threshold) or 0
    if not 50 <= threshold <= 100:
        errors["threshold"] = gettext("Enter the support needed as a whole number from 50 to 100")
        threshold = 0
    if closes_on is None:
        errors["closes_on"] = gettext("Enter the last day of the vote as a real date, for example 27 3 2027")
    elif closes_on < today:
        errors["closes_on"] = gettext("The last day of the vote must be today or later")
    ticked = values.get("recommendations", [])
    ticked = [ticked] if isinstance(ticked, str) else list(ticked)
    chosen = tuple(sorted({number for number in map(whole_number, ticked) if number in recommendation_ids}))
    if not chosen or len(chosen) != len(set(ticked)):
        errors["recommendations"] = gettext("Choose at least one draft recommendation of this panel")
    if errors:
        return None, errors
    return VoteInput(title=title, threshold_percent=threshold, closes_on=closes_on, recommendation_ids=chosen), {}


def _vote_view(row: dict) -> VoteView:
    return VoteView(id=int(row["id"]), panel_id=int(row["panel"]), title=row["title"],
                    threshold_percent=int(row["threshold_percent"]), opened_on=row["opened_on"],
                    closes_on=row["closes_on"], closed_on=row["closed_on"])


async def open_vote(*, panel_id: int, vote: VoteInput, opened_by: str, today: date) -> VoteView:
    """Put draft recommendations to the vote; their wording and the threshold are fixed from now."""
    async with write_transaction(RecommendationVote._meta.db):
        drafts = await Recommendation.select(Recommendation.id).where(
            Recommendation.panel == panel_id, Recommendation.id.is_in(list(vote.recommendation_ids)),
            Recommendation.vote.is_null(), Recommendation.merged_into.is_null()).run()
        if len(drafts) != len(vote.recommendation_ids):
            raise BallotError(gettext("Choose at least one draft recommendation of this panel"))
        row = RecommendationVote(panel=panel_id, title=vote.title, threshold_percent=vote.threshold_percent,
                                 opened_on=today, closes_on=vote.closes_on, opened_by=opened_by)
        await row.save().run()
        await Recommendation.update({Recommendation.vote: row.id}).where(
            Recommendation.id.is_in(list(vote.recommendation_ids))).run()
    return VoteView(id=int(row.id), panel_id=panel_id, title=vote.title, threshold_percent=vote.threshold_percent,
                    opened_on=today, closes_on=vote.closes_on, closed_on=None)


async def get_vote(vote_id: int, *, panel_id: int | None = None) -> VoteView | None:
    query = RecommendationVote.select().where(RecommendationVote.id == vote_id)
    if panel_id is not None:
        query = query.where(RecommendationVote.panel == panel_id)
    row = await query.first().run()
    return _vote_view(row) if row else None


async def list_votes(panel_id: int) -> list[VoteView]:
    rows = await RecommendationVote.select().where(RecommendationVote.panel == panel_id).order_by(
        RecommendationVote.id).run()
    return [_vote_view(row) for row in rows]


async def votes_ended_since(first: date, today: date) -> list[VoteView]:
    """Votes whose results became public on a day from ``first`` to ``today``: closed by an
    officer then, or run to their last day (the day after it, when its results show)."""
    rows = await RecommendationVote.select().where(
        ((RecommendationVote.closed_on >= first) & (RecommendationVote.closed_on <= today))
        | (RecommendationVote.closed_on.is_null() & (RecommendationVote.closes_on >= first - timedelta(days=1))
           & (RecommendationVote.closes_on < today))).order_by(RecommendationVote.id).run()
    return [_vote_view(row) for row in rows]


async def close_vote(*, vote_id: int, today: date) -> None:
    await RecommendationVote.update({RecommendationVote.closed_on: today}).where(
        RecommendationVote.id == vote_id, RecommendationVote.closed_on.is_null()).run()


def _marker(vote_id: int, volunteer_id: int) -> str:
    return f"{int(vote_id)}:{int(volunteer_id)}"


async def has_voted(*, vote_id: int, volunteer_id: int) -> bool:
    return await BallotCast.exists().where(BallotCast.marker == _marker(vote_id, volunteer_id)).run()


async def turnout(vote_id: int) -> int:
    return await BallotCast.count().where(BallotCast.vote == vote_id).run()


async def _add_to_tallies(counts: Mapping[int, Mapping[str, int]], *, session_id: int | None) -> None:
    """Add counts ({recommendation id: {grade: n}}) to the tallies (inside the caller's transaction)."""
    for recommendation_id, by_grade in counts.items():
        for grade, count in by_grade.items():
            if not count:
                continue
            where = [BallotTally.recommendation == recommendation_id, BallotTally.grade == grade,
                     BallotTally.session.is_null() if session_id is None else BallotTally.session == session_id]
            existing = await BallotTally.select(BallotTally.id).where(*where).first().run()
            if existing is None:
                await BallotTally.insert(BallotTally(recommendation=recommendation_id, grade=grade, session=session_id,
                                                     count=count)).run()
            else:
                await BallotTally.update({BallotTally.count: BallotTally.count + count}).where(
                    BallotTally.id == existing["id"]).run()


def check_ballot(values: Mapping[str, str], recommendation_ids: Sequence[int]) -> tuple[dict[int, str], dict[str, str]]:
    """The member's grade for every recommendation (field ``r<id>``); errors keyed by field."""
    choices, errors = {}, {}
    for recommendation_id in recommendation_ids:
        grade = str(values.get(f"r{recommendation_id}", ""))
        if grade not in GRADES:
            errors[f"r{recommendation_id}"] = gettext("Choose how much you support this recommendation")
        else:
            choices[recommendation_id] = grade
    return choices, errors


async def cast_ballot(*, vote: VoteView, volunteer_id: int, choices: Mapping[int, str], today: date) -> None:
    """Record one member's online ballot: the mark in the register and the counts, together."""
    if not vote.is_open(today):
        raise BallotError(gettext("This vote has closed"))
    member = await Volunteer.select(Volunteer.status).where(Volunteer.id == volunteer_id,
                                                            Volunteer.panel == vote.panel_id).first().run()
    if member is None or member.get("status") != VOTER_STATUS:
        raise BallotError(gettext("Only confirmed members of this panel can vote"))
    expected = {item.id for item in await recommendations_of_vote(vote.id)}
    if set(choices) != expected or any(grade not in GRADES for grade in choices.values()):
        raise BallotError(gettext("Grade every recommendation in the vote"))
    try:
        async with write_transaction(BallotCast._meta.db):
            if await has_voted(vote_id=vote.id, volunteer_id=volunteer_id):
                raise BallotError(gettext("You have already voted. Votes are secret, so a vote cannot be changed"))
            await BallotCast.insert(BallotCast(vote=vote.id, volunteer=volunteer_id,
                                               marker=_marker(vote.id, volunteer_id))).run()
            await _add_to_tallies({rid: {grade: 1} for rid, grade in choices.items()}, session_id=None)
    except Exception as error:
        if is_unique_violation(error):
            raise BallotError(gettext("You have already voted. Votes are secret, so a vote cannot be changed")) from error
        raise


@dataclass(frozen=True)
class PaperInput:
    session_id: int
    ballots: int
    counts: dict[int, dict[str, int]]
    voter_ids: tuple[int, ...]


def check_paper_form(values: Mapping[str, object], *, recommendation_ids: Sequence[int], session_ids: set[int],
                     voter_ids: set[int]) -> tuple[PaperInput | None, dict[str, str]]:
    """Validate the paper-ballot totals: per recommendation, a count per grade (``r<id>-<grade>``)
    adding up to at most the number of ballot papers; the members ticked off the register at the
    session (``voters``) must number the ballot papers, and not have voted already."""
    errors: dict[str, str] = {}
    session_id = whole_number(values.get("session", ""))
    if session_id not in session_ids:
        errors["session"] = gettext("Choose the session the ballots were collected at")
    ballots = whole_number(values.get("ballots", ""))
    ballots = ballots if ballots is not None and ballots <= MAX_PAPER_BALLOTS else None
    if not ballots:
        errors["ballots"] = gettext("Enter the number of ballot papers handed in, as a whole number")
    ticked = values.get("voters", [])
    ticked = [ticked] if isinstance(ticked, str) else list(ticked)
    voters = tuple(sorted({number for number in map(whole_number, ticked) if number is not None}))
    if any(voter not in voter_ids for voter in voters):
        errors["voters"] = gettext("Tick only members who have not voted yet")
    elif ballots and len(voters) != ballots:
        errors["voters"] = gettext("Tick the %(count)s members who handed in a ballot paper", count=ballots)
    counts: dict[int, dict[str, int]] = {}
    for recommendation_id in recommendation_ids:
        row: dict[str, int] = {}
        for grade in GRADES:
            field = f"r{recommendation_id}-{grade}"
            count = whole_number(str(values.get(field, "")).strip() or "0")
            if count is None or count > MAX_PAPER_BALLOTS:
                errors.setdefault(f"r{recommendation_id}-strongly_support",
                                  gettext("Enter each count as a whole number, 0 or more"))
                break
            row[grade] = count
        else:
            if ballots and sum(row.values()) > ballots:
                errors[f"r{recommendation_id}-strongly_support"] = gettext(
                    "The counts for a recommendation cannot add up to more than the ballot papers")
        counts[recommendation_id] = row
    if errors:
        return None, errors
    return PaperInput(session_id=session_id, ballots=ballots, counts=counts, voter_ids=voters), {}


async def record_paper_ballots(*, vote: VoteView, paper: PaperInput, entered_by: str, today: date) -> None:
    """Add one session's paper ballots: the register marks of the members who handed one in and
    the totals, together. A session's papers are entered once."""
    if not await PanelSession.exists().where(PanelSession.id == paper.session_id,
                                             PanelSession.panel == vote.panel_id).run():
        raise BallotError(gettext("Choose the session the ballots were collected at"))
    try:
        async with write_transaction(BallotCast._meta.db):
            if await PaperBallotBatch.exists().where(PaperBallotBatch.vote == vote.id,
                                                     PaperBallotBatch.session == paper.session_id).run():
                raise BallotError(gettext("The paper ballots of this session have already been entered"))
            await PaperBallotBatch.insert(PaperBallotBatch(vote=vote.id, session=paper.session_id, ballots=paper.ballots,
                                                           entered_by=entered_by, entered_on=today)).run()
            await BallotCast.insert(*[BallotCast(vote=vote.id, volunteer=voter, marker=_marker(vote.id, voter))
                                      for voter in paper.voter_ids]).run()
            await _add_to_tallies(paper.counts, session_id=paper.session_id)
    except Exception as error:
        if is_unique_violation(error):
            raise BallotError(gettext("Tick only members who have not voted yet")) from error
        raise


async def members_who_may_vote(vote: VoteView) -> list[dict]:
    """Confirmed members without a mark in the register (for ticking off paper ballots)."""
    voted = {row["volunteer"] for row in await BallotCast.select(BallotCast.volunteer).where(
        BallotCast.vote == vote.id).run()}
    rows = await Volunteer.select(Volunteer.id, Volunteer.reference, Volunteer.full_name).where(
        Volunteer.panel == vote.panel_id, Volunteer.status == VOTER_STATUS).order_by(Volunteer.full_name).run()
    return [row for row in rows if row["id"] not in voted]


async def paper_batches(vote_id: int) -> list[dict]:
    return await PaperBallotBatch.select(PaperBallotBatch.ballots, PaperBallotBatch.entered_on,
                                         PaperBallotBatch.session.title.as_alias("session_title"),
                                         PaperBallotBatch.session.held_on.as_alias("held_on")).where(
        PaperBallotBatch.vote == vote_id).order_by(PaperBallotBatch.id).run()


async def results(recommendation_ids: Sequence[int], threshold_by_recommendation: Mapping[int, int]) -> dict[int, RecommendationResult]:
    """Results of recommendations whose votes have ended (online and paper counts together)."""
    totals: dict[int, dict[str, int]] = {rid: {} for rid in recommendation_ids}
    if recommendation_ids:
        rows = await BallotTally.select(BallotTally.recommendation, BallotTally.grade, BallotTally.count).where(
            BallotTally.recommendation.is_in(list(recommendation_ids))).run()
        for row in rows:
            by_grade = totals[row["recommendation"]]
            by_grade[row["grade"]] = by_grade.get(row["grade"], 0) + int(row["count"])
    return {rid: result_of(totals[rid], threshold_by_recommendation[rid]) for rid in recommendation_ids}


async def vote_results(vote: VoteView) -> dict[int, RecommendationResult]:
    recommendations = await recommendations_of_vote(vote.id)
    return await results([item.id for item in recommendations], {item.id: vote.threshold_percent for item in recommendations})


async def open_votes_for_member(*, panel_id: int, volunteer_id: int, today: date) -> list[tuple[VoteView, bool]]:
    """The panel's open votes, each with whether this member has voted in it."""
    votes = [vote for vote in await list_votes(panel_id) if vote.is_open(today)]
    return [(vote, await has_voted(vote_id=vote.id, volunteer_id=volunteer_id)) for vote in votes]
