"""Demo data for consultations: four case studies about realistic council data uses, written in
our own words, with a few comments; a closed "Data Charter questionnaire" modelled on the
questions Barnet asked residents, with a few hundred fictional responses across channels; and an
open consultation so the resident journey can be tried. Loading twice adds nothing.

Responses are drawn from a seeded generator, so every load gives the same data set.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, datetime, time, timedelta, timezone

from surveys.questionnaire import CENSUS_DIMENSIONS, PREFER_NOT_TO_SAY, Question, Questionnaire, Section, to_json
from surveys.tables import CaseStudy, Comment, Consultation, SurveyResponse

DEMO_SEED = 2021
DEMO_RESPONSES = 320
DEMO_OPENS_ON, DEMO_CLOSES_ON = date(2025, 9, 1), date(2025, 11, 30)

CASE_STUDIES = [
    {
        "slug": "debt-early-help",
        "title": "Spotting households at risk of debt early",
        "summary": "Bringing council tax, benefits and housing rent records together so that we can offer help before arrears grow.",
        "body": ("Every year some households fall behind on council tax and rent at the same time, often after a change such as losing work.\n\n"
                 "By the time separate teams notice, the debt has often grown and court costs have been added. We match records that the council "
                 "already holds so that a **money advice officer** can call and offer help – a payment plan, a benefits check or a referral to "
                 "free debt advice – early.\n\n"
                 "Nobody is sent to enforcement because of this matching. It is used only to offer support."),
        "purpose": "To offer money advice early to households who are behind on more than one council bill.",
        "data_used": "Name, address, council tax account balance, housing rent account balance, whether council tax support or housing benefit is paid.",
        "data_sources": "The council's own council tax, housing rents and benefits systems. No data is bought from credit reference agencies.",
        "legal_basis": "Public task (UK GDPR Article 6(1)(e)), under the council's duties to collect council tax and to prevent homelessness.",
        "who_can_see": "Six trained money advice officers. Managers see only totals.",
        "retention": "The matched list is rebuilt every month and the previous one deleted. Notes of contact are kept for 2 years.",
        "decision_making": "A person decides whether to call and what to offer. The matching only puts accounts on a list; there is no score.",
    },
    {
        "slug": "residents-index",
        "title": "One view of a resident for council staff",
        "summary": "A residents' index that links a person's records across council services so staff can see one up-to-date view.",
        "body": ("People tell us they are tired of giving the same details again and again. A residents' index links the records "
                 "different services hold about the same person, so that when you move house you only need to tell us once.\n\n"
                 "The index holds who you are and which services know you – **not** the details of your case with each service."),
        "purpose": "To keep contact details correct across services and to stop residents having to repeat themselves.",
        "data_used": "Name, date of birth, address, phone, email, and a list of the services that hold a record for the person.",
        "data_sources": "Council tax, housing, adult social care, children's services, libraries and electoral registration systems.",
        "legal_basis": "Public task (UK GDPR Article 6(1)(e)). Social care records are not copied into the index.",
        "who_can_see": "Staff who already work with the person, for the services they work in. Every look-up is logged.",
        "retention": "A link is removed when the service record it points to is deleted.",
        "decision_making": "Matching suggests links; a data quality officer checks any link that is not certain.",
    },
    {
        "slug": "food-insecurity-map",
        "title": "Mapping food insecurity with voluntary groups",
        "summary": "Sharing area-level figures with food banks and community groups so help reaches the streets that need it.",
        "body": ("Food banks, community kitchens and the council all see part of the picture. We combine what we know at **area level** "
                 "(never about named people) to map where food insecurity is likely to be highest.\n\n"
                 "Voluntary groups use the map to plan pop-up food hubs and school holiday activities."),
        "purpose": "To help voluntary groups decide where to open food hubs and run holiday activities.",
        "data_used": "Counts per small area: free school meals, council tax support, food bank referrals. No names or addresses.",
        "data_sources": "Council benefits and schools data; food bank referral counts shared by the voluntary groups themselves.",
        "legal_basis": "No personal data is shared: counts are for areas of about 1,500 people, and counts under 10 are not shown.",
        "who_can_see": "The published map is open to everyone.",
        "retention": "The map is updated every three months; earlier versions are kept so that change can be seen.",
        "decision_making": "People in the voluntary groups and the council decide where to put services.",
    },
    {
        "slug": "data-sharing-register",
        "title": "Publishing our data sharing register",
        "summary": "A public list of every regular data sharing agreement the council has with other organisations.",
        "body": ("Residents asked us to be open about who we share data with. The register lists each regular sharing agreement: "
                 "who with, why, what data, the legal basis and when it will be reviewed.\n\n"
                 "It does not include one-off requests such as a police request about a crime, which are logged separately."),
        "purpose": "To let anyone see who the council shares personal data with, and why.",
        "data_used": "Information about agreements, not about residents.",
        "data_sources": "The council's information governance team.",
        "legal_basis": "Not applicable: the register contains no personal data.",
        "who_can_see": "Everyone. It is published on the council's website and as open data.",
        "retention": "Ended agreements stay on the register for 6 years, marked as ended.",
        "decision_making": "Not applicable.",
    },
]

COMMENTS = {
    "debt-early-help": [
        ("Maya", "This would have helped me two years ago. I only heard about the payment plan after the court letter.", "published", None),
        ("", "How do I say no to being on this list?", "published", None),
        ("Council team", "You can ask us not to include you by contacting the money advice team; it will not affect your bills.", "published", 1),
        ("Tom", "As long as it is never used to chase people harder.", "pending", None),
    ],
    "residents-index": [
        ("Grace", "Telling you once when I move would be great, but who checks the matches are right?", "published", None),
        ("", "I'm worried about social workers seeing my library records.", "published", None),
    ],
    "food-insecurity-map": [
        ("Community kitchen volunteer", "We would use this every week. Can it show school holidays separately?", "published", None),
        ("Sam", "Good that it is areas not people.", "published", None),
    ],
    "data-sharing-register": [
        ("Priya", "Please include the date each agreement was last reviewed.", "published", None),
    ],
}


def barnet_style_questionnaire() -> Questionnaire:
    """Questions modelled on Barnet's Data Charter consultation, in our own words."""
    five_point = ["Very satisfied", "Fairly satisfied", "Neither satisfied nor dissatisfied", "Fairly dissatisfied", "Very dissatisfied"]
    about_you = [
        Question(key=dimension, text=text, kind="single", options=[*CENSUS_DIMENSIONS[dimension], PREFER_NOT_TO_SAY],
                 census_dimension=dimension)
        for dimension, text in (("sex", "What is your sex?"), ("age_band", "What is your age?"),
                                ("ethnicity", "What is your ethnic group?"),
                                ("disability", "Are your day-to-day activities limited because of a health problem or disability?"),
                                ("tenure", "Does your household own or rent your home?"))
    ]
    return Questionnaire(sections=[
        Section(title="Using the council's information services", questions=[
            Question(key="used_info_services", kind="yes_no", required=True,
                     text="In the last 12 months, have you used any of the council's information services?",
                     help_text="For example the website, your online account, the contact centre or the open data portal."),
            Question(key="services_used", kind="multiple", text="Which services did you use?",
                     options=["Council website", "Online account", "Contact centre by phone", "Libraries' online services", "Open data portal"],
                     show_if_key="used_info_services", show_if_value="Yes"),
            Question(key="made_foi", kind="yes_no", required=True, text="Have you ever made a Freedom of Information request to the council?"),
            Question(key="foi_satisfaction", kind="single", text="How satisfied were you with how your request was handled?",
                     options=five_point, show_if_key="made_foi", show_if_value="Yes"),
        ]),
        Section(title="Your views on how the council uses data", questions=[
            Question(key="trust_personal_data", kind="likert", required=True,
                     text="I trust the council to use my personal data safely and fairly."),
            Question(key="share_with_partners", kind="likert", required=True,
                     text="The council should share data with partners such as the NHS when it helps residents."),
            Question(key="more_open_data", kind="likert", required=True,
                     text="The council should publish more of the data it holds as open data."),
            Question(key="good_request_service", kind="multiple", max_choices=3,
                     text="What matters most in a good information request service?",
                     options=["A quick reply", "A clear answer in plain English", "Being told what happens next",
                              "Being able to track my request", "Publishing answers so others can see them"]),
        ]),
        Section(title="Your suggestions", questions=[
            Question(key="suggestions", kind="text", max_length=1000,
                     text="Do you have any suggestions for how the council should use or look after data?"),
        ]),
        Section(title="About you", about_you=True, questions=about_you),
    ])


