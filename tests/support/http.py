"""Talking to the app as a browser does: the CSRF token, form posts, staff sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar.testing import TestClient

from tests.support.database import run

TEST_PASSWORD = "correct horse battery staple"
ROLES = ("officer", "facilitator", "cabinet", "admin")


def csrf_token(client: TestClient) -> str:
    """The CSRF token for this client, fetching a page first if no cookie is set yet."""
    token = client.cookies.get("civicpanel_csrf")
    if not token:
        client.get("/login")
        token = client.cookies.get("civicpanel_csrf")
    assert token, "the app did not set a CSRF cookie"
    return token


def post_form(client: TestClient, url: str, data: dict[str, str] | None = None, **kwargs):
    """POST a form the way a browser does, with the CSRF token in the form body."""
    return client.post(url, data={**(data or {}), "_csrf_token": csrf_token(client)}, **kwargs)


def send(client: TestClient, url: str, pairs, **kwargs):
    """POST a form with repeated fields (checkboxes) as a browser does, without following the
    redirect."""
    body = [*pairs, ("_csrf_token", csrf_token(client))]
    return client.post(url, content=urlencode(body), headers={"content-type": "application/x-www-form-urlencoded"},
                       follow_redirects=False, **kwargs)


def create_staff(role: str, email: str | None = None) -> str:
    from server.accounts.staff import create_staff_user

    email = email or f"{role}@test.example"
    run(create_staff_user(email=email, display_name=f"Test {role}", role=role, password=TEST_PASSWORD))
    return email


def sign_in(client: TestClient, email: str, password: str = TEST_PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password}, follow_redirects=False)
