"""Following by email: double opt-in (nothing but the confirmation until confirmed), a one-click
stop link in every email (and the List-Unsubscribe header), each event that tells followers, the
language of the emails, and follows found, erased and purged with the rest of a resident's data."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from analysis.charter.demo import DEMO_CHARTER_SLUG, load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from server.platform.mailer import build_message
from server.settings import Settings
from server.tables import AuditEntry, Follow, OutboxEmail
from surveys.tables import SurveyResponse
from tests.factories.reports import publish, seed
from tests.factories.residents import outbox_for
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import post_form

FOLLOWER = "follower@example.org"


@pytest.fixture
def settings() -> Settings:
    """The send limits of production's order (the test environment raises them), so one test can reach one."""
    return replace(Settings.from_env(), send_limit_per_recipient=4, send_limit_per_address=50)


def follow(client, kind: str, subject: str, email: str = FOLLOWER):
    return post_form(client, f"/follow/{kind}", {"subject": subject, "email": email})


def link_in(body: str, route: str) -> str:
    return re.search(rf"https?://[^/\s]+(/follow/{route}/\S+)", body).group(1)


def confirm(client, email: str = FOLLOWER) -> str:
    """Use the confirmation link of the last email to ``email``; the confirmation page."""
    page = client.get(link_in(outbox_for(email)[-1]["body"], "confirm"))
    assert page.status_code == 200, page.text
    return page.text


def audit_actions(prefix: str = "follow") -> list[str]:
    return [row["action"] for row in run(AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id).run())
            if row["action"].startswith(prefix)]


def test_the_form_is_on_consultation_and_commitment_pages_and_refuses_bad_input(client, db):
    run(make_consultation("bins"))
    run(load_demo_charter())
    run(load_demo_commitments())
    for path, kind, subject in (("/consultations/bins", "consultation", "bins"),
                                (f"/charter/{DEMO_CHARTER_SLUG}/commitments/3", "commitment", f"{DEMO_CHARTER_SLUG}/3")):
        page = client.get(path).text
        assert f'action="/follow/{kind}"' in page and f'name="subject" value="{subject}"' in page, path
        assert "Follow by email" in page
    assert client.get("/follow/consultation?subject=no-such-thing").status_code == 404
    assert client.get("/follow/elsewhere?subject=bins").status_code == 404
    assert client.get("/follow/consultation?subject=bins").status_code == 200
    refused = follow(client, "consultation", "bins", "not an address")
    assert refused.status_code == 422 and "There is a problem" in refused.text and 'value="not an address"' in refused.text
    assert run(Follow.count().run()) == 0 and run(OutboxEmail.count().run()) == 0


def test_double_opt_in_then_told_when_the_report_is_published(client, officer_client, db):
    run(seed())
    # A respondent who gave their address (and so asked to be told), in Welsh.
    first = run(SurveyResponse.select(SurveyResponse.id).order_by(SurveyResponse.id).first().run())["id"]
    run(SurveyResponse.update({SurveyResponse.contact_email: "resp@example.org", SurveyResponse.contact_email_key: "resp@example.org",
                               SurveyResponse.contact_token_hash: "a" * 64, SurveyResponse.contact_locale: "cy"}).where(
        SurveyResponse.id == first).run())
    sent = follow(client, "consultation", "data-charter", "Follower@Example.org")
    assert sent.status_code == 200 and "Check your email" in sent.text
    assert follow(client, "consultation", "data-charter", "pending@example.org").status_code == 200
    [asking] = outbox_for("follower@example.org")
    assert asking["subject"] == "Confirm you want to follow ‘Consultation data-charter’"
    assert asking["unsubscribe_link"] and asking["unsubscribe_link"].endswith(link_in(asking["body"], "stop"))

    page = confirm(client, "follower@example.org")
    assert "You are following ‘Consultation data-charter’" in page
    assert "You are following" in confirm(client, "follower@example.org")  # a second use is harmless
    assert audit_actions() == ["follow_requested", "follow_requested", "follow_confirmed"]

    publish(officer_client)
    [_, told] = outbox_for("follower@example.org")
    assert told["subject"] == "Results published: Consultation data-charter"
    assert "/consultations/data-charter" in told["body"] and "To stop these emails" in told["body"]
    assert len(outbox_for("pending@example.org")) == 1  # unconfirmed: nothing but the confirmation
    [respondent] = outbox_for("resp@example.org")
    assert "Cyhoeddwyd y canlyniadau" in respondent["subject"]  # in the language they answered in
    client.cookies.set("lang", "en")
    removed = client.get(link_in(respondent["body"], "stop"))
    assert "We have removed your email address from your answers" in removed.text
    assert run(SurveyResponse.count().where(SurveyResponse.contact_email != "").run()) == 0
    assert "followers_told" in audit_actions("followers")


