"""Signing in through the council's identity provider (OpenID Connect), against a local provider
the test starts (oidc-provider-mock): accounts made from its claims, roles from groups."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import TestClient
from oidc_provider_mock import User, run_server_in_thread

from server.accounts.staff import list_staff, set_staff_active
from server.audit import search_audit
from tests.support.database import run

OFFICERS, ADMINS = "3f1c-officers", "9ab0-admins"
PEOPLE = [
    User(sub="olu", claims={"email": "Olu.Officer@council.example", "name": "Olu Officer", "groups": [OFFICERS]}),
    User(sub="ada", claims={"email": "ada@council.example", "name": "Ada Admin", "groups": ["other", ADMINS, OFFICERS]}),
    User(sub="pat", claims={"email": "pat@council.example", "name": "Pat Public", "groups": ["everyone"]}),
]


@pytest.fixture
def provider():
    with run_server_in_thread(user_claims=PEOPLE, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def council_client(db, settings, provider):
    from server.app import create_app

    configured = replace(settings, oidc_issuer=provider, oidc_client_id="civicpanel", oidc_client_secret="a client secret",
                         oidc_group_roles=((OFFICERS, "officer"), (ADMINS, "admin")))
    with TestClient(app=create_app(configured)) as client:
        yield client


def sign_in_as(client: TestClient, sub: str):
    start = client.get("/login/council", follow_redirects=False)
    assert start.status_code == 303
    authorise = start.headers["location"]
    assert "code_challenge=" in authorise and "nonce=" in authorise
    answer = httpx.post(authorise, data={"sub": sub}, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["location"])
    assert callback.path == "/login/council/callback"
    return client.get(f"{callback.path}?{callback.query}", follow_redirects=False)


def test_the_button_shows_only_when_a_provider_is_configured(client, council_client):
    assert "Sign in with your council account" not in client.get("/login").text
    assert client.get("/login/council", follow_redirects=False).status_code == 404
    assert "Sign in with your council account" in council_client.get("/login").text


def test_a_new_officer_gets_an_account_with_the_role_of_their_group(council_client):
    response = sign_in_as(council_client, "olu")
    assert response.status_code == 303 and response.headers["location"] == "/officer"
    assert "Signed in as Olu Officer (officer)" in council_client.get("/officer").text
    account = next(user for user in run(list_staff()) if user["email"] == "olu.officer@council.example")
    assert account["role"] == "officer" and not account["has_password"]
    details = [entry.detail for entry in run(search_audit(action="login")) if entry.actor == account["email"]]
    assert details == ["with the council's identity provider; account created as officer"]


def test_the_highest_role_of_several_groups_wins(council_client):
    assert sign_in_as(council_client, "ada").headers["location"] == "/admin"


def test_someone_in_no_mapped_group_is_refused(council_client):
    response = sign_in_as(council_client, "pat")
    assert response.status_code == 400
    assert "not in a group that may use Civic Panel" in response.text
    assert "pat@council.example" not in [user["email"] for user in run(list_staff())]


def test_the_role_follows_the_provider_at_each_sign_in(council_client, provider):
    sign_in_as(council_client, "olu")
    httpx.put(f"{provider}/users/olu", json={"email": "olu.officer@council.example", "name": "Olu O. Officer",
                                             "groups": [ADMINS]}).raise_for_status()
    with TestClient(app=council_client.app) as again:
        assert sign_in_as(again, "olu").headers["location"] == "/admin"
    account = next(user for user in run(list_staff()) if user["email"] == "olu.officer@council.example")
    assert (account["role"], account["display_name"]) == ("admin", "Olu O. Officer")


def test_a_disabled_account_stays_out(council_client):
    sign_in_as(council_client, "olu")
    account = next(user for user in run(list_staff()) if user["email"] == "olu.officer@council.example")
    run(set_staff_active(user_id=account["id"], active=False))
    with TestClient(app=council_client.app) as again:
        response = sign_in_as(again, "olu")
        assert response.status_code == 400 and "disabled" in response.text


def test_a_callback_that_this_browser_did_not_start_is_refused(council_client):
    start = council_client.get("/login/council", follow_redirects=False)
    answer = httpx.post(start.headers["location"], data={"sub": "olu"}, follow_redirects=False)
    callback = urlsplit(answer.headers["location"])
    with TestClient(app=council_client.app) as attacker:  # no state in this browser's session
        refused = attacker.get(f"{callback.path}?{callback.query}", follow_redirects=False)
        assert refused.status_code == 400 and "could not be completed" in refused.text
    forged = council_client.get(callback.path, params={"code": "x", "state": "not the state"}, follow_redirects=False)
    assert forged.status_code == 400
    assert run(list_staff()) == []


def test_group_roles_are_read_from_the_environment_and_checked():
    from server.settings import Settings, SettingsError

    settings = Settings.from_env({"CIVICPANEL_ENV": "test", "OIDC_ISSUER": "https://login.example/tenant/v2.0",
                                  "OIDC_CLIENT_ID": "id", "OIDC_CLIENT_SECRET": "secret",
                                  "OIDC_GROUP_ROLES": " a-1 = officer, b-2=admin "})
    assert settings.oidc_enabled and settings.oidc_group_roles == (("a-1", "officer"), ("b-2", "admin"))
    assert not Settings.from_env({"CIVICPANEL_ENV": "test", "OIDC_ISSUER": "https://login.example"}).oidc_enabled
    with pytest.raises(SettingsError, match="OIDC_GROUP_ROLES"):
        Settings.from_env({"CIVICPANEL_ENV": "test", "OIDC_GROUP_ROLES": "a-1=mayor"})
