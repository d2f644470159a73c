"""Private links are not written to the access log (server/web/access_log.py)."""

from __future__ import annotations

import logging

import pytest

from server.web.access_log import ACCESS_LOGGER, PrivateLinkFilter, private_path_patterns

TOKEN = "Xq3v_8PzLm2Rt9Kw4Yb7Nc1Hd6Fj0Gs5Ua-Ve8Wi3Oe"
"""Shaped like ``secrets.token_urlsafe(32)`` (fixed: parallel workers must collect the same test ids)."""


@pytest.fixture
def access_filter(app) -> PrivateLinkFilter:
    """The filter the app factory installed, with the app's own routes."""
    return next(found for found in logging.getLogger(ACCESS_LOGGER).filters if isinstance(found, PrivateLinkFilter))


@pytest.mark.parametrize("path, expected", [
    (f"/your-data/{TOKEN}", "/your-data/[private]"),
    (f"/your-data/{TOKEN}/download.csv", "/your-data/[private]/download.csv"),
    (f"/your-data/{TOKEN}/withdraw/3", "/your-data/[private]/withdraw/3"),
    ("/my-panel/lowercase-but-private/respond", "/my-panel/[private]/respond"),
    ("/my/comments/abc", "/my/comments/[private]"),
    (f"/consultations/data-charter/questionnaire?member={TOKEN}", "/consultations/data-charter/questionnaire?member=[private]"),
    (f"/some/new/route/{TOKEN}?x=1", "/some/new/route/[private]?x=1"),
    (f"/search?q={TOKEN}", "/search?q=[private]"),
    ("/consultations/data-charter-questionnaire-for-the-whole-borough/report/v/2", None),
    ("/case-studies/debt-early-help?order=oldest", None),
])
def test_private_tokens_are_taken_out_and_nothing_else(access_filter, path, expected):
    assert access_filter.redact(path) == (expected or path)
    assert TOKEN not in access_filter.redact(path)


def test_the_access_line_uvicorn_writes_holds_no_token(app, caplog):
    logger = logging.getLogger(ACCESS_LOGGER)
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        # exactly the call uvicorn makes (uvicorn/protocols/http/h11_impl.py)
        logger.info('%s - "%s %s HTTP/%s" %d', "203.0.113.9:5000", "GET", f"/your-data/{TOKEN}", "1.1", 200)
    assert caplog.messages == ['203.0.113.9:5000 - "GET /your-data/[private] HTTP/1.1" 200']


def test_making_the_app_again_does_not_add_a_second_filter(app, settings):
    from server.app import create_app

    create_app(settings)
    assert sum(isinstance(found, PrivateLinkFilter) for found in logging.getLogger(ACCESS_LOGGER).filters) == 1


def test_patterns_come_from_routes_with_a_token_parameter():
    patterns = private_path_patterns(["/your-data/{token:str}", "/case-studies/{slug:str}", "/set-password/{reset_token:str}"])
    assert [pattern.pattern for pattern in patterns] == [r"/your\-data/(?P<private>[^/?]+)$",
                                                         r"/set\-password/(?P<private>[^/?]+)$"]
