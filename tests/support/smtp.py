"""A mail server for tests: ``fake_smtp`` stands in for ``smtplib.SMTP`` in the outbox sender and
records what a real server would have received."""

from __future__ import annotations

import smtplib

import pytest

from server.platform import mailer


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
    """Import it into a test module (``from tests.support.smtp import fake_smtp``) to use it."""
    FakeSMTP.delivered = []
    FakeSMTP.refuse = set()
    FakeSMTP.connect_error = None
    monkeypatch.setattr(mailer.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP
