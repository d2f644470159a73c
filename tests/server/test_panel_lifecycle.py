"""A panel after its creation, over HTTP: details changed while they make sense (audited, with
the reason when refused), sessions added, changed and removed, the registration switch, the
archive, deletion before anyone registered, and the overview's task list."""

from __future__ import annotations

import re
from datetime import date, timedelta

from panels.panel_changes import form_values
from panels.tables import Attendance, Panel, PanelQuota, PanelSession, SelectionRun, Volunteer
from server.tables import AuditEntry
from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

SOON = date.today() + timedelta(days=60)
FUTURE_SESSIONS = {"session_1_date": SOON.isoformat(), "session_2_date": (SOON + timedelta(days=7)).isoformat()}


def audit(action: str) -> list[dict]:
    return run(AuditEntry.select(AuditEntry.object_id, AuditEntry.detail).where(AuditEntry.action == action).run())


def panel_row(panel_id: int) -> dict:
    return run(Panel.select().where(Panel.id == panel_id).first().run())


def details(panel_id: int, **changes) -> dict[str, str]:
    """The edit form as it is shown, with ``changes``."""
    row = panel_row(panel_id)
    values = {"name": row["name"], "description": row["description"], "year": str(row["year"]),
              "panel_size": str(row["panel_size"]), "voucher": f"{row['voucher_pence'] / 100:.2f}",
              "deadline": (date.today() + timedelta(days=30)).isoformat(), "opens": "",
              "retention_days": str(row["retention_days"]), "postcode_prefixes": row["postcode_prefixes"],
              "adults_per_letter": str(row["adults_per_letter"]),
              "household_rule": "yes" if row["household_rule"] else "", "prefer_not_to_say": "yes"}
    return {**values, **changes}


def new_panel(officer_client, *, quotas: bool = True) -> int:
    panel_id = create_panel(officer_client, panel_size="20", **FUTURE_SESSIONS)
    if quotas:
        set_quotas(officer_client, panel_id)
    return panel_id


def register_one(client, panel_id: int, number: int = 1) -> None:
    response = post_form(client, f"/panels/{slug_of(panel_id)}/register", registration(number, "Female", 40),
                         follow_redirects=False)
    assert response.status_code == 303, response.text


def computed_run(panel_id: int, status: str = "done") -> None:
    run(SelectionRun.insert(SelectionRun(panel=panel_id, kind="selection", status=status)).run())


# --- details ------------------------------------------------------------------------------------

def test_details_change_and_every_change_is_audited(officer_client):
    panel_id = new_panel(officer_client)
    before = run(PanelQuota.select(PanelQuota.quota_min, PanelQuota.dimension).where(PanelQuota.panel == panel_id).run())
    response = post_form(officer_client, f"/officer/panels/{panel_id}/details",
                         details(panel_id, name="Camden Panel on Data", panel_size="30", voucher="45",
                                 **{"opens-day": str(date.today().day), "opens-month": str(date.today().month),
                                    "opens-year": str(date.today().year)}), follow_redirects=False)
    assert response.status_code == 303, response.text
    row = panel_row(panel_id)
    assert (row["name"], row["panel_size"], row["voucher_pence"]) == ("Camden Panel on Data", 30, 4500)
    assert row["registration_opens_at"] is not None
    [entry] = audit("panel_edited")
    assert "panel_size: 20 → 30" in entry["detail"] and "voucher_pence: 3000 → 4500" in entry["detail"]
    assert "name: Test Resident Panel → Camden Panel on Data" in entry["detail"]
    after = run(PanelQuota.select(PanelQuota.quota_min, PanelQuota.dimension).where(PanelQuota.panel == panel_id).run())
    assert sum(r["quota_min"] for r in after if r["dimension"] == "sex") > sum(
        r["quota_min"] for r in before if r["dimension"] == "sex")  # computed again for 30 seats
    page = officer_client.get(response.headers["location"])
    assert "The quotas were computed again" in page.text and "Camden Panel on Data" in page.text


def test_details_sent_unchanged_save_nothing(officer_client):
    """Found by tests/server/test_forms_never_500.py: the form sent as shown was a 500 (an empty update)."""
    panel_id = new_panel(officer_client)
    row = panel_row(panel_id)
    form = form_values(run(Panel.objects().where(Panel.id == panel_id).first().run()))
    response = post_form(officer_client, f"/officer/panels/{panel_id}/details", form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("?saved=nothing")
    assert audit("panel_edited") == [] and panel_row(panel_id) == row
    assert "Nothing had changed, so nothing was saved." in officer_client.get(response.headers["location"]).text


def test_seats_cannot_change_once_a_selection_is_computed_and_the_page_says_why(officer_client):
    panel_id = new_panel(officer_client)
    computed_run(panel_id)
    response = post_form(officer_client, f"/officer/panels/{panel_id}/details", details(panel_id, panel_size="25",
                                                                                       name="Renamed"))
    assert response.status_code == 422
    assert "A selection has been computed for this panel" in response.text
    assert 'value="25"' in response.text  # what was typed is kept
    assert panel_row(panel_id)["panel_size"] == 20 and panel_row(panel_id)["name"] != "Renamed"
    assert audit("panel_edited") == []


def test_postcode_areas_after_registrations_need_the_officer_s_confirmation(officer_client, client):
    panel_id = new_panel(officer_client)
    register_one(client, panel_id)
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/details", details(panel_id, postcode_prefixes="NW3"))
    assert refused.status_code == 422
    assert "1 person has registered already and their postcode is not checked again (1 outside" in refused.text
    assert 'name="confirm_postcodes"' in refused.text
    confirmed = post_form(officer_client, f"/officer/panels/{panel_id}/details",
                          details(panel_id, postcode_prefixes="NW3", confirm_postcodes="yes"), follow_redirects=False)
    assert confirmed.status_code == 303
    assert panel_row(panel_id)["postcode_prefixes"] == "NW3"
    assert "postcode_prefixes: (none) → NW3" in audit("panel_edited")[0]["detail"]


# --- sessions ------------------------------------------------------------------------------------

def session_form(day: date, **changes) -> dict[str, str]:
    return {"title": "Day three", "date-day": str(day.day), "date-month": str(day.month), "date-year": str(day.year),
            "start": "10:00", "end": "16:00", "place": "Kentish Town Community Centre", **changes}


def sessions_of(panel_id: int) -> list[dict]:
    return run(PanelSession.select().where(PanelSession.panel == panel_id).order_by(PanelSession.held_on).run())


def test_any_number_of_sessions_added_changed_and_removed(officer_client):
    panel_id = new_panel(officer_client)
    for week in (2, 3, 4):
        added = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/new",
                          session_form(SOON + timedelta(weeks=week), title=f"Week {week}"), follow_redirects=False)
        assert added.status_code == 303
    assert len(sessions_of(panel_id)) == 5 and len(audit("session_added")) == 3
    past = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/new", session_form(date.today() - timedelta(days=1)))
    assert past.status_code == 422 and "still to come" in past.text
    bad = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/new", session_form(SOON, end="09:00", place=""))
    assert bad.status_code == 422 and "must end after it starts" in bad.text and "Enter where the session" in bad.text
    last = sessions_of(panel_id)[-1]
    changed = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/{last['id']}/edit",
                        session_form(last["held_on"], title="Week 4", place="Town Hall"), follow_redirects=False)
    assert changed.status_code == 303
    assert "place: Kentish Town Community Centre → Town Hall" in audit("session_changed")[0]["detail"]
    confirm = officer_client.get(f"/officer/panels/{panel_id}/sessions/{last['id']}/remove")
    assert "Are you sure you want to remove" in confirm.text
    removed = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/{last['id']}/remove", follow_redirects=False)
    assert removed.status_code == 303 and len(sessions_of(panel_id)) == 4 and len(audit("session_removed")) == 1
    listing = officer_client.get(removed.headers["location"])
    assert "The session was removed." in listing.text


def test_a_session_with_attendance_keeps_its_date_and_cannot_be_removed(officer_client, client):
    panel_id = new_panel(officer_client)
    register_one(client, panel_id)
    volunteer = run(Volunteer.select(Volunteer.id).where(Volunteer.panel == panel_id).first().run())["id"]
    first = sessions_of(panel_id)[0]
    run(Attendance.insert(Attendance(volunteer=volunteer, session=first["id"], attended=True)).run())
    moved = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/{first['id']}/edit",
                      session_form(first["held_on"] + timedelta(days=1), title=first["title"]))
    assert moved.status_code == 422 and "Attendance has been recorded for this session" in moved.text
    renamed = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/{first['id']}/edit",
                        session_form(first["held_on"], title="Day one: welcome", place=first["place"]),
                        follow_redirects=False)
    assert renamed.status_code == 303
    assert "cannot be removed" in officer_client.get(f"/officer/panels/{panel_id}/sessions/{first['id']}/remove").text
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/{first['id']}/remove")
    assert refused.status_code == 409 and len(sessions_of(panel_id)) == 2


