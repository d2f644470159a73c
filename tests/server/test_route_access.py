"""Every registered route, walked for anonymous users and each role.

A handler declares its audience in ``opt`` (``public`` or ``roles``). This test fails for a
route that declares neither, and checks the declared rule is what the app enforces, so a route
added later is covered without anyone remembering to add it here."""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute

from tests.support.http import ROLES, csrf_token
from tests.support.routes import PATH_PARAM, concrete_path


def registered_endpoints(app) -> list[tuple[str, str, dict]]:
    endpoints = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method in ("HEAD", "OPTIONS"):
                    continue
                endpoints.append((method, route.path, handler.opt))
    return endpoints


def test_every_route_declares_its_audience(app):
    undeclared = [f"{method} {path}" for method, path, opt in registered_endpoints(app)
                  if not opt.get("public") and not opt.get("roles")]
    assert undeclared == []


def test_there_are_routes_for_every_audience(app):
    audiences = {tuple(opt.get("roles", ())) or ("public",) for _, _, opt in registered_endpoints(app)}
    assert ("public",) in audiences
    assert {role for audience in audiences for role in audience} >= set(ROLES)


@pytest.mark.parametrize("identity", ["anonymous", *ROLES])
def test_each_identity_gets_exactly_the_access_declared(app, client, staff_client, identity):
    requester = client if identity == "anonymous" else staff_client(identity)
    token = csrf_token(requester)
    wrong = []
    for method, path, opt in registered_endpoints(app):
        if path == "/logout":
            continue  # signing out would end this client's session; covered in test_auth
        url = concrete_path(path)
        response = requester.request(method, url, headers={"x-csrftoken": token}, follow_redirects=False)
        if opt.get("public"):
            allowed = True
        else:
            allowed = identity in opt["roles"]
        if allowed:
            if response.status_code in (401, 403) or (
                response.status_code == 303 and response.headers.get("location", "").startswith("/login")
            ):
                wrong.append(f"{identity} refused {method} {url}: {response.status_code}")
        elif identity == "anonymous":
            if not (response.status_code == 303 and response.headers["location"].startswith("/login?next=")):
                wrong.append(f"anonymous not sent to sign in for {method} {url}: {response.status_code}")
        elif response.status_code != 403:
            wrong.append(f"{identity} not refused {method} {url}: {response.status_code}")
        if response.status_code >= 500:
            wrong.append(f"{identity} got {response.status_code} on {method} {url}")
        if response.headers.get("content-type", "").startswith("text/html"):
            wrong.extend(f"{identity} {method} {url}: {problem}" for problem in csp_problems(response.text))
    assert wrong == []


@pytest.mark.parametrize("identity", ["anonymous", *ROLES])
def test_an_id_no_database_integer_holds_is_not_found(app, client, staff_client, identity):
    """Found by tests/server/test_forms_never_500.py: an ``{id:int}`` of 19 digits reached the
    query (SQLite cannot take it; PostgreSQL's integer stops at 2,147,483,647): a 500 on every such
    page. Now 404, as any unknown id, once the access rule has answered."""
    requester = client if identity == "anonymous" else staff_client(identity)
    wrong = []
    for method, path, opt in registered_endpoints(app):
        if method != "GET" or ":int}" not in path or not (opt.get("public") or identity in opt.get("roles", ())):
            continue
        for too_big in ("9" * 19, str(2**31)):
            url = PATH_PARAM.sub(lambda match: too_big if match.group(2) == "int" else "sample", path)
            response = requester.get(url, follow_redirects=False)
            if response.status_code != 404:
                wrong.append(f"{identity} GET {url}: {response.status_code}")
    assert wrong == []


INLINE_PATTERNS = {
    "inline <script> block": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]+\sstyle=", re.IGNORECASE),
    "<style> block": re.compile(r"<style[\s>]", re.IGNORECASE),
    "inline event handler": re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE),
    "javascript: URL": re.compile(r"(href|src|action)=[\"']?\s*javascript:", re.IGNORECASE),
}


def csp_problems(html: str) -> list[str]:
    """What the Content-Security-Policy would block in a page (so a page that relies on it is
    broken for real users), found on every HTML response the walk above receives."""
    return [name for name, pattern in INLINE_PATTERNS.items() if pattern.search(html)]


@pytest.mark.parametrize("identity", ["anonymous", *ROLES])
def test_every_post_route_refuses_a_missing_or_foreign_csrf_token(app, client, staff_client, identity):
    """Every POST the route table holds, with no token and with a token of another browser's
    session, is refused before it does anything: 403, never a change and never a 5xx."""
    requester = client if identity == "anonymous" else staff_client(identity)
    csrf_token(requester)  # the requester has its own CSRF cookie
    other = staff_client("officer")
    foreign = csrf_token(other)
    wrong = []
    posts = [(method, path) for method, path, opt in registered_endpoints(app)
             if method == "POST" and not opt.get("exclude_from_csrf")]
    assert len(posts) >= 60
    # RFC 8058's one-click stop, posted by a mail program with no cookie: the signature in its
    # address is the proof (tests/server/test_follows.py). No other POST may go without a token.
    assert [path for method, path, opt in registered_endpoints(app) if method == "POST" and opt.get("exclude_from_csrf")] == [
        "/follow/stop/{what:str}/{record_id:int}/{signature:str}"]
    for _, path in posts:
        url = concrete_path(path)
        for label, headers in (("no token", {}), ("a foreign token", {"x-csrftoken": foreign})):
            response = requester.post(url, headers=headers, data={"anything": "1"}, follow_redirects=False)
            if response.status_code != 403:
                wrong.append(f"{identity} POST {url} with {label}: {response.status_code}")
    assert wrong == []


def test_facilitators_reach_only_session_pages_and_their_own_account(app):
    """A facilitator works at sessions: their routes are the session pages and their own account,
    never an officer's, cabinet's or administrator's page."""
    reached = sorted({path for _, path, opt in registered_endpoints(app) if "facilitator" in opt.get("roles", ())})
    assert any(path.startswith("/facilitator") for path in reached)
    assert [path for path in reached if not path.startswith(("/facilitator", "/account"))] == []