def test_stop_links_delete_the_follow_once_and_one_click_needs_no_cookie(client, db, settings):
    run(make_consultation("bins"))
    follow(client, "consultation", "bins")
    confirm(client)
    stop_path = link_in(outbox_for(FOLLOWER)[-1]["body"], "stop")
    tampered = stop_path[:-4] + ("0000" if not stop_path.endswith("0000") else "1111")
    assert "There is nothing to stop" in client.get(tampered).text and run(Follow.count().run()) == 1
    stopped = client.get(stop_path)
    assert stopped.status_code == 200 and "You no longer follow ‘Consultation bins’" in stopped.text
    assert run(Follow.count().run()) == 0
    assert "There is nothing to stop" in client.get(stop_path).text
    assert audit_actions() == ["follow_requested", "follow_confirmed", "follow_stopped"]

    follow(client, "consultation", "bins")
    stop_path = link_in(outbox_for(FOLLOWER)[-1]["body"], "stop")
    client.cookies.clear()
    one_click = client.post(stop_path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and run(Follow.count().run()) == 0

    message = build_message(sender="council@example.org", to_address=FOLLOWER, subject="s", body="b",
                            unsubscribe_link="https://example.org/follow/stop/follow/1/ab")
    assert message["List-Unsubscribe"] == "<https://example.org/follow/stop/follow/1/ab>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_confirmation_link_expires_and_following_again_is_one_follow(client, db):
    run(make_consultation("bins"))
    follow(client, "consultation", "bins")
    run(Follow.update({Follow.created_at: datetime.now(timezone.utc) - timedelta(days=8)}).where(Follow.id > 0).run())
    old = link_in(outbox_for(FOLLOWER)[-1]["body"], "confirm")
    assert client.get(old).status_code == 404
    follow(client, "consultation", "bins")  # asks again: a new link, the same follow
    confirm(client)
    assert run(Follow.count().run()) == 1
    follow(client, "consultation", "bins")
    assert outbox_for(FOLLOWER)[-1]["subject"] == "You already follow ‘Consultation bins’"
    assert run(Follow.count().run()) == 1


def test_the_send_limit_applies_to_the_confirmation(client, db, settings):
    run(make_consultation("bins"))
    for _ in range(settings.send_limit_per_recipient):
        assert follow(client, "consultation", "bins").status_code == 200
    refused = follow(client, "consultation", "bins")
    assert refused.status_code == 429 and "as many emails to this address" in refused.text


@pytest.fixture
def demo_commitments(db):
    run(load_demo_charter())
    run(load_demo_commitments())


def test_commitment_followers_are_told_of_an_update_in_their_language(client, officer_client, demo_commitments):
    client.cookies.set("lang", "ar")
    follow(client, "commitment", f"{DEMO_CHARTER_SLUG}/3")
    confirm(client)
    client.cookies.set("lang", "en")
    follow(client, "commitment", f"{DEMO_CHARTER_SLUG}/3", "english@example.org")
    confirm(client, "english@example.org")
    response = post_form(officer_client, f"/officer/commitments/{DEMO_CHARTER_SLUG}/items/3/updates",
                         {"status": "progress", "effective_on": datetime.now().date().isoformat(), "note": "Work started"})
    assert response.status_code in (200, 303)
    english = outbox_for("english@example.org")[-1]
    assert english["subject"].startswith("Update on a council commitment:")
    assert "Where it stands today:" in english["body"] and f"/charter/{DEMO_CHARTER_SLUG}/commitments/3" in english["body"]
    arabic = outbox_for(FOLLOWER)[-1]
    assert arabic["subject"] != english["subject"] and re.search("[\u0600-\u06ff]", arabic["subject"])


def test_follows_are_found_exported_erased_and_purged(client, db, settings):
    from server.services.personal_data import bundle_csv, bundle_for_email, erase_bundle
    from server.services.retention import purge_personal_data

    run(make_consultation("bins"))
    run(make_consultation("parks"))
    follow(client, "consultation", "bins")
    confirm(client)
    bundle = run(bundle_for_email(FOLLOWER.upper()))
    assert [record["kind"] for record in bundle.records()] == ["follow"]
    assert "Consultation bins" in bundle_csv(bundle)
    summary = run(erase_bundle(bundle))
    assert summary.follows == 1 and summary.emails_removed == 1 and "Pages followed by email: 1." in summary.notice()
    assert run(Follow.count().run()) == 0 and outbox_for(FOLLOWER) == []

    follow(client, "consultation", "bins")  # never confirmed
    follow(client, "consultation", "parks")
    confirm(client)
    now = datetime.now(timezone.utc)
    assert run(purge_personal_data(settings=settings, now=now, dry_run=True)).follows == 0
    later = now + timedelta(days=8)
    assert run(purge_personal_data(settings=settings, now=later)).follows == 1  # the unconfirmed one
    assert run(Follow.count().run()) == 1
    much_later = now + timedelta(days=settings.personal_data_retention_months * 31)
    assert run(purge_personal_data(settings=settings, now=much_later)).follows == 1
    assert run(Follow.count().run()) == 0


def test_your_information_lists_a_follow(client, db):
    from server.services.personal_data import request_link

    run(make_consultation("bins"))
    follow(client, "consultation", "bins")
    email = run(request_link(email=FOLLOWER, private_link=lambda token: f"/your-data/{token}", council_name="Council"))
    token = re.search(r"/your-data/(\S+)", email.body).group(1)
    page = client.get(f"/your-data/{token}").text
    assert "Following “Consultation bins” by email" in page and "Not confirmed" in page


def test_panel_and_recommendation_followers_are_told_of_the_vote_and_the_response(client, officer_client, db):
    from common.clock import council_today
    from panels.recommendations import list_recommendations
    from panels.tables import Panel
    from tests.support.http import send

    panel = Panel(name="Resident Panel 2026", slug="panel-2026", year=2026, panel_size=4)
    run(panel.save().run())
    base = f"/officer/panels/{panel.id}/recommendations"
    assert post_form(officer_client, f"{base}/", {"title": "Publish every agreement", "text": "Publish them all.",
                                                  "note": ""}, follow_redirects=False).status_code == 303
    [item] = run(list_recommendations(panel.id))
    closes = council_today() + timedelta(days=7)
    opened = send(officer_client, f"{base}/votes/new", [
        ("title", "Day three"), ("threshold", "80"), ("closes_on-day", str(closes.day)),
        ("closes_on-month", str(closes.month)), ("closes_on-year", str(closes.year)), ("recommendations", str(item.id))])
    vote_id = int(re.search(r"/votes/(\d+)", opened.headers["location"]).group(1))

    assert 'action="/follow/panel"' in client.get("/panels/panel-2026").text
    follow(client, "panel", "panel-2026", "panel@example.org")
    confirm(client, "panel@example.org")
    follow(client, "recommendation", f"{panel.id}/{item.id}", "item@example.org")
    confirm(client, "item@example.org")

    assert post_form(officer_client, f"{base}/votes/{vote_id}/close", follow_redirects=False).status_code == 303
    told = outbox_for("panel@example.org")[-1]
    assert told["subject"] == "Recommendations published: Resident Panel 2026"
    assert "/panels/panel-2026/recommendations" in told["body"]
    assert len(outbox_for("item@example.org")) == 1
    page = client.get("/panels/panel-2026/recommendations").text
    assert f'name="subject" value="{panel.id}/{item.id}"' in page and 'id="follow-email-' in page

    response = [("outcome", "accepted"), ("reasons", "We will publish the register."), ("decision", "Cabinet"),
                ("decided_on-day", "19"), ("decided_on-month", "1"), ("decided_on-year", "2022"), ("owner", "Team")]
    assert send(officer_client, f"{base}/{item.id}/response/", response).status_code == 303
    answered = outbox_for("item@example.org")[-1]
    assert answered["subject"] == "The council has responded: Publish every agreement"
    assert f"/panels/panel-2026/recommendations#r{item.number}" in answered["body"]
    send(officer_client, f"{base}/{item.id}/response/", response)  # saved again unchanged: no news
    assert len(outbox_for("item@example.org")) == 2
    send(officer_client, f"{base}/{item.id}/response/", [(k, "not_accepted" if k == "outcome" else v) for k, v in response])
    assert outbox_for("item@example.org")[-1]["subject"] == "The council has changed its response: Publish every agreement"
    assert len(outbox_for("panel@example.org")) == 2  # the confirmation and the vote's results


def test_a_vote_that_runs_to_its_last_day_is_announced_once_by_the_background_check(app, client, officer_client):
    from common.clock import council_today
    from panels.tables import Panel, RecommendationVote
    from server.controllers.follows.links import app_follow_links, queue_vote_announcements
    from server.services.follows import announce_ended_votes

    panel = Panel(name="Resident Panel 2027", slug="panel-2027", year=2027, panel_size=4)
    run(panel.save().run())
    today = council_today()
    votes = [RecommendationVote(panel=panel.id, title=title, opened_on=today - timedelta(days=days + 7),
                                closes_on=today - timedelta(days=days)) for title, days in (("Lately", 1), ("Long ago", 60))]
    run(RecommendationVote.insert(*votes).run())
    follow(client, "panel", "panel-2027")
    confirm(client)

    def check() -> None:
        run(queue_vote_announcements(run(announce_ended_votes(today=today, links=app_follow_links(app)))))

    check()
    check()  # told once, however often the check runs
    told = [row for row in outbox_for(FOLLOWER) if row["subject"].startswith("Recommendations published")]
    assert len(told) == 1 and "/panels/panel-2027/recommendations" in told[0]["body"]
    lately = run(RecommendationVote.select(RecommendationVote.id).where(RecommendationVote.title == "Lately").first().run())
    post_form(officer_client, f"/officer/panels/{panel.id}/recommendations/votes/{lately['id']}/close")
    assert len([row for row in outbox_for(FOLLOWER) if row["subject"].startswith("Recommendations published")]) == 1
