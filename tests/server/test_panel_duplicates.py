"""Clean pools: one registration per email for a panel, second registrations of the same name and
address flagged, imports that name every duplicate row, and nobody drawn again for a panel they
declined or withdrew from."""

from __future__ import annotations

import re

from panels.tables import Panel, Volunteer
from tests.factories.panels import create_panel, import_pool, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

HEADER = "id,first_name,last_name,email,address,postcode,age,sex\n"


def upload(officer_client, panel_id: int, text: str):
    return import_pool(officer_client, panel_id, text)


def volunteers(panel_id: int) -> list[dict]:
    return run(Volunteer.select().where(Volunteer.panel == panel_id).order_by(Volunteer.id).run())


def test_the_same_email_cannot_register_twice_for_a_panel(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    assert post_form(client, f"/panels/{slug}/register", registration(1, "Female", 40),
                     follow_redirects=False).status_code == 303
    again = post_form(client, f"/panels/{slug}/register",
                      registration(2, "Female", 41) | {"email": "  Resident1@Example.COM "})
    assert again.status_code == 422
    assert "already registered for this panel, so we have not registered it again" in again.text
    assert 'value="Test Resident 2"' in again.text  # what was typed is kept
    assert len(volunteers(panel_id)) == 1
    other = create_panel(officer_client, name="Another panel")  # another panel is another registration
    set_quotas(officer_client, other)
    assert post_form(client, f"/panels/{slug_of(other)}/register", registration(1, "Female", 40),
                     follow_redirects=False).status_code == 303


def test_the_same_name_and_address_is_flagged_and_left_out_of_selection(client, officer_client):
    from panels.runs import build_pool_problem

    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    post_form(client, f"/panels/{slug}/register", registration(1, "Female", 40), follow_redirects=False)
    second = registration(1, "Female", 40) | {"email": "another.address@example.com", "full_name": "test  RESIDENT 1",
                                              "address": "1 test street", "postcode": "nw12ru"}
    assert post_form(client, f"/panels/{slug}/register", second, follow_redirects=False).status_code == 303
    first, flagged = volunteers(panel_id)
    assert first["duplicate_of"] == "" and flagged["duplicate_of"] == first["reference"]
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool").text
    assert f"Same name and address as {first['reference']}" in pool
    panel = run(Panel.objects().where(Panel.id == panel_id).first().run())
    drawable = {member.id for member in run(build_pool_problem(panel)).problem.volunteers}
    assert drawable == {first["reference"]}


def test_an_import_names_every_duplicate_row_and_importing_twice_adds_nothing(officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    text = HEADER + ("1,Ann,Smith,ann@example.com,1 Road,NW1 2RU,34,Female\n"
                     "2,Bob,Jones,bob@example.com,2 Road,NW1 2RU,40,Male\n"
                     "3,Ann,Smith,ANN@example.com,9 Other Road,NW3 2QG,34,Female\n"   # same email as row 2
                     "4,Ann,Smith,ann.smith@example.com,1 Road,NW1 2RU,34,Female\n")  # same name and address
    first = upload(officer_client, panel_id, text)
    assert first.status_code == 200 and "3 respondents imported" in first.text
    rows = volunteers(panel_id)
    assert len(rows) == 3
    ann = rows[0]["reference"]
    assert f"Row 4: already registered as {ann}" in first.text
    assert re.search(rf"Row 5: RP-\w+ – Same name and address as {ann}", first.text)
    again = upload(officer_client, panel_id, text)
    assert again.status_code == 200 and "0 respondents imported" in again.text
    for row in (2, 3, 4, 5):
        assert f"Row {row}: already registered as RP-" in again.text
    assert len(volunteers(panel_id)) == 3


def test_a_replacement_never_reinvites_someone_who_declined_under_another_registration(client, officer_client):
    """A replacement re-invited the person who had just declined: her second registration (same
    name and address, another email address)."""
    panel_id = create_panel(officer_client, household_rule="")
    set_quotas(officer_client, panel_id, dimensions=("sex",), tolerance="50")
    slug = slug_of(panel_id)
    for number in range(6):  # exactly k: everyone is drawn
        post_form(client, f"/panels/{slug}/register", registration(number, ("Female", "Male")[number % 2], 30 + number),
                  follow_redirects=False)
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    post_form(officer_client, started.headers["location"] + "/draw", {"seed": "first seed"})
    # Her second registration, from an older import (before duplicates were flagged).
    upload(officer_client, panel_id, HEADER + "9,Test,Resident 0,second.address@example.com,0 Test Street,NW1 2RU,30,Female\n")
    run(Volunteer.update({Volunteer.duplicate_of: ""}).where(Volunteer.email == "second.address@example.com").run())
    decliner = run(Volunteer.objects().where(Volunteer.email == "resident0@example.com").first().run())
    assert decliner.status == "selected"
    run(Volunteer.update({Volunteer.status: "declined"}).where(Volunteer.id == decliner.id).run())
    replacement = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"},
                            follow_redirects=False)
    post_form(officer_client, replacement.headers["location"] + "/draw", {"seed": "replacement seed"})
    second = run(Volunteer.select(Volunteer.status).where(Volunteer.email == "second.address@example.com").first().run())
    assert second["status"] == "pool"  # not re-invited
    statuses = [row["status"] for row in volunteers(panel_id)]
    assert statuses.count("selected") == 5 and statuses.count("declined") == 1
