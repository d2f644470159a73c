"""Public read pages run a bounded number of queries, whatever the number of rows they show:
no query per comment, per consultation or per row."""

from __future__ import annotations

import secrets
import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.conftest import run


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.count += 1


@pytest.fixture
def query_counter(monkeypatch):
    """Counts every query the Piccolo engine runs (from any thread) while the test runs."""
    from piccolo_conf import DB

    counter = QueryCounter()
    engine_class = type(DB)
    original = engine_class.run_querystring

    async def counting(self, *args, **kwargs):
        counter.add()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    return counter


def make_case_study_with_comments(count: int) -> str:
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


def queries_for(client, counter: QueryCounter, url: str) -> int:
    client.get(url)  # warm: first requests may load templates and settings
    before = counter.count
    response = client.get(url)
    assert response.status_code == 200, url
    return counter.count - before


def test_case_study_page_queries_do_not_grow_with_comments(client, query_counter):
    small = make_case_study_with_comments(10)
    large = make_case_study_with_comments(200)
    small_queries = queries_for(client, query_counter, f"/case-studies/{small}")
    large_queries = queries_for(client, query_counter, f"/case-studies/{large}")
    html = client.get(f"/case-studies/{large}").text
    assert html.count("Comment number") == 200
    assert large_queries == small_queries
    assert large_queries <= 8


def test_consultation_hub_and_home_queries_do_not_grow_with_consultations(client, query_counter):
    from surveys.tables import Consultation

    def add_consultations(start: int, count: int) -> None:
        run(Consultation.insert(*[
            Consultation(slug=f"consultation-{number}", title=f"Consultation {number}", summary="About it",
                         opens_on=date(2026, 1, 1), closes_on=date(2027, 1, 1))
            for number in range(start, start + count)
        ]).run())

    add_consultations(0, 3)
    hub_few = queries_for(client, query_counter, "/consultations")
    home_few = queries_for(client, query_counter, "/")
    add_consultations(3, 60)
    hub_many = queries_for(client, query_counter, "/consultations")
    home_many = queries_for(client, query_counter, "/")
    assert hub_many == hub_few and hub_many <= 8
    assert home_many == home_few and home_many <= 6
