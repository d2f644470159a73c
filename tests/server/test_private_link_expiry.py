"""A record's own private link (registration, comment, questionnaire answers) stops working after
``PRIVATE_LINK_IDLE_MONTHS`` without use; using it keeps it working; a new link is asked for by
email and goes to the address held."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from panels.tables import Volunteer
from surveys.tables import Comment, SurveyResponse
from tests.factories.residents import answer_questionnaire, outbox_for, post_comment, register_volunteer
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form

MONTH = timedelta(days=30)


def _last_used(months_ago: int) -> None:
    moment = datetime.now(timezone.utc) - months_ago * MONTH - timedelta(days=1)
    run(Volunteer.update({Volunteer.link_active_at: moment}, force=True).run())
    run(Comment.update({Comment.link_active_at: moment}, force=True).run())
    run(SurveyResponse.update({SurveyResponse.link_active_at: moment}, force=True).run())


def _links(client, officer_client) -> dict[str, str]:
    _, volunteer = register_volunteer(client, officer_client)
    run(make_case_study(premoderated=False))
    comment = post_comment(client, email="resident1@example.com")
    run(make_consultation())
    _, response = answer_questionnaire(client, email="resident1@example.com")
    return {"/my-panel/": volunteer, "/my/comments/": comment, "/your-data/": response,
            "/your-data/ (comment)": comment, "/your-data/ (registration)": volunteer}


def _status(client, path: str, token: str) -> int:
    return client.get(path.split(" ")[0] + token).status_code


def test_a_link_used_within_the_period_keeps_working_and_is_renewed(client, officer_client):
    links = _links(client, officer_client)
    _last_used(11)
    for path, token in links.items():
        assert _status(client, path, token) == 200, path
    renewed = run(Volunteer.select(Volunteer.link_active_at).first().run())["link_active_at"]
    assert renewed > datetime.now(timezone.utc) - timedelta(hours=1)


def test_a_link_unused_for_the_period_stops_working_and_a_new_one_comes_by_email(client, officer_client):
    links = _links(client, officer_client)
    _last_used(12)
    for path, token in links.items():
        page = client.get(path.split(" ")[0] + token)
        assert page.status_code == 404, path
        assert "This private link does not work" in page.text and 'href="/your-data"' in page.text, path
    assert post_form(client, f"/your-data/{links['/your-data/']}/erase", {"confirm": "yes"}).status_code == 404
    assert run(Comment.select(Comment.state).first().run())["state"] == "published"  # nothing erased

    post_form(client, "/your-data", {"email": "Resident1@example.com"})
    mail = [row for row in outbox_for("resident1@example.com") if row["about"].startswith("personal_data_link:")]
    token = re.search(r"/your-data/(\S+)", mail[0]["body"]).group(1)
    page = client.get(f"/your-data/{token}")
    assert page.status_code == 200 and "Test Resident 1" in page.text and "Say who sees the data" in page.text
