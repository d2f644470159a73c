"""The council's answer to each recommendation of a Resident Panel, and where it leads.

Per recommendation the officer records the outcome (accepted, accepted in part, not accepted,
under consideration) with reasons, the decision it came from ("Cabinet, 19 January 2022") and an
owner. An accepted recommendation creates or links commitments in the tracker; the link is kept
here, so the recommendation shows its commitments with their status today and each commitment
shows the recommendation it came from. The panel's own view of the response (``panels.
response_ratings``) is published beside it under the reports' disclosure rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from analysis.commitments.status import STATUS_NAMES
from analysis.commitments.store import create_commitment, load_tracker_inputs, statuses_as_of
from analysis.stats.disclosure import hidden_text, suppress_table
from analysis.tables import Charter, Commitment, CouncilResponse, ResponseCommitment
from common.i18n import gettext, lazy_gettext
from common.transactions import write_transaction
from panels import ballots
from panels.recommendations import RecommendationView, list_recommendations
from panels.response_ratings import RATING_LABELS, RATINGS, has_rated, rating_counts
from panels.tables import Panel, Recommendation, RecommendationVote

OUTCOMES = ("accepted", "accepted_in_part", "not_accepted", "under_consideration")
OUTCOME_LABELS = {
    "accepted": lazy_gettext("Accepted"),
    "accepted_in_part": lazy_gettext("Accepted in part"),
    "not_accepted": lazy_gettext("Not accepted"),
    "under_consideration": lazy_gettext("Under consideration"),
}
ANSWERED_OUTCOMES = frozenset({"accepted", "accepted_in_part", "not_accepted"})
"""Outcomes that answer a recommendation; "under consideration" still owes the panel an answer."""
COMMITTING_OUTCOMES = frozenset({"accepted", "accepted_in_part"})
MAX_REASONS = 5000
MAX_DECISION = 300
MAX_OWNER = 200


class ResponseError(ValueError):
    """The response or link cannot be recorded; the message is for the officer."""


@dataclass(frozen=True)
class ResponseInput:
    outcome: str
    reasons: str
    decision: str
    decided_on: date | None
    owner: str


@dataclass(frozen=True)
class ResponseView:
    outcome: str
    reasons: str
    decision: str
    decided_on: date | None
    owner: str

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


@dataclass(frozen=True)
class LinkedCommitment:
    charter_slug: str
    key: str
    title: str
    status: str
    status_label: str


@dataclass(frozen=True)
class PanelViewFigure:
    rating: str
    label: str
    count: int | None
    """None when hidden; ``hidden`` then says why, in the reports' words."""
    hidden: str = ""


@dataclass(frozen=True)
class RecommendationOutcome:
    """One recommendation as the public reads it: wording, support, answer, commitments, view."""

    recommendation: RecommendationView
    vote_title: str
    result: ballots.RecommendationResult
    response: ResponseView | None
    commitments: list[LinkedCommitment] = field(default_factory=list)
    panel_view: list[PanelViewFigure] = field(default_factory=list)
    panel_view_total: int = 0


def check_response_form(values: Mapping[str, str], *, decided_on: date | None,
                        decided_on_given: bool) -> tuple[ResponseInput | None, dict[str, str]]:
    """Validate the officer's form. ``decided_on`` is the parsed date boxes (None when empty or
    not a date); ``decided_on_given`` says whether anything was typed in them."""
    errors: dict[str, str] = {}
    outcome = str(values.get("outcome", ""))
    reasons = str(values.get("reasons", "")).strip()
    decision = str(values.get("decision", "")).strip()
    owner = str(values.get("owner", "")).strip()
    if outcome not in OUTCOMES:
        errors["outcome"] = gettext("Choose the council's response")
    if not reasons:
        errors["reasons"] = gettext("Enter the council's reasons")
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = gettext("The reasons must be %(limit)s characters or fewer", limit=format(MAX_REASONS, ","))
    if len(decision) > MAX_DECISION:
        errors["decision"] = gettext("The decision must be %(limit)s characters or fewer", limit=MAX_DECISION)
    elif outcome in ANSWERED_OUTCOMES and not decision:
        errors["decision"] = gettext("Enter who decided, for example “Cabinet, 19 January 2022”")
    if decided_on_given and decided_on is None:
        errors["decided_on"] = gettext("Enter the date of the decision as a real date, for example 19 1 2022")
    if not owner:
        errors["owner"] = gettext("Enter the team or role that owns the response")
    elif len(owner) > MAX_OWNER:
        errors["owner"] = gettext("The owner must be %(limit)s characters or fewer", limit=MAX_OWNER)
    if errors:
        return None, errors
    return ResponseInput(outcome=outcome, reasons=reasons, decision=decision, decided_on=decided_on, owner=owner), {}


