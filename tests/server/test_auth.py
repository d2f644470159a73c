"""Staff sign in and out, sessions, rate limiting, CSRF and the audit trail of logins."""

from __future__ import annotations

from server.audit import search_audit
from tests.support.database import run
from tests.support.http import TEST_PASSWORD, create_staff, csrf_token, post_form, sign_in


def test_login_success_redirects_to_role_home_and_is_audited(client):
    email = create_staff("officer")
    response = sign_in(client, email)
    assert response.status_code == 303
    assert response.headers["location"] == "/officer"
    page = client.get("/officer")
    assert page.status_code == 200
    assert "Signed in as Test officer (officer)" in page.text
    actions = [entry.action for entry in run(search_audit(actor=email))]
    assert "login" in actions


def test_login_errors_are_govuk_style_and_keep_the_email(client):
    email = create_staff("officer")
    response = post_form(client, "/login", {"email": email, "password": "wrong password"})
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert 'href="#email"' in response.text
    assert f'value="{email}"' in response.text
    assert "wrong password" not in response.text
    empty = post_form(client, "/login", {"email": "", "password": ""})
    assert empty.status_code == 422
    assert "Enter your email address" in empty.text and "Enter your password" in empty.text


def test_failed_logins_are_audited_and_then_slowed_down(client, settings):
    email = create_staff("cabinet")
    for _ in range(settings.login_max_failures):
        assert post_form(client, "/login", {"email": email, "password": "nope nope nope"}).status_code == 422
    refused = sign_in(client, email)  # right password, but this address must wait
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.text
    actions = [entry.action for entry in run(search_audit(action="login"))]
    assert actions.count("login_failed") == settings.login_max_failures
    assert "login_refused" in actions


def test_logout_invalidates_the_session_even_if_the_cookie_is_replayed(client):
    email = create_staff("admin")
    sign_in(client, email)
    stolen_cookie = client.cookies.get("civicpanel_session")
    assert client.get("/admin").status_code == 200
    response = post_form(client, "/logout", follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("civicpanel_session", stolen_cookie)
    after = client.get("/admin", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert "logout" in [entry.action for entry in run(search_audit(actor=email))]


def test_each_login_issues_a_new_session(app, client):
    from litestar.testing import TestClient

    email = create_staff("officer")
    sign_in(client, email)
    first = client.cookies.get("civicpanel_session")
    with TestClient(app=app) as other:
        sign_in(other, email)
        assert other.cookies.get("civicpanel_session") != first


def test_disabled_account_cannot_sign_in_and_loses_its_session(client, admin_client):
    from server.accounts.staff import list_staff

    email = create_staff("officer", "leaver@test.example")
    sign_in(client, email)
    assert client.get("/officer").status_code == 200
    user_id = next(user["id"] for user in run(list_staff()) if user["email"] == email)
    post_form(admin_client, f"/admin/users/{user_id}/active", {"active": "0", "confirmed": "1"})
    assert client.get("/officer", follow_redirects=False).status_code == 303
    assert sign_in(client, email).status_code == 422


def test_post_without_csrf_token_is_refused(client):
    email = create_staff("officer")
    csrf_token(client)
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 403


def test_htmx_request_that_needs_login_gets_a_client_redirect(client):
    response = client.get("/admin/audit", headers={"hx-request": "true"}, follow_redirects=False)
    assert response.headers.get("hx-redirect", "").startswith("/login?next=")


def test_login_next_parameter_cannot_redirect_off_site(client):
    email = create_staff("officer")
    response = post_form(client, "/login", {"email": email, "password": TEST_PASSWORD, "next": "//evil.example/"},
                         follow_redirects=False)
    assert response.headers["location"] == "/officer"
    client2_next = post_form(client, "/login", {"email": email, "password": TEST_PASSWORD, "next": "/cabinet"},
                             follow_redirects=False)
    assert client2_next.headers["location"] == "/cabinet"


def test_session_cookie_is_httponly_and_samesite(client):
    email = create_staff("officer")
    response = sign_in(client, email)
    cookie = next(value for name, value in response.headers.multi_items() if name == "set-cookie" and value.startswith("civicpanel_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
