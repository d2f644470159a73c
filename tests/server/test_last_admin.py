"""There is always an active administrator, and changes to someone's account are confirmed first
and audited."""

from __future__ import annotations

import pytest

from server.accounts.staff import StaffAccountError, list_staff, set_staff_active, set_staff_role
from server.audit import search_audit
from tests.support.database import run
from tests.support.http import create_staff, post_form


def account(role: str) -> dict:
    return next(user for user in run(list_staff()) if user["role"] == role)


def test_the_last_administrator_cannot_be_demoted_or_disabled(db):
    create_staff("admin", "only.admin@test.example")
    admin = account("admin")
    with pytest.raises(StaffAccountError, match="There must always be an active administrator"):
        run(set_staff_role(user_id=admin["id"], role="officer"))
    with pytest.raises(StaffAccountError, match="There must always be an active administrator"):
        run(set_staff_active(user_id=admin["id"], active=False))
    assert account("admin")["active"]


def test_with_a_second_administrator_one_may_step_down_but_not_both(db):
    create_staff("admin", "first@test.example")
    create_staff("admin", "second@test.example")
    first, second = [user for user in run(list_staff()) if user["role"] == "admin"]
    assert run(set_staff_role(user_id=first["id"], role="officer")) == "admin"
    with pytest.raises(StaffAccountError):
        run(set_staff_role(user_id=second["id"], role="cabinet"))


def test_a_disabled_administrator_does_not_count(db):
    create_staff("admin", "first@test.example")
    create_staff("admin", "second@test.example")
    first, second = [user for user in run(list_staff()) if user["role"] == "admin"]
    run(set_staff_active(user_id=first["id"], active=False))
    with pytest.raises(StaffAccountError):
        run(set_staff_role(user_id=second["id"], role="officer"))


def test_the_page_refuses_to_demote_the_last_administrator_without_asking(admin_client):
    me = account("admin")
    response = post_form(admin_client, f"/admin/users/{me['id']}/role", {"role": "cabinet"})
    assert response.status_code == 422
    assert "There must always be an active administrator" in response.text
    assert f'href="#role-{me["id"]}"' in response.text
    confirmed = post_form(admin_client, f"/admin/users/{me['id']}/role", {"role": "cabinet", "confirmed": "1"})
    assert confirmed.status_code == 422
    assert account("admin")["id"] == me["id"]


def test_an_administrator_may_step_down_after_confirming_when_another_exists(admin_client):
    me = account("admin")
    create_staff("admin", "successor@test.example")
    confirm = post_form(admin_client, f"/admin/users/{me['id']}/role", {"role": "officer"})
    assert confirm.status_code == 200 and "This is your own account" in confirm.text
    done = post_form(admin_client, f"/admin/users/{me['id']}/role", {"role": "officer", "confirmed": "1"},
                     follow_redirects=False)
    assert done.status_code == 303
    assert admin_client.get("/admin").status_code == 403


def test_disabling_asks_first_and_is_audited(admin_client):
    email = create_staff("officer", "leaving@test.example")
    person = next(user for user in run(list_staff()) if user["email"] == email)
    confirm = post_form(admin_client, f"/admin/users/{person['id']}/active", {"active": "0"})
    assert confirm.status_code == 200 and "Disable the account of Test officer?" in confirm.text
    assert next(user for user in run(list_staff()) if user["email"] == email)["active"]
    done = post_form(admin_client, f"/admin/users/{person['id']}/active", {"active": "0", "confirmed": "1"})
    assert done.status_code == 200 and "The account has been changed." in done.text
    assert not next(user for user in run(list_staff()) if user["email"] == email)["active"]
    assert [entry.object_id for entry in run(search_audit(action="staff_disabled"))] == [str(person["id"])]
