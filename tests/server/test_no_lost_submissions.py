"""No lost submissions: a real multi-worker `civicpanel serve` under a steady stream of comments
and questionnaire responses from many concurrent residents, killed with SIGKILL mid-stream and
restarted. Every submission that was answered with success is stored, complete and exactly once;
nothing stored is half-written; and 50 concurrent writers on SQLite meet no "database is locked"
and no 5xx.

Runs on SQLite and, with ``DATABASE_URL`` set, on PostgreSQL, against the test's own database.
A few seconds of load each: the figures belong to ``make bench SECTION=web``, not here.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections import Counter

import pytest
from click.testing import CliRunner

from bench.web_fixtures import CONSULTATION, POSTING_CASE_STUDY, csrf_cookie, questionnaire_cookie, seed
from surveys.comments import hash_address
from surveys.tables import Comment, Consultation, SurveyResponse
from tests.support.database import remove_sqlite, run, sqlite_path, truncate_postgres, uses_postgres
from tests.support.load_harness import Outcomes, ServerProcess, start_clients

pytestmark = pytest.mark.slow  # a real server under load

WORKERS = 2
LOAD_BEFORE_KILL_S = 2.5
LOAD_AFTER_RESTART_S = 2.0
CONCURRENT_WRITERS = 50
CONCURRENT_LOAD_S = 3.0
REFERENCE = re.compile(r"^R-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


@pytest.fixture(scope="module")
def load_server(migrated_template, tmp_path_factory):
    """The load fixtures in an emptied test database, and a started two-worker server on it,
    shared by this module's tests (starting one costs seconds). Each test leaves it running and
    tells its own rows apart by the tag that starts every comment and idempotency key."""
    if uses_postgres():
        run(truncate_postgres())
    else:
        remove_sqlite(sqlite_path())
        shutil.copyfile(migrated_template, sqlite_path())
    run(seed(read_comments=0))
    server = ServerProcess(tmp_path_factory.mktemp("load") / "server.log", workers=WORKERS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def stored_comments(tag: str) -> list[dict]:
    return run(Comment.select(Comment.body, Comment.display_name, Comment.state, Comment.ip_hash).where(
        Comment.case_study.slug == POSTING_CASE_STUDY, Comment.body.like(f"{tag}-%")).run())


def stored_responses(tag: str) -> list[dict]:
    consultation = run(Consultation.select(Consultation.id).where(Consultation.slug == CONSULTATION).first().run())
    return run(SurveyResponse.select(SurveyResponse.idempotency_key, SurveyResponse.reference, SurveyResponse.channel,
                                     SurveyResponse.answers_json).where(
        SurveyResponse.consultation == consultation["id"], SurveyResponse.idempotency_key.like(f"{tag}-%")).run())


def assert_every_success_stored_once_and_complete(outcomes: Outcomes, secret_key: str) -> None:
    comments = stored_comments(outcomes.tag)
    markers = Counter(row["body"].split(":", 1)[0] for row in comments)
    assert [marker for marker, times in markers.items() if times > 1] == [], "a comment was stored twice"
    assert outcomes.comment_successes - set(markers) == set(), "answered comments are missing"
    for row in comments:
        attempt = outcomes.comments.get(row["body"].split(":", 1)[0])
        assert attempt is not None, f"a comment nobody sent: {row['body'][:60]!r}"
        assert (row["body"], row["display_name"], row["state"]) == (attempt.body, attempt.display_name, "published")
        # The address is the X-Forwarded-For one: uvicorn trusts it from 127.0.0.1 by default.
        assert row["ip_hash"] == hash_address(attempt.address, secret_key)

    responses = stored_responses(outcomes.tag)
    keys = Counter(row["idempotency_key"] for row in responses)
    assert [key for key, times in keys.items() if times > 1] == [], "a response was stored twice"
    assert outcomes.response_successes - set(keys) == set(), "answered responses are missing"
    for row in responses:
        assert row["idempotency_key"] in outcomes.responses, "a response nobody sent"
        assert json.loads(row["answers_json"]) == outcomes.responses[row["idempotency_key"]]
        assert REFERENCE.match(row["reference"]) and row["channel"] == "online"


def test_sigkill_mid_stream_loses_no_answered_submission(load_server, settings):
    server = load_server
    comment_cookie = csrf_cookie(server.base_url)
    response_cookies = [questionnaire_cookie(server.base_url, variant) for variant in range(6)]
    outcomes, stop = Outcomes(tag="kill"), threading.Event()
    threads = start_clients(server.base_url, comment_clients=6, response_cookies=response_cookies,
                            comment_cookie=comment_cookie, outcomes=outcomes, stop=stop)
    try:
        time.sleep(LOAD_BEFORE_KILL_S)
        with outcomes.lock:
            outcomes.phase = "down"
        server.kill()
        server.start()
        with outcomes.lock:
            outcomes.phase = "after"
        time.sleep(LOAD_AFTER_RESTART_S)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert outcomes.unexpected == []
    for kind in ("comment", "response"):
        assert outcomes.successes_by_phase[(kind, "before")] >= 5, outcomes.successes_by_phase
        assert outcomes.successes_by_phase[(kind, "after")] >= 5, outcomes.successes_by_phase
    assert outcomes.refused + outcomes.unanswered > 0, "the kill did not interrupt the clients"
    assert_every_success_stored_once_and_complete(outcomes, settings.secret_key)


def test_fifty_concurrent_writers_get_no_5xx_and_no_database_is_locked(load_server, settings):
    server = load_server
    comment_cookie = csrf_cookie(server.base_url)
    cookies = [questionnaire_cookie(server.base_url, variant) for variant in range(5)]
    response_cookies = [cookies[number % len(cookies)] for number in range(CONCURRENT_WRITERS // 2)]
    log_before = len(server.log())
    outcomes, stop = Outcomes(tag="fifty"), threading.Event()
    threads = start_clients(server.base_url, comment_clients=CONCURRENT_WRITERS - len(response_cookies),
                            response_cookies=response_cookies, comment_cookie=comment_cookie, outcomes=outcomes,
                            stop=stop)
    assert len(threads) == CONCURRENT_WRITERS
    try:
        time.sleep(CONCURRENT_LOAD_S)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    log = server.log()[log_before:]
    assert "database is locked" not in log
    assert "Traceback" not in log, log[-3000:]
    assert outcomes.unexpected == []
    assert outcomes.refused == outcomes.unanswered == 0
    assert len(outcomes.comment_successes) >= CONCURRENT_WRITERS // 2
    assert len(outcomes.response_successes) >= CONCURRENT_WRITERS // 2
    assert len(stored_comments(outcomes.tag)) == len(outcomes.comments)
    assert len(stored_responses(outcomes.tag)) == len(outcomes.responses)
    assert_every_success_stored_once_and_complete(outcomes, settings.secret_key)


def test_serve_trusts_forwarded_headers_only_from_the_addresses_given(monkeypatch):
    import uvicorn

    from server.cli.main import cli

    import server.platform.serving

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(server.platform.serving, "run_workers", lambda config: calls.append(
        {"forwarded_allow_ips": config.forwarded_allow_ips, "proxy_headers": config.proxy_headers,
         "workers": config.workers}))
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    default = CliRunner().invoke(cli, ["serve", "--workers", "3"], catch_exceptions=False)
    given = CliRunner().invoke(cli, ["serve", "--forwarded-allow-ips", "10.0.0.5,10.0.1.0/24"], catch_exceptions=False)
    assert default.exit_code == given.exit_code == 0, default.output + given.output
    assert [call["forwarded_allow_ips"] for call in calls] == ["127.0.0.1", "10.0.0.5,10.0.1.0/24"]
    assert all(call["proxy_headers"] for call in calls) and calls[0]["workers"] == 3
    assert "forwarded headers trusted from 10.0.0.5,10.0.1.0/24" in given.output
