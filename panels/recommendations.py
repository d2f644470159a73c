"""Recommendations in the members' own words: drafted, amended and merged, with every wording kept.

A recommendation's current wording is on its row; every wording it ever had is a revision
(only inserted). Merging B into A gives A a new wording and marks B as merged into A; A's history
then holds B's revisions too (and those of anything merged into B), each marked with the number
it had, so nobody's words disappear. Once a recommendation is put to a vote its wording is fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from common.i18n import gettext
from common.transactions import write_transaction
from panels.tables import Recommendation, RecommendationRevision

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_NOTE = 300


class RecommendationError(ValueError):
    """The change cannot be made; the message is for the officer."""


@dataclass(frozen=True)
class RecommendationInput:
    title: str
    text: str
    note: str


@dataclass(frozen=True)
class RecommendationView:
    id: int
    number: int
    title: str
    text: str
    vote_id: int | None
    merged_into: int | None

    @property
    def label(self) -> str:
        return f"R{self.number}"


@dataclass(frozen=True)
class RevisionView:
    number: int
    """The number of the recommendation this wording belonged to (a merged one keeps its own)."""
    title: str
    text: str
    note: str
    edited_by: str
    edited_at: datetime


def check_recommendation_form(values: Mapping[str, str]) -> tuple[RecommendationInput | None, dict[str, str]]:
    """Validate the officer's form; errors keyed by field id, in page order."""
    title = values.get("title", "").strip()
    text = values.get("text", "").strip()
    note = values.get("note", "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = gettext("Enter a short title for the recommendation")
    elif len(title) > MAX_TITLE:
        errors["title"] = gettext("The title must be %(limit)s characters or fewer", limit=MAX_TITLE)
    if not text:
        errors["text"] = gettext("Enter the recommendation in the members' words")
    elif len(text) > MAX_TEXT:
        errors["text"] = gettext("The recommendation must be %(limit)s characters or fewer", limit=format(MAX_TEXT, ","))
    if len(note) > MAX_NOTE:
        errors["note"] = gettext("The note must be %(limit)s characters or fewer", limit=MAX_NOTE)
    if errors:
        return None, errors
    return RecommendationInput(title=title, text=text, note=note), {}


def _view(row: dict) -> RecommendationView:
    return RecommendationView(id=int(row["id"]), number=int(row["number"]), title=row["title"], text=row["text"],
                              vote_id=row["vote"], merged_into=row["merged_into"])


_COLUMNS = (Recommendation.id, Recommendation.number, Recommendation.title, Recommendation.text, Recommendation.vote,
            Recommendation.merged_into)


async def draft_recommendation(*, panel_id: int, recommendation: RecommendationInput, edited_by: str) -> RecommendationView:
    async with write_transaction(Recommendation._meta.db):
        last = await Recommendation.select(Recommendation.number).where(Recommendation.panel == panel_id).order_by(
            Recommendation.number, ascending=False).first().run()
        row = Recommendation(panel=panel_id, number=(last["number"] if last else 0) + 1, title=recommendation.title,
                             text=recommendation.text)
        await row.save().run()
        await RecommendationRevision(recommendation=row.id, title=row.title, text=row.text,
                                     note=recommendation.note or gettext("Drafted"), edited_by=edited_by).save().run()
    return RecommendationView(id=int(row.id), number=int(row.number), title=row.title, text=row.text, vote_id=None,
                              merged_into=None)


async def get_recommendation(panel_id: int, recommendation_id: int) -> RecommendationView | None:
    row = await Recommendation.select(*_COLUMNS).where(Recommendation.panel == panel_id,
                                                       Recommendation.id == recommendation_id).first().run()
    return _view(row) if row else None


async def list_recommendations(panel_id: int, *, include_merged: bool = False) -> list[RecommendationView]:
    query = Recommendation.select(*_COLUMNS).where(Recommendation.panel == panel_id)
    if not include_merged:
        query = query.where(Recommendation.merged_into.is_null())
    return [_view(row) for row in await query.order_by(Recommendation.number).run()]


async def recommendations_of_vote(vote_id: int) -> list[RecommendationView]:
    rows = await Recommendation.select(*_COLUMNS).where(Recommendation.vote == vote_id).order_by(
        Recommendation.number).run()
    return [_view(row) for row in rows]


def _editable(recommendation: RecommendationView | None) -> RecommendationView:
    if recommendation is None or recommendation.merged_into is not None:
        raise RecommendationError(gettext("There is no such recommendation to change"))
    if recommendation.vote_id is not None:
        raise RecommendationError(gettext("This recommendation has been put to a vote, so its wording can no longer change"))
    return recommendation


async def amend_recommendation(*, panel_id: int, recommendation_id: int, recommendation: RecommendationInput,
                               edited_by: str) -> RecommendationView:
    async with write_transaction(Recommendation._meta.db):
        current = _editable(await get_recommendation(panel_id, recommendation_id))
        await Recommendation.update({Recommendation.title: recommendation.title, Recommendation.text: recommendation.text}).where(
            Recommendation.id == current.id).run()
        await RecommendationRevision(recommendation=current.id, title=recommendation.title, text=recommendation.text,
                                     note=recommendation.note or gettext("Amended"), edited_by=edited_by).save().run()
    return RecommendationView(id=current.id, number=current.number, title=recommendation.title,
                              text=recommendation.text, vote_id=None, merged_into=None)


async def merge_recommendations(*, panel_id: int, keep_id: int, merge_id: int, recommendation: RecommendationInput,
                                edited_by: str) -> RecommendationView:
    """Merge ``merge_id`` into ``keep_id`` with the combined wording; both histories stay."""
    if keep_id == merge_id:
        raise RecommendationError(gettext("Choose two different recommendations to merge"))
    async with write_transaction(Recommendation._meta.db):
        keep = _editable(await get_recommendation(panel_id, keep_id))
        merged = _editable(await get_recommendation(panel_id, merge_id))
        note = recommendation.note or gettext("Merged %(first)s and %(second)s", first=keep.label, second=merged.label)
        await Recommendation.update({Recommendation.merged_into: keep.id}).where(Recommendation.id == merged.id).run()
        await Recommendation.update({Recommendation.title: recommendation.title, Recommendation.text: recommendation.text}).where(
            Recommendation.id == keep.id).run()
        await RecommendationRevision(recommendation=keep.id, title=recommendation.title, text=recommendation.text,
                                     note=note, edited_by=edited_by).save().run()
    return RecommendationView(id=keep.id, number=keep.number, title=recommendation.title, text=recommendation.text,
                              vote_id=None, merged_into=None)


async def recommendation_history(recommendation_id: int) -> list[RevisionView]:
    """Every wording of this recommendation and of those merged into it (at any depth), newest first."""
    numbers: dict[int, int] = {}
    frontier = [recommendation_id]
    while frontier:
        rows = await Recommendation.select(Recommendation.id, Recommendation.number).where(
            Recommendation.id.is_in(frontier)).run()
        numbers.update({row["id"]: row["number"] for row in rows})
        children = await Recommendation.select(Recommendation.id).where(Recommendation.merged_into.is_in(frontier)).run()
        frontier = [row["id"] for row in children if row["id"] not in numbers]
    revisions = await RecommendationRevision.select().where(
        RecommendationRevision.recommendation.is_in(list(numbers))).order_by(RecommendationRevision.edited_at,
                                                                              ascending=False).order_by(
        RecommendationRevision.id, ascending=False).run()
    return [RevisionView(number=numbers[row["recommendation"]], title=row["title"], text=row["text"], note=row["note"],
                         edited_by=row["edited_by"], edited_at=row["edited_at"]) for row in revisions]
