"""The demo tells the deliberation story of the 2021 panel: each session's agenda and tables, day
three's points linked to the recommendations they became, and two case studies reviewed against
the principles with the council's reply on their pages. (The whole demo loads: marked slow.)"""

from __future__ import annotations

import re

import pytest


pytestmark = pytest.mark.slow


def test_the_2021_panel_deliberated_and_its_reviews_are_published(demo_loaded, client, officer_client, staff_client):
    study = client.get("/case-studies/debt-early-help").text
    assert "The Resident Panel's view" in study and "20 members of the Camden Data Charter Resident Panel 2021" in study
    assert "Agreed by Cabinet, 19 January 2022" in study and "Principle 7: Protect individuals" in study
    assert "The Resident Panel's view" in client.get("/case-studies/residents-index").text
    assert "The Resident Panel's view" not in client.get("/case-studies/food-insecurity-map").text

    facilitator = staff_client("facilitator")
    home = facilitator.get("/facilitator").text
    day_three = re.search(r'href="(/facilitator/sessions/\d+)">Day three: writing the charter', home).group(1)
    session = facilitator.get(day_three).text
    assert "13:45 Merging drafts that say the same thing" in session
    assert len(re.findall(r'/tables/\d+"', session)) == 4 and "example.com" not in session

    panels = officer_client.get("/officer/panels").text
    panel_id = re.search(r'href="/officer/panels/(\d+)">Camden Data Charter Resident Panel 2021', panels).group(1)
    sessions = officer_client.get(f"/officer/panels/{panel_id}/sessions/").text
    session_id = re.findall(rf'/officer/panels/{panel_id}/sessions/(\d+)', sessions)[-1]
    page = officer_client.get(f"/officer/panels/{panel_id}/sessions/{session_id}").text
    assert page.count("Drafted as a recommendation") == 7
    assert "Long discussion of whether" in page
