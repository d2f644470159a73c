"""In production, behind HTTPS, every response tells browsers to use HTTPS only (HSTS)."""

from __future__ import annotations

import dataclasses

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.web.middleware import STRICT_TRANSPORT_SECURITY


def _header(settings, **changes) -> str | None:
    app = create_app(dataclasses.replace(settings, **changes))
    with TestClient(app=app, base_url="https://testserver.local") as client:
        pages = [client.get("/"), client.get("/healthz"), client.get("/no-such-page")]
    values = {page.headers.get("strict-transport-security") for page in pages}
    assert len(values) == 1, values  # the same on pages, health checks and the router's own 404s
    return values.pop()


def test_production_over_https_sends_hsts_on_every_response(db, settings):
    value = _header(settings, environment="production", secret_key="s" * 40, site_url="https://panel.council.example")
    assert value == STRICT_TRANSPORT_SECURITY == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("changes", [
    {"environment": "development", "site_url": "https://panel.council.example"},
    {"environment": "production", "secret_key": "s" * 40, "site_url": "http://panel.council.example"},
])
def test_no_hsts_outside_production_or_without_https(db, settings, changes):
    assert _header(settings, **changes) is None
