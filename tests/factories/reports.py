"""A closed consultation with sixty seeded responses to report on, and publishing its report
through the officer's form."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

from common.emails import normalise_email
from surveys.questionnaire import Question, Questionnaire, Section
from surveys.tables import SurveyResponse
from tests.factories.surveys import make_consultation
from tests.support.http import send

SLUG = "data-charter"
BASE = f"/officer/consultations/{SLUG}/report"
NAME = "Zebedee Quartermaine"


def questionnaire() -> Questionnaire:
    return Questionnaire(sections=[
        Section(title="Your views", questions=[
            Question(key="open_data", text="The council should publish more open data", kind="likert"),
            Question(key="contact", text="How do you contact us?", kind="single", options=["Phone", "Email"]),
            Question(key="suggestions", text="Any suggestions?", kind="text"),
        ]),
        Section(title="About you", about_you=True, questions=[
            Question(key="sex", text="What is your sex?", kind="single", options=["Female", "Male", "Prefer not to say"],
                     census_dimension="sex"),
        ]),
    ])


async def seed(n: int = 60) -> int:
    consultation_id = await make_consultation(SLUG, status="closed", questionnaire=questionnaire())
    rng = random.Random(6)
    rows = []
    for number in range(n):
        answers = {"open_data": rng.choice(["Agree", "Strongly agree", "Disagree"]),
                   "contact": rng.choice(["Phone", "Email"]), "sex": rng.choice(["Female", "Male", "Prefer not to say"])}
        if number % 3 == 0:
            answers["suggestions"] = f"Publish the parking data please, signed {NAME}" if number == 0 else \
                rng.choice(["More open data on parking", "Explain how my data is shared", "Plain English letters"])
        rows.append(SurveyResponse(consultation=consultation_id, reference=f"R-TEST-{number:04d}",
                                   channel=rng.choice(["online", "paper"]), answers_json=json.dumps(answers),
                                   entered_by="officer@example.test" if number % 2 else "",
                                   submitted_at=datetime(2026, 1, 5 + number % 20, tzinfo=timezone.utc)))
    await SurveyResponse.insert(*rows).run()
    return consultation_id


async def first_answer_id(text_prefix: str) -> int:
    rows = await SurveyResponse.select(SurveyResponse.id, SurveyResponse.answers_json).order_by(SurveyResponse.id).run()
    return next(r["id"] for r in rows if json.loads(r["answers_json"]).get("suggestions", "").startswith(text_prefix))


def publish(client) -> str:
    published = send(client, f"{BASE}/publish", [])
    assert published.status_code == 303
    return published.headers["location"]


async def related_comment(state: str = "published", name: str = "Priya Shah",
                          body: str = "Please include the date each agreement was last reviewed.", email: str = "") -> int:
    """A comment on a case study that shares a charter principle with the consultation (so a report
    may quote it), and one on a case study that does not; the first one's id."""
    from analysis.charter.links import CaseStudyPrinciple, ConsultationPrinciple
    from analysis.tables import Charter, Principle
    from surveys.tables import CaseStudy, Comment, Consultation

    charter = Charter(slug="charter", name="Data Charter", organisation="Council")
    await charter.save().run()
    principle = Principle(charter=charter.id, number=1, title="Be open")
    await principle.save().run()
    study = CaseStudy(slug="register", title="Publishing our data sharing register",
                      published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    await study.save().run()
    consultation = await Consultation.select(Consultation.id).where(Consultation.slug == SLUG).first().run()
    await ConsultationPrinciple(consultation=consultation["id"], principle=principle.id).save().run()
    await CaseStudyPrinciple(case_study=study.id, principle=principle.id).save().run()
    comment = Comment(case_study=study.id, display_name=name, body=body, state=state, author_token_hash="a" * 64,
                      email=email, email_key=normalise_email(email))
    await comment.save().run()
    unrelated = CaseStudy(slug="elsewhere", title="Not linked", published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    await unrelated.save().run()
    await Comment(case_study=unrelated.id, display_name="", body="Unrelated words", state="published",
                  author_token_hash="b" * 64).save().run()
    return int(comment.id)


def demo_report_inputs(census_file: str = "camden-2021.csv", *, seed: int | None = None, responses: int | None = None,
                       earlier_documents: tuple = ()):
    """The demo's Data Charter questionnaire with its 320 seeded responses, as report inputs
    (no database): the report the demo publishes. With ``seed``, a synthetic consultation on the
    same questionnaire instead: ``responses`` residents answering as the demo's do (its small
    About-you categories — one in a hundred aged 16 to 17 — stay small); ``responses`` alone
    keeps the demo's first ones (an earlier state of the same consultation)."""
    from analysis.reports.store import ReportInputs
    from surveys.demo import DEMO_CLOSES_ON, DEMO_OPENS_ON, barnet_style_questionnaire, demo_responses, fictional_answers
    from surveys.response_csv import ResponseRecord

    demo = barnet_style_questionnaire()
    rows = demo_responses(demo, DEMO_OPENS_ON, DEMO_CLOSES_ON)
    if seed is not None:
        rng = random.Random(seed)
        rows = [(f"S-{number + 1:04d}", "online", rows[number % len(rows)][2], fictional_answers(rng, demo))
                for number in range(responses or len(rows))]
    records = [ResponseRecord(reference=reference, channel=channel, submitted_at=at, answers=answers)
               for reference, channel, at, answers in rows[:responses]]
    return ReportInputs(
        earlier_documents=earlier_documents,
        consultation={"slug": "data-charter-questionnaire", "title": "Data Charter questionnaire", "summary": "",
                      "opens_on": DEMO_OPENS_ON, "closes_on": DEMO_CLOSES_ON},
        questionnaire=demo, records=records,
        draft={"purpose": "", "channels_note": "", "census_file": census_file, "reach_json": "{}"},
        actions=[], themes=[], quotes=[])


def count_statistics_builds(monkeypatch) -> list[int]:
    """Every statistics build of the server from now on (the slow part of a report), as its
    number of responses: a list that grows while the test runs."""
    import server.services.reports as report_service

    made: list[int] = []
    real = report_service.statistics_from_inputs

    def counted(inputs, **options):
        made.append(len(inputs.records))
        return real(inputs, **options)

    monkeypatch.setattr(report_service, "statistics_from_inputs", counted)
    return made