# --- registration switch ---------------------------------------------------------------------------

def test_the_officer_closes_and_opens_registration_but_not_after_the_draw(officer_client, client):
    panel_id = new_panel(officer_client)
    slug = slug_of(panel_id)
    closed = post_form(officer_client, f"/officer/panels/{panel_id}/registration", {"action": "close"},
                       follow_redirects=False)
    assert closed.status_code == 303 and panel_row(panel_id)["registration_switch"] == "closed"
    assert "The council has closed registration for this panel." in client.get(f"/panels/{slug}").text
    late = post_form(client, f"/panels/{slug}/register", registration(1, "Female", 40))
    assert late.status_code == 410 and run(Volunteer.count().where(Volunteer.panel == panel_id).run()) == 0
    opened = post_form(officer_client, f"/officer/panels/{panel_id}/registration", {"action": "open"},
                       follow_redirects=False)
    assert opened.status_code == 303
    register_one(client, panel_id)
    assert [len(audit("registration_closed")), len(audit("registration_opened"))] == [1, 1]
    computed_run(panel_id, status="drawn")
    post_form(officer_client, f"/officer/panels/{panel_id}/registration", {"action": "close"})
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/registration", {"action": "open"})
    assert refused.status_code == 409 and "The panel has been drawn" in refused.text


def test_registration_waits_for_its_opening_date(officer_client, client):
    panel_id = new_panel(officer_client)
    later = date.today() + timedelta(days=5)
    response = post_form(officer_client, f"/officer/panels/{panel_id}/details",
                         details(panel_id, **{"opens-day": str(later.day), "opens-month": str(later.month),
                                              "opens-year": str(later.year)}), follow_redirects=False)
    assert response.status_code == 303
    page = client.get(f"/panels/{slug_of(panel_id)}").text
    assert "Registration is not open yet." in page and "Registration opens on" in page
    assert post_form(client, f"/panels/{slug_of(panel_id)}/register", registration(1, "Female", 40)).status_code == 410
    assert "Draft" in officer_client.get(f"/officer/panels/{panel_id}").text


# --- archive and delete --------------------------------------------------------------------------

def test_an_archived_panel_leaves_the_current_list_and_stays_among_past_panels(officer_client, client):
    panel_id = new_panel(officer_client)
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/archive")
    assert refused.status_code == 409 and "Close registration before you archive" in refused.text
    post_form(officer_client, f"/officer/panels/{panel_id}/registration", {"action": "close"})
    assert post_form(officer_client, f"/officer/panels/{panel_id}/archive", follow_redirects=False).status_code == 303
    listing = client.get("/panels").text
    current, _, past = listing.partition("Past panels")
    assert "Test Resident Panel" not in current and "Test Resident Panel" in past
    officer_list = officer_client.get("/officer/panels").text
    assert "Test Resident Panel" in officer_list.partition("Archived panels")[2]
    refused_edit = post_form(officer_client, f"/officer/panels/{panel_id}/details", details(panel_id, name="Again"))
    assert refused_edit.status_code == 422 and "archived" in refused_edit.text
    assert post_form(officer_client, f"/officer/panels/{panel_id}/unarchive", follow_redirects=False).status_code == 303
    assert [len(audit("panel_archived")), len(audit("panel_unarchived"))] == [1, 1]


