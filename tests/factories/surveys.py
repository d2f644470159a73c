"""Consultations, questionnaires and case studies: a small questionnaire with every kind of
question and a condition, and rows made straight through the ORM."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, timezone

from surveys.questionnaire import Question, Questionnaire, Section
from tests.support.database import run


def sample_questionnaire() -> Questionnaire:
    return Questionnaire(sections=[
        Section(title="Your views", questions=[
            Question(key="used_services", text="Have you used the council's information services?", kind="yes_no", required=True),
            Question(key="which_services", text="Which services?", kind="multiple", options=["Library", "Website", "Phone"],
                     max_choices=2, show_if_key="used_services", show_if_value="Yes"),
            Question(key="open_data", text="The council should publish more open data", kind="likert", required=True),
        ]),
        Section(title="More", questions=[
            Question(key="contact", text="How do you contact us?", kind="single", options=["Phone", "Email", "=Other"]),
            Question(key="suggestions", text="Any suggestions?", kind="text", max_length=50, help_text="Optional"),
            Question(key="visits", text="How many visits?", kind="number", min_value=0, max_value=100),
        ]),
        Section(title="About you", about_you=True, questions=[
            Question(key="sex", text="What is your sex?", kind="single", options=["Male", "Female", "Prefer not to say"],
                     census_dimension="sex"),
        ]),
    ])


def typed_questionnaire() -> Questionnaire:
    """The newer kinds, routed: a date, a number with a unit and range, a grid and a ranking; the
    library questions are asked only of those who used a library (on the same page as the
    question that routes to them, so they are a page of their own)."""
    return Questionnaire(sections=[
        Section(title="Your library", questions=[
            Question(key="used_library", text="Have you used a library this year?", kind="yes_no", required=True),
            Question(key="last_visit", text="When did you last visit?", kind="date", required=True,
                     earliest="2020-01-01", latest="2030-12-31", show_if_key="used_library", show_if_value="Yes"),
            Question(key="minutes", text="How long did you stay?", kind="number", unit="minutes", min_value=1,
                     max_value=600, show_if_key="used_library", show_if_value="Yes"),
        ]),
        Section(title="Opening hours", questions=[
            Question(key="hours_views", text="How far do you agree?", kind="grid", required=True,
                     options=["Libraries should open on Sundays", "Libraries should open later on weekdays"]),
            Question(key="priorities", text="Put these in order of importance", kind="ranking",
                     options=["Books", "Computers", "Study space"]),
        ]),
    ])


async def make_consultation(slug: str = "data-charter", *, status: str = "open", questionnaire: Questionnaire | None = None,
                            audience: str = "public") -> int:
    from surveys.questionnaire import to_json
    from surveys.tables import Consultation

    today = date.today()
    opens, closes = {
        "open": (today - timedelta(days=5), today + timedelta(days=5)),
        "upcoming": (today + timedelta(days=5), today + timedelta(days=15)),
        "closed": (today - timedelta(days=15), today - timedelta(days=5)),
        "draft": (today + timedelta(days=5), today + timedelta(days=15)),
    }[status]
    row = Consultation(slug=slug, title=f"Consultation {slug}", summary="A summary", body="Some **body**",
                       opens_on=opens, closes_on=closes, audience=audience, is_draft=status == "draft",
                       questionnaire_json=to_json(questionnaire or sample_questionnaire()))
    await row.save().run()
    return int(row.id)


async def make_case_study(slug: str = "debt-early-help", *, published: bool = True, premoderated: bool = True,
                          comments_open: bool = True) -> int:
    from surveys.tables import CaseStudy

    row = CaseStudy(slug=slug, title=f"Case study {slug}", summary="Summary", body="Body text",
                    purpose="To help", data_used="Council tax records", published_at=datetime.now(timezone.utc) if published else None,
                    premoderated=premoderated, comments_open=comments_open)
    await row.save().run()
    return int(row.id)


def make_case_study_with_comments(count: int) -> str:
    """A published case study with ``count`` published comments and a reply to a quarter of them;
    its slug."""
    from surveys.tables import CaseStudy, Comment

    slug = f"case-{count}"
    now = datetime.now(timezone.utc)
    case = CaseStudy(slug=slug, title=f"Case with {count} comments", summary="Summary", published_at=now,
                     comments_open=True)
    run(case.save().run())
    comments = [
        Comment(case_study=case.id, display_name=f"Resident {number}", body=f"Comment number {number}",
                state="published", published_at=now - timedelta(minutes=number),
                author_token_hash=secrets.token_hex(32))
        for number in range(count)
    ]
    if comments:
        run(Comment.insert(*comments).run())
    replies = [
        Comment(case_study=case.id, parent=parent_id, display_name="Reply", body="A reply", state="published",
                published_at=now, author_token_hash=secrets.token_hex(32))
        for parent_id in run(Comment.select(Comment.id).where(Comment.case_study == case.id).limit(count // 4).output(as_list=True).run())
    ]
    if replies:
        run(Comment.insert(*replies).run())
    return slug
