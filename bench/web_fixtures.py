"""Fixtures for load on a real server: what the web benchmark and the no-lost-submissions test
need beyond the demo, made through the same domain functions the officer's forms call.

- ``load-200-comments``: a published case study, comments not pre-moderated, with 200 published
  comments (the read scenario "case study with 200 comments").
- ``load-posting``: a published case study, comments not pre-moderated, where the write scenario
  posts (so the 200-comment page stays at 200 whatever order the scenarios run in).
- ``load-questionnaire``: an open public consultation with a five-question questionnaire on two
  pages (Likert, single choice, multiple choice, yes/no, free text).

The server's database is chosen by ``DATABASE_URL``, which ``piccolo_conf`` reads at import, so
this runs as its own process: ``python -m bench.web_fixtures seed|counts`` prints JSON. The
HTTP half (``questionnaire_cookie``, ``csrf_cookie``) walks a running server like a resident.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone

READ_CASE_STUDY = "load-200-comments"
POSTING_CASE_STUDY = "load-posting"
CONSULTATION = "load-questionnaire"
READ_COMMENTS = 200
CSRF_COOKIE = "civicpanel_csrf"
CSRF_HEADER = "x-csrftoken"

PAGE_ONE = ("trust", "contact_channel", "topics")
PAGE_TWO = ("used_before", "suggestions")


@dataclass(frozen=True)
class WebFixtures:
    read_case_study: str
    posting_case_study: str
    consultation: str
    comments_on_read_case_study: int


@dataclass(frozen=True)
class SubmissionCounts:
    comments_posted: int
    """Comments on the posting case study."""
    responses: int
    """Responses to the load consultation."""


def _questionnaire():
    from surveys.questionnaire import Question, Questionnaire, add_question, add_section

    questionnaire = add_section(add_section(Questionnaire(), "Your views"), "Anything else")
    for section, question in (
        (0, Question(key="trust", kind="likert", required=True,
                     text="I trust the council to use my personal data safely and fairly.")),
        (0, Question(key="contact_channel", kind="single", required=True, text="How do you usually contact the council?",
                     options=["Phone", "Email", "In person", "Online account"])),
        (0, Question(key="topics", kind="multiple", max_choices=2, text="Which topics matter most to you?",
                     options=["Parking", "Open data", "Libraries", "Housing"])),
        (1, Question(key="used_before", kind="yes_no", required=True,
                     text="Have you answered a council questionnaire before?")),
        (1, Question(key="suggestions", kind="text", max_length=500, text="Anything else you would like to tell us?")),
    ):
        questionnaire = add_question(questionnaire, section, question)
    return questionnaire


async def _case_study(slug: str, title: str) -> None:
    from surveys.case_studies import check_case_study_form, publish_case_study, save_case_study
    from surveys.tables import CaseStudy

    if not await CaseStudy.exists().where(CaseStudy.slug == slug).run():
        values, errors = check_case_study_form({
            "title": title, "slug": slug, "summary": "A case study for load tests.",
            "body": "Residents comment here **without** pre-moderation.", "purpose": "Load testing.",
            "comments_open": "on", "premoderated": "",
        })
        assert not errors, errors
        await save_case_study(values)
    await publish_case_study(slug, publish=True)


async def seed(*, read_comments: int = READ_COMMENTS) -> WebFixtures:
    """Make the fixtures (running it again adds nothing). ``read_comments``: how many published
    comments the read case study gets (tests that only write pass 0)."""
    from surveys import comments
    from surveys.consultations import (Schedule, check_consultation_form, publish_consultation, save_consultation,
                                       update_questionnaire)
    from surveys.tables import CaseStudy, Comment, Consultation

    await _case_study(READ_CASE_STUDY, "A case study with 200 comments")
    await _case_study(POSTING_CASE_STUDY, "A case study residents comment on under load")
    study_id = (await CaseStudy.select(CaseStudy.id).where(CaseStudy.slug == READ_CASE_STUDY).first().run())["id"]
    have = int(await Comment.count().where(Comment.case_study == study_id, Comment.state == "published").run())
    for number in range(have, read_comments):
        values, errors = comments.check_comment_form({"body": f"Comment number {number + 1} about this case study.",
                                                      "display_name": f"Resident {number + 1}"})
        assert not errors, errors
        await comments.post_comment(case_study_slug=READ_CASE_STUDY, values=values,
                                    ip_hash=comments.hash_address(f"10.0.{number // 250}.{number % 250}", "fixtures"),
                                    site_url="http://127.0.0.1")
    if not await Consultation.exists().where(Consultation.slug == CONSULTATION).run():
        today = date.today()
        await save_consultation(check_consultation_form({
            "title": "A questionnaire answered under load", "slug": CONSULTATION, "summary": "Five questions.",
            "body": "Tell us what you think.", "opens_on": (today - timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=365)).isoformat(), "audience": "public",
            "contact_email": "engage@council.example",
        }))
        await update_questionnaire(CONSULTATION, lambda _empty: _questionnaire())
        await publish_consultation(CONSULTATION, Schedule(opens_on=today - timedelta(days=1),
                                                          closes_on=today + timedelta(days=365)),
                                   now=datetime.now(timezone.utc))  # a new consultation starts as a draft
    count = int(await Comment.count().where(Comment.case_study == study_id, Comment.state == "published").run())
    return WebFixtures(read_case_study=READ_CASE_STUDY, posting_case_study=POSTING_CASE_STUDY,
                       consultation=CONSULTATION, comments_on_read_case_study=count)


async def counts() -> SubmissionCounts:
    from surveys.tables import Comment, Consultation, SurveyResponse

    return SubmissionCounts(
        comments_posted=int(await Comment.count().where(Comment.case_study.slug == POSTING_CASE_STUDY).run()),
        responses=int(await SurveyResponse.count().where(
            SurveyResponse.consultation.is_in(Consultation.select(Consultation.id).where(
                Consultation.slug == CONSULTATION))).run()),
    )


# --- over HTTP ---------------------------------------------------------------------------------

def answers_form(variant: int) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, object]]:
    """Form fields for page one and page two, and the answers the server must store, for one of
    many distinct residents (``variant`` picks the choices and the free text)."""
    likert = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
    channels = ["Phone", "Email", "In person", "Online account"]
    topics = [["Parking"], ["Open data", "Libraries"], ["Housing"], ["Parking", "Housing"]]
    page_one = {"trust": [likert[variant % 5]], "contact_channel": [channels[variant % 4]],
                "topics": topics[variant % 4]}
    page_two = {"used_before": [["Yes", "No", "Don't know"][variant % 3]],
                "suggestions": [f"Suggestion from resident {variant}: publish the parking data."]}
    stored: dict[str, object] = {key: values[0] for key, values in {**page_one, **page_two}.items()}
    stored["topics"] = page_one["topics"]
    return page_one, page_two, stored


class CookieWalker:
    """An HTTP client that keeps cookies itself and sends them on every request. The server marks
    its cookies ``Secure`` in production, which a client over plain http on 127.0.0.1 would
    otherwise keep and never send back. Redirects are not followed: the caller checks each step."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, url: str, **kwargs):
        headers = {**kwargs.pop("headers", {}), "cookie": self.cookie_header()}
        response = self.client.request(method, url, headers=headers, **kwargs)
        self.cookies.update(response.cookies.items())
        return response

    def csrf_token(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            self.request("GET", "/house-rules")
        if CSRF_COOKIE not in self.cookies:
            raise RuntimeError("the server set no CSRF cookie")
        return self.cookies[CSRF_COOKIE]

    def close(self) -> None:
        self.client.close()


def csrf_cookie(base_url: str) -> tuple[str, str]:
    """A ``Cookie`` header holding a fresh CSRF cookie, and the token to send as ``x-csrftoken``."""
    walker = CookieWalker(base_url)
    try:
        token = walker.csrf_token()
        return walker.cookie_header(), token
    finally:
        walker.close()


def questionnaire_cookie(base_url: str, variant: int = 0) -> tuple[str, str, dict[str, object]]:
    """Walk the load questionnaire as a resident (start, page one, page two, check your answers).
    Returns the ``Cookie`` header then holding complete answers and the CSRF cookie, the CSRF
    token, and the answers the server will store. Every submit with that cookie and a new
    ``idempotency_key`` stores one more response."""
    page_one, page_two, stored = answers_form(variant)
    walker = CookieWalker(base_url)
    try:
        token = walker.csrf_token()
        steps = [("GET", f"/consultations/{CONSULTATION}/questionnaire", None, "/questionnaire/1"),
                 ("POST", f"/consultations/{CONSULTATION}/questionnaire/1", page_one, "/questionnaire/2"),
                 ("POST", f"/consultations/{CONSULTATION}/questionnaire/2", page_two, "/check")]
        for method, url, fields, next_path in steps:
            response = walker.request(method, url, data=fields, headers={CSRF_HEADER: token})
            if response.status_code != 303 or not response.headers.get("location", "").endswith(next_path):
                raise RuntimeError(f"{method} {url}: {response.status_code}, expected a redirect to {next_path}")
        check = walker.request("GET", f"/consultations/{CONSULTATION}/check")
        if check.status_code != 200 or str(stored["suggestions"]) not in check.text:
            raise RuntimeError("the check-your-answers page does not show the answers given")
        return walker.cookie_header(), token, stored
    finally:
        walker.close()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "seed":
        print(json.dumps(asdict(asyncio.run(seed()))))
    elif command == "counts":
        print(json.dumps(asdict(asyncio.run(counts()))))
    else:
        print("usage: python -m bench.web_fixtures seed|counts", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
