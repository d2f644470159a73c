"""The civicpanel command: demo loading is idempotent, create-user, check, and clear failures."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.cli.main import cli
from server.accounts.staff import list_staff
from tests.support.database import run


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def count_rows() -> dict[str, int]:
    from analysis.tables import Charter, Principle
    from server.tables import StaffUser

    return {
        "staff": run(StaffUser.count().run()),
        "charters": run(Charter.count().run()),
        "principles": run(Principle.count().run()),
    }


@pytest.mark.slow
def test_load_demo_twice_adds_nothing_the_second_time(db):
    first = invoke("load-demo")
    assert first.exit_code == 0, first.output
    assert "officer@camden.example" in first.output and "password:" in first.output
    after_first = count_rows()
    assert after_first == {"staff": 4, "charters": 1, "principles": 7}  # officer, cabinet, admin, facilitator
    second = invoke("load-demo")
    assert second.exit_code == 0
    assert "already present" in second.output
    assert count_rows() == after_first


def test_create_user_reads_the_password_from_stdin(db):
    result = invoke("create-user", "--role", "cabinet", "--email", "Member@Council.example", input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created cabinet account member@council.example" in result.output
    staff = run(list_staff())
    assert [(user["email"], user["role"]) for user in staff] == [("member@council.example", "cabinet")]


def test_create_user_refuses_short_password_and_duplicates(db):
    short = invoke("create-user", "--role", "officer", "--email", "a@council.example", input="short\n")
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    ok = invoke("create-user", "--role", "officer", "--email", "a@council.example", input="a long enough password\n")
    assert ok.exit_code == 0
    duplicate = invoke("create-user", "--role", "officer", "--email", "a@council.example", input="a long enough password\n")
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output


def test_create_user_rejects_unknown_role(db):
    result = CliRunner().invoke(cli, ["create-user", "--role", "mayor", "--email", "x@y.example"], input="x\n")
    assert result.exit_code == 2
    assert "mayor" in result.output


def test_check_reports_configuration_and_database(db):
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert "configuration: ok" in result.output and "database: ok" in result.output


def test_bad_configuration_is_a_one_line_error(db, monkeypatch):
    monkeypatch.setenv("CIVICPANEL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    assert "SECRET_KEY is required in production" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_password_link_and_two_factor_reset_for_a_locked_out_administrator(db):
    import re

    import pyotp

    from server.accounts.two_factor import confirm_enrolment, has_two_factor, start_enrolment, pending_secret
    from server.tables import OutboxEmail
    from server.settings import Settings

    assert invoke("create-user", "--role", "admin", "--email", "only@council.example",
                  input="a long enough password\n").exit_code == 0
    admin_id = run(list_staff())[0]["id"]
    sent = invoke("password-link", "--email", "Only@Council.example")
    assert sent.exit_code == 0 and "Queued an email to Only@Council.example" in sent.output
    body = run(OutboxEmail.select(OutboxEmail.body).first().run())["body"]
    assert re.search(r"/set-password/[A-Za-z0-9_-]{20,}", body)

    key = Settings.from_env().secret_key
    run(start_enrolment(user_id=admin_id, secret_key=key))
    secret = run(pending_secret(user_id=admin_id, secret_key=key))
    assert run(confirm_enrolment(user_id=admin_id, code=pyotp.TOTP(secret).now(), secret_key=key))
    reset = invoke("reset-two-factor", "--email", "only@council.example")
    assert reset.exit_code == 0 and not run(has_two_factor(admin_id))
    unknown = CliRunner().invoke(cli, ["reset-two-factor", "--email", "nobody@council.example"])
    assert unknown.exit_code == 1 and "no staff account has the email nobody@council.example" in unknown.output
