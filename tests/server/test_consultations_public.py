"""Residents' consultation pages over HTTP: hub, consultation page, case studies, commenting
(with and without htmx), reporting, the private link; and officers' case studies and moderation."""

from __future__ import annotations

import re
from datetime import date

from server.tables import AuditEntry, OutboxEmail
from surveys.tables import CaseStudy, Comment, Consultation
from tests.factories.reports import SLUG, publish, seed
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import csrf_token, post_form

HTMX = {"hx-request": "true"}


def test_hub_groups_consultations_by_status_and_hides_panel_only(client):
    run(make_consultation("now-open"))
    run(make_consultation("soon", status="upcoming"))
    run(make_consultation("done", status="closed"))
    run(make_consultation("members", audience="panel"))
    page = client.get("/consultations").text
    open_part, rest = page.split('id="upcoming"')
    upcoming_part, closed_part = rest.split('id="closed"')
    assert "Consultation now-open" in open_part and "Consultation soon" in upcoming_part and "Consultation done" in closed_part
    assert "Consultation members" not in page
    assert "We asked, you said, we did" not in page  # no report exists yet: no link


def test_consultation_page_renders_markdown_without_script(client):
    run(make_consultation("xss"))
    run(Consultation.update({Consultation.body: "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"}).where(
        Consultation.slug == "xss").run())
    page = client.get("/consultations/xss").text
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert "Start now" in page and "/consultations/xss/paper" in page
    assert client.get("/consultations/nope").status_code == 404


def test_closed_consultation_says_so(client):
    run(make_consultation("old", status="closed"))
    page = client.get("/consultations/old").text
    assert "no longer accepts responses" in page and "Start now" not in page


def test_closed_consultation_offers_the_results_or_when_they_are_due_not_ways_to_respond(client, officer_client):
    """A closed consultation still offered 'Other ways to respond' and a paper copy to print."""
    run(make_consultation("old", status="closed"))
    run(Consultation.update({Consultation.other_formats: "Call 020 7974 4444 for large print"}).where(
        Consultation.slug == "old").run())
    page = client.get("/consultations/old").text
    assert "Results have not been published yet." in page
    assert "Other ways to respond" not in page and "Call 020 7974 4444" not in page
    assert "/consultations/old/paper" not in page and "Print a paper copy" not in page

    run(Consultation.update({Consultation.results_due_on: date(2031, 3, 3)}).where(Consultation.slug == "old").run())
    assert "Results will be published by 3 March 2031." in client.get("/consultations/old").text

    run(seed())
    publish(officer_client)
    reported = client.get(f"/consultations/{SLUG}").text
    assert f'href="/consultations/{SLUG}/report"' in reported and "Read the results" in reported
    assert "Results have not been published yet" not in reported


def test_an_open_consultation_still_offers_ways_to_respond(client):
    run(make_consultation("now"))
    run(Consultation.update({Consultation.other_formats: "Call 020 7974 4444 for large print"}).where(
        Consultation.slug == "now").run())
    page = client.get("/consultations/now").text
    assert "Other ways to respond" in page and "Call 020 7974 4444" in page and "/consultations/now/paper" in page
    assert "Results have not been published" not in page


def test_case_study_page_shows_facts_and_only_published_studies(client):
    run(make_case_study())
    run(make_case_study("draft", published=False))
    page = client.get("/case-studies/debt-early-help").text
    assert "Why the council does this" in page and "Council tax records" in page
    assert client.get("/case-studies/draft").status_code == 404


def comment(client, slug="debt-early-help", headers=None, **values):
    data = {"body": "Useful, but say who sees it", "display_name": "Amina", "email": "", **values}
    return post_form(client, f"/case-studies/{slug}/comments", data, headers=headers or {})


def test_posting_without_javascript_gives_a_private_link_and_queues_an_email(client):
    run(make_case_study())
    response = comment(client, email="amina@example.com")
    assert response.status_code == 200 and "Comment received" in response.text
    token = re.search(r'href="/my/comments/([\w-]+)"', response.text).group(1)
    mine = client.get(f"/my/comments/{token}")
    assert "Waiting to be checked" in mine.text and "Useful, but say who sees it" in mine.text
    assert client.get("/my/comments/not-a-token").status_code == 404
    email = run(OutboxEmail.select().first().run())
    assert email["to_address"] == "amina@example.com" and token in email["body"]
    assert "Useful, but" not in client.get("/case-studies/debt-early-help").text  # pre-moderated


