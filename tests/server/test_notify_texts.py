"""Text messages through GOV.UK Notify (the local stand-in, tests/support/notify.py): where the
council sends texts, a confirmed member who gave a telephone number gets a text before each
session as well as the email, once; the outbox sends it through Notify's text template; without
a text template no text is written or sent, and the registration form promises none."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from panels.reminders import due_reminders
from panels.store import OutgoingText
from panels.tables import PanelSession, Volunteer
from server.platform.mailer import send_outbox
from server.services.outbox import write_outbox
from server.settings import Settings, SettingsError
from server.tables import OutboxEmail
from tests.factories.panels import create_panel, set_quotas, slug_of
from tests.server.test_invitations import SOON, drawn_panel
from tests.support.database import run
from tests.support.notify import API_KEY, EMAIL_TEMPLATE_ID, SMS_TEMPLATE_ID, start_notify_stand_in


@pytest.fixture(scope="module")
def notify():
    state, server = start_notify_stand_in()
    yield state
    server.shutdown()


def texting(settings: Settings, notify) -> Settings:
    return replace(settings, notify_api_key=API_KEY, notify_email_template_id=EMAIL_TEMPLATE_ID,
                   notify_sms_template_id=SMS_TEMPLATE_ID, notify_base_url=notify.base_url)


def due(today: date, *, texts: bool) -> list:
    return run(due_reminders(today=today, private_link=lambda token: f"https://council.example/my-panel/{token}",
                             postal_address="Freepost", texts=texts))


def test_a_member_with_a_number_gets_a_text_before_each_session_once(client, officer_client, settings, notify):
    notify.texts.clear()
    panel_id, invitees = drawn_panel(officer_client, client, invited=2)
    with_phone, without = invitees
    run(Volunteer.update({Volunteer.status: "confirmed", Volunteer.invitation_pending: False}).where(
        Volunteer.panel == panel_id, Volunteer.id.is_in([with_phone["id"], without["id"]])).run())
    run(Volunteer.update({Volunteer.phone: "07700 900123"}).where(Volunteer.id == with_phone["id"]).run())
    before = due(SOON - timedelta(days=1), texts=True)
    texts = [item for item in before if isinstance(item, OutgoingText)]
    assert [text.to_phone for text in texts] == ["07700 900123"]
    assert sorted(item.to_address for item in before if not isinstance(item, OutgoingText)) == sorted(
        [with_phone["email"], without["email"]])
    assert "a reminder that we meet on" in texts[0].body and len(texts[0].body) <= 306  # two text messages at most
    assert due(SOON - timedelta(days=1), texts=True) == []  # once each
    run(write_outbox(before))
    waiting = run(OutboxEmail.count().where(OutboxEmail.sent_at.is_null()).run())  # the registrations' emails too
    report = run(send_outbox(texting(settings, notify)))
    assert report.sent == waiting and len(notify.texts) == 1
    sent = notify.texts[0]
    row = run(OutboxEmail.select().where(OutboxEmail.channel == "sms").first().run())
    assert sent["template_id"] == SMS_TEMPLATE_ID and sent["phone_number"] == "07700 900123"
    assert sent["personalisation"]["body"] == row["body"] and sent["reference"] == f"civicpanel-outbox-{row['id']}"
    assert row["to_address"] == "" and row["about"] == f"panel_volunteer:{with_phone['id']}"


def test_without_a_text_template_no_text_is_written_or_sent(client, officer_client, settings, notify):
    notify.texts.clear()
    panel_id, invitees = drawn_panel(officer_client, client, invited=1)
    run(Volunteer.update({Volunteer.status: "confirmed", Volunteer.invitation_pending: False,
                          Volunteer.phone: "07700 900123"}).where(Volunteer.id == invitees[0]["id"]).run())
    assert not any(isinstance(item, OutgoingText) for item in due(SOON - timedelta(days=1), texts=False))
    run(write_outbox([OutgoingText(to_phone="07700 900123", subject="Text: reminder", body="Hello")]))
    emails_only = replace(texting(settings, notify), notify_sms_template_id="")
    run(send_outbox(emails_only))
    assert notify.texts == [] and run(OutboxEmail.select().where(OutboxEmail.channel == "sms").first().run())["sent_at"] is None


def test_the_registration_form_promises_texts_only_where_they_are_sent(client, officer_client, app):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    assert "text you a reminder" not in client.get(f"/panels/{slug_of(panel_id)}").text
    saved = app.state.settings
    app.state.settings = replace(saved, notify_api_key=API_KEY, notify_email_template_id=EMAIL_TEMPLATE_ID,
                                 notify_sms_template_id=SMS_TEMPLATE_ID)
    try:
        assert "text you a reminder before each session" in client.get(f"/panels/{slug_of(panel_id)}").text
    finally:
        app.state.settings = saved


def test_texts_need_the_template_and_a_key():
    with pytest.raises(SettingsError, match="NOTIFY_SMS_TEMPLATE_ID"):
        Settings.from_env({"NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID})
    assert Settings.from_env({"NOTIFY_API_KEY": API_KEY, "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID,
                              "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID}).sends_texts
