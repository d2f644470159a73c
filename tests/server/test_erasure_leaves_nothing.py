"""After an erasure or a retention purge, nothing in any table holds the person's email, name,
street address, postcode or words: not the selection run's inputs (households are keyed hashes),
not the audit log (emails are keyed hashes), not a report's quotes (published versions included),
not the outbox, not a rejected comment. Each test scans every text column of every Piccolo table
of every app."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import escape

from piccolo.columns import Text, Varchar
from piccolo.conf.apps import Finder

from analysis.tables import ReportQuote, ReportVersion
from panels.tables import SelectionRun, Volunteer
from server.services.retention import purge_personal_data
from server.tables import AuditEntry
from surveys.tables import Comment
from tests.factories.panels import create_panel, fill_pool, registration, set_quotas, slug_of
from tests.factories.reports import BASE, publish, related_comment, seed
from tests.factories.residents import outbox_for
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form, send

EMAIL = "Zelda.Quorn@Example.org"
NAME = "Zelda Quorn"
ADDRESS = "17 Quillfeather Lane"
POSTCODE = "NW1 9ZQ"
WORDS = "Xylophonic marmalade governance"
NEEDLES = ("zelda.quorn", "zelda quorn", "quillfeather", "nw1 9zq", "nw19zq", "xylophonic")


def _everything_held() -> list[tuple[str, str, str]]:
    """(table, column, value) for every text value in the database."""
    found = []
    for table in Finder().get_table_classes():
        columns = [column for column in table._meta.columns if isinstance(column, (Varchar, Text))]
        if not columns:
            continue
        for row in run(table.select(*columns).run()):
            found += [(table._meta.tablename, name, str(value)) for name, value in row.items() if value]
    return found


def _traces() -> list[tuple[str, str, str]]:
    return [(table, column, value[:200]) for table, column, value in _everything_held()
            if any(needle in value.casefold() for needle in NEEDLES)]


def _register_the_resident_among_others(client, officer_client) -> int:
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    fill_pool(client, slug)
    data = {**registration(99, "Female", 41), "full_name": NAME, "email": EMAIL, "address": ADDRESS, "postcode": POSTCODE}
    assert post_form(client, f"/panels/{slug}/register", data, follow_redirects=False).status_code == 303
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    assert started.status_code == 303
    return panel_id


def _comment_quoted_in_a_published_report(client) -> None:
    run(make_case_study(premoderated=False))
    posted = post_form(client, "/case-studies/debt-early-help/comments",
                       {"body": f"{WORDS}, please.", "display_name": NAME, "email": EMAIL})
    assert posted.status_code == 200
    consultation_id = run(make_consultation())
    comment_id = run(Comment.select(Comment.id).first().run())["id"]
    run(ReportQuote.insert(ReportQuote(consultation=consultation_id, comment=comment_id, question_key="", text=WORDS)).run())
    run(ReportVersion.insert(ReportVersion(
        consultation=consultation_id, version=1, title="We asked, you said",
        document_json=json.dumps({"quotes": [{"text": WORDS}]}), open_data_csv=f'section,text\nquote,"{WORDS}"\n',
        html=f"<blockquote>{escape(WORDS)}</blockquote>")).run())


def test_an_erasure_leaves_nothing_that_names_or_locates_the_resident(client, officer_client):
    _register_the_resident_among_others(client, officer_client)
    _comment_quoted_in_a_published_report(client)
    assert post_form(client, "/follow/consultation", {"subject": "data-charter", "email": EMAIL}).status_code == 200
    post_form(client, "/login", {"email": EMAIL, "password": "a guess at a password"})  # a refused sign-in is audited
    found = post_form(officer_client, "/officer/personal-data", {"email": EMAIL, "reason": f"SAR from {EMAIL}"})
    assert "3 records held" in found.text
    inputs = run(SelectionRun.select(SelectionRun.inputs_json).first().run())["inputs_json"]
    assert "quillfeather" not in inputs.casefold() and "2ru" not in inputs.casefold()  # households are hashed
    assert len(_traces()) > 5  # the scan sees the resident before the erasure

    post_form(client, "/your-data", {"email": EMAIL})
    mail = [row for row in outbox_for("zelda.quorn@example.org") if row["about"].startswith("personal_data_link:")][0]
    token = re.search(r"/your-data/(\S+)", mail["body"]).group(1)
    assert post_form(client, f"/your-data/{token}/erase", {"confirm": "yes"}, follow_redirects=False).status_code == 303

    assert _traces() == []
    assert run(ReportQuote.count().run()) == 0
    version = run(ReportVersion.select().first().run())
    assert "quote removed at its author" in version["html"] and "quote removed" in version["document_json"]
    assert run(Volunteer.count().where(Volunteer.status == "erased").run()) == 1
    assert run(Volunteer.count().where(Volunteer.status != "erased").run()) == 24  # nobody else touched


def test_a_retention_purge_leaves_nothing_either(client, officer_client, settings):
    _register_the_resident_among_others(client, officer_client)
    run(make_case_study(premoderated=True))
    post_form(client, "/case-studies/debt-early-help/comments",
              {"body": f"{WORDS}, says the shop on Quillfeather Lane", "display_name": NAME, "email": EMAIL})
    comment_id = run(Comment.select(Comment.id).first().run())["id"]
    post_form(officer_client, f"/officer/moderation/{comment_id}", {"action": "rejected", "reason": "off_topic"})
    assert run(Comment.select(Comment.body).first().run())["body"].startswith(WORDS)  # kept while its author may look
    run(make_consultation())
    assert post_form(client, "/follow/consultation", {"subject": "data-charter", "email": EMAIL}).status_code == 200
    run(purge_personal_data(settings=settings, now=datetime.now(timezone.utc) + timedelta(days=3 * 365)))
    assert _traces() == []
    assert run(Volunteer.count().where(Volunteer.status != "erased").run()) == 0


def test_a_comment_rejected_for_personal_information_is_forgotten_at_once(client, officer_client):
    run(make_case_study(premoderated=True))
    post_form(client, "/case-studies/debt-early-help/comments",
              {"body": f"My neighbour {NAME} lives at {ADDRESS}, {POSTCODE}", "display_name": NAME, "email": ""})
    comment_id = run(Comment.select(Comment.id).first().run())["id"]
    assert ADDRESS in officer_client.get("/officer/moderation").text
    decided = post_form(officer_client, f"/officer/moderation/{comment_id}",
                        {"action": "rejected", "reason": "personal_information"})
    assert decided.status_code in (200, 303), decided.text
    stored = run(Comment.select(Comment.state, Comment.body, Comment.display_name).first().run())
    assert stored == {"state": "rejected", "body": "", "display_name": ""}
    assert _traces() == []


def test_a_quoted_comment_removed_for_personal_information_leaves_the_report(client, officer_client):
    _comment_quoted_in_a_published_report(client)
    run(Comment.update({Comment.state: "hidden", Comment.report_count: 3}, force=True).run())  # reported
    comment_id = run(Comment.select(Comment.id).first().run())["id"]
    removed = post_form(officer_client, f"/officer/moderation/{comment_id}",
                        {"action": "rejected", "reason": "personal_information"})
    assert removed.status_code in (200, 303), removed.text
    assert run(ReportQuote.count().run()) == 0
    # the text and name go at once; the email address (to tell the author) goes with the retention period
    assert [trace for trace in _traces() if "zelda.quorn@" not in trace[2].casefold()] == []


def test_the_audit_log_keeps_a_bounded_hash_of_a_sign_in_email_never_the_email(client):
    long_email = "x" * 300 + "@example.org"
    refused = post_form(client, "/login", {"email": long_email, "password": "a guess at a password"})
    assert refused.status_code == 422
    post_form(client, "/login", {"email": EMAIL, "password": "a guess at a password"})
    entries = run(AuditEntry.select(AuditEntry.object_id, AuditEntry.detail).where(AuditEntry.action == "login_failed").run())
    assert len(entries) == 2
    assert all(entry["object_id"].startswith("email:") and len(entry["object_id"]) <= 120 for entry in entries), entries
    assert _traces() == []


def test_an_erased_comment_leaves_the_published_report_it_was_quoted_in(client, officer_client):
    run(seed())
    words = f'Don\'t "sell" our data: {WORDS} & more'
    comment_id = run(related_comment(body=words, name=NAME, email=EMAIL))
    quoted = send(officer_client, f"{BASE}/comment-quotes", [("comment_id", comment_id), ("text", words), ("checked", "yes")])
    assert quoted.status_code == 303
    report = publish(officer_client)
    assert WORDS in client.get(report).text

    erased = post_form(officer_client, "/officer/personal-data/erase", {"email": EMAIL, "reason": "SAR-9", "confirm": "yes"})
    assert "Comments: 1." in erased.text
    page = client.get(report)
    assert page.status_code == 200 and WORDS not in page.text and "quote removed at its author" in page.text
    assert _traces() == []
