"""Staff passwords as the NCSC advises, and no one ever sees or sets another's: new accounts and
forgotten passwords get a one-time link by email; staff change their own with the current one."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from server.accounts.passwords import common_passwords, password_problem
from server.accounts.staff import list_staff
from server.audit import search_audit
from server.tables import OutboxEmail, StaffPasswordLink
from tests.support.database import run
from tests.support.http import TEST_PASSWORD, create_staff, post_form, sign_in

NEW_PASSWORD = "lantern orchard velvet"


@pytest.mark.parametrize("password", ["qwerty123456", "QWERTY123456", " 1qaz2wsx3edc ", "password"])
def test_common_and_short_passwords_are_refused(password):
    assert password_problem(password) is not None


def test_the_shipped_list_is_the_common_passwords_without_composition_rules():
    assert len(common_passwords()) >= 30000
    assert "123456" in common_passwords()
    assert password_problem("all lower case words") is None  # no "a capital and a digit" rule
    assert password_problem("jane.smith@council.example", email="Jane.Smith@council.example") is not None
    assert password_problem("jane smith", display_name="Jane Smith") is not None  # short anyway
    assert password_problem("Jane Smithson", display_name="jane smithson") is not None


def outbox_link(email: str) -> str:
    rows = run(OutboxEmail.select().where(OutboxEmail.to_address == email).run())
    assert rows, "no email was queued"
    match = re.search(r"https?://\S+/set-password/(\S+)", rows[-1]["body"])
    assert match, rows[-1]["body"]
    return match.group(0)


def path_of(link: str) -> str:
    return "/set-password/" + link.rsplit("/set-password/", 1)[1]


def test_a_new_account_gets_a_link_not_a_typed_password(admin_client, client, settings):
    page = admin_client.get("/admin")
    assert 'type="password"' not in page.text
    response = post_form(admin_client, "/admin/users", {
        "email": "starter@council.example", "display_name": "New Starter", "role": "officer",
        "password": "an admin typed this one"})
    assert response.status_code == 200 and "Its owner has been emailed a link" in response.text
    assert "Waiting for a password" in response.text
    link = outbox_link("starter@council.example")
    assert link.startswith(settings.site_url + "/set-password/")
    token = link.rsplit("/", 1)[1]
    stored = run(StaffPasswordLink.select(StaffPasswordLink.token_hash).run())
    assert len(stored) == 1 and token not in str(stored)  # only its hash is kept
    assert sign_in(client, "starter@council.example", "an admin typed this one").status_code == 422

    form = client.get(path_of(link))
    assert form.status_code == 200 and "Set your password" in form.text
    weak = post_form(client, path_of(link), {"password": "password1234", "confirm_password": "password1234"})
    assert weak.status_code == 422 and "most common passwords" in weak.text
    mismatch = post_form(client, path_of(link), {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 422 and "The passwords do not match" in mismatch.text
    done = post_form(client, path_of(link), {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
                     follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login?password_set=1"
    assert sign_in(client, "starter@council.example", NEW_PASSWORD).status_code == 303

    again = post_form(client, path_of(link), {"password": "another good phrase", "confirm_password": "another good phrase"})
    assert again.status_code == 404 and "This link no longer works" in again.text
    actions = [entry.action for entry in run(search_audit(action="staff_"))]
    assert {"staff_created", "staff_password_link_sent", "staff_password_changed"} <= set(actions)


def test_an_expired_link_does_not_work(admin_client, client):
    post_form(admin_client, "/admin/users", {"email": "late@council.example", "display_name": "Late", "role": "cabinet"})
    link = outbox_link("late@council.example")
    run(StaffPasswordLink.update({StaffPasswordLink.expires_at: datetime.now(timezone.utc) - timedelta(minutes=1)})
        .where(StaffPasswordLink.id > 0).run())
    assert client.get(path_of(link)).status_code == 404
    refused = post_form(client, path_of(link), {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert refused.status_code == 404
    assert sign_in(client, "late@council.example", NEW_PASSWORD).status_code == 422


def test_an_admin_sends_a_reset_link_after_confirming_and_it_ends_old_sessions(admin_client, app):
    from litestar.testing import TestClient

    email = create_staff("officer", "forgetful@test.example")
    person = next(user for user in run(list_staff()) if user["email"] == email)
    with TestClient(app=app) as owner:
        sign_in(owner, email)
        confirm = admin_client.get(f"/admin/users/{person['id']}/password-link")
        assert confirm.status_code == 200 and "Send Test officer a link to set a new password?" in confirm.text
        assert run(OutboxEmail.count().run()) == 0  # nothing sent before confirming
        sent = post_form(admin_client, f"/admin/users/{person['id']}/password-link", {"confirmed": "1"})
        assert sent.status_code == 200 and "A link to set a new password has been emailed." in sent.text
        link = outbox_link(email)
        assert owner.get("/officer").status_code == 200  # the old password and session still work…
        post_form(owner, path_of(link), {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
        assert owner.get("/officer", follow_redirects=False).status_code == 303  # …until the link is used
        assert sign_in(owner, email, TEST_PASSWORD).status_code == 422
        assert sign_in(owner, email, NEW_PASSWORD).status_code == 303


def test_a_newer_link_replaces_the_older_one(admin_client, client):
    email = create_staff("cabinet", "twice@test.example")
    person = next(user for user in run(list_staff()) if user["email"] == email)
    post_form(admin_client, f"/admin/users/{person['id']}/password-link", {"confirmed": "1"})
    first = outbox_link(email)
    post_form(admin_client, f"/admin/users/{person['id']}/password-link", {"confirmed": "1"})
    second = outbox_link(email)
    assert first != second
    assert client.get(path_of(first)).status_code == 404
    assert client.get(path_of(second)).status_code == 200


def test_staff_change_their_own_password_with_the_current_one(officer_client, app):
    from litestar.testing import TestClient

    email = next(user["email"] for user in run(list_staff()) if user["role"] == "officer")
    with TestClient(app=app) as elsewhere:
        sign_in(elsewhere, email)
        assert officer_client.get("/account").status_code == 200
        wrong = post_form(officer_client, "/account/password", {
            "current_password": "not my password", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
        assert wrong.status_code == 422 and "Enter your current password correctly" in wrong.text
        weak = post_form(officer_client, "/account/password", {
            "current_password": TEST_PASSWORD, "password": "short one", "confirm_password": "short one"})
        assert weak.status_code == 422 and "at least 12 characters" in weak.text
        changed = post_form(officer_client, "/account/password", {
            "current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
        assert changed.status_code == 200 and "Your password has been changed." in changed.text
        assert officer_client.get("/officer").status_code == 200  # this session goes on
        assert elsewhere.get("/officer", follow_redirects=False).status_code == 303  # the other one ended
        assert sign_in(elsewhere, email, NEW_PASSWORD).status_code == 303
    assert "staff_password_changed" in [entry.action for entry in run(search_audit(actor=email))]


def test_an_account_without_a_password_runs_the_hasher_at_sign_in(admin_client, client, monkeypatch):
    from server.accounts import staff

    post_form(admin_client, "/admin/users", {"email": "nopass@council.example", "display_name": "No Pass", "role": "officer"})
    checked = []
    original = staff.verify_password
    monkeypatch.setattr(staff, "verify_password", lambda h, p: checked.append(h) or original(h, p))
    assert sign_in(client, "nopass@council.example", "").status_code == 422
    assert sign_in(client, "nopass@council.example", "anything at all").status_code == 422
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")
