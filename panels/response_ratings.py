"""The panel's view of the council's response: each member rates the response to a recommendation
(satisfied / partly / not satisfied), once, with an optional comment.

Stored like a ballot (``panels.ballots``): a mark that the member has given their view, a count
per rating, and the comment on its own — with no name, no rating and only the day — kept and shown
in a random order. Nothing joins a member to their rating or their comment.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from common.i18n import gettext, lazy_gettext
from common.transactions import is_unique_violation, write_transaction
from panels.ballots import VOTER_STATUS
from panels.tables import Recommendation, ResponseRatingCast, ResponseRatingComment, ResponseRatingTally, Volunteer

RATINGS = ("satisfied", "partly", "not_satisfied")
RATING_LABELS = {
    "satisfied": lazy_gettext("Satisfied"),
    "partly": lazy_gettext("Partly satisfied"),
    "not_satisfied": lazy_gettext("Not satisfied"),
}
MAX_COMMENT = 2000


class RatingError(ValueError):
    """The view cannot be recorded; the message is for the member."""


@dataclass(frozen=True)
class RatingInput:
    rating: str
    comment: str


def check_rating_form(values: Mapping[str, str]) -> tuple[RatingInput | None, dict[str, str]]:
    rating = str(values.get("rating", ""))
    comment = str(values.get("comment", "")).strip()
    errors = {}
    if rating not in RATINGS:
        errors["rating"] = gettext("Choose how satisfied you are with the council's response")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = gettext("Your comment must be %(limit)s characters or fewer", limit=format(MAX_COMMENT, ","))
    if errors:
        return None, errors
    return RatingInput(rating=rating, comment=comment), {}


def _marker(recommendation_id: int, volunteer_id: int) -> str:
    return f"{int(recommendation_id)}:{int(volunteer_id)}"


async def has_rated(*, recommendation_id: int, volunteer_id: int) -> bool:
    return await ResponseRatingCast.exists().where(
        ResponseRatingCast.marker == _marker(recommendation_id, volunteer_id)).run()


async def rate_response(*, recommendation_id: int, volunteer_id: int, rating: RatingInput, today: date) -> None:
    """Record one member's view of the response (the caller checks there is a response)."""
    recommendation = await Recommendation.select(Recommendation.panel).where(
        Recommendation.id == recommendation_id).first().run()
    member = await Volunteer.select(Volunteer.panel, Volunteer.status).where(Volunteer.id == volunteer_id).first().run()
    if recommendation is None or member is None or member["panel"] != recommendation["panel"] \
            or member["status"] != VOTER_STATUS:
        raise RatingError(gettext("Only confirmed members of the panel can give their view"))
    already = gettext("You have already given your view of this response")
    try:
        async with write_transaction(ResponseRatingCast._meta.db):
            if await has_rated(recommendation_id=recommendation_id, volunteer_id=volunteer_id):
                raise RatingError(already)
            await ResponseRatingCast.insert(ResponseRatingCast(
                recommendation=recommendation_id, volunteer=volunteer_id,
                marker=_marker(recommendation_id, volunteer_id))).run()
            existing = await ResponseRatingTally.select(ResponseRatingTally.id).where(
                ResponseRatingTally.recommendation == recommendation_id,
                ResponseRatingTally.rating == rating.rating).first().run()
            if existing is None:
                await ResponseRatingTally.insert(ResponseRatingTally(recommendation=recommendation_id,
                                                                     rating=rating.rating, count=1)).run()
            else:
                await ResponseRatingTally.update({ResponseRatingTally.count: ResponseRatingTally.count + 1}).where(
                    ResponseRatingTally.id == existing["id"]).run()
            if rating.comment:
                await ResponseRatingComment.insert(ResponseRatingComment(
                    recommendation=recommendation_id, text=rating.comment, given_on=today,
                    shuffle=secrets.token_hex(16))).run()
    except Exception as error:
        if is_unique_violation(error):
            raise RatingError(already) from error
        raise


async def rating_counts(recommendation_ids: list[int]) -> dict[int, dict[str, int]]:
    """Exact counts per rating (for staff); publish them through the disclosure rules."""
    counts = {rid: {rating: 0 for rating in RATINGS} for rid in recommendation_ids}
    if recommendation_ids:
        for row in await ResponseRatingTally.select().where(
                ResponseRatingTally.recommendation.is_in(recommendation_ids)).run():
            counts[row["recommendation"]][row["rating"]] += int(row["count"])
    return counts


async def rating_comments(recommendation_id: int) -> list[str]:
    rows = await ResponseRatingComment.select(ResponseRatingComment.text).where(
        ResponseRatingComment.recommendation == recommendation_id).order_by(ResponseRatingComment.shuffle).run()
    return [row["text"] for row in rows]