def panel_priorities_questionnaire() -> Questionnaire:
    return Questionnaire(sections=[
        Section(title="What the panel should look at", questions=[
            Question(key="topics", kind="multiple", required=True, max_choices=2,
                     text="Which topics should next year's Resident Panel discuss?",
                     options=["Cameras and sensors in public places", "Using AI to answer residents' questions",
                              "Sharing data with the NHS", "Open data about council spending"]),
            Question(key="attended_before", kind="yes_no", required=True, text="Have you taken part in a council panel or workshop before?"),
            Question(key="was_useful", kind="likert", text="Taking part was a good use of my time.",
                     show_if_key="attended_before", show_if_value="Yes"),
        ]),
        Section(title="Anything else", questions=[
            Question(key="other_topics", kind="text", max_length=500, text="Is there anything else the panel should discuss?"),
        ]),
        Section(title="About you", about_you=True, questions=[
            Question(key="age_band", kind="single", text="What is your age?",
                     options=[*CENSUS_DIMENSIONS["age_band"], PREFER_NOT_TO_SAY], census_dimension="age_band"),
        ]),
    ])


SUGGESTIONS = [
    "Tell people in plain English what data you hold about them.",
    "Publish the data sharing agreements.",
    "Ask before sharing anything with private companies.",
    "Make the website easier to search.",
    "Give a named contact for each request.",
    "Delete old records on time and say when you have.",
    "Open data should be in formats people can use, not PDFs.",
    "Involve residents before new systems are bought.",
    "Explain when computers make decisions about people.",
    "Be faster at answering FOI requests.",
]
LIKERT_WEIGHTS = {
    "trust_personal_data": [14, 33, 22, 19, 12],
    "share_with_partners": [24, 38, 17, 13, 8],
    "more_open_data": [35, 37, 18, 6, 4],
}
CENSUS_WEIGHTS = {
    "sex": [46, 50, 4],
    "age_band": [1, 8, 19, 19, 17, 15, 11, 6, 4],
    "ethnicity": [58, 6, 14, 9, 5, 8],
    "disability": [7, 10, 75, 8],
    "tenure": [20, 18, 2, 22, 9, 20, 1, 8],
}