def _response_view(row: dict) -> ResponseView:
    return ResponseView(outcome=row["outcome"], reasons=row["reasons"], decision=row["decision"],
                        decided_on=row["decided_on"], owner=row["owner"])


async def responses_for(recommendation_ids: list[int]) -> dict[int, ResponseView]:
    if not recommendation_ids:
        return {}
    rows = await CouncilResponse.select().where(CouncilResponse.recommendation.is_in(recommendation_ids)).run()
    return {row["recommendation"]: _response_view(row) for row in rows}


async def record_response(*, recommendation_id: int, response: ResponseInput, recorded_by: str,
                          now: datetime) -> ResponseView | None:
    """Record (or change) the council's response; returns the one it replaced, for the audit log."""
    vote = await Recommendation.select(Recommendation.vote).where(Recommendation.id == recommendation_id).first().run()
    if vote is None or vote["vote"] is None:
        raise ResponseError(gettext("Only a recommendation the panel has voted on can have the council's response"))
    columns = {CouncilResponse.outcome: response.outcome, CouncilResponse.reasons: response.reasons,
               CouncilResponse.decision: response.decision, CouncilResponse.decided_on: response.decided_on,
               CouncilResponse.owner: response.owner, CouncilResponse.recorded_by: recorded_by,
               CouncilResponse.recorded_at: now}
    async with write_transaction(CouncilResponse._meta.db):
        before = (await responses_for([recommendation_id])).get(recommendation_id)
        if before is None:
            await CouncilResponse.insert(CouncilResponse(recommendation=recommendation_id,
                                                         **{column._meta.name: value for column, value in columns.items()})).run()
        else:
            await CouncilResponse.update(columns).where(CouncilResponse.recommendation == recommendation_id).run()
    return before


async def _response_id(recommendation_id: int) -> int:
    row = await CouncilResponse.select(CouncilResponse.id, CouncilResponse.outcome).where(
        CouncilResponse.recommendation == recommendation_id).first().run()
    if row is None or row["outcome"] not in COMMITTING_OUTCOMES:
        raise ResponseError(gettext("Record that the council accepted the recommendation (in full or in part) first"))
    return int(row["id"])


async def link_commitment(*, recommendation_id: int, charter_slug: str, key: str) -> None:
    """Link an existing commitment to an accepted recommendation (once)."""
    response_id = await _response_id(recommendation_id)
    row = await Commitment.select(Commitment.id).where(Commitment.charter.slug == charter_slug,
                                                       Commitment.key == key).first().run()
    if row is None:
        raise ResponseError(gettext("Choose a commitment from the tracker"))
    if not await ResponseCommitment.exists().where(ResponseCommitment.response == response_id,
                                                   ResponseCommitment.commitment == row["id"]).run():
        await ResponseCommitment.insert(ResponseCommitment(response=response_id, commitment=row["id"])).run()


async def create_linked_commitment(*, recommendation_id: int, charter_slug: str, values: Mapping[str, str],
                                   now: datetime) -> str:
    """Add a commitment to the tracker from the officer's form (``CommitmentFormError`` when it is
    not valid) and link it to the accepted recommendation; its key."""
    await _response_id(recommendation_id)
    commitment = await create_commitment(slug=charter_slug, values=dict(values), now=now)
    await link_commitment(recommendation_id=recommendation_id, charter_slug=charter_slug, key=commitment.key)
    return commitment.key


async def commitment_choices() -> list[tuple[str, str]]:
    """Every commitment in the tracker as (``slug/key``, "key. title") for a select."""
    rows = await Commitment.select(Commitment.key, Commitment.title, Commitment.charter.slug.as_alias("slug")).order_by(
        Commitment.charter).order_by(Commitment.id).run()
    return [(f"{row['slug']}/{row['key']}", f"{row['key']}. {row['title']}") for row in rows]


