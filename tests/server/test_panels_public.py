"""A resident finds the Resident Panel: /panels, the home page and the navigation lead to the
panel that is recruiting; registration closes at the deadline, at the first session of a panel
without one, and for good once the panel is drawn."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

from panels.tables import Panel, SelectionRun, Volunteer
from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form


def record_draw(panel_id: int) -> None:
    """A drawn selection, as the officer's draw leaves it (the engine is tested elsewhere)."""
    result = {"lottery_size": 1, "n": 0, "k": 0, "min_probability": 0, "max_probability": 0, "quotas": []}
    run(SelectionRun.insert(SelectionRun(
        panel=panel_id, kind="selection", status="drawn", seed="4 8 15 16 23 42", ticket=0, result_json=json.dumps(result),
        inputs_json="{}", drawn_json="[]", drawn_at=datetime.now(timezone.utc))).run())


def test_without_panels_residents_still_find_the_page(client):
    page = client.get("/panels")
    assert page.status_code == 200 and "No panel is recruiting at the moment" in page.text
    home = client.get("/").text
    assert '<a class="govuk-link" href="/panels">Anyone can check how the panel was chosen</a>' in home
    assert 'href="/panels"' in home and "Join the Resident Panel" not in home


def test_a_recruiting_panel_is_listed_and_linked_from_home_and_navigation(client, officer_client):
    past = create_panel(officer_client, name="Old Panel", year="2021",
                        deadline=(date.today() - timedelta(days=200)).isoformat())
    set_quotas(officer_client, past)
    record_draw(past)
    current = create_panel(officer_client, name="Panel Now", year="2027", description="Talk about data",
                           deadline=(date.today() + timedelta(days=35)).isoformat())
    set_quotas(officer_client, current)
    upcoming = create_panel(officer_client, name="Panel Without Quotas", year="2027")
    slug = slug_of(current)
    page = client.get("/panels").text
    assert page.index("Panel Now") < page.index("Old Panel")  # recruiting first
    assert "Recruiting now" in page and "Finished" in page and "Registration opens soon" in page
    assert "Talk about data" in page and "£30.00 voucher" in page and "2 sessions, 16 May 2026 to 23 May 2026" in page
    assert f'href="/panels/{slug_of(past)}/how-we-chose"' in page
    assert f'href="/panels/{slug}"' in page and slug_of(upcoming) in page
    home = client.get("/").text
    assert f'href="/panels/{slug}">Join the Resident Panel' in home  # the navigation
    assert "register for the Panel Now" in home
    assert f'href="/panels/{slug_of(past)}/how-we-chose">Anyone can check how the panel was chosen</a>' in home
    assert 'aria-current="page"' in client.get(f"/panels/{slug}").text.split("Join the Resident Panel")[0][-200:]


def test_registration_closes_for_good_once_the_panel_is_drawn(client, officer_client):
    panel_id = create_panel(officer_client, deadline=(date.today() + timedelta(days=30)).isoformat())
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    assert post_form(client, f"/panels/{slug}/register", registration(1, "Male", 30),
                     follow_redirects=False).status_code == 303
    record_draw(panel_id)
    page = client.get(f"/panels/{slug}")
    assert page.status_code == 200
    assert "Registration has closed" in page.text and "The panel has been chosen" in page.text
    assert 'action="/panels/' not in page.text  # no form
    late = post_form(client, f"/panels/{slug}/register", registration(2, "Female", 40))
    assert late.status_code == 410 and "Registration has closed" in late.text
    assert run(Volunteer.count().where(Volunteer.panel == panel_id).run()) == 1


def test_a_panel_without_deadline_stops_taking_registrations_when_it_has_met(client, officer_client):
    """The 2022 panel (no deadline, sessions in July 2022) still took registrations in 2026."""
    panel_id = create_panel(officer_client, deadline="", session_1_date="2022-07-20", session_2_date="2022-07-27")
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    assert run(Panel.select(Panel.registration_deadline).where(Panel.id == panel_id).first().run())[
        "registration_deadline"] is None
    page = client.get(f"/panels/{slug}")
    assert page.status_code == 200 and "Registration closed when the panel started meeting" in page.text
    assert "Register your interest" not in page.text
    assert post_form(client, f"/panels/{slug}/register", registration(1, "Male", 30)).status_code == 410
    assert run(Volunteer.count().run()) == 0
    assert "Finished" in client.get("/panels").text
    assert re.search(r"Join the Resident Panel", client.get("/").text) is None
