"""Two-factor sign-in with an authenticator app (codes made here with pyotp), recovery codes, and
the administrators' switches: require it for everyone, reset a person's."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from server.accounts.staff import list_staff
from server.audit import search_audit
from server.tables import StaffRecoveryCode, StaffUser
from tests.support.database import run
from tests.support.http import create_staff, post_form, sign_in


def secret_on(page_text: str) -> str:
    match = re.search(r'<code class="app-secret-key">([A-Z2-7 ]+)</code>', page_text)
    assert match, "no secret key on the page"
    return match.group(1).replace(" ", "")


def next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted, and never the step just used)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def codes_on(page_text: str) -> list[str]:
    return re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", page_text)


def enrol(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "<svg" in page.text and "<title>QR code</title>" in page.text
    secret = secret_on(page.text)
    wrong = post_form(client, "/account/two-factor", {"code": "000000"})
    assert wrong.status_code == 422 and "Enter the 6-digit code your app shows now" in wrong.text
    assert secret_on(wrong.text) == secret  # the same secret is offered again
    done = post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Your recovery codes" in done.text
    codes = codes_on(done.text)
    assert len(codes) == 10
    return secret, codes


@pytest.fixture
def officer(app, client):
    email = create_staff("officer", "two.factor@test.example")
    assert sign_in(client, email).status_code == 303
    return email


def test_after_setting_up_an_app_sign_in_asks_for_its_code(app, client, officer):
    from litestar.testing import TestClient

    secret, _codes = enrol(client)
    assert "staff_two_factor_enabled" in [entry.action for entry in run(search_audit(actor=officer))]
    stored = run(StaffUser.select(StaffUser.totp_secret).where(StaffUser.email == officer).first().run())
    assert stored["totp_secret"] and secret not in stored["totp_secret"]  # kept encrypted

    with TestClient(app=app) as browser:
        first = sign_in(browser, officer)
        assert first.status_code == 303 and first.headers["location"] == "/login/two-factor"
        assert browser.get("/officer", follow_redirects=False).status_code == 303  # not signed in yet
        wrong = post_form(browser, "/login/two-factor", {"code": "123456"})
        assert wrong.status_code == 422 and "The code is not right" in wrong.text
        code = next_code(secret)
        right = post_form(browser, "/login/two-factor", {"code": code}, follow_redirects=False)
        assert right.status_code == 303 and right.headers["location"] == "/officer"
        assert browser.get("/officer").status_code == 200
    with TestClient(app=app) as replay:
        sign_in(replay, officer)
        again = post_form(replay, "/login/two-factor", {"code": code})
        assert again.status_code == 422  # a code is never accepted twice


def test_a_recovery_code_signs_in_once(app, client, officer):
    from litestar.testing import TestClient

    _secret, codes = enrol(client)
    with TestClient(app=app) as browser:
        sign_in(browser, officer)
        used = post_form(browser, "/login/two-factor", {"code": codes[3].upper().replace("-", " ")},
                         follow_redirects=False)
        assert used.status_code == 303
    with TestClient(app=app) as browser:
        sign_in(browser, officer)
        assert post_form(browser, "/login/two-factor", {"code": codes[3]}).status_code == 422
    assert run(StaffRecoveryCode.count().run()) == 9
    assert codes[0] not in str(run(StaffRecoveryCode.select().run()))  # kept as hashes only


def test_the_code_step_needs_a_password_first_and_lapses(app, client, officer, monkeypatch):
    from litestar.testing import TestClient

    from server.controllers.accounts import pending

    secret, _codes = enrol(client)
    with TestClient(app=app) as stranger:
        assert "Sign in again" in stranger.get("/login/two-factor").text
        refused = post_form(stranger, "/login/two-factor", {"code": next_code(secret)})
        assert refused.status_code == 400 and "Sign in again" in refused.text
        assert stranger.get("/officer", follow_redirects=False).status_code == 303
    with TestClient(app=app) as slow:
        sign_in(slow, officer)
        later = time.time() + pending.PENDING_SECONDS + 1
        monkeypatch.setattr(pending.time, "time", lambda: later)
        lapsed = post_form(slow, "/login/two-factor", {"code": next_code(secret)})
        assert lapsed.status_code == 400 and "Sign in again" in lapsed.text


def test_wrong_codes_are_slowed_down_like_wrong_passwords(app, client, officer, settings):
    from litestar.testing import TestClient

    enrol(client)
    with TestClient(app=app) as guesser:
        sign_in(guesser, officer)
        for _ in range(settings.login_max_failures):
            assert post_form(guesser, "/login/two-factor", {"code": "111111"}).status_code == 422
        blocked = post_form(guesser, "/login/two-factor", {"code": "222222"})
        assert blocked.status_code == 429 and "Too many failed sign-in attempts" in blocked.text


def test_when_required_everyone_sets_up_an_app_before_anything_else(app, admin_client):
    from litestar.testing import TestClient

    confirm = post_form(admin_client, "/admin/two-factor", {"required": "1"})
    assert confirm.status_code == 200 and "Require two-factor sign-in for everyone?" in confirm.text
    done = post_form(admin_client, "/admin/two-factor", {"required": "1", "confirmed": "1"})
    assert "Required: everyone signs in with a code" in done.text
    assert [entry.detail for entry in run(search_audit(action="two_factor_policy_changed"))] == ["required"]

    email = create_staff("cabinet", "new.cabinet@test.example")
    with TestClient(app=app) as browser:
        first = sign_in(browser, email)
        assert first.headers["location"] == "/login/two-factor/set-up"
        page = browser.get("/login/two-factor/set-up")
        assert page.status_code == 200 and "Your council asks every member of staff" in page.text
        assert browser.get("/cabinet", follow_redirects=False).status_code == 303
        secret = secret_on(page.text)
        assert secret_on(browser.get("/login/two-factor/set-up").text) == secret  # reloading keeps the secret
        done = post_form(browser, "/login/two-factor/set-up", {"code": pyotp.TOTP(secret).now()})
        assert done.status_code == 200 and len(codes_on(done.text)) == 10
        assert 'href="/cabinet"' in done.text
        assert browser.get("/cabinet").status_code == 200


def test_an_admin_resets_a_persons_two_factor_after_confirming(app, client, officer, admin_client):
    from litestar.testing import TestClient

    enrol(client)
    person = next(user for user in run(list_staff()) if user["email"] == officer)
    assert person["two_factor"]
    assert "Reset two-factor" in admin_client.get("/admin").text
    confirm = post_form(admin_client, f"/admin/users/{person['id']}/two-factor/reset")
    assert confirm.status_code == 200 and "Reset the two-factor sign-in of Test officer?" in confirm.text
    assert next(user for user in run(list_staff()) if user["email"] == officer)["two_factor"]
    post_form(admin_client, f"/admin/users/{person['id']}/two-factor/reset", {"confirmed": "1"})
    assert not next(user for user in run(list_staff()) if user["email"] == officer)["two_factor"]
    assert client.get("/officer", follow_redirects=False).status_code == 303  # signed out
    assert run(StaffRecoveryCode.count().run()) == 0
    assert [int(entry.object_id) for entry in run(search_audit(action="staff_two_factor_reset"))] == [person["id"]]
    with TestClient(app=app) as browser:
        assert sign_in(browser, officer).headers["location"] == "/officer"  # optional: password alone again
