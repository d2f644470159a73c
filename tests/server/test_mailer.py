"""The outbox sender: delivers over SMTP, never twice, records and retries failures with a growing
delay, and one bad email (an address or a subject Python's email package refuses) never holds up
the others."""

from __future__ import annotations

import smtplib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from server.platform.mailer import retry_delay, send_outbox
from server.tables import OutboxEmail
from tests.support.database import run
from tests.support.smtp import FakeSMTP, fake_smtp  # noqa: F401  (a fixture)


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


def _row(address: str) -> dict:
    return run(OutboxEmail.select().where(OutboxEmail.to_address == address).first().run())


def _wait_out_the_delay() -> None:
    """Move every back-off into the past (as if the delay had passed)."""
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    run(OutboxEmail.update({OutboxEmail.claimed_until: past}).where(OutboxEmail.claimed_until.is_not_null()).run())


def test_a_refused_recipient_is_recorded_backed_off_retried_then_failed(db, settings, fake_smtp):
    smtp_settings = replace(settings, smtp_host="mail.council.example", outbox_max_attempts=3)
    queue("good@example.org", "bad@example.org")
    fake_smtp.refuse = {"bad@example.org"}
    before = datetime.now(timezone.utc)
    first = run(send_outbox(smtp_settings))
    assert (first.sent, first.failed, first.waiting) == (1, 1, 1)
    row = _row("bad@example.org")
    assert row["attempts"] == 1 and "SMTPRecipientsRefused" in row["last_error"] and row["sent_at"] is None
    assert row["failed_at"] is None and row["claimed_until"] >= before + timedelta(minutes=1)
    assert run(send_outbox(smtp_settings)).failed == 0  # backing off: not tried again at once
    assert _row("bad@example.org")["attempts"] == 1
    _wait_out_the_delay()
    second = run(send_outbox(smtp_settings))
    assert (second.failed, second.given_up) == (1, 0)
    assert _row("bad@example.org")["claimed_until"] >= datetime.now(timezone.utc) + timedelta(minutes=1, seconds=50)
    _wait_out_the_delay()
    third = run(send_outbox(smtp_settings))
    assert (third.failed, third.given_up, third.waiting) == (1, 1, 0)
    row = _row("bad@example.org")
    assert row["attempts"] == 3 and row["failed_at"] is not None and "SMTPRecipientsRefused" in row["last_error"]
    _wait_out_the_delay()
    fake_smtp.refuse = set()
    assert run(send_outbox(smtp_settings)).failed == 0 and len(fake_smtp.delivered) == 1  # failed: left alone


def test_the_delay_grows_and_is_bounded():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(30) == timedelta(hours=1)


def _insert_raw(to_address: str, subject: str) -> None:
    """As an old row (written before addresses were checked) or a direct write would be."""
    run(OutboxEmail.raw("INSERT INTO outbox_email (to_address, subject, body, created_at, attempts, last_error) "
                        "VALUES ({}, {}, 'Your private link: …', {}, 0, '')", to_address, subject,
                        datetime.now(timezone.utc)).run())


def test_an_address_the_email_package_refuses_does_not_hold_up_the_others(db, settings, fake_smtp):
    """``a@[b.cd`` passed the site's old check but makes Python's email package raise: it once
    stopped every email for good, as each pass claimed and failed the same batch."""
    smtp_settings = replace(settings, smtp_host="mail.council.example", outbox_max_attempts=2)
    queue("before@example.org")
    _insert_raw("a@[b.cd", "Your comment")
    queue("after@example.org")
    report = run(send_outbox(smtp_settings))
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(message["To"] for message in fake_smtp.delivered) == ["after@example.org", "before@example.org"]
    row = _row("a@[b.cd")
    assert row["attempts"] == 1 and "not a valid email address" in row["last_error"]
    _wait_out_the_delay()
    queue("later@example.org")
    again = run(send_outbox(smtp_settings))
    assert (again.sent, again.given_up) == (1, 1) and _row("a@[b.cd")["failed_at"] is not None


