"""Resident Panels made through the officer's forms, and volunteers registered through the public
form: what most panel, selection and data-rights tests start from."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from panels.registration import ADULT_AGE_BANDS
from tests.support.database import run
from tests.support.http import post_form

SESSIONS = {
    "session_1_title": "Day one", "session_1_date": "2026-05-16", "session_1_start": "10:00", "session_1_end": "16:00",
    "session_1_place": "Crowndale Centre",
    "session_2_title": "Day two", "session_2_date": "2026-05-23", "session_2_start": "10:00", "session_2_end": "16:00",
    "session_2_place": "Crowndale Centre",
}


def create_panel(officer_client, **overrides) -> int:
    data = {"name": "Test Resident Panel", "year": "2026", "panel_size": "6", "voucher": "30",
            "deadline": (date.today() + timedelta(days=30)).isoformat(), "retention_days": "365",
            "household_rule": "yes", "prefer_not_to_say": "yes", **SESSIONS, **overrides}
    response = post_form(officer_client, "/officer/panels/new", data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.search(r"/officer/panels/(\d+)/quotas", response.headers["location"]).group(1))


def set_quotas(officer_client, panel_id: int, dimensions=("sex", "age_band"), tolerance="50"):
    response = officer_client.post(
        f"/officer/panels/{panel_id}/quotas",
        data={"census_file": "camden-2011.csv", "dimensions": list(dimensions), "tolerance": tolerance,
              "tenure_prefix": "households", "_csrf_token": officer_client.cookies.get("civicpanel_csrf")},
        files={"census_upload": ("", b"", "text/csv")}, follow_redirects=False)
    assert response.status_code == 303, response.text


def slug_of(panel_id: int) -> str:
    from panels.tables import Panel

    return run(Panel.select(Panel.slug).where(Panel.id == panel_id).first().run())["slug"]


def registration(number: int, sex: str, age: int) -> dict[str, str]:
    return {"full_name": f"Test Resident {number}", "email": f"resident{number}@example.com", "phone": "",
            "address": f"{number} Test Street", "postcode": "NW1 2RU", "age": str(age), "sex": sex, "consent": "yes"}


def fill_pool(client, slug: str, count: int = 24) -> None:
    rng = random.Random(4)
    for number in range(count):
        band = ADULT_AGE_BANDS[number % len(ADULT_AGE_BANDS)]
        low = int(band.rstrip("+").split("-")[0])
        response = post_form(client, f"/panels/{slug}/register",
                             registration(number, ("Male", "Female")[number % 2], low + rng.randint(0, 4)),
                             follow_redirects=False)
        assert response.status_code == 303, response.text


def send_invitations(officer_client, panel_id: int, reply_by: date | None = None) -> int:
    """Send the invitations waiting after a draw, as the officer's review page does; returns how many."""
    day = reply_by or date.today() + timedelta(days=10)
    response = post_form(officer_client, f"/officer/panels/{panel_id}/invitations",
                         {"reply_by-day": str(day.day), "reply_by-month": str(day.month), "reply_by-year": str(day.year)},
                         follow_redirects=False)
    assert response.status_code == 303, response.text[-2000:]
    return int(re.search(r"sent=(\d+)", response.headers["location"]).group(1))


IMPORT_TERMS = {"lawful_basis": "public_task",
                "notice_text": "Camden Council will use these details to invite you to take part in its Resident Panel."}
"""What the officer states for an imported file: its lawful basis and the wording those people saw."""


def import_pool(officer_client, panel_id: int, content: bytes | str, *, filename: str = "pool.csv", **terms: str):
    """Upload a respondents CSV to the panel's pool with the lawful basis and notice wording."""
    data = {**IMPORT_TERMS, **terms, "_csrf_token": officer_client.cookies.get("civicpanel_csrf")}
    body = content.encode() if isinstance(content, str) else content
    return officer_client.post(f"/officer/panels/{panel_id}/pool/import", data=data,
                               files={"respondents": (filename, body, "text/csv")}, follow_redirects=False)