async def linked_commitments(recommendation_ids: list[int], today: date) -> dict[int, list[LinkedCommitment]]:
    """The commitments each recommendation led to, with their status today."""
    if not recommendation_ids:
        return {}
    rows = await _links(CouncilResponse.recommendation.is_in(recommendation_ids))
    statuses: dict[str, dict[str, object]] = {}
    for slug in {row["slug"] for row in rows}:
        inputs = await load_tracker_inputs(slug)
        statuses[slug] = {status.key: status for status in await statuses_as_of(inputs, today)}
    linked: dict[int, list[LinkedCommitment]] = {rid: [] for rid in recommendation_ids}
    for row in rows:
        status = statuses[row["slug"]].get(row["key"])
        if status is None:  # recorded with a later "made on" day: not in today's tracker yet
            continue
        linked[row["recommendation"]].append(LinkedCommitment(
            charter_slug=row["slug"], key=row["key"], title=status.title, status=str(status.status),
            status_label=str(STATUS_NAMES[status.status])))
    return linked


async def _links(*where) -> list[dict]:
    """Links of the responses matching ``where``: recommendation id, commitment key, charter slug
    (joins kept shallow: PostgreSQL cuts the long aliases of deep ones to the same name)."""
    responses = {row["id"]: row["recommendation"] for row in await CouncilResponse.select(
        CouncilResponse.id, CouncilResponse.recommendation).where(*where).run()}
    if not responses:
        return []
    links = await ResponseCommitment.select(ResponseCommitment.response, ResponseCommitment.commitment).where(
        ResponseCommitment.response.is_in(list(responses))).order_by(ResponseCommitment.id).run()
    commitments = {row["id"]: row for row in await Commitment.select(
        Commitment.id, Commitment.key, Commitment.charter.slug.as_alias("slug")).where(
        Commitment.id.is_in([link["commitment"] for link in links] or [-1])).run()}
    return [{"recommendation": responses[link["response"]], "key": commitments[link["commitment"]]["key"],
             "slug": commitments[link["commitment"]]["slug"]} for link in links]


@dataclass(frozen=True)
class SourceRecommendation:
    panel_name: str
    panel_slug: str
    number: int
    title: str
    outcome_label: str


async def recommendations_for_commitment(charter_slug: str, key: str) -> list[SourceRecommendation]:
    """The recommendations a commitment came from (for the commitment's page)."""
    commitment = await Commitment.select(Commitment.id).where(Commitment.key == key,
                                                              Commitment.charter.slug == charter_slug).first().run()
    if commitment is None:
        return []
    responses = [row["response"] for row in await ResponseCommitment.select(ResponseCommitment.response).where(
        ResponseCommitment.commitment == commitment["id"]).run()]
    rows = await CouncilResponse.select(
        CouncilResponse.outcome, CouncilResponse.recommendation.number.as_alias("number"),
        CouncilResponse.recommendation.title.as_alias("title"),
        CouncilResponse.recommendation.panel.name.as_alias("panel_name"),
        CouncilResponse.recommendation.panel.slug.as_alias("panel_slug")).where(
        CouncilResponse.id.is_in(responses or [-1])).order_by(CouncilResponse.id).run()
    return [SourceRecommendation(panel_name=row["panel_name"], panel_slug=row["panel_slug"], number=row["number"],
                                 title=row["title"], outcome_label=str(OUTCOME_LABELS[row["outcome"]])) for row in rows]


def published_panel_view(counts: Mapping[str, int], *, threshold: int) -> tuple[list[PanelViewFigure], int]:
    """The panel's view as published: the number who gave it always; each rating's count unless
    it is under the disclosure threshold, then hidden with enough others that it cannot be worked
    out from the total (``analysis.stats.disclosure``)."""
    values = [int(counts.get(rating, 0)) for rating in RATINGS]
    total = sum(values)
    if not total:
        return [], 0
    table = suppress_table(np.array([values]), threshold=threshold, row_totals=np.array([total]))
    figures = []
    for column, rating in enumerate(RATINGS):
        suppression = table.cell_suppression(0, column)
        figures.append(PanelViewFigure(rating=rating, label=str(RATING_LABELS[rating]),
                                       count=None if suppression else values[column],
                                       hidden=hidden_text(suppression, threshold) if suppression else ""))
    return figures, total