def fictional_answers(rng: random.Random, questionnaire: Questionnaire) -> dict[str, object]:
    """One fictional resident's answers; conditions respected, About you sometimes skipped."""
    answers: dict[str, object] = {}
    used = rng.random() < 0.64
    answers["used_info_services"] = "Yes" if used else rng.choice(["No", "No", "Don't know"])
    if used:
        options = questionnaire.question("services_used").options
        answers["services_used"] = [option for option in options if rng.random() < (0.75 if option == "Council website" else 0.3)] or [options[0]]
    made_foi = rng.random() < 0.18
    answers["made_foi"] = "Yes" if made_foi else "No"
    if made_foi:
        answers["foi_satisfaction"] = rng.choices(questionnaire.question("foi_satisfaction").options, weights=[15, 30, 20, 20, 15])[0]
    for key, weights in LIKERT_WEIGHTS.items():
        answers[key] = rng.choices(questionnaire.question(key).choices, weights=weights)[0]
    if rng.random() < 0.85:
        options = questionnaire.question("good_request_service").options
        answers["good_request_service"] = [option for option in options if option in rng.sample(options, rng.randint(1, 3))]
    if rng.random() < 0.3:
        answers["suggestions"] = rng.choice(SUGGESTIONS)
    if rng.random() < 0.8:
        for key, weights in CENSUS_WEIGHTS.items():
            answers[key] = rng.choices(questionnaire.question(key).options, weights=weights)[0]
    return {question.key: answers[question.key] for question in questionnaire.questions() if question.key in answers}


def demo_responses(questionnaire: Questionnaire, opens_on: date,
                   closes_on: date) -> list[tuple[str, str, datetime, dict[str, object]]]:
    """The Data Charter questionnaire's responses as (reference, channel, time, answers): the same
    every time (seeded), so that reports and their disclosure audit can be checked without a database."""
    rng = random.Random(DEMO_SEED)
    span = (closes_on - opens_on).days
    rows = []
    for number in range(DEMO_RESPONSES):
        channel = rng.choices(["online", "paper", "email", "focus_group"], weights=[70, 20, 4, 6])[0]
        day = opens_on + timedelta(days=rng.randrange(span + 1))
        at = datetime.combine(day, time(hour=rng.randrange(8, 22), minute=rng.randrange(60)), tzinfo=timezone.utc)
        rows.append((f"D-{number + 1:04d}", channel, at, fictional_answers(rng, questionnaire)))
    return rows


