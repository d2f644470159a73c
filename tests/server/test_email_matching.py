"""Addresses are matched on one normalised column (case-folded and NFKC in Python), never with
SQL's ``lower``: SQLite's folds only ASCII, so ``ÉMILE@Example.org`` was not found by a subject
access search or erasure there. Links asked for by email go to the address held on the record,
never to the address as typed."""

from __future__ import annotations

import importlib

from panels.tables import Volunteer
from server.tables import OutboxEmail
from surveys.tables import Comment, SurveyResponse
from tests.factories.residents import answer_questionnaire, outbox_for, post_comment, register_volunteer
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form

TYPED = "ÉMILE@Example.org"
KELVIN = "\u212aate@example.org"  # KELVIN SIGN, which NFKC and case-folding turn into "k"


def _store_as_typed_before_the_key_existed() -> None:
    """Rows as an older release left them: the address as the resident typed it, no key."""
    run(Volunteer.update({Volunteer.email: TYPED, Volunteer.email_key: ""}, force=True).run())
    run(Comment.update({Comment.email: TYPED, Comment.email_key: ""}, force=True).run())
    run(SurveyResponse.update({SurveyResponse.contact_email: TYPED, SurveyResponse.contact_email_key: ""},
                              force=True).run())


def test_an_address_with_non_ascii_capitals_is_found_and_erased(client, officer_client):
    register_volunteer(client, officer_client, email=TYPED)
    run(make_case_study(premoderated=False))
    post_comment(client, email=TYPED)
    run(make_consultation())
    answer_questionnaire(client, email=TYPED)
    for stored in (run(Volunteer.select(Volunteer.email_key).first().run())["email_key"],
                   run(Comment.select(Comment.email_key).first().run())["email_key"],
                   run(SurveyResponse.select(SurveyResponse.contact_email_key).first().run())["contact_email_key"]):
        assert stored == "émile@example.org"

    _store_as_typed_before_the_key_existed()
    for app in ("panels", "surveys"):  # the migration that fills the key for existing rows
        migration = importlib.import_module(f"{app}.migrations.{app}_2026_12_05t10_24_40_000000")
        run(migration.fill_email_keys())

    found = post_form(officer_client, "/officer/personal-data", {"email": "Émile@EXAMPLE.org", "reason": "SAR-7"})
    assert "3 records held" in found.text, found.text
    erased = post_form(officer_client, "/officer/personal-data/erase",
                       {"email": "émile@example.org", "reason": "SAR-7", "confirm": "yes"})
    assert "Panel registrations: 1." in erased.text and "Comments: 1." in erased.text
    assert run(Volunteer.select(Volunteer.status, Volunteer.email).first().run()) == {"status": "erased", "email": ""}
    assert run(Comment.select(Comment.email, Comment.body).first().run()) == {"email": "", "body": ""}
    assert run(SurveyResponse.select(SurveyResponse.contact_email).first().run())["contact_email"] == ""


def test_a_link_asked_for_with_a_kelvin_sign_goes_to_the_address_held_not_the_one_typed(client, officer_client):
    register_volunteer(client, officer_client, email="kate@example.org")
    asked = post_form(client, "/your-data", {"email": KELVIN}, follow_redirects=False)
    assert asked.status_code == 303
    assert outbox_for(KELVIN) == []  # the other mailbox gets nothing, least of all Kate's link
    links = [row for row in outbox_for("kate@example.org") if row["about"].startswith("personal_data_link:")]
    assert len(links) == 1
    assert run(OutboxEmail.count().where(OutboxEmail.to_address != "kate@example.org").run()) == 0
