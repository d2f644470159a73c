"""The rules of invitations without a database: the calendar file, the reply-by date, the
officer's recorded reply, when a session has started, and the invitation's words."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from icalendar import Calendar

from common.i18n import use_catalogues

from panels.attendance import session_started
from panels.calendar import sessions_calendar
from panels.invitation_emails import invitation_email
from panels.invitations import check_reply, default_reply_by, reply_by_problem
from panels.tables import Panel, PanelSession, Volunteer

TODAY = date(2027, 1, 11)


def panel() -> Panel:
    return Panel(name="Resident Panel 2027", slug="resident-panel-2027", year=2027, panel_size=30, voucher_pence=3000)


def sessions() -> list[PanelSession]:
    summer = PanelSession(title="Day one", held_on=date(2027, 7, 3), starts_at=time(10), ends_at=time(16),
                          place="Crowndale Centre, 218 Eversholt Street", agenda="10:00 Welcome")
    winter = PanelSession(title="Day two", held_on=date(2027, 2, 6), starts_at=time(10, 30), ends_at=time(13), place="")
    summer.id, winter.id = 7, 8
    return [winter, summer]


def volunteer(locale: str = "en_GB") -> Volunteer:
    person = Volunteer(full_name="Amina Rahman", email="amina@example.com", reference="RP-7K3Q9D", locale=locale)
    person.id = 12
    return person


def test_calendar_has_one_event_per_session_at_london_time_with_stable_uids():
    text = sessions_calendar(panel(), sessions(), domain="panel.council.example",
                             now=datetime(2027, 1, 11, 9, tzinfo=timezone.utc))
    events = Calendar.from_ical(text).walk("VEVENT")
    assert [str(event["UID"]) for event in events] == ["panel-session-8@panel.council.example",
                                                       "panel-session-7@panel.council.example"]
    winter, summer = events
    assert winter.decoded("DTSTART") == datetime(2027, 2, 6, 10, 30, tzinfo=timezone.utc)  # GMT in winter
    assert summer.decoded("DTSTART") == datetime(2027, 7, 3, 9, 0, tzinfo=timezone.utc)  # 10:00 BST is 09:00 UTC
    assert summer.decoded("DTEND") == datetime(2027, 7, 3, 15, 0, tzinfo=timezone.utc)
    assert str(summer["LOCATION"]) == "Crowndale Centre, 218 Eversholt Street" and "LOCATION" not in winter
    assert str(summer["SUMMARY"]) == "Resident Panel 2027: Day one"


def test_reply_by_must_be_after_today_within_ninety_days_and_before_the_next_session():
    assert default_reply_by(TODAY) == date(2027, 1, 21)
    assert reply_by_problem(date(2027, 1, 21), today=TODAY, first_session=date(2027, 2, 6)) == ""
    assert "future" in reply_by_problem(TODAY, today=TODAY, first_session=None)
    assert "90 days" in reply_by_problem(TODAY + timedelta(days=91), today=TODAY, first_session=None)
    assert "before the first session, on 6 February 2027" in reply_by_problem(
        date(2027, 2, 6), today=TODAY, first_session=date(2027, 2, 6))
    assert reply_by_problem(None, today=TODAY, first_session=None) == "Enter the reply-by date"


def test_a_recorded_reply_needs_an_answer_a_channel_and_a_note():
    assert check_reply({"answer": "decline", "channel": "phone", "note": " Called back on Tuesday "}) == (
        (False, "phone", "Called back on Tuesday"), {})
    reply, errors = check_reply({"answer": "maybe", "channel": "carrier pigeon", "note": ""})
    assert reply is None and set(errors) == {"answer", "channel", "note"}
    assert "500 characters" in check_reply({"answer": "accept", "channel": "letter", "note": "x" * 501})[1]["note"]


def test_a_session_has_started_from_its_start_time_in_london():
    winter = sessions()[0]  # 6 February 2027, 10:30 GMT
    assert not session_started(winter, now=datetime(2027, 2, 6, 10, 29, tzinfo=timezone.utc))
    assert session_started(winter, now=datetime(2027, 2, 6, 10, 30, tzinfo=timezone.utc))
    summer = sessions()[1]  # 3 July 2027, 10:00 BST = 09:00 UTC
    assert session_started(summer, now=datetime(2027, 7, 3, 9, 0, tzinfo=timezone.utc))


def test_the_invitation_gives_the_dates_the_reply_by_date_how_to_reply_and_the_calendar():
    email = invitation_email(panel(), volunteer(), link="https://council.example/my-panel/abc", sessions=sessions(),
                             reply_by=date(2027, 1, 21), postal_address="Freepost CAMDEN COUNCIL", calendar="BEGIN:VCALENDAR")
    assert email.subject == "You have been chosen for the Resident Panel 2027: please reply by 21 January 2027"
    assert "- Day two: 6 February 2027, 10:30 to 13:00" in email.body
    assert "- Day one: 3 July 2027, 10:00 to 16:00, Crowndale Centre" in email.body
    assert "£30 thank-you voucher for each session they attend" in email.body
    assert "https://council.example/my-panel/abc" in email.body and "Freepost CAMDEN COUNCIL" in email.body
    assert "RP-7K3Q9D" in email.body and email.about == "panel_volunteer:12"
    assert (email.attachment_name, email.attachment_text) == ("panel-sessions.ics", "BEGIN:VCALENDAR")
    bare = invitation_email(panel(), volunteer(), link="x", sessions=[], reply_by=date(2027, 1, 21),
                            postal_address="Freepost", calendar="")
    assert bare.attachment_name == "" and "meets on these dates" not in bare.body


def test_the_invitation_is_written_in_the_language_the_volunteer_registered_in():
    use_catalogues(Path(__file__).resolve().parents[2] / "server" / "translations")  # the shipped catalogues
    english = invitation_email(panel(), volunteer(), link="x", sessions=sessions(), reply_by=date(2027, 1, 21),
                               postal_address="Freepost", calendar="")
    welsh = invitation_email(panel(), volunteer("cy"), link="x", sessions=sessions(), reply_by=date(2027, 1, 21),
                             postal_address="Freepost", calendar="")
    assert welsh.subject != english.subject and "Ionawr" in welsh.subject  # January, in Welsh
    assert "You have been chosen" not in welsh.body and "Rydych wedi cael eich dewis drwy loteri" in welsh.body
    assert "Annwyl Amina Rahman," in welsh.body and "6 Chwefror 2027, 10:30 i 13:00" in welsh.body