def test_posting_with_htmx_returns_the_fragment(client):
    run(make_case_study())
    response = comment(client, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and "Thank you for your comment" in response.text


def test_errors_keep_what_was_typed(client):
    run(make_case_study())
    response = comment(client, body="", display_name="Amina", email="not-an-email")
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'value="Amina"' in response.text
    assert "Enter your comment" in response.text and "Enter an email address in the correct format" in response.text
    too_long = comment(client, headers=HTMX, body="x" * 2001)
    assert too_long.status_code == 422 and "<html" not in too_long.text and "2000 characters or fewer" in too_long.text
    assert "x" * 2001 in too_long.text
    assert run(Comment.count().run()) == 0


def test_honeypot_and_csrf(client):
    run(make_case_study())
    response = comment(client, website="http://spam.example")
    assert response.status_code == 200 and "Thank you for your comment" in response.text
    assert run(Comment.count().run()) == 0
    csrf_token(client)
    no_token = client.post("/case-studies/debt-early-help/comments", data={"body": "hello"})
    assert no_token.status_code == 403
    assert run(Comment.count().run()) == 0


def test_rate_limit_per_address(client):
    run(make_case_study())
    for _ in range(5):
        assert comment(client).status_code == 200
    limited = comment(client, body="Sixth")
    assert limited.status_code == 429 and "Wait 10 minutes" in limited.text and "Sixth" in limited.text


def test_reporting_hides_after_three_different_people(client, app):
    from litestar.testing import TestClient

    run(make_case_study(premoderated=False))
    comment(client)
    comment_id = run(Comment.select(Comment.id).first().run())["id"]
    assert "Useful, but" in client.get("/case-studies/debt-early-help").text
    reported = post_form(client, f"/comments/{comment_id}/report", {"case_study": "debt-early-help"}, follow_redirects=False)
    assert reported.status_code == 303 and reported.headers["location"] == "/case-studies/debt-early-help?reported=1"
    assert run(Comment.select(Comment.report_count).first().run())["report_count"] == 1
    # The test client always comes from one address; two more people are two more addresses.
    from surveys.comments import report_comment

    run(report_comment(comment_id=comment_id, reporter_hash="second"))
    fragment = post_form(client, f"/comments/{comment_id}/report", {}, headers=HTMX)
    assert "A moderator will look" in fragment.text
    run(report_comment(comment_id=comment_id, reporter_hash="third"))
    assert "Useful, but" not in client.get("/case-studies/debt-early-help").text


def test_officer_moderates_with_audit_and_notice(client, officer_client):
    run(make_case_study())
    comment(client, email="amina@example.com")
    comment(client, body="Call me on 07700 900123")
    ids = [row["id"] for row in run(Comment.select(Comment.id).order_by(Comment.id).run())]
    queue = officer_client.get("/officer/moderation").text
    assert "2 comments waiting" in queue
    missing_reason = post_form(officer_client, f"/officer/moderation/{ids[1]}", {"action": "rejected"}, headers=HTMX)
    assert missing_reason.status_code == 422 and "Select the house rule" in missing_reason.text
    approved = post_form(officer_client, f"/officer/moderation/{ids[0]}", {"action": "approved"}, follow_redirects=False)
    assert approved.status_code == 303
    redacted = post_form(officer_client, f"/officer/moderation/{ids[1]}", {
        "action": "redacted", "reason": "personal_information", "redacted_body": "Call me on [removed]"}, headers=HTMX)
    assert redacted.status_code == 200 and "0 comments waiting" in redacted.text
    page = client.get("/case-studies/debt-early-help").text
    assert "Call me on [removed]" in page and "07700" not in page and "Some words were removed" in page
    actions = {row["action"] for row in run(AuditEntry.select(AuditEntry.action).run())}
    assert {"comment_approved", "comment_redacted"} <= actions
    assert run(OutboxEmail.count().where(OutboxEmail.subject == "Your comment has been checked").run()) == 1


def test_comments_csv_is_audited_and_has_no_emails(client, officer_client):
    run(make_case_study(premoderated=False))
    comment(client, email="amina@example.com", body="=HYPERLINK(1)")
    response = officer_client.get("/officer/comments.csv")
    assert response.status_code == 200 and "amina@example.com" not in response.text and "'=HYPERLINK" in response.text
    assert run(AuditEntry.count().where(AuditEntry.action == "comments_exported").run()) == 1


def test_officer_writes_and_publishes_a_case_study(officer_client, client):
    bad = post_form(officer_client, "/officer/case-studies", {"title": "", "slug": "Bad Slug!", "purpose": "Kept"})
    assert bad.status_code == 422 and "Enter a title" in bad.text and "Kept" in bad.text
    created = post_form(officer_client, "/officer/case-studies", {
        "title": "Food insecurity map", "summary": "Sharing with voluntary groups", "body": "# Hi <script>x</script>",
        "purpose": "Find need early", "comments_open": "1", "premoderated": "1"}, follow_redirects=False)
    assert created.status_code == 303
    assert client.get("/case-studies/food-insecurity-map").status_code == 404  # a draft
    post_form(officer_client, "/officer/case-studies/food-insecurity-map/publish", {"publish": "1"})
    page = client.get("/case-studies/food-insecurity-map").text
    assert "Find need early" in page and "<script>x" not in page
    assert run(CaseStudy.select(CaseStudy.published_at).first().run())["published_at"] is not None
    edit = officer_client.get("/officer/case-studies/food-insecurity-map/edit")
    assert "Find need early" in edit.text
    duplicate = post_form(officer_client, "/officer/case-studies", {"title": "Food insecurity map"})
    assert duplicate.status_code == 422 and "already uses" in duplicate.text


def test_a_comment_with_script_is_shown_as_text(client):
    run(make_case_study(premoderated=False))
    comment(client, body='<script>alert("x")</script><img src=x onerror=alert(1)>', display_name="<b>Bob</b>")
    page = client.get("/case-studies/debt-early-help").text
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Bob</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
