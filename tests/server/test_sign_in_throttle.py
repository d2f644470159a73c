"""Guessing staff passwords is slowed per address and per account-and-address, never by locking
the account for everyone; the time sign-in takes does not say whether an account exists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.accounts import staff
from server.accounts.throttle import delay_after, policy_from_settings, record_failure, wait_before_next_attempt
from server.tables import SignInFailure
from tests.support.database import run
from tests.support.http import TEST_PASSWORD, create_staff, post_form, sign_in

ADDRESS_A = "203.0.113.7"
ADDRESS_B = "198.51.100.20"


def attempt(settings, email: str, password: str, address: str) -> staff.LoginResult:
    return run(staff.log_in(email=email, password=password, ip_address=address,
                            throttle=policy_from_settings(settings), session_hours=1))


def test_failures_from_one_address_do_not_keep_the_owner_out_from_another(db, settings):
    email = create_staff("officer")
    for _ in range(settings.login_max_failures * 3):
        attempt(settings, email, "a wrong guess here", ADDRESS_A)
    from_a = attempt(settings, email, TEST_PASSWORD, ADDRESS_A)
    assert from_a.identity is None and from_a.locked_out
    from_b = attempt(settings, email, TEST_PASSWORD, ADDRESS_B)
    assert from_b.identity is not None and from_b.identity.email == email


def test_the_wait_grows_with_each_failure_and_is_capped(db, settings):
    policy = policy_from_settings(settings)
    email = "officer@test.example"
    waits = []
    for _ in range(settings.login_max_failures + 3):
        run(record_failure(policy=policy, email=email, ip_address=ADDRESS_A))
        waits.append(run(wait_before_next_attempt(policy=policy, email=email, ip_address=ADDRESS_A)))
    free = settings.login_max_failures
    assert all(wait == timedelta(0) for wait in waits[: free - 1])
    delays = waits[free - 1:]
    assert all(earlier < later for earlier, later in zip(delays, delays[1:]))
    assert timedelta(seconds=15) < delays[0] <= timedelta(seconds=30)
    assert timedelta(seconds=100) < delays[2] <= timedelta(seconds=120)
    cap = policy.longest_delay
    assert delay_after(free + 30, free, cap) == cap
    assert [delay_after(free + n, free, cap) for n in range(3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert run(wait_before_next_attempt(policy=policy, email=email, ip_address=ADDRESS_B)) == timedelta(0)


def test_one_address_trying_many_accounts_is_slowed_too(db, settings):
    policy = policy_from_settings(settings)
    for number in range(4 * settings.login_max_failures):
        run(record_failure(policy=policy, email=f"person{number}@test.example", ip_address=ADDRESS_A))
    assert run(wait_before_next_attempt(policy=policy, email="new@test.example", ip_address=ADDRESS_A)) > timedelta(0)
    assert run(wait_before_next_attempt(policy=policy, email="new@test.example", ip_address=ADDRESS_B)) == timedelta(0)


def test_a_successful_sign_in_forgets_the_owners_own_mistakes(db, settings):
    email = create_staff("officer")
    for _ in range(settings.login_max_failures - 1):
        attempt(settings, email, "a typo in my password", ADDRESS_A)
    assert attempt(settings, email, TEST_PASSWORD, ADDRESS_A).identity is not None
    assert attempt(settings, email, "one more typo, sorry", ADDRESS_A).identity is None
    assert not attempt(settings, email, TEST_PASSWORD, ADDRESS_A).locked_out


@pytest.mark.parametrize("known", [True, False])
def test_unknown_and_known_emails_both_run_the_password_hasher(db, settings, monkeypatch, known):
    email = create_staff("officer") if known else "nobody@test.example"
    checked = []
    original = staff.verify_password

    def spy(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return original(password_hash, password)

    monkeypatch.setattr(staff, "verify_password", spy)
    result = attempt(settings, email, "not the password", ADDRESS_A)
    assert result.identity is None
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_a_disabled_account_runs_the_hasher_and_looks_like_a_wrong_password(db, settings, monkeypatch):
    email = create_staff("officer")
    user_id = next(user["id"] for user in run(staff.list_staff()) if user["email"] == email)
    run(staff.set_staff_active(user_id=user_id, active=False))
    checked = []
    original = staff.verify_password
    monkeypatch.setattr(staff, "verify_password", lambda h, p: checked.append(h) or original(h, p))
    result = attempt(settings, email, TEST_PASSWORD, ADDRESS_A)
    assert result.identity is None and result.error == "Enter a correct email address and password"
    assert len(checked) == 1


def test_failures_store_no_email(db, settings):
    attempt(settings, "secret.person@test.example", "wrong wrong wrong", ADDRESS_A)
    rows = run(SignInFailure.select().run())
    assert len(rows) == 1
    assert "secret" not in str(rows[0])


def test_sign_in_page_says_how_long_to_wait(client, settings):
    email = create_staff("cabinet")
    for _ in range(settings.login_max_failures):
        assert post_form(client, "/login", {"email": email, "password": "nope nope nope"}).status_code == 422
    refused = sign_in(client, email)
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 1 minute." in refused.text


def test_a_very_long_email_is_refused_without_a_server_error(client):
    response = post_form(client, "/login", {"email": "a" * 300 + "@test.example", "password": "whatever it is"})
    assert response.status_code == 422
