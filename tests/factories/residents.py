"""What residents do through the public forms, as data-rights and retention tests need it: a
volunteer registered, a comment posted, a questionnaire answered; each returns the private token
the resident is sent."""

from __future__ import annotations

import re

from server.tables import OutboxEmail
from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form, send


def outbox_for(to_address: str) -> list[dict]:
    """Emails waiting for ``to_address``, oldest first."""
    return run(OutboxEmail.select().where(OutboxEmail.to_address == to_address).order_by(OutboxEmail.id).run())


def register_volunteer(client, officer_client, **overrides) -> tuple[int, str]:
    """A panel with one registered volunteer; returns the panel id and the volunteer's private token."""
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    data = {**registration(1, "Female", 40), **overrides}
    response = post_form(client, f"/panels/{slug_of(panel_id)}/register", data, follow_redirects=False)
    assert response.status_code == 303, response.text
    body = outbox_for(data["email"])[0]["body"]
    return panel_id, re.search(r"/my-panel/(\S+)", body).group(1)


def post_comment(client, *, email: str, body: str = "Say who sees the data", slug: str = "debt-early-help") -> str:
    response = post_form(client, f"/case-studies/{slug}/comments",
                         {"body": body, "display_name": "Amina", "email": email}, follow_redirects=False)
    assert response.status_code in (200, 303), response.text
    mail = [row for row in outbox_for(email) if "/my/comments/" in row["body"]][-1]
    return re.search(r"/my/comments/(\S+)", mail["body"]).group(1)


def answer_questionnaire(client, *, email: str) -> tuple[str, str]:
    """Complete the sample questionnaire; returns the confirmation page and the private link's token."""
    base = "/consultations/data-charter"
    client.get(f"{base}/questionnaire")
    send(client, f"{base}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")])
    send(client, f"{base}/questionnaire/2", [("visits", "3"), ("suggestions", "Publish the register")])
    send(client, f"{base}/questionnaire/3", [("sex", "Female")])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(f"{base}/check").text).group(1)
    done = send(client, f"{base}/submit", [("idempotency_key", key), ("contact_email", email)])
    assert done.status_code == 303, done.text
    page = client.get(f"{base}/confirmation").text
    match = re.search(r"/your-data/([A-Za-z0-9_\-]+)", page)
    return page, match.group(1) if match else ""
