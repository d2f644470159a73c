"""Demo data: what the 2021 Resident Panel recommended, how it voted, Cabinet's response of
19 January 2022, the commitments each accepted recommendation became, and the panel's view of
the response. The panel now recruiting has none of this yet.

The recommendations are written as residents would put them and lead to Camden's published
commitments (``analysis.commitments.demo_content``); the wording, the vote counts, the owners'
reasons and the members' views are invented for the demo. Every member of the 2021 panel voted:
some online in the week after day three, the rest on paper at the session. Loading twice adds
nothing (the panel's recommendations are looked for first).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone

from analysis.charter.demo import DEMO_CHARTER_SLUG
from analysis.tables import Commitment, CouncilResponse, ResponseCommitment
from panels.ballots import GRADES
from panels.demo import PANEL_2021_NAME, PANEL_2021_SLUG
from panels.response_ratings import RATINGS
from panels.tables import (
    BallotCast, BallotTally, Panel, PanelSession, PaperBallotBatch, Recommendation, RecommendationRevision,
    RecommendationVote, ResponseRatingCast, ResponseRatingComment, ResponseRatingTally, Volunteer,
)

DRAFTED_AT = datetime(2021, 10, 23, 14, 30, tzinfo=timezone.utc)
VOTE_OPENED = date(2021, 10, 23)
VOTE_CLOSED = date(2021, 10, 30)
CABINET = "Cabinet, 19 January 2022"
CABINET_DAY = date(2022, 1, 19)
RECORDED_BY = "demo-loader"
PAPER_BALLOTS = 12
"""Ballot papers handed in at day three; the other members voted online in the following week."""


@dataclass(frozen=True)
class DemoRecommendation:
    title: str
    text: str
    online: tuple[int, int, int, int, int]
    """Online ballots per grade (strongly support … strongly oppose); 8 in all."""
    paper: tuple[int, int, int, int, int]
    """Paper ballots per grade; 12 in all."""
    outcome: str = ""
    reasons: str = ""
    owner: str = ""
    commitments: tuple[str, ...] = ()
    view: tuple[int, int, int] = (0, 0, 0)
    """Members satisfied, partly satisfied, not satisfied with the response."""
    drafts: tuple[tuple[str, str], ...] = ()
    """Earlier wordings (note, text), oldest first."""


DEMO_RECOMMENDATIONS = (
    DemoRecommendation(
        "Adopt the charter as council policy",
        "The council should adopt this Data Charter formally, so that every service has to follow it, and not "
        "treat it as a set of good intentions.",
        (6, 2, 0, 0, 0), (8, 3, 1, 0, 0), "accepted",
        "Cabinet agreed the Data Charter and adopted it as council policy at this meeting.",
        "Data Charter programme team", ("1",), (15, 2, 1)),
    DemoRecommendation(
        "Be open about every data project and every data share",
        "Residents should be able to see every agreement to share our data and every privacy impact assessment, "
        "including whether the project is ethical, with only what must be hidden taken out.",
        (5, 2, 1, 0, 0), (6, 4, 1, 1, 0), "accepted",
        "We will publish a Data Sharing Register and every Data Privacy Impact Assessment, each with an ethical "
        "assessment, redacting only where the law requires it.",
        "Information Governance", ("2", "3"), (11, 6, 1),
        drafts=(("Table 2, day three", "Publish all data sharing agreements."),
                ("Table 5, day three", "Publish the privacy impact assessments and say if projects are ethical."))),
    DemoRecommendation(
        "Publish complaints and data breaches, and bring them down",
        "Show how many complaints about data protection and how many data breaches there are each year, so we "
        "can see if things get better, and aim to have fewer every year.",
        (4, 3, 1, 0, 0), (5, 5, 1, 1, 0), "accepted",
        "The open data portal will show complaints and breaches over time, and we will aim to reduce complaints "
        "in each period between Resident Panels.",
        "Information Governance", ("4a", "4b"), (9, 7, 2)),
    DemoRecommendation(
        "Someone senior answers for how our data is used",
        "A senior officer should be responsible for using data ethically and openly, with named people in every "
        "department residents can ask.",
        (5, 3, 0, 0, 0), (7, 4, 1, 0, 0), "accepted",
        "We will create the post of Chief Data Officer and name people responsible for the charter in every "
        "directorate, with a web form and mailbox for residents' questions.",
        "Corporate Services", ("5", "6"), (12, 5, 1)),
    DemoRecommendation(
        "Explain data use in plain words, and bring the panel back every year",
        "Tell residents in plain, accessible words how the council uses data, with real examples every year, "
        "and hold a Resident Panel every year to check the charter is kept.",
        (6, 1, 1, 0, 0), (7, 3, 2, 0, 0), "accepted",
        "We will publish accessible materials and more case studies each year, and hold a Resident Panel "
        "annually, the next by the end of 2022.",
        "Participation team", ("7a", "7b", "7c"), (13, 4, 1)),
    DemoRecommendation(
        "Ask partners to sign up to the charter",
        "The NHS, the police, housing associations and companies working for the council should promise to "
        "follow the charter too.",
        (2, 2, 2, 1, 1), (3, 4, 3, 1, 1), "accepted_in_part",
        "We cannot require partners to follow the charter, but we will encourage partners across the public and "
        "private sectors to pledge to its principles.",
        "Chief Data Officer", ("8",), (5, 9, 4)),
    DemoRecommendation(
        "Let residents opt out of all data sharing",
        "Every resident should be able to say no to any sharing of their data between the council and anyone "
        "else.",
        (1, 2, 1, 2, 2), (2, 2, 2, 4, 2)),
)


async def load_demo_panel_answer() -> list[str]:
    panel = await Panel.select(Panel.id).where(Panel.slug == PANEL_2021_SLUG).first().run()
    if panel is None:
        return [f"recommendations: no {PANEL_2021_NAME} to add them to"]
    panel_id = panel["id"]
    if await Recommendation.exists().where(Recommendation.panel == panel_id).run():
        return [f"recommendations: {PANEL_2021_NAME} already has its recommendations"]
    members = [row["id"] for row in await Volunteer.select(Volunteer.id).where(
        Volunteer.panel == panel_id, Volunteer.status == "confirmed").order_by(Volunteer.id).run()]
    day_three = await PanelSession.select(PanelSession.id).where(PanelSession.panel == panel_id).order_by(
        PanelSession.held_on, ascending=False).first().run()
    commitment_ids = {row["key"]: row["id"] for row in await Commitment.select(Commitment.id, Commitment.key).where(
        Commitment.charter.slug == DEMO_CHARTER_SLUG).run()}
    vote = RecommendationVote(panel=panel_id, title="The panel's recommendations for the Data Charter",
                              threshold_percent=80, opened_on=VOTE_OPENED, closes_on=VOTE_CLOSED, closed_on=VOTE_CLOSED,
                              opened_by=RECORDED_BY)
    await vote.save().run()
    await BallotCast.insert(*[BallotCast(vote=vote.id, volunteer=member, marker=f"{vote.id}:{member}")
                              for member in members]).run()
    if day_three is not None:
        await PaperBallotBatch(vote=vote.id, session=day_three["id"], ballots=PAPER_BALLOTS, entered_by=RECORDED_BY,
                               entered_on=VOTE_OPENED).save().run()
    rng = random.Random(2021)
    responses = 0
    for number, item in enumerate(DEMO_RECOMMENDATIONS, start=1):
        row = Recommendation(panel=panel_id, number=number, title=item.title, text=item.text, vote=vote.id,
                             created_at=DRAFTED_AT)
        await row.save().run()
        wordings = [*item.drafts, ("Agreed by the tables, day three" if not item.drafts
                                   else "Tables 2 and 5 merged their drafts, day three", item.text)]
        await RecommendationRevision.insert(*[
            RecommendationRevision(recommendation=row.id, title=item.title, text=text, note=note, edited_by=RECORDED_BY,
                                   edited_at=DRAFTED_AT.replace(minute=minute))
            for minute, (note, text) in enumerate(wordings)]).run()
        await BallotTally.insert(*[
            BallotTally(recommendation=row.id, grade=grade, session=None if channel == "online" else day_three["id"],
                        count=count)
            for channel, counts in (("online", item.online), ("paper", item.paper)) for grade, count in zip(GRADES, counts)
            if count]).run()
        if not item.outcome:
            continue
        responses += 1
        response = CouncilResponse(recommendation=row.id, outcome=item.outcome, reasons=item.reasons, decision=CABINET,
                                   decided_on=CABINET_DAY, owner=item.owner, recorded_by=RECORDED_BY,
                                   recorded_at=datetime(2022, 1, 20, 10, 0, tzinfo=timezone.utc))
        await response.save().run()
        links = [ResponseCommitment(response=response.id, commitment=commitment_ids[key])
                 for key in item.commitments if key in commitment_ids]
        if links:
            await ResponseCommitment.insert(*links).run()
        raters = rng.sample(members, min(sum(item.view), len(members)))
        if raters:
            await ResponseRatingCast.insert(*[ResponseRatingCast(recommendation=row.id, volunteer=member,
                                                                 marker=f"{row.id}:{member}") for member in raters]).run()
            await ResponseRatingTally.insert(*[ResponseRatingTally(recommendation=row.id, rating=rating, count=count)
                                               for rating, count in zip(RATINGS, item.view) if count]).run()
    await _comments(panel_id)
    return [f"recommendations: {PANEL_2021_NAME} given {len(DEMO_RECOMMENDATIONS)} recommendations voted on by "
            f"{len(members)} members, with Cabinet's response to {responses} and the panel's view of it"]


DEMO_COMMENTS = {
    2: ("Good that it is all published, but the register should say when each agreement ends.",
        "The impact assessments are long: a one-page summary would help."),
    6: ("A pledge is not enough: partners who get our data should have to keep to the charter.",),
}


async def _comments(panel_id: int) -> None:
    rows = await Recommendation.select(Recommendation.id, Recommendation.number).where(
        Recommendation.panel == panel_id, Recommendation.number.is_in(list(DEMO_COMMENTS))).run()
    await ResponseRatingComment.insert(*[
        ResponseRatingComment(recommendation=row["id"], text=text, given_on=date(2022, 2, 3),
                              shuffle=secrets.token_hex(16))
        for row in rows for text in DEMO_COMMENTS[row["number"]]]).run()
