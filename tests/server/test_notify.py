"""Emails through GOV.UK Notify, against a local stand-in of Notify's API (tests/support/notify.py):
the template and its personalisation, the signed token, a one-click unsubscribe link, an address
Notify refuses (that email alone fails), and Notify's rate limit or outage (nothing is lost)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.platform.mailer import send_outbox
from server.settings import Settings, SettingsError
from server.tables import OutboxEmail
from tests.support.database import run
from tests.support.notify import API_KEY, EMAIL_TEMPLATE_ID, SECRET, SERVICE_ID, start_notify_stand_in


@pytest.fixture
def notify():
    state, server = start_notify_stand_in()
    yield state
    server.shutdown()


def notify_settings(settings: Settings, notify, key: str = API_KEY) -> Settings:
    return replace(settings, notify_api_key=key, notify_email_template_id=EMAIL_TEMPLATE_ID,
                   notify_base_url=notify.base_url, smtp_host="mail.council.example")


def queue(address: str, *, unsubscribe_link: str = "") -> None:
    run(OutboxEmail.insert(OutboxEmail(to_address=address, subject=f"Hello {address}", body="Your private link:\nhttps://x/1\n",
                                       unsubscribe_link=unsubscribe_link)).run())


def row(address: str) -> dict:
    return run(OutboxEmail.select().where(OutboxEmail.to_address == address).first().run())


def test_notify_sends_through_the_template_and_takes_precedence_over_smtp(db, settings, notify):
    queue("a@example.org")
    queue("b@example.org", unsubscribe_link="https://panel.council.example/follow/stop/abc")
    report = run(send_outbox(notify_settings(settings, notify)))
    assert (report.sent, report.failed, report.waiting) == (2, 0, 0)
    first, second = sorted(notify.emails, key=lambda email: email["email_address"])
    assert first["template_id"] == EMAIL_TEMPLATE_ID
    assert first["personalisation"] == {"subject": "Hello a@example.org", "body": "Your private link:\nhttps://x/1"}
    assert first["reference"] == f"civicpanel-outbox-{row('a@example.org')['id']}"
    assert "one_click_unsubscribe_url" not in first
    assert second["one_click_unsubscribe_url"] == "https://panel.council.example/follow/stop/abc"
    assert run(send_outbox(notify_settings(settings, notify))).sent == 0 and len(notify.emails) == 2


def test_an_address_notify_refuses_fails_alone(db, settings, notify):
    queue("a@example.org")
    queue("refused@example.org")
    notify.refuse.add("refused@example.org")
    report = run(send_outbox(notify_settings(settings, notify)))
    assert (report.sent, report.failed) == (1, 1)
    refused = row("refused@example.org")
    assert refused["attempts"] == 1 and "Not a valid email address" in refused["last_error"]
    assert refused["claimed_until"] is not None  # backed off before the next try


@pytest.mark.parametrize("status", [429, 500])
def test_a_rate_limit_or_an_outage_stops_the_pass_and_loses_nothing(db, settings, notify, status):
    queue("a@example.org")
    queue("b@example.org")
    notify.fail_with = status
    down = run(send_outbox(notify_settings(settings, notify)))
    assert (down.sent, down.waiting) == (0, 2)
    for address in ("a@example.org", "b@example.org"):
        assert row(address)["attempts"] == 0 and row(address)["claimed_until"] is None
    assert str(status) in row("a@example.org")["last_error"]
    notify.fail_with = None
    assert run(send_outbox(notify_settings(settings, notify))).sent == 2


def test_a_key_notify_does_not_know_sends_nothing_and_says_why(db, settings, notify):
    queue("a@example.org")
    wrong = f"civicpanel_test-{SERVICE_ID}-{SECRET[:-1]}1"  # the last character changed
    report = run(send_outbox(notify_settings(settings, notify, key=wrong)))
    assert report.sent == 0 and notify.emails == []
    assert row("a@example.org")["attempts"] == 0 and "403" in row("a@example.org")["last_error"]


def test_notify_settings_from_the_environment():
    settings = Settings.from_env({"NOTIFY_API_KEY": API_KEY, "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID.upper()})
    assert settings.mail_route == "notify" and settings.sends_email
    assert settings.notify_email_template_id == EMAIL_TEMPLATE_ID
    assert settings.notify_base_url == "https://api.notifications.service.gov.uk"
    assert Settings.from_env({"SMTP_HOST": "mail.example"}).mail_route == "smtp"
    assert Settings.from_env({}).mail_route == "outbox"
    with pytest.raises(SettingsError, match="NOTIFY_API_KEY must be a GOV.UK Notify API key"):
        Settings.from_env({"NOTIFY_API_KEY": "not-a-key", "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID})
    with pytest.raises(SettingsError, match="NOTIFY_EMAIL_TEMPLATE_ID must be the id"):
        Settings.from_env({"NOTIFY_API_KEY": API_KEY})
