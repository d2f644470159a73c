"""Erasing through a record's own private link erases that record and the emails about it, and
nothing else. The attack this stops: post a comment giving someone else's email, take the private
link the confirmation page shows, erase — and the victim's queued emails (a panel invitation among
them) and every private link emailed to them were gone. An address joins a person's records only
once it is confirmed: a link emailed to it has been used."""

from __future__ import annotations

import re
from datetime import date

from panels.invitations import invitation_email
from panels.tables import Panel, Volunteer
from server.services.outbox import write_outbox
from server.tables import OutboxEmail, PersonalDataLink
from surveys.tables import Comment
from tests.factories.residents import outbox_for, register_volunteer
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import post_form

VICTIM = "resident1@example.com"


def _queue_invitation() -> None:
    panel = run(Panel.objects().first().run())
    volunteer = run(Volunteer.objects().first().run())
    run(write_outbox([invitation_email(panel, volunteer, link="https://council.example/my-panel/invitation-token",
                                       sessions=[], reply_by=date(2027, 3, 1), postal_address="Freepost", calendar="")]))


def _link_sent_to(address: str) -> str:
    mail = [row for row in outbox_for(address) if row["about"].startswith("personal_data_link:")][-1]
    return re.search(r"/your-data/(\S+)", mail["body"]).group(1)


def test_erasing_a_comment_posted_with_someone_elses_email_leaves_their_mail_and_links(client, officer_client):
    register_volunteer(client, officer_client)  # the victim, resident1@example.com
    _queue_invitation()
    post_form(client, "/your-data", {"email": VICTIM})
    victims_link = _link_sent_to(VICTIM)
    held_before = {row["id"] for row in outbox_for(VICTIM)}
    assert len(held_before) == 3  # registration, invitation, link

    run(make_case_study(premoderated=False))
    posted = post_form(client, "/case-studies/debt-early-help/comments",
                       {"body": "Words of an attacker", "display_name": "Mallory", "email": VICTIM})
    attackers_token = re.search(r"/my/comments/([A-Za-z0-9_\-]+)", posted.text).group(1)  # shown on screen

    page = client.get(f"/your-data/{attackers_token}")
    assert page.status_code == 200 and "Words of an attacker" in page.text
    assert "Test Resident 1" not in page.text and "1 Test Street" not in page.text  # the victim's records stay apart
    erased = post_form(client, f"/your-data/{attackers_token}/erase", {"confirm": "yes"}, follow_redirects=False)
    assert erased.status_code == 303

    assert run(Comment.select(Comment.state).first().run())["state"] == "erased"
    assert {row["id"] for row in outbox_for(VICTIM)} == held_before  # only the comment's own email went
    assert any("You have been chosen" in row["subject"] for row in outbox_for(VICTIM))
    assert run(PersonalDataLink.count().run()) == 1
    assert run(Volunteer.select(Volunteer.status).first().run())["status"] == "pool"
    victims_page = client.get(f"/your-data/{victims_link}")
    assert victims_page.status_code == 200 and "Test Resident 1" in victims_page.text


def test_erasing_through_a_link_emailed_to_the_address_erases_everything_held_under_it(client, officer_client):
    register_volunteer(client, officer_client)
    _queue_invitation()
    run(make_case_study(premoderated=False))
    post_form(client, "/case-studies/debt-early-help/comments", {"body": "My words", "display_name": "", "email": VICTIM})
    run(OutboxEmail.insert(OutboxEmail(to_address="someone.else@example.com", subject="Other", body="Kept")).run())
    post_form(client, "/your-data", {"email": VICTIM})
    confirmed = _link_sent_to(VICTIM)

    erased = post_form(client, f"/your-data/{confirmed}/erase", {"confirm": "yes"}, follow_redirects=False)
    assert erased.status_code == 303
    assert run(Volunteer.select(Volunteer.status).first().run())["status"] == "erased"
    assert run(Comment.select(Comment.state).first().run())["state"] == "erased"
    assert outbox_for(VICTIM) == [] and run(PersonalDataLink.count().run()) == 0
    assert [row["body"] for row in outbox_for("someone.else@example.com")] == ["Kept"]


def test_emails_queued_before_they_named_their_record_are_named_by_the_link_they_carry(client, officer_client):
    import importlib

    _, volunteer_token = register_volunteer(client, officer_client)
    run(make_case_study(premoderated=False))
    posted = post_form(client, "/case-studies/debt-early-help/comments",
                       {"body": "Words of an attacker", "display_name": "", "email": VICTIM})
    comment_token = re.search(r"/my/comments/([A-Za-z0-9_\-]+)", posted.text).group(1)
    run(OutboxEmail.update({OutboxEmail.about: ""}, force=True).run())  # as an older release queued them
    migration = importlib.import_module("server.migrations.server_2026_12_05t10_24_42_000000")
    run(migration.name_the_records())
    abouts = sorted(row["about"] for row in outbox_for(VICTIM))
    assert abouts == ["case_study_comment:1", "panel_volunteer:1"]

    post_form(client, f"/your-data/{comment_token}/erase", {"confirm": "yes"})
    assert [row["about"] for row in outbox_for(VICTIM)] == ["panel_volunteer:1"]
    assert client.get(f"/my-panel/{volunteer_token}").status_code == 200
