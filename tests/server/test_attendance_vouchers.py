"""Sessions and thank-you payments over HTTP: attendance only for sessions that have started, a
voucher per session attended with its own reference, issued then collected, in the finance CSV
(formulas guarded); issuing again issues nothing twice and says so; a banner after every save."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from panels.tables import PanelSession, Volunteer, Voucher
from tests.factories.panels import create_panel, fill_pool, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

PAST = date.today() - timedelta(days=7)
FUTURE = date.today() + timedelta(days=14)


def panel_with_members(officer_client, client, **overrides) -> tuple[int, list[int], list[int]]:
    """A panel whose first session was a week ago and second is in two weeks, with three
    confirmed members (one with a name a spreadsheet would run as a formula)."""
    panel_id = create_panel(officer_client, session_1_date=PAST.isoformat(), session_2_date=FUTURE.isoformat(), **overrides)
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id), count=4)
    members = [row["id"] for row in run(Volunteer.select(Volunteer.id).where(Volunteer.panel == panel_id).order_by(
        Volunteer.id).limit(3).run())]
    run(Volunteer.update({Volunteer.status: "confirmed"}).where(Volunteer.id.is_in(members)).run())
    run(Volunteer.update({Volunteer.full_name: "=HYPERLINK(\"http://evil.example\")"}).where(Volunteer.id == members[0]).run())
    sessions = [row["id"] for row in run(PanelSession.select(PanelSession.id).where(
        PanelSession.panel == panel_id).order_by(PanelSession.held_on).run())]
    return panel_id, members, sessions


def test_attendance_is_recorded_only_for_sessions_that_have_started(client, officer_client):
    panel_id, members, (held, coming) = panel_with_members(officer_client, client)
    page = officer_client.get(f"/officer/panels/{panel_id}/members").text
    assert f'name="attended_{members[0]}_{held}"' in page
    assert f'name="attended_{members[0]}_{coming}"' not in page and "Not started" in page
    saved = post_form(officer_client, f"/officer/panels/{panel_id}/attendance",
                      {f"attended_{members[0]}_{held}": "yes", f"attended_{members[0]}_{coming}": "yes"})
    assert saved.status_code == 200 and "govuk-notification-banner--success" in saved.text
    assert "Attendance saved" in saved.text and "Nothing was recorded for sessions that have not started: Day two" in saved.text
    from panels.tables import Attendance

    rows = run(Attendance.select(Attendance.session, Attendance.attended).where(Attendance.attended == True).run())  # noqa: E712
    assert [row["session"] for row in rows] == [held]


def test_vouchers_are_per_session_attended_with_a_reference_and_issuing_again_says_so(client, officer_client):
    panel_id, members, (held, _coming) = panel_with_members(officer_client, client)
    none_due = post_form(officer_client, f"/officer/panels/{panel_id}/vouchers")
    assert "0 vouchers issued." in none_due.text and "no voucher was due" in none_due.text
    post_form(officer_client, f"/officer/panels/{panel_id}/attendance",
              {f"attended_{members[0]}_{held}": "yes", f"attended_{members[1]}_{held}": "yes"})
    run(PanelSession.update({PanelSession.held_on: date.today() - timedelta(days=1)}).where(PanelSession.id == _coming).run())
    post_form(officer_client, f"/officer/panels/{panel_id}/attendance",
              {f"attended_{members[0]}_{held}": "yes", f"attended_{members[1]}_{held}": "yes",
               f"attended_{members[0]}_{_coming}": "yes"})
    issued = post_form(officer_client, f"/officer/panels/{panel_id}/vouchers")
    assert "3 vouchers issued." in issued.text  # member 0 attended two sessions: two vouchers
    vouchers = run(Voucher.select().order_by(Voucher.id).run())
    assert len(vouchers) == 3 and all(re.fullmatch(r"TV-[A-Z2-9]{6}", voucher["reference"]) for voucher in vouchers)
    assert len({voucher["reference"] for voucher in vouchers}) == 3
    assert sorted((voucher["volunteer"], voucher["session"]) for voucher in vouchers) == sorted(
        [(members[0], held), (members[1], held), (members[0], _coming)])

    again = post_form(officer_client, f"/officer/panels/{panel_id}/vouchers")
    assert "0 vouchers issued." in again.text and "3 sessions attended already had their vouchers" in again.text
    assert run(Voucher.count().run()) == 3

    first = vouchers[0]
    collected = post_form(officer_client, f"/officer/panels/{panel_id}/vouchers/{first['id']}/collected")
    assert f"Voucher {first['reference']} is marked as collected." in collected.text
    assert post_form(officer_client, f"/officer/panels/{panel_id}/vouchers/{first['id']}/collected").status_code == 404

    finance = officer_client.get(f"/officer/panels/{panel_id}/finance.csv")
    rows = list(csv.DictReader(io.StringIO(finance.text)))
    assert len(rows) == 3 and {row["session"] for row in rows} == {"Day one", "Day two"}
    by_reference = {row["voucher_reference"]: row for row in rows}
    assert by_reference[first["reference"]]["collected_on"] == date.today().isoformat()
    assert all(row["amount_gbp"] == "30.00" for row in rows)
    assert all(not row["full_name"].startswith("=") for row in rows)  # the formula guard
    assert any(row["full_name"].startswith("'=HYPERLINK") for row in rows)


def test_a_panel_without_a_voucher_amount_is_told_so(client, officer_client):
    panel_id, members, (held, _coming) = panel_with_members(officer_client, client, voucher="")
    post_form(officer_client, f"/officer/panels/{panel_id}/attendance", {f"attended_{members[0]}_{held}": "yes"})
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/vouchers")
    assert "this panel has no thank-you voucher amount" in refused.text and run(Voucher.count().run()) == 0