def test_a_title_with_a_line_break_is_sent_on_one_line(db, settings, fake_smtp):
    from server.services.outbox import write_outbox
    from surveys.comments import EmailNotice

    smtp_settings = replace(settings, smtp_host="mail.council.example")
    run(write_outbox([EmailNotice(to_address="new@example.org", subject="Your comment on ‘Bins\nBcc: x@evil.example’",
                                  body="Thank you")]))
    _insert_raw("old@example.org", "Your comment on ‘Bins\r\nBcc: x@evil.example’")
    assert run(OutboxEmail.select(OutboxEmail.subject).where(OutboxEmail.to_address == "new@example.org").first().run())[
        "subject"] == "Your comment on ‘Bins Bcc: x@evil.example’"
    report = run(send_outbox(smtp_settings))
    assert (report.sent, report.failed) == (2, 0)
    for message in fake_smtp.delivered:
        assert message["Subject"] == "Your comment on ‘Bins Bcc: x@evil.example’" and message["Bcc"] is None


def test_a_message_that_breaks_the_connection_fails_alone(db, settings, fake_smtp, monkeypatch):
    smtp_settings = replace(settings, smtp_host="mail.council.example")
    queue("a@example.org", "drop@example.org", "c@example.org")
    connections = []
    original_init, original_send = FakeSMTP.__init__, FakeSMTP.send_message

    def counting_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        connections.append(self)

    def dropping_send(self, message):
        if message["To"] == "drop@example.org":
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        original_send(self, message)

    monkeypatch.setattr(FakeSMTP, "__init__", counting_init)
    monkeypatch.setattr(FakeSMTP, "send_message", dropping_send)
    report = run(send_outbox(smtp_settings))
    assert (report.sent, report.failed) == (2, 1) and len(connections) == 2
    assert "SMTPServerDisconnected" in _row("drop@example.org")["last_error"]


def test_mail_server_down_loses_nothing(db, settings, fake_smtp):
    smtp_settings = replace(settings, smtp_host="mail.council.example")
    queue("a@example.org")
    fake_smtp.connect_error = ConnectionRefusedError("connection refused")
    down = run(send_outbox(smtp_settings))
    assert (down.sent, down.failed, down.waiting) == (0, 1, 1)
    row = _row("a@example.org")  # no email is to blame: no attempt counted, no delay
    assert row["attempts"] == 0 and row["claimed_until"] is None and "ConnectionRefusedError" in row["last_error"]
    fake_smtp.connect_error = None
    back = run(send_outbox(smtp_settings))
    assert back.sent == 1 and fake_smtp.delivered[0]["To"] == "a@example.org"


def test_a_claimed_email_is_not_sent_by_a_second_sender(db, settings, fake_smtp):
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


def test_an_email_past_a_lowered_limit_gets_one_more_attempt_then_is_failed(db, settings, fake_smtp):
    smtp_settings = replace(settings, smtp_host="mail.council.example", outbox_max_attempts=2)
    queue("bad@example.org")
    run(OutboxEmail.update({OutboxEmail.attempts: 4}, force=True).run())  # tried 4 times under a limit of 5
    fake_smtp.refuse = {"bad@example.org"}
    report = run(send_outbox(smtp_settings))
    assert (report.failed, report.given_up, report.waiting) == (1, 1, 0)
    assert _row("bad@example.org")["failed_at"] is not None


def test_a_calendar_file_is_sent_attached_as_text_calendar(db, settings, fake_smtp):
    smtp_settings = replace(settings, smtp_host="mail.council.example")
    run(OutboxEmail.insert(OutboxEmail(to_address="member@example.org", subject="You have been chosen", body="Dates inside",
                                       attachment_name="panel-sessions.ics",
                                       attachment_text="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")).run())
    assert run(send_outbox(smtp_settings)).sent == 1
    message = fake_smtp.delivered[0]
    attachments = list(message.iter_attachments())
    assert [part.get_content_type() for part in attachments] == ["text/calendar"]
    assert attachments[0].get_filename() == "panel-sessions.ics" and "BEGIN:VCALENDAR" in attachments[0].get_content()
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Dates inside"