async def _add_case_studies(lines: list[str], now: datetime) -> None:
    for position, study in enumerate(CASE_STUDIES):
        if await CaseStudy.exists().where(CaseStudy.slug == study["slug"]).run():
            lines.append(f"case study: {study['slug']} already present")
            continue
        published_at = now - timedelta(days=120 - 25 * position)
        row = CaseStudy(**study, published_at=published_at, comments_open=True, premoderated=True)
        await row.save().run()
        ids: list[int] = []
        for number, (name, body, state, reply_to) in enumerate(COMMENTS.get(study["slug"], [])):
            at = published_at + timedelta(days=2 + 3 * number, hours=number)
            token_hash = hashlib.sha256(f"demo|{study['slug']}|{number}".encode()).hexdigest()
            comment = Comment(case_study=row.id, parent=ids[reply_to - 1] if reply_to else None, display_name=name, body=body,
                              state=state, created_at=at, published_at=at + timedelta(hours=5) if state == "published" else None,
                              moderated_at=at + timedelta(hours=5) if state == "published" else None,
                              author_token_hash=token_hash, ip_hash="")
            await comment.save().run()
            ids.append(int(comment.id))
        lines.append(f"case study: {study['slug']} created with {len(ids)} comments")


async def _add_consultation(lines: list[str], *, slug: str, title: str, summary: str, body: str, opens_on: date,
                            closes_on: date, questionnaire: Questionnaire) -> int | None:
    if await Consultation.exists().where(Consultation.slug == slug).run():
        lines.append(f"consultation: {slug} already present")
        return None
    row = Consultation(slug=slug, title=title, summary=summary, body=body, opens_on=opens_on, closes_on=closes_on,
                       audience="public", contact_email="engage@camden.example",
                       other_formats="Paper copies, large print and Easy Read versions are available. Call 020 7974 4444 or email engage@camden.example.",
                       questionnaire_json=to_json(questionnaire))
    await row.save().run()
    return int(row.id)


async def load_demo_surveys() -> list[str]:
    lines: list[str] = []
    now = datetime.now(timezone.utc)
    await _add_case_studies(lines, now)
    questionnaire = barnet_style_questionnaire()
    opens_on, closes_on = DEMO_OPENS_ON, DEMO_CLOSES_ON
    consultation_id = await _add_consultation(
        lines, slug="data-charter-questionnaire", title="Data Charter questionnaire",
        summary="Tell us how you use the council's information services and how the council should look after and share data.",
        body=("We are writing a **Data Charter**: the promises the council makes about how it collects, uses and shares "
              "information about residents.\n\nThis questionnaire asks about the information services you use, Freedom of "
              "Information requests, and your views on personal data and open data. It takes about 10 minutes."),
        opens_on=opens_on, closes_on=closes_on, questionnaire=questionnaire)
    if consultation_id is not None:
        rows = [SurveyResponse(consultation=consultation_id, reference=reference, channel=channel, submitted_at=at,
                               entered_by="" if channel == "online" else "officer@camden.example",
                               answers_json=json.dumps(answers, ensure_ascii=False))
                for reference, channel, at, answers in demo_responses(questionnaire, opens_on, closes_on)]
        for start in range(0, len(rows), 200):
            await SurveyResponse.insert(*rows[start:start + 200]).run()
        lines.append(f"consultation: data-charter-questionnaire created (closed) with {len(rows)} fictional responses")
    today = date.today()
    created = await _add_consultation(
        lines, slug="resident-panel-priorities", title="What should the Resident Panel discuss next?",
        summary="Help choose the topics for next year's Resident Panel.",
        body="The Resident Panel meets every year to discuss how the council uses data. Tell us which topics matter most to you.",
        opens_on=today - timedelta(days=7), closes_on=today + timedelta(days=60), questionnaire=panel_priorities_questionnaire())
    if created is not None:
        lines.append("consultation: resident-panel-priorities created (open)")
    return lines
