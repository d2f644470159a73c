"""Invitations after the draw, over HTTP: the officer reviews them and sets the reply-by date
before anything is sent; each invitation carries the sessions with a calendar file; members reply
through their link, download the calendar, send apologies and state access needs; officers record
a reply that came by telephone; reminders go once each; every message says only what happened."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar

from panels.reminders import due_reminders
from panels.tables import PanelReminder, SessionApology, Volunteer
from server.tables import AuditEntry, OutboxEmail
from tests.factories.panels import create_panel, fill_pool, send_invitations, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

SOON = date.today() + timedelta(days=20)
LATER = date.today() + timedelta(days=27)
FUTURE_SESSIONS = {"session_1_date": SOON.isoformat(), "session_2_date": LATER.isoformat()}


def drawn_panel(officer_client, client, *, invited: int = 3, **overrides) -> tuple[int, list[dict]]:
    """A panel with a pool, ``invited`` of whom are drawn with their invitation pending (as the draw
    leaves them; the engine and the draw are tested elsewhere)."""
    panel_id = create_panel(officer_client, **{**FUTURE_SESSIONS, **overrides})
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id), count=6)
    rows = run(Volunteer.select(Volunteer.id, Volunteer.reference, Volunteer.email).where(
        Volunteer.panel == panel_id).order_by(Volunteer.id).limit(invited).run())
    run(Volunteer.update({Volunteer.status: "selected", Volunteer.invitation_pending: True}).where(
        Volunteer.id.is_in([row["id"] for row in rows])).run())
    return panel_id, rows


def invitation_token(address: str) -> str:
    email = run(OutboxEmail.select(OutboxEmail.body).where(OutboxEmail.to_address == address,
                                                          OutboxEmail.subject.like("You have been chosen%")).first().run())
    return re.search(r"/my-panel/(\S+)", email["body"]).group(1)


def audit(action: str) -> list[dict]:
    return run(AuditEntry.select().where(AuditEntry.action == action).run())


def test_nothing_is_sent_until_the_officer_reviews_and_sets_a_reply_by_date(client, officer_client):
    panel_id, invitees = drawn_panel(officer_client, client)
    registration_link = re.search(r"/my-panel/(\S+)", run(OutboxEmail.select(OutboxEmail.body).where(
        OutboxEmail.to_address == invitees[0]["email"]).first().run())["body"]).group(1)
    pool_view = client.get(f"/my-panel/{registration_link}").text
    assert "You are in the pool" in pool_view and "Confirm my place" not in pool_view  # not invited yet
    refused = post_form(client, f"/my-panel/{registration_link}/respond", {"answer": "confirm"}, follow_redirects=False)
    assert refused.status_code == 303 and "saved" not in refused.headers["location"]
    assert run(Volunteer.select(Volunteer.status).where(Volunteer.id == invitees[0]["id"]).first().run())["status"] == "selected"

    review = officer_client.get(f"/officer/panels/{panel_id}/invitations")
    assert review.status_code == 200 and "Send 3 invitations" in review.text
    for row in invitees:
        assert row["reference"] in review.text
    assert "Day one" in review.text and "panel-sessions.ics" in review.text and "please reply by" in review.text
    assert not run(OutboxEmail.select().where(OutboxEmail.subject.like("You have been chosen%")).run())

    past = date.today() - timedelta(days=1)
    late = post_form(officer_client, f"/officer/panels/{panel_id}/invitations",
                     {"reply_by-day": str(past.day), "reply_by-month": str(past.month), "reply_by-year": str(past.year)})
    assert late.status_code == 422 and "The reply-by date must be in the future" in late.text
    assert f'value="{past.day}"' in late.text  # what was typed is kept
    after_session = post_form(officer_client, f"/officer/panels/{panel_id}/invitations",
                              {"reply_by-day": str(SOON.day), "reply_by-month": str(SOON.month), "reply_by-year": str(SOON.year)})
    assert after_session.status_code == 422 and "before the first session" in after_session.text
    nonsense = post_form(officer_client, f"/officer/panels/{panel_id}/invitations",
                         {"reply_by-day": "31", "reply_by-month": "2", "reply_by-year": "2027"})
    assert nonsense.status_code == 422 and "real date" in nonsense.text

    reply_by = date.today() + timedelta(days=10)
    assert send_invitations(officer_client, panel_id, reply_by) == 3
    emails = run(OutboxEmail.select().where(OutboxEmail.subject.like("You have been chosen%")).run())
    assert len(emails) == 3
    day = f"{reply_by.day} {reply_by:%B %Y}"
    for email in emails:
        assert day in email["subject"] and day in email["body"] and "Day one" in email["body"]
        assert "Freepost" in email["body"]  # how to reply without the link
        assert email["attachment_name"] == "panel-sessions.ics"
        events = Calendar.from_ical(email["attachment_text"]).walk("VEVENT")
        assert [str(event["SUMMARY"]) for event in events] == ["Test Resident Panel: Day one", "Test Resident Panel: Day two"]
    assert {row["reply_by"] for row in run(Volunteer.select(Volunteer.reply_by).where(
        Volunteer.status == "selected").run())} == {reply_by}
    assert audit("invitations_sent")[0]["detail"] == f"3 invitations; reply by {reply_by.isoformat()}"
    members = officer_client.get(f"/officer/panels/{panel_id}/members?sent=3").text
    assert "3 invitations have been sent." in members and f"reply by {day}" in members
    assert send_invitations(officer_client, panel_id, reply_by) == 0  # sent once only
    assert "no invitations waiting" in officer_client.get(f"/officer/panels/{panel_id}/invitations").text


def test_member_confirms_downloads_the_calendar_sends_apologies_and_states_access_needs(client, officer_client):
    panel_id, invitees = drawn_panel(officer_client, client, invited=2)
    send_invitations(officer_client, panel_id)
    token = invitation_token(invitees[0]["email"])
    page = client.get(f"/my-panel/{token}").text
    assert "Please tell us by" in page and "Add the sessions to your calendar" in page
    calendar = client.get(f"/my-panel/{token}/sessions.ics")
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    assert "attachment" in calendar.headers["content-disposition"]
    assert len(Calendar.from_ical(calendar.text).walk("VEVENT")) == 2

    confirmed = post_form(client, f"/my-panel/{token}/respond", {"answer": "confirm"})
    assert "Thank you for confirming your place." in confirmed.text and "govuk-notification-banner--success" in confirmed.text
    session_ids = [int(value) for value in re.findall(r'name="session" value="(\d+)"', confirmed.text)]
    assert len(session_ids) == 2
    sorry = post_form(client, f"/my-panel/{token}/apologies", {"session": str(session_ids[0]), "sorry": "yes"})
    assert "Your apologies have been sent." in sorry.text and "Apologies sent" in sorry.text
    post_form(client, f"/my-panel/{token}/apologies", {"session": str(session_ids[0]), "sorry": "yes"})
    assert run(SessionApology.count().run()) == 1  # twice is still one apology
    unknown = post_form(client, f"/my-panel/{token}/apologies", {"session": "99999", "sorry": "yes"})
    assert unknown.status_code == 422 and "Choose a session of your panel" in unknown.text

    too_long = post_form(client, f"/my-panel/{token}/access-needs", {"access_needs": "Step-free access " * 80})
    assert too_long.status_code == 422 and "1000 characters or fewer" in too_long.text and "Step-free access" in too_long.text
    saved = post_form(client, f"/my-panel/{token}/access-needs", {"access_needs": "Step-free access and a hearing loop"})
    assert "Your access needs have been saved." in saved.text

    members = officer_client.get(f"/officer/panels/{panel_id}/members").text
    assert "Sent apologies" in members and "Step-free access and a hearing loop" in members
    volunteer = officer_client.get(f"/officer/panels/{panel_id}/volunteers/{invitees[0]['id']}").text
    assert "Confirmed" in volunteer and "Apologies for" in volunteer and "Step-free access and a hearing loop" in volunteer
    assert "private link" in volunteer
    assert {entry["action"] for entry in run(AuditEntry.select(AuditEntry.action).run())} >= {
        "invitation_confirmed", "apology_sent", "access_needs_saved"}

    back = post_form(client, f"/my-panel/{token}/apologies", {"session": str(session_ids[0]), "sorry": "no"})
    assert "Your apologies have been withdrawn" in back.text and run(SessionApology.count().run()) == 0


def test_a_decline_says_only_that_it_was_recorded(client, officer_client):
    panel_id, invitees = drawn_panel(officer_client, client, invited=1)
    send_invitations(officer_client, panel_id)
    declined = post_form(client, f"/my-panel/{invitation_token(invitees[0]['email'])}/respond", {"answer": "decline"})
    assert "Thank you, we have recorded that you cannot take part." in declined.text
    assert "offered" not in declined.text and "someone else" not in declined.text


def test_officer_records_a_decline_by_telephone_with_a_note(client, officer_client):
    panel_id, invitees = drawn_panel(officer_client, client, invited=2)
    send_invitations(officer_client, panel_id)
    member = invitees[1]
    url = f"/officer/panels/{panel_id}/members/{member['id']}/reply"
    assert "Record a reply" in officer_client.get(f"/officer/panels/{panel_id}/members").text
    form = officer_client.get(url)
    assert form.status_code == 200 and "By telephone" in form.text
    missing = post_form(officer_client, url, {"answer": "decline", "channel": "phone", "note": " "})
    assert missing.status_code == 422 and "Enter a note" in missing.text and 'value="phone" checked' in missing.text
    recorded = post_form(officer_client, url, {"answer": "decline", "channel": "phone",
                                               "note": "Phoned on Monday: works nights now"}, follow_redirects=False)
    assert recorded.status_code == 303 and f"replied={member['reference']}" in recorded.headers["location"]
    row = run(Volunteer.select().where(Volunteer.id == member["id"]).first().run())
    assert (row["status"], row["reply_channel"], row["reply_note"]) == ("declined", "phone", "Phoned on Monday: works nights now")
    entry = audit("reply_recorded_declined")[0]
    assert entry["reason"] == "Phoned on Monday: works nights now" and entry["object_id"] == member["reference"]
    page = officer_client.get(recorded.headers["location"]).text
    assert f"The reply from {member['reference']} has been recorded." in page and "By telephone" in page
    assert officer_client.get(url).status_code == 404  # no second reply for someone who has answered
    volunteer = officer_client.get(f"/officer/panels/{panel_id}/volunteers/{member['id']}").text
    assert "Declined" in volunteer and "by telephone" in volunteer and "Phoned on Monday: works nights now" in volunteer
    assert "reply by" in volunteer and ">declined<" not in volunteer  # the status in words, not its key


def test_reminders_go_before_the_reply_by_date_and_before_each_session_once_each(client, officer_client):
    panel_id, invitees = drawn_panel(officer_client, client, invited=3)
    send_invitations(officer_client, panel_id, date.today() + timedelta(days=10))
    waiting, confirming, sorry = invitees
    run(Volunteer.update({Volunteer.status: "confirmed"}).where(Volunteer.id.is_in([confirming["id"], sorry["id"]])).run())
    run(Volunteer.update({Volunteer.invited_at: datetime.now(timezone.utc) - timedelta(days=8)}).where(
        Volunteer.panel == panel_id).run())
    sessions = officer_client.get(f"/officer/panels/{panel_id}/sessions/")
    assert sessions.status_code == 200
    from panels.tables import PanelSession

    first = run(PanelSession.select(PanelSession.id).where(PanelSession.panel == panel_id).order_by(
        PanelSession.held_on).first().run())["id"]
    run(SessionApology.insert(SessionApology(volunteer=sorry["id"], session=first)).run())

    def due(today: date) -> list:
        return run(due_reminders(today=today, private_link=lambda token: f"https://council.example/my-panel/{token}",
                                 postal_address="Freepost"))

    assert due(date.today()) == []  # the reply-by date is 10 days away, the first session 20
    at_reply_time = due(date.today() + timedelta(days=8))
    assert [email.to_address for email in at_reply_time] == [waiting["email"]]
    assert "have not had your reply yet" in at_reply_time[0].body and "https://council.example/my-panel/" in at_reply_time[0].body
    assert due(date.today() + timedelta(days=9)) == []  # sent once
    before_session = due(SOON - timedelta(days=1))
    assert [email.to_address for email in before_session] == [confirming["email"]]  # not the one who sent apologies
    assert "Reminder:" in before_session[0].subject and "Day one" in before_session[0].body
    assert due(SOON - timedelta(days=1)) == [] and run(PanelReminder.count().run()) == 2


def test_release_seat_refers_to_the_reply_by_date_set(client, officer_client):
    panel_id, invitees = drawn_panel(officer_client, client, invited=1)
    reply_by = date.today() + timedelta(days=10)
    send_invitations(officer_client, panel_id, reply_by)
    page = officer_client.get(f"/officer/panels/{panel_id}/members/{invitees[0]['id']}/withdraw").text
    assert f"reply by {reply_by.day} {reply_by:%B %Y}" in page and "has not passed yet" in page


def test_the_telephone_field_promises_no_reminders(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    form = client.get(f"/panels/{slug_of(panel_id)}").text
    assert "reminder" not in form.lower()


def test_send_reminders_command_queues_the_reminders_due_once(client, officer_client):
    from click.testing import CliRunner

    from server.cli.main import cli

    panel_id, invitees = drawn_panel(officer_client, client, invited=1)
    send_invitations(officer_client, panel_id, date.today() + timedelta(days=2))
    run(Volunteer.update({Volunteer.invited_at: datetime.now(timezone.utc) - timedelta(days=8)}).where(
        Volunteer.panel == panel_id).run())
    first = CliRunner().invoke(cli, ["send-reminders"], catch_exceptions=False)
    assert first.exit_code == 0 and "Queued 1 reminder emails" in first.output, first.output
    reminder = run(OutboxEmail.select().where(OutboxEmail.subject.like("Please reply by%")).run())
    assert [row["to_address"] for row in reminder] == [invitees[0]["email"]]
    assert re.search(r"/my-panel/\S+", reminder[0]["body"])  # a fresh private link that works
    token = re.search(r"/my-panel/(\S+)", reminder[0]["body"]).group(1)
    assert "Confirm my place" in client.get(f"/my-panel/{token}").text
    again = CliRunner().invoke(cli, ["send-reminders"], catch_exceptions=False)
    assert "Queued 0 reminder emails" in again.output


def test_erasure_clears_access_needs_and_the_officers_reply_note(client, officer_client):
    from panels.personal_data import erase_volunteers

    panel_id, invitees = drawn_panel(officer_client, client, invited=1)
    send_invitations(officer_client, panel_id)
    member = invitees[0]
    post_form(client, f"/my-panel/{invitation_token(member['email'])}/access-needs", {"access_needs": "Wheelchair user"})
    post_form(officer_client, f"/officer/panels/{panel_id}/members/{member['id']}/reply",
              {"answer": "accept", "channel": "in_person", "note": "Told us at the library, 2 December"})
    row = run(Volunteer.select(Volunteer.access_needs, Volunteer.reply_note).where(Volunteer.id == member["id"]).first().run())
    assert row == {"access_needs": "Wheelchair user", "reply_note": "Told us at the library, 2 December"}
    run(erase_volunteers([member["id"]]))
    row = run(Volunteer.select(Volunteer.access_needs, Volunteer.reply_note).where(Volunteer.id == member["id"]).first().run())
    assert row == {"access_needs": "", "reply_note": ""}


def test_the_members_page_tells_drawn_people_from_those_invited(client, officer_client):
    panel_id, invitees = drawn_panel(officer_client, client, invited=2)
    def members_table() -> str:
        page = officer_client.get(f"/officer/panels/{panel_id}/members").text
        return page.split('id="members"', 1)[1].split("</table>", 1)[0]

    table = members_table()
    assert table.count("Drawn, invitation not sent yet") == 2 and table.count(">Review and send<") == 2
    assert "Invited, no reply yet" not in table and "Release seat (no reply)" not in table
    assert "2 invitations are waiting to be sent." in officer_client.get(f"/officer/panels/{panel_id}/members").text
    send_invitations(officer_client, panel_id)
    table = members_table()
    assert "Drawn, invitation not sent yet" not in table and table.count("Invited, no reply yet") == 2
    assert table.count("Release seat (no reply)") == 2 and table.count("Record a reply") == 2
