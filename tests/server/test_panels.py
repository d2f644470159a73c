"""The officer's journey for a Resident Panel over HTTP: create, quotas, registration, pool,
selection, draw, invitations, replacement, attendance, vouchers, and who may see what."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from server.tables import AuditEntry, OutboxEmail
from tests.factories.panels import create_panel, fill_pool, import_pool, registration, send_invitations, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form


def audit_actions() -> list[str]:
    return [row["action"] for row in run(AuditEntry.select(AuditEntry.action).run())]


def test_create_panel_with_bad_input_keeps_it_and_says_what_is_wrong(officer_client):
    response = post_form(officer_client, "/officer/panels/new",
                         {"name": "", "year": "20x6", "panel_size": "1", "retention_days": "30", "voucher": "lots",
                          "deadline-day": "31", "deadline-month": "13", "deadline-year": "2026",
                          "session_1_title": "Day one", "session_1_date": "2026-02-30", "session_1_start": "16:00",
                          "session_1_end": "10:00", "session_1_place": "Town hall"})
    assert response.status_code == 422
    for message in ("Enter the panel", "The year must be", "The panel size must be", "voucher amount",
                    "The date of session 1 must be a real date", "The registration deadline must be a real date"):
        assert message in response.text
    assert 'value="Town hall"' in response.text
    assert 'name="deadline-month" type="text" value="13"' in response.text  # the boxes keep what was typed
    assert 'name="session_1_date-day" type="text" value="30"' in response.text


def test_create_panel_with_dates_in_boxes(officer_client):
    response = post_form(officer_client, "/officer/panels/new",
                         {"name": "Boxes panel", "year": "2027", "panel_size": "20", "retention_days": "30",
                          "deadline-day": "31", "deadline-month": "3", "deadline-year": "2027",
                          "session_1_title": "Day one", "session_1_date-day": "15", "session_1_date-month": "5",
                          "session_1_date-year": "2027", "session_1_start": "10:00", "session_1_end": "16:00",
                          "session_1_place": "Town hall"}, follow_redirects=False)
    assert response.status_code == 303
    panel_id = int(re.search(r"/officer/panels/(\d+)/", response.headers["location"]).group(1))
    page = officer_client.get(f"/officer/panels/{panel_id}").text
    assert "15 May 2027" in page and "31 March 2027" in page


def test_quotas_from_camden_2011_then_edited(officer_client):
    panel_id = create_panel(officer_client, panel_size="20")
    set_quotas(officer_client, panel_id, dimensions=("sex", "age_band", "ethnicity"), tolerance="20")
    page = officer_client.get(f"/officer/panels/{panel_id}/quotas")
    assert "data:image/png;base64," in page.text and "alt=\"Chart" in page.text
    assert "Male" in page.text and "Aged 18 to 24" in page.text and "Aged 0 to 15" not in page.text
    assert "Prefer not to say" in page.text  # ethnicity, not age
    form = dict(re.findall(r'name="((?:min|max)_\d+)" inputmode="numeric" value="(\d+)"', page.text))
    bad = post_form(officer_client, f"/officer/panels/{panel_id}/quotas/edit", {**form, "min_0": "13", "max_0": "13"})
    assert bad.status_code == 422 and "minimums add up to" in bad.text
    superscript = post_form(officer_client, f"/officer/panels/{panel_id}/quotas/edit", {**form, "min_0": "²"})
    assert superscript.status_code == 422 and "enter whole numbers for minimum and maximum" in superscript.text
    good = post_form(officer_client, f"/officer/panels/{panel_id}/quotas/edit", {**form, "max_0": "11"},
                     follow_redirects=False)
    assert good.status_code == 303


def test_quota_form_errors(officer_client):
    panel_id = create_panel(officer_client)
    response = officer_client.post(f"/officer/panels/{panel_id}/quotas",
                                   data={"census_file": "", "tolerance": "abc",
                                         "_csrf_token": officer_client.cookies.get("civicpanel_csrf")},
                                   files={"census_upload": ("census.csv", b"dimension,category,count\nsex,Male,many\n", "text/csv")})
    assert response.status_code == 422
    assert "row 2, column &#39;count&#39;" in response.text or "row 2, column 'count'" in response.text
    assert "Choose at least one dimension" in response.text
    assert "whole number of per cent" in response.text


def test_an_officers_census_file_goes_through_the_census_mapping(officer_client):
    panel_id = create_panel(officer_client)
    own = ("dimension,category,count\nsex,Male,480\nsex,Female,520\n"
           "ethnicity,White,600\nethnicity,Asian,400\n").encode()
    response = officer_client.post(f"/officer/panels/{panel_id}/quotas",
                                   data={"census_file": "", "tolerance": "20", "dimensions": ["sex", "ethnicity"],
                                         "_csrf_token": officer_client.cookies.get("civicpanel_csrf")},
                                   files={"census_upload": ("census.csv", own, "text/csv")})
    assert response.status_code == 422
    assert "row 5" in response.text and "Asian/Asian British" in response.text  # names the row and the choices


def test_registration_errors_then_success_with_outbox_email(client, officer_client):
    panel_id = create_panel(officer_client, postcode_prefixes="NW1 NW3")
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    page = client.get(f"/panels/{slug}")
    assert "Register your interest" in page.text and "Day one" in page.text and "£30.00" in page.text
    bad = post_form(client, f"/panels/{slug}/register", {"full_name": "Ann", "email": "not-an-email",
                                                         "postcode": "E1 6AN", "age": "16"})
    assert bad.status_code == 422
    for message in ("There is a problem", "correct format", "postcode in the borough", "18 or over",
                    "Select an answer", "Confirm that you agree"):
        assert message in bad.text
    assert 'value="Ann"' in bad.text
    check = post_form(client, f"/panels/{slug}/register/check/email", {"email": "nope"}, headers={"HX-Request": "true"})
    assert check.status_code == 200 and 'id="group-email"' in check.text and "correct format" in check.text
    assert "<html" not in check.text
    good = post_form(client, f"/panels/{slug}/register", registration(1, "Female", 40) | {"age": "31/03/1980"},
                     follow_redirects=False)
    assert good.status_code == 303
    confirmation = client.get(good.headers["location"])
    reference = re.search(r'id="reference">(RP-\w+)<', confirmation.text).group(1)
    link = re.search(r'id="private-link">([^<]+)<', confirmation.text).group(1)
    assert client.get(good.headers["location"], follow_redirects=False).status_code == 303  # shown once
    email = run(OutboxEmail.select().first().run())
    assert reference in email["subject"] and link in email["body"]
    from panels.tables import Volunteer
    volunteer = run(Volunteer.select().first().run())
    assert volunteer["consent_version"] and volunteer["consent_at"] is not None
    token = link.rsplit("/", 1)[1]
    assert token not in json.dumps(volunteer, default=str)  # only the hash is stored
    own = client.get(link.replace("http://testserver.local", ""))
    assert own.status_code == 200 and "Test Resident 1" in own.text and "in the pool" in own.text


def test_registration_closes_after_the_deadline(client, officer_client):
    panel_id = create_panel(officer_client, deadline=(date.today() - timedelta(days=1)).isoformat())
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    assert "Registration has closed" in client.get(f"/panels/{slug}").text
    response = post_form(client, f"/panels/{slug}/register", registration(1, "Male", 30))
    assert response.status_code == 410


def test_whole_journey_select_draw_invite_decline_replace_attend(client, officer_client, cabinet_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    fill_pool(client, slug)
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool")
    assert "Yes." in pool.text and "data:image/png" in pool.text
    assert "resident3@example.com" not in pool.text  # lists show references, not contact details
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    assert started.status_code == 303
    run_url = started.headers["location"]
    page = officer_client.get(run_url)
    assert "Draw the panel" in page.text and "Selection probability of each volunteer" in page.text
    probabilities = [float(p) for p in re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(0\.\d{4}|1\.0000)</td>', page.text)]
    assert len(probabilities) == 24 and sum(probabilities) == pytest.approx(6, abs=0.01)
    assert post_form(officer_client, run_url + "/draw", {"seed": " "}).status_code == 422
    drawn = post_form(officer_client, run_url + "/draw", {"seed": "Lottery numbers 4 8 15 16 23 42"}, follow_redirects=False)
    assert drawn.status_code == 303
    again = post_form(officer_client, run_url + "/draw", {"seed": "another seed"})
    assert again.status_code == 422  # drawn once only
    assert drawn.headers["location"] == f"/officer/panels/{panel_id}/invitations"
    assert not run(OutboxEmail.select().where(OutboxEmail.subject.like("You have been chosen%")).run())  # reviewed first
    review = officer_client.get(f"/officer/panels/{panel_id}/invitations")
    assert "Send 6 invitations" in review.text and "Day one" in review.text and "reply by" in review.text
    assert send_invitations(officer_client, panel_id) == 6
    invitations = run(OutboxEmail.select().where(OutboxEmail.subject.like("You have been chosen%")).run())
    assert len(invitations) == 6 and all(email["attachment_name"] == "panel-sessions.ics" for email in invitations)
    links = [re.search(r"/my-panel/(\S+)", email["body"]).group(1) for email in invitations]
    for token in links[1:]:
        assert post_form(client, f"/my-panel/{token}/respond", {"answer": "confirm"}, follow_redirects=False).status_code == 303
    declined = post_form(client, f"/my-panel/{links[0]}/respond", {"answer": "decline"})
    assert "we have recorded that you cannot take part" in declined.text and "offered" not in declined.text
    members = officer_client.get(f"/officer/panels/{panel_id}/members")
    assert "Choose replacements for 1 seats" in members.text
    replacement = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"}, follow_redirects=False)
    replacement_page = officer_client.get(replacement.headers["location"])
    assert "members holding a seat, confirmed or invited, fixed at 1" in replacement_page.text, replacement_page.text[-3000:]
    assert "Drop-out rates" in replacement_page.text and "of 0 people invited" in replacement_page.text  # other panels only
    post_form(officer_client, replacement.headers["location"] + "/draw", {"seed": "replacement seed 7"})
    assert send_invitations(officer_client, panel_id) == 1
    from panels.tables import PanelSession, Volunteer
    statuses = [row["status"] for row in run(Volunteer.select(Volunteer.status).run())]
    assert statuses.count("confirmed") == 5 and statuses.count("selected") == 1 and statuses.count("declined") == 1
    confirmed = run(Volunteer.select(Volunteer.id).where(Volunteer.status == "confirmed").run())
    sessions = run(PanelSession.select(PanelSession.id).where(PanelSession.panel == panel_id).run())
    marks = {f"attended_{confirmed[0]['id']}_{sessions[0]['id']}": "yes", f"attended_{confirmed[1]['id']}_{sessions[1]['id']}": "yes"}
    post_form(officer_client, f"/officer/panels/{panel_id}/attendance", marks)
    post_form(officer_client, f"/officer/panels/{panel_id}/vouchers")
    finance = officer_client.get(f"/officer/panels/{panel_id}/finance.csv")
    assert finance.status_code == 200 and finance.text.count("30.00") == 2
    public = client.get(f"/panels/{slug}/how-we-chose")
    assert "Lottery numbers 4 8 15 16 23 42" in public.text and "replacement seed 7" in public.text
    for row in run(Volunteer.select(Volunteer.full_name, Volunteer.email, Volunteer.reference, Volunteer.postcode).run()):
        assert row["full_name"] not in public.text and row["email"] not in public.text and row["reference"] not in public.text
    actions = audit_actions()
    for action in ("selection_started", "selection_drawn", "replacement_started", "invitation_declined",
                   "attendance_recorded", "vouchers_issued", "finance_exported"):
        assert action in actions
    assert cabinet_client.get(f"/officer/panels/{panel_id}/pool", follow_redirects=False).status_code == 403


def test_infeasible_quotas_show_conflict_and_relaxation(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    for number in range(10):
        post_form(client, f"/panels/{slug}/register", registration(number, "Male", 30 + number))
    page = officer_client.get(f"/officer/panels/{panel_id}/pool")
    assert "cannot all be met" in page.text and "smallest change" in page.text


def test_viewing_a_record_and_exporting_the_pool_are_audited(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    fill_pool(client, slug, count=2)
    from panels.tables import Volunteer
    volunteer_id = run(Volunteer.select(Volunteer.id).where(Volunteer.email == "resident0@example.com").first().run())["id"]
    page = officer_client.get(f"/officer/panels/{panel_id}/volunteers/{volunteer_id}")
    assert "resident0@example.com" in page.text, page.text[page.text.find("<main"):][:1500]
    export = officer_client.get(f"/officer/panels/{panel_id}/pool.csv")
    assert export.status_code == 200 and "resident1@example.com" in export.text
    assert {"volunteer_viewed", "pool_exported"} <= set(audit_actions())


def test_import_respondents_names_row_and_column(officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)

    def upload(text: str):
        return import_pool(officer_client, panel_id, text)

    header = "id,first_name,last_name,email,address,postcode,age,sex\n"
    bad = upload(header + "1,Ann,Smith,ann@example.com,1 Road,NW1 2RU,34,Female\n2,Bob,Jones,bob@example.com,2 Road,NW1 2RU,40,Robot\n")
    assert bad.status_code == 422 and "Row 3, column ‘sex’" in bad.text
    good = upload(header + "1,Ann,Smith,ann@example.com,1 Road,NW1 2RU,34,female\n")
    assert good.status_code == 200 and "1 respondent imported" in good.text
    assert "pool_imported" in audit_actions()
