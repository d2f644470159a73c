"""The outbox sender: delivers over SMTP, never twice, and records and retries failures."""

from __future__ import annotations

import smtplib
from dataclasses import replace

import pytest

from server.platform import mailer
from server.platform.mailer import MAX_ATTEMPTS, send_outbox
from server.tables import OutboxEmail
from tests.support.database import run


class FakeSMTP:
    """Stands in for smtplib.SMTP; records what a real server would have received."""

    delivered: list = []
    refuse: set[str] = set()
    connect_error: Exception | None = None

    def __init__(self, host, port, timeout=None, context=None):
        if FakeSMTP.connect_error:
            raise FakeSMTP.connect_error
        self.host, self.port = host, port
        self.calls: list[str] = []

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, username, password):
        self.calls.append(f"login {username}")

    def send_message(self, message):
        if message["To"] in FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        FakeSMTP.delivered.append(message)

    def quit(self):
        pass


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.delivered = []
    FakeSMTP.refuse = set()
    FakeSMTP.connect_error = None
    monkeypatch.setattr(mailer.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def queue(*addresses: str) -> None:
    run(OutboxEmail.insert(*[OutboxEmail(to_address=address, subject=f"Hello {address}", body="Your private link: …")
                             for address in addresses]).run())


def test_sends_each_waiting_email_once(db, settings, fake_smtp):
    smtp_settings = replace(settings, smtp_host="mail.council.example", mail_from="Civic Panel <panel@council.example>")
    queue("a@example.org", "b@example.org")
    report = run(send_outbox(smtp_settings))
    assert (report.sent, report.failed, report.waiting) == (2, 0, 0)
    assert sorted(message["To"] for message in fake_smtp.delivered) == ["a@example.org", "b@example.org"]
    assert fake_smtp.delivered[0]["From"] == "Civic Panel <panel@council.example>"
    again = run(send_outbox(smtp_settings))
    assert again.sent == 0 and len(fake_smtp.delivered) == 2
    assert run(OutboxEmail.count().where(OutboxEmail.sent_at.is_null()).run()) == 0


def test_a_refused_recipient_is_recorded_and_retried_then_given_up(db, settings, fake_smtp):
    smtp_settings = replace(settings, smtp_host="mail.council.example")
    queue("good@example.org", "bad@example.org")
    fake_smtp.refuse = {"bad@example.org"}
    first = run(send_outbox(smtp_settings))
    assert (first.sent, first.failed, first.waiting) == (1, 1, 1)
    row = run(OutboxEmail.select().where(OutboxEmail.to_address == "bad@example.org").first().run())
    assert row["attempts"] == 1 and "SMTPRecipientsRefused" in row["last_error"] and row["sent_at"] is None
    for _ in range(MAX_ATTEMPTS):
        run(send_outbox(smtp_settings))
    row = run(OutboxEmail.select().where(OutboxEmail.to_address == "bad@example.org").first().run())
    assert row["attempts"] == MAX_ATTEMPTS
    assert run(send_outbox(smtp_settings)).waiting == 0


def test_mail_server_down_loses_nothing(db, settings, fake_smtp):
    smtp_settings = replace(settings, smtp_host="mail.council.example")
    queue("a@example.org")
    fake_smtp.connect_error = ConnectionRefusedError("connection refused")
    down = run(send_outbox(smtp_settings))
    assert (down.sent, down.failed, down.waiting) == (0, 1, 1)
    fake_smtp.connect_error = None
    back = run(send_outbox(smtp_settings))
    assert back.sent == 1 and fake_smtp.delivered[0]["To"] == "a@example.org"


def test_a_claimed_email_is_not_sent_by_a_second_sender(db, settings, fake_smtp):
    from datetime import datetime, timedelta, timezone

    smtp_settings = replace(settings, smtp_host="mail.council.example")
    queue("a@example.org")
    in_five_minutes = datetime.now(timezone.utc) + timedelta(minutes=5)
    run(OutboxEmail.update({OutboxEmail.claimed_until: in_five_minutes}, force=True).run())
    assert run(send_outbox(smtp_settings)).sent == 0
    assert fake_smtp.delivered == []


def test_without_smtp_nothing_is_sent(db, settings, fake_smtp):
    queue("a@example.org")
    report = run(send_outbox(settings))
    assert (report.sent, report.waiting) == (0, 1)
    assert fake_smtp.delivered == []


def test_smtp_settings_from_environment():
    from server.settings import Settings, SettingsError

    settings = Settings.from_env({"SMTP_HOST": "smtp.example", "SMTP_PORT": "465", "SMTP_SECURITY": "TLS"})
    assert settings.sends_email and settings.smtp_port == 465 and settings.smtp_security == "tls"
    with pytest.raises(SettingsError, match="SMTP_SECURITY must be one of"):
        Settings.from_env({"SMTP_SECURITY": "ssl3"})
