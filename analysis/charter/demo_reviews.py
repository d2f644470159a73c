"""Demo data: the 2021 Resident Panel's reviews of two case studies against the charter's seven
principles, rated on paper forms on day two (16 October 2021) and entered by a facilitator, and
the council's reply agreed by Cabinet on 19 January 2022. The counts, reasons and replies are
written for the demo. Runs after the 2021 panel, its sessions and the case studies exist; loading
twice adds nothing."""

from __future__ import annotations

import secrets
from datetime import date

from analysis.charter.demo import DEMO_CHARTER_SLUG
from analysis.charter.review_ratings import RATINGS
from analysis.tables import (
    Charter, CharterReview, CharterReviewCast, CharterReviewPaperBatch, CharterReviewReason, CharterReviewTally,
    Principle,
)
from panels.demo import PANEL_2021_NAME, PANEL_2021_SLUG
from panels.tables import Panel, PanelSession, Volunteer
from surveys.tables import CaseStudy

OPENED, CLOSED, REPLIED = date(2021, 10, 16), date(2021, 10, 23), date(2022, 1, 19)
ENTERED_BY = "demo-loader"

REVIEWS = (
    {"slug": "debt-early-help",
     "note": "Rated on day two after the council's money advice team explained the matching and took questions.",
     "counts": ((6, 8, 4, 2), (5, 7, 3, 5), (9, 6, 2, 3), (14, 4, 1, 1), (10, 6, 1, 3), (4, 9, 6, 1), (5, 8, 5, 2)),
     "reasons": {
         1: {"partly": ["The case study is clear, but nobody on the list is told their records were matched.",
                        "Good that it says no credit agencies are used."],
             "does_not_meet": ["I only found out this happens today. It should be on the council tax bill."]},
         2: {"cant_tell": ["It does not say who checks the list is used only to offer help."],
             "partly": ["Managers see totals, but who answers if it goes wrong?"]},
         4: {"meets": ["Catching debt before court costs are added is plainly in residents' interest.",
                       "Help early is better than enforcement later."]},
         6: {"does_not_meet": ["A phone call out of the blue about your debts feels like being watched. Say how you "
                               "picked me when you call."],
             "partly": ["The facts are clear here; the letters people get are not."]},
         7: {"partly": ["Two years for notes of a phone call seems long."],
             "does_not_meet": ["There is no way to say 'do not put me on this list'."]},
     },
     "reply": ("Thank you. From April 2022 every first call and letter will say that the council matched its own "
               "records to offer help, and how to ask not to be contacted again. The money advice service will "
               "report each year to the Resources Scrutiny Committee how many households were called, how many took "
               "up help and how many asked to be left off. We will shorten the keeping of contact notes from two "
               "years to one, and publish this case study's facts on the council tax pages. Agreed by Cabinet, 19 "
               "January 2022.")},
    {"slug": "residents-index",
     "note": "Rated on day two after the data ethics session on matching records.",
     "counts": ((3, 9, 6, 2), (4, 6, 5, 5), (5, 7, 5, 3), (8, 8, 2, 2), (7, 7, 3, 3), (2, 8, 9, 1), (3, 7, 8, 2)),
     "reasons": {
         1: {"does_not_meet": ["Most people have no idea one index links all their records.",
                               "There should be a page where I can see which services the index says know me."]},
         3: {"partly": ["Logging every look-up is good, but who reads the logs?"],
             "does_not_meet": ["One index is one place to break into."]},
         4: {"meets": ["Telling the council once when you move is what people want."]},
         6: {"does_not_meet": ["'Matching suggests links' means nothing to most people. Say what happens when it "
                               "gets it wrong."],
             "partly": ["The case study is clearer than anything I have been sent by post."]},
         7: {"does_not_meet": ["I should be able to see and correct what the index holds about me without writing "
                               "a formal request."],
             "cant_tell": ["Depends how long links stay after you leave a service."]},
     },
     "reply": ("Thank you. The panel's doubts about transparency and rights are fair. By September 2022 residents "
               "will be able to see online which services the index links them to, and correct their contact "
               "details there; the data protection officer will check a sample of look-up logs every quarter and "
               "report the findings to the Audit and Corporate Governance Committee. A plain-English page will "
               "explain what happens when a link is wrong and how to have it removed. Agreed by Cabinet, 19 "
               "January 2022.")},
)


async def load_demo_reviews() -> list[str]:
    panel = await Panel.select(Panel.id).where(Panel.slug == PANEL_2021_SLUG).first().run()
    charter = await Charter.select(Charter.id).where(Charter.slug == DEMO_CHARTER_SLUG).first().run()
    if panel is None or charter is None:
        return [f"reviews: no {PANEL_2021_NAME} or charter"]
    if await CharterReview.exists().where(CharterReview.panel == panel["id"]).run():
        return [f"reviews: {PANEL_2021_NAME} already has its reviews"]
    principles = [row["id"] for row in await Principle.select(Principle.id).where(
        Principle.charter == charter["id"]).order_by(Principle.number).run()]
    members = [row["id"] for row in await Volunteer.select(Volunteer.id).where(
        Volunteer.panel == panel["id"], Volunteer.status == "confirmed").run()]
    day_two = await PanelSession.select(PanelSession.id).where(PanelSession.panel == panel["id"],
                                                               PanelSession.held_on == OPENED).first().run()
    lines = []
    for spec in REVIEWS:
        study = await CaseStudy.select(CaseStudy.id, CaseStudy.title).where(CaseStudy.slug == spec["slug"]).first().run()
        if study is None or day_two is None or len(principles) != len(spec["counts"]):
            lines.append(f"reviews: {spec['slug']} skipped (case study, day two or principles missing)")
            continue
        review = CharterReview(panel=panel["id"], charter=charter["id"], case_study=study["id"], title=study["title"],
                               description=spec["note"], opened_on=OPENED, closes_on=CLOSED, closed_on=CLOSED,
                               opened_by=ENTERED_BY, reply=spec["reply"], replied_on=REPLIED, replied_by=ENTERED_BY)
        await review.save().run()
        forms = len(members)
        await CharterReviewPaperBatch(review=review.id, session=day_two["id"], forms=forms, entered_by=ENTERED_BY,
                                      entered_on=OPENED).save().run()
        await CharterReviewCast.insert(*[CharterReviewCast(review=review.id, volunteer=member,
                                                           marker=f"{review.id}:{member}") for member in members]).run()
        tallies, reasons = [], []
        for number, (principle, counts) in enumerate(zip(principles, spec["counts"]), start=1):
            scale = forms / sum(counts)  # the counts are written for 20 members; a smaller demo panel scales them
            for rating, count in zip(RATINGS, counts):
                if round(count * scale):
                    tallies.append(CharterReviewTally(review=review.id, principle=principle, rating=rating,
                                                      session=day_two["id"], count=round(count * scale)))
            for rating, texts in spec["reasons"].get(number, {}).items():
                reasons.extend(CharterReviewReason(review=review.id, principle=principle, rating=rating, text=text,
                                                   shuffle=secrets.token_hex(16)) for text in texts)
        await CharterReviewTally.insert(*tallies).run()
        await CharterReviewReason.insert(*reasons).run()
        lines.append(f"reviews: {study['title']} reviewed by {forms} members of {PANEL_2021_NAME}, with the council's reply")
    return lines
