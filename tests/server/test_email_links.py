"""Links in emails are built on SITE_URL, never on the Host header a request arrived with
(issue 15, item 7): anyone can send a request with ``Host: evil.example``, and the council's mail
server would then have mailed a resident a link to the attacker's site."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.factories.residents import outbox_for
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import csrf_token, post_form, send

FORGED = {"host": "evil.example"}


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_a_forged_host_does_not_change_the_link_in_a_registration_email(client, officer_client, settings):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    response = post_form(client, f"/panels/{slug_of(panel_id)}/register", registration(1, "Female", 40),
                         headers=FORGED, follow_redirects=False)
    assert response.status_code == 303
    [mail] = outbox_for("resident1@example.com")
    [link] = _links(mail["body"])
    assert link.startswith(f"{settings.site_url}/my-panel/") and "evil.example" not in mail["body"]
    page = client.get(response.headers["location"], headers=FORGED)
    assert link in page.text and "evil.example" not in page.text


def test_a_forged_host_does_not_change_the_link_in_a_comment_notice(client, settings):
    run(make_case_study())
    response = post_form(client, "/case-studies/debt-early-help/comments",
                         {"body": "Say who sees the data", "display_name": "Amina", "email": "amina@example.org"},
                         headers=FORGED)
    assert response.status_code == 200
    [mail] = outbox_for("amina@example.org")
    assert _links(mail["body"])[0].startswith(f"{settings.site_url}/my/comments/") and "evil.example" not in mail["body"]


def test_a_forged_host_does_not_change_the_link_in_an_answers_copy(client, settings):
    run(make_consultation())
    base = "/consultations/data-charter"
    client.get(f"{base}/questionnaire")
    send(client, f"{base}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(f"{base}/check").text).group(1)
    body = urlencode([("idempotency_key", key), ("contact_email", "ann@example.org"), ("_csrf_token", csrf_token(client))])
    done = client.post(f"{base}/submit", content=body, follow_redirects=False,
                       headers={**FORGED, "content-type": "application/x-www-form-urlencoded"})
    assert done.status_code == 303
    [mail] = outbox_for("ann@example.org")
    assert _links(mail["body"])[0].startswith(f"{settings.site_url}/your-data/") and "evil.example" not in mail["body"]
    page = client.get(f"{base}/confirmation", headers=FORGED).text
    assert f"{settings.site_url}/your-data/" in page and "evil.example" not in page