def test_delete_only_before_anyone_registered_after_a_confirmation_page(officer_client, client):
    empty = new_panel(officer_client, quotas=False)
    confirm = officer_client.get(f"/officer/panels/{empty}/delete")
    assert "Are you sure you want to delete this panel?" in confirm.text
    deleted = post_form(officer_client, f"/officer/panels/{empty}/delete", follow_redirects=False)
    assert deleted.status_code == 303 and panel_row(empty) is None
    assert run(PanelSession.count().where(PanelSession.panel == empty).run()) == 0
    assert audit("panel_deleted")[0]["object_id"] == str(empty)
    assert "The panel was deleted." in officer_client.get(deleted.headers["location"]).text

    taken = new_panel(officer_client)
    register_one(client, taken)
    assert "1 person has registered for this panel, so it cannot be deleted" in \
        officer_client.get(f"/officer/panels/{taken}/delete").text
    refused = post_form(officer_client, f"/officer/panels/{taken}/delete")
    assert refused.status_code == 409 and panel_row(taken) is not None
    assert len(audit("panel_deleted")) == 1


# --- the overview's task list ---------------------------------------------------------------------

def task_states(page: str) -> dict[str, str]:
    """Task title → its status text, from the GOV.UK task list's markup."""
    states = {}
    for item in re.findall(r'<li class="govuk-task-list__item.*?</li>', page, flags=re.S):
        title = re.sub(r"<[^>]+>", "", re.search(r'govuk-task-list__name-and-hint">(.*?)</div>', item, re.S).group(1))
        status = re.sub(r"<[^>]+>", "", re.search(r'govuk-task-list__status[^"]*"[^>]*>(.*?)</div>', item, re.S).group(1))
        states[" ".join(title.split()).split("  ")[0]] = " ".join(status.split())
    return states


def test_the_task_list_shows_each_step_with_its_state(officer_client, client):
    panel_id = new_panel(officer_client, quotas=False)
    states = task_states(officer_client.get(f"/officer/panels/{panel_id}").text)
    assert len(states) == 8, states
    assert any(title.startswith("Set the census quotas") and state == "Not started" for title, state in states.items())
    assert any(title.startswith("Recruit") and state == "Cannot start yet" for title, state in states.items())
    assert any(title.startswith("Plan the sessions") and state == "Completed" for title, state in states.items())
    set_quotas(officer_client, panel_id)
    register_one(client, panel_id)
    page = officer_client.get(f"/officer/panels/{panel_id}").text
    states = task_states(page)
    assert any(title.startswith("Recruit") and state == "In progress" for title, state in states.items())
    assert any(title.startswith("Select the panel") and state == "Not started" for title, state in states.items())
    assert any(title.startswith("Thank-you payments") and state == "Cannot start yet" for title, state in states.items())
    assert "Recruiting" in page


def test_prefer_not_to_say_changes_the_quotas_until_someone_registers(officer_client, client):
    panel_id = new_panel(officer_client)

    def categories() -> set[str]:
        return {row["category"] for row in run(PanelQuota.select(PanelQuota.category).where(
            PanelQuota.panel == panel_id).run())}

    assert "Prefer not to say" in categories()
    response = post_form(officer_client, f"/officer/panels/{panel_id}/details",
                         details(panel_id, prefer_not_to_say=""), follow_redirects=False)
    assert response.status_code == 303 and "Prefer not to say" not in categories()
    assert "prefer_not_to_say: True → False" in audit("panel_edited")[0]["detail"]
    register_one(client, panel_id)
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/details", details(panel_id, prefer_not_to_say="yes"))
    assert refused.status_code == 422 and "People have already registered with the questions as they are" in refused.text
    assert "Prefer not to say" not in categories()


def test_a_session_with_paper_review_forms_is_not_removed(officer_client):
    from analysis.tables import Charter, CharterReview, CharterReviewPaperBatch

    panel_id = new_panel(officer_client)
    first = sessions_of(panel_id)[0]
    charter = Charter(slug="test-charter", name="Test Data Charter", organisation="Test Council")
    run(charter.save().run())
    review = CharterReview(panel=panel_id, charter=charter.id, title="Housing repairs", opened_on=date.today(),
                           closes_on=date.today() + timedelta(days=7))
    run(review.save().run())
    run(CharterReviewPaperBatch.insert(CharterReviewPaperBatch(review=review.id, session=first["id"], forms=12,
                                                               entered_on=date.today())).run())
    page = officer_client.get(f"/officer/panels/{panel_id}/sessions/{first['id']}/remove")
    assert "Paper review forms have been entered for this session, so it cannot be removed." in page.text
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/sessions/{first['id']}/remove")
    assert refused.status_code == 409 and len(sessions_of(panel_id)) == 2
    assert run(CharterReviewPaperBatch.count().run()) == 1
