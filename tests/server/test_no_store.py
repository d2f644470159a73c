"""``Cache-Control: no-store`` on everything that may hold personal data, so that a shared
computer's browser, or a proxy, keeps no copy of a staff page, a private-link page or a download:
walked over the route table, so a route added later is covered."""

from __future__ import annotations

from litestar.routes import HTTPRoute

from server.web.page_cache import OPT_KEY
from tests.support.http import ROLES, csrf_token
from tests.support.routes import concrete_path


def get_routes(app) -> list[tuple[str, dict]]:
    return [(route.path, handler.opt) for route in app.routes if isinstance(route, HTTPRoute)
            for handler in route.route_handlers if "GET" in handler.http_methods]


def test_every_page_but_the_public_shared_ones_is_no_store(app, client, staff_client):
    staff = {role: staff_client(role) for role in ROLES}
    stored = []
    for path, opt in get_routes(app):
        if path.startswith("/static") or path == "/logout":
            continue
        requester = staff[opt["roles"][0]] if opt.get("roles") else client
        response = requester.get(concrete_path(path), follow_redirects=False)
        cache_control = response.headers.get("cache-control", "")
        if opt.get(OPT_KEY):
            assert "no-store" not in cache_control, path  # the same for every visitor: may be kept
        elif "no-store" not in cache_control and "public" not in cache_control:
            stored.append(f"{path}: {response.status_code} {cache_control!r}")
    assert stored == []


def test_private_link_pages_and_downloads_are_no_store(client):
    for path in ("/your-data/some-token", "/your-data/some-token/download.csv", "/my/comments/some-token",
                 "/my-panel/some-token", "/your-data"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_a_shared_public_page_is_no_store_for_a_signed_in_officer_only(client, officer_client):
    assert "cache-control" not in client.get("/consultations").headers
    assert officer_client.get("/consultations").headers["cache-control"] == "no-store"


def test_static_files_may_be_kept_and_private_links_may_not():
    from server.web.middleware import may_be_stored

    assert may_be_stored({"path": "/static/css/civicpanel.css"})
    assert not may_be_stored({"path": "/your-data/x", "route_handler": None})