async def panel_outcomes(panel_id: int, *, today: date, threshold: int) -> list[RecommendationOutcome]:
    """Every recommendation whose vote has ended, with its support, the council's response, the
    commitments it led to (status today) and the panel's view of the response."""
    votes = {vote.id: vote for vote in await ballots.list_votes(panel_id) if vote.ended_on(today)}
    recommendations = [item for item in await list_recommendations(panel_id) if item.vote_id in votes]
    ids = [item.id for item in recommendations]
    results = await ballots.results(ids, {item.id: votes[item.vote_id].threshold_percent for item in recommendations})
    responses = await responses_for(ids)
    commitments = await linked_commitments(ids, today)
    views = await rating_counts(ids)
    outcomes = []
    for item in recommendations:
        figures, total = published_panel_view(views[item.id], threshold=threshold) if item.id in responses else ([], 0)
        outcomes.append(RecommendationOutcome(
            recommendation=item, vote_title=votes[item.vote_id].title, result=results[item.id],
            response=responses.get(item.id), commitments=commitments.get(item.id, []), panel_view=figures,
            panel_view_total=total))
    return outcomes


@dataclass(frozen=True)
class AwaitingAnswer:
    panel_name: str
    panel_slug: str
    number: int
    title: str
    vote_ended_on: date
    weeks_waiting: int
    under_consideration: bool


async def awaiting_answer(*, today: date, weeks: int) -> list[AwaitingAnswer]:
    """Recommendations the panel adopted whose vote ended at least ``weeks`` weeks ago and that
    have no answer yet (none recorded, or still under consideration), longest waiting first."""
    cutoff = today - timedelta(weeks=weeks)
    votes = await RecommendationVote.select(RecommendationVote.id, RecommendationVote.threshold_percent,
                                            RecommendationVote.closes_on, RecommendationVote.closed_on).where(
        RecommendationVote.opened_on <= cutoff).run()
    ended = {}
    for row in votes:
        end = row["closed_on"] or (row["closes_on"] if row["closes_on"] < today else None)
        if end is not None and end <= cutoff:
            ended[row["id"]] = (end, int(row["threshold_percent"]))
    if not ended:
        return []
    rows = await Recommendation.select(Recommendation.id, Recommendation.number, Recommendation.title,
                                       Recommendation.vote, Recommendation.panel.name.as_alias("panel_name"),
                                       Recommendation.panel.slug.as_alias("panel_slug")).where(
        Recommendation.vote.is_in(list(ended))).run()
    ids = [row["id"] for row in rows]
    results = await ballots.results(ids, {row["id"]: ended[row["vote"]][1] for row in rows})
    responses = await responses_for(ids)
    waiting = []
    for row in rows:
        response = responses.get(row["id"])
        if not results[row["id"]].adopted or (response is not None and response.outcome in ANSWERED_OUTCOMES):
            continue
        end = ended[row["vote"]][0]
        waiting.append(AwaitingAnswer(panel_name=row["panel_name"], panel_slug=row["panel_slug"], number=row["number"],
                                      title=row["title"], vote_ended_on=end, weeks_waiting=(today - end).days // 7,
                                      under_consideration=response is not None))
    return sorted(waiting, key=lambda item: (item.vote_ended_on, item.panel_slug, item.number))


async def public_panels() -> list[dict]:
    """Panels for the open data API: id, slug, name, year."""
    return await Panel.select(Panel.id, Panel.slug, Panel.name, Panel.year).order_by(Panel.year).order_by(Panel.id).run()


async def charter_slugs() -> list[str]:
    return [row["slug"] for row in await Charter.select(Charter.slug).order_by(Charter.id).run()]



async def responses_to_rate(*, panel_id: int, volunteer_id: int) -> list[tuple[RecommendationView, ResponseView, bool]]:
    """The panel's recommendations that have the council's response, each with whether this
    member has given their view of it (for the member's own page)."""
    items = [item for item in await list_recommendations(panel_id) if item.vote_id is not None]
    responses = await responses_for([item.id for item in items])
    return [(item, responses[item.id], await has_rated(recommendation_id=item.id, volunteer_id=volunteer_id))
            for item in items if item.id in responses]


async def outcome_counts(panel_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per panel: how many recommendations it made (merged ones not counted) and how many the
    council has answered — what a past panel produced, for the public list of panels."""
    if not panel_ids:
        return {}
    made = await Recommendation.select(Recommendation.id, Recommendation.panel).where(
        Recommendation.panel.is_in(panel_ids), Recommendation.merged_into.is_null()).run()
    answered = {row["recommendation"] for row in await CouncilResponse.select(CouncilResponse.recommendation).where(
        CouncilResponse.recommendation.is_in([row["id"] for row in made] or [0])).run()}
    counts: dict[int, tuple[int, int]] = {}
    for row in made:
        total, done = counts.get(row["panel"], (0, 0))
        counts[row["panel"]] = (total + 1, done + (row["id"] in answered))
    return counts
