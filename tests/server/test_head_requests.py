"""``HEAD`` answers like ``GET`` without a body (it was a 405 on every page)."""

from __future__ import annotations

import dataclasses

import pytest

from tests.factories.surveys import make_case_study
from tests.support.database import run


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, page_cache_seconds=60)  # the page store on: HEAD of a kept page


@pytest.mark.parametrize("path", ["/", "/consultations", "/case-studies/debt-early-help", "/healthz", "/login",
                                  "/case-studies/no-such-case-study", "/officer"])
def test_head_answers_as_get_without_a_body(client, path):
    run(make_case_study("debt-early-help"))
    client.follow_redirects = False
    got = client.get(path, headers={"Accept-Encoding": "identity"})
    head = client.head(path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    if "content-length" in got.headers:
        assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers.get("location") == got.headers.get("location")


def test_head_of_a_kept_public_page_sends_no_body(app, client):
    run(make_case_study("debt-early-help"))
    client.get("/case-studies/debt-early-help")
    assert len(app.state.page_store) == 1
    head = client.head("/case-studies/debt-early-help")
    assert head.status_code == 200 and head.content == b""


def test_head_does_not_empty_the_page_store(app, client):
    client.get("/consultations")
    kept = len(app.state.page_store)
    assert kept == 1
    client.head("/consultations")
    assert len(app.state.page_store) == kept
