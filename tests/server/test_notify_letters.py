"""Invitation letters printed and posted by GOV.UK Notify, against the local stand-in of Notify's
API (tests/support/notify.py): the officer sends a batch, each letter fills the council's letter
template (the address with the postcode last, the code and its link, the sessions), a letter
Notify refuses fails alone with its reason shown, an outage loses nothing, and no letter is sent twice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from panels.tables import Letter, LetterBatch
from server.platform.letter_sender import post_letters
from server.settings import Settings, SettingsError
from server.tables import AuditEntry
from tests.factories.addresses import address_file
from tests.factories.panels import create_panel, set_quotas, slug_of
from tests.server.test_letters_by_post import _draw
from tests.support.database import run
from tests.support.http import send
from tests.support.notify import API_KEY, EMAIL_TEMPLATE_ID, LETTER_TEMPLATE_ID, start_notify_stand_in

@pytest.fixture(scope="module")
def notify():
    state, server = start_notify_stand_in()
    yield state
    server.shutdown()


@pytest.fixture
def settings(notify):
    """The app under test posts letters through the stand-in (one app for the module's tests)."""
    notify.letters.clear()
    notify.refuse.clear()
    notify.fail_with = None
    return replace(Settings.from_env(), notify_api_key=API_KEY, notify_email_template_id=EMAIL_TEMPLATE_ID,
                   notify_letter_template_id=LETTER_TEMPLATE_ID, notify_base_url=notify.base_url)


def register_url(slug: str) -> str:
    return f"https://panel.council.example/panels/{slug}"


def letters() -> list[dict]:
    return run(Letter.select().order_by(Letter.id).run())


def drawn_batch(officer_client, count: int = 5) -> tuple[int, int]:
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    assert _draw(officer_client, panel_id, address_file(30), letters=str(count)).status_code == 303
    return panel_id, run(LetterBatch.select(LetterBatch.id).first().run())["id"]


def test_an_officer_sends_a_batch_and_notify_posts_each_letter_once(officer_client, settings, notify):
    panel_id, batch_id = drawn_batch(officer_client)
    page = officer_client.get(f"/officer/panels/{panel_id}/letters/{batch_id}").text
    assert "Send 5 letters to GOV.UK Notify" in page
    sent = send(officer_client, f"/officer/panels/{panel_id}/letters/{batch_id}/post", [])
    assert sent.status_code == 303 and "queued=5" in sent.headers["location"]
    assert "5 letters sent to GOV.UK Notify." in officer_client.get(sent.headers["location"]).text
    again = send(officer_client, f"/officer/panels/{panel_id}/letters/{batch_id}/post", [])
    assert "queued=0" in again.headers["location"]  # asking twice adds nothing
    run(post_letters(settings, register_url=register_url))  # the app's own sender may have posted some already
    assert all(row["posted_at"] is not None for row in letters()) and len(notify.letters) == 5
    one = notify.letters[0]
    row = letters()[0]
    personalisation = one["personalisation"]
    assert one["template_id"] == LETTER_TEMPLATE_ID and one["reference"] == f"civicpanel-letter-{row['id']}"
    lines = [personalisation[f"address_line_{n}"] for n in range(1, 8) if f"address_line_{n}" in personalisation]
    assert lines[0] == "The Occupier" and lines[-1] == row["postcode"] and lines[1] == row["address"].split("\n")[0]
    assert personalisation["code"] == row["code"]
    assert personalisation["link"] == f"https://panel.council.example/panels/{slug_of(panel_id)}?code={row['code']}"
    assert personalisation["panel"] == "Test Resident Panel" and personalisation["sessions"] and personalisation["adults"] == "2"
    assert all(row["post_notification_id"] for row in letters())
    assert run(post_letters(settings, register_url=register_url)).posted == 0 and len(notify.letters) == 5
    page = officer_client.get(f"/officer/panels/{panel_id}/letters/{batch_id}").text
    assert "Accepted by Notify for printing and posting" in page and "Send 5 letters" not in page
    assert run(AuditEntry.exists().where(AuditEntry.action == "letters_sent_to_notify").run())


def test_a_letter_notify_refuses_fails_alone_and_an_outage_loses_nothing(officer_client, settings, notify):
    panel_id, batch_id = drawn_batch(officer_client, 4)
    send(officer_client, f"/officer/panels/{panel_id}/letters/{batch_id}/post", [])
    notify.fail_with = 500
    down = run(post_letters(settings, register_url=register_url))
    assert (down.posted, down.failed) == (0, 4) and notify.letters == []
    assert all(row["post_attempts"] == 0 and row["post_claimed_until"] is None and "500" in row["post_error"] for row in letters())
    notify.fail_with = None
    refused = letters()[1]["postcode"]
    notify.refuse.add(refused)
    report = run(post_letters(settings, register_url=register_url, limit=10))
    refused_rows = [row for row in letters() if row["postcode"] == refused]
    assert report.posted == 4 - len(refused_rows)
    assert all(row["post_attempts"] == 1 and row["posted_at"] is None for row in refused_rows)
    settings_once = replace(settings, outbox_max_attempts=1)
    for row in refused_rows:  # give up after the last attempt: the reason is on the batch page
        run(Letter.update({Letter.post_attempts: 0, Letter.post_claimed_until: None}).where(Letter.id == row["id"]).run())
    run(post_letters(settings_once, register_url=register_url))
    page = officer_client.get(f"/officer/panels/{panel_id}/letters/{batch_id}").text
    assert "Refused by Notify" in page and "Last line of address must be a real UK postcode" in page


def test_letters_need_the_template_and_a_key(officer_client):
    with pytest.raises(SettingsError, match="NOTIFY_LETTER_TEMPLATE_ID"):
        Settings.from_env({"NOTIFY_LETTER_TEMPLATE_ID": LETTER_TEMPLATE_ID})
    settings = Settings.from_env({"NOTIFY_API_KEY": API_KEY, "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE_ID,
                                  "NOTIFY_LETTER_TEMPLATE_ID": LETTER_TEMPLATE_ID})
    assert settings.posts_letters and not Settings.from_env({}).posts_letters
