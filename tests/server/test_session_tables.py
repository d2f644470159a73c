"""A session's agenda and tables over HTTP: seated automatically to look like the panel, moved by
hand, a facilitator records a table's points and notes, and an officer drafts a recommendation
from a point; seating again is refused once a table has records."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timezone

from common.tokens import hash_token
from panels.tables import Panel, PanelQuota, PanelSession, Volunteer
from tests.support.database import run
from tests.support.http import post_form, send

JOINED = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


async def _panel() -> tuple[int, int]:
    panel = Panel(name="Resident Panel 2026", slug="panel-2026", year=2026, panel_size=12)
    await panel.save().run()
    session = PanelSession(panel=panel.id, title="Day one", held_on=date(2026, 5, 16), starts_at=time(10),
                           ends_at=time(16), place="Crowndale Centre")
    await session.save().run()
    await PanelQuota.insert(*[PanelQuota(panel=panel.id, dimension="sex", category=sex, target=6, quota_min=5,
                                         quota_max=7) for sex in ("Female", "Male")]).run()
    await Volunteer.insert(*[Volunteer(
        id=301 + i, panel=panel.id, reference=f"RP-T{i:02d}", full_name=f"Member {i:02d}", email=f"m{i}@example.com",
        token_hash=hash_token(f"token-{i}"), status="confirmed", consent_at=JOINED, registered_at=JOINED,
        answers=json.dumps({"sex": "Female" if i < 6 else "Male"})) for i in range(12)]).run()
    return int(panel.id), int(session.id)


def test_tables_look_like_the_panel_and_points_become_drafts(client, officer_client, staff_client):
    panel_id, session_id = run(_panel())
    base = f"/officer/panels/{panel_id}/sessions/{session_id}"
    assert post_form(officer_client, f"{base}/agenda", {"agenda": "10:00 Welcome\n10:30 What is personal data?"},
                     follow_redirects=False).status_code == 303
    bad = post_form(officer_client, f"{base}/seat", {"tables": "none"}, follow_redirects=False)
    assert bad.status_code == 422 and "Enter a number of tables" in bad.text
    assert post_form(officer_client, f"{base}/seat", {"tables": "3"}, follow_redirects=False).status_code == 303
    page = officer_client.get(base).text
    assert "Distance from the panel&#39;s mix, added over tables and categories: 0.0" in page \
        or "Distance from the panel's mix, added over tables and categories: 0.0" in page
    female_row = re.search(r"Sex: Female</td>(.*?)</tr>", page, re.S) or re.search(r"Female</t[hd]>(.*?)</tr>", page, re.S)
    assert re.findall(r">\s*(\d+)\s*<", female_row.group(1)) == ["6", "2", "2", "2"]

    moved = post_form(officer_client, f"{base}/moves", {**{f"m{301 + i}": str(1 + i % 3) for i in range(12)}, "m301": "9"},
                      follow_redirects=False)
    assert moved.status_code == 422 and "Choose a table from 1 to 3" in moved.text
    assert post_form(officer_client, f"{base}/moves", {f"m{301 + i}": "1" if i == 0 else str(1 + i % 3) for i in range(12)},
                     follow_redirects=False).status_code == 303

    facilitator = staff_client("facilitator")
    session_page = facilitator.get(f"/facilitator/sessions/{session_id}").text
    assert "10:30 What is personal data?" in session_page and "m0@example.com" not in session_page
    table_url = re.search(r'href="(/facilitator/sessions/\d+/tables/\d+)"', session_page).group(1)
    empty = send(facilitator, table_url, [("kind", "point"), ("text", "  ")])
    assert empty.status_code == 422 and "Enter what the table said" in empty.text
    point = "Tell every resident, once a year, which of their records were shared and with whom."
    assert send(facilitator, table_url, [("kind", "point"), ("text", point)]).status_code == 303
    assert send(facilitator, table_url, [("kind", "note"), ("text", "Long discussion of school data.")]).status_code == 303
    assert point in facilitator.get(table_url).text
    assert facilitator.get(base, follow_redirects=False).status_code == 403  # the officer's page is not theirs

    again = post_form(officer_client, f"{base}/seat", {"tables": "4"}, follow_redirects=False)
    assert again.status_code == 422 and "already have notes or points" in again.text
    record_id = re.search(r'/points/(\d+)/draft', officer_client.get(base).text).group(1)
    drafted = post_form(officer_client, f"{base}/points/{record_id}/draft", {"title": "A yearly data statement"},
                        follow_redirects=False)
    assert drafted.status_code == 303
    recommendation = officer_client.get(drafted.headers["location"]).text
    assert point in recommendation and "From table 1" in recommendation
    twice = post_form(officer_client, f"{base}/points/{record_id}/draft", {"title": "Again"}, follow_redirects=False)
    assert twice.status_code == 422 and "already a draft recommendation" in twice.text
