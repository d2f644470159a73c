"""The facilitator staff role: where a facilitator lands, what they see, and what they may not."""

from __future__ import annotations

from datetime import date, time

from panels.tables import Panel, PanelSession
from tests.support.database import run
from tests.support.http import create_staff, sign_in


async def _panel_with_a_session() -> None:
    panel = Panel(name="Resident Panel 2026", slug="panel-2026", year=2026, panel_size=4)
    await panel.save().run()
    await PanelSession(panel=panel.id, title="Day one: data and the council", held_on=date(2026, 5, 16),
                       starts_at=time(10), ends_at=time(16), place="Crowndale Centre").save().run()


def test_a_facilitator_lands_on_the_sessions_and_sees_only_their_menu(app, client):
    run(_panel_with_a_session())
    email = create_staff("facilitator", "fac@test.example")
    response = sign_in(client, email)
    assert response.status_code == 303 and response.headers["location"] == "/facilitator"
    page = client.get("/facilitator").text
    assert "Day one: data and the council" in page and "16 May 2026" in page
    assert 'href="/facilitator" aria-current="page"' in page
    assert 'href="/officer' not in page and 'href="/cabinet"' not in page and 'href="/admin' not in page


def test_a_facilitator_is_refused_officer_cabinet_and_admin_pages(staff_client):
    facilitator = staff_client("facilitator")
    for url in ("/officer", "/officer/panels", "/officer/personal-data", "/cabinet", "/admin"):
        assert facilitator.get(url, follow_redirects=False).status_code == 403, url


def test_officers_reach_the_session_pages_and_cabinet_does_not(officer_client, cabinet_client):
    assert officer_client.get("/facilitator").status_code == 200
    assert cabinet_client.get("/facilitator", follow_redirects=False).status_code == 403
