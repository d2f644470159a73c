"""The moderation queue over HTTP: a published comment reported once or twice reaches moderators
(on a case study without pre-moderation it otherwise never would), who keep it, remove it or
redact it; bad moderation input gets a clear 422 and keeps what was typed."""

from __future__ import annotations

from server.tables import AuditEntry, OutboxEmail
from surveys.comments import report_comment
from surveys.tables import Comment, CommentReport
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import post_form

HTMX = {"hx-request": "true"}
PAGE = "/case-studies/debt-early-help"


def published_comment(client, body: str, *, reports: int = 1, email: str = "") -> int:
    post_form(client, f"{PAGE}/comments", {"body": body, "email": email})
    comment_id = run(Comment.select(Comment.id).where(Comment.body == body).first().run())["id"]
    for number in range(reports):
        run(report_comment(comment_id=comment_id, reporter_hash=f"reporter-{number}"))
    return comment_id


def state_of(comment_id: int) -> dict:
    return run(Comment.select(Comment.state, Comment.report_count, Comment.body, Comment.reason).where(
        Comment.id == comment_id).first().run())


def test_reported_published_comments_reach_the_queue_and_can_be_kept(client, officer_client):
    run(make_case_study(premoderated=False))
    once = published_comment(client, "Reported once", email="a@example.com")
    twice = published_comment(client, "Reported twice", reports=2)
    published_comment(client, "Never reported", reports=0)
    queue = officer_client.get("/officer/moderation").text
    assert "2 comments waiting" in queue and "Never reported" not in queue
    assert "Published, reported 1 time<" in queue and "Published, reported 2 times" in queue
    assert "Keep published" in queue and "Remove" in queue and ">Approve<" not in queue

    kept = post_form(officer_client, f"/officer/moderation/{once}", {"action": "kept"}, headers=HTMX)
    assert kept.status_code == 200 and "Comment kept." in kept.text and "1 comment waiting" in kept.text
    assert state_of(once)["state"] == "published" and state_of(once)["report_count"] == 0
    assert run(CommentReport.count().where(CommentReport.comment == once).run()) == 0
    assert "Reported once" in client.get(PAGE).text
    assert run(OutboxEmail.count().where(OutboxEmail.to_address == "a@example.com",
                                         OutboxEmail.subject == "Your comment has been checked").run()) == 0
    assert run(report_comment(comment_id=once, reporter_hash="reporter-0")).counted  # reports count afresh
    assert run(AuditEntry.count().where(AuditEntry.action == "comment_kept").run()) == 1
    assert twice in [row["id"] for row in run(Comment.select(Comment.id).where(Comment.report_count > 0).run())]


def test_a_reported_comment_can_be_removed_with_a_house_rule_or_redacted(client, officer_client):
    run(make_case_study(premoderated=False))
    rude = published_comment(client, "Rude words", email="rude@example.com")
    phone = published_comment(client, "Ring me on 07700 900123", reports=2)

    no_rule = post_form(officer_client, f"/officer/moderation/{rude}", {"action": "rejected"})
    assert no_rule.status_code == 422 and "Select the house rule the comment breaks" in no_rule.text
    removed = post_form(officer_client, f"/officer/moderation/{rude}", {"action": "rejected", "reason": "abusive"},
                        follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"] == "/officer/moderation?done=rejected"
    assert state_of(rude)["state"] == "rejected" and state_of(rude)["reason"] == "abusive"
    assert "Rude words" not in client.get(PAGE).text
    email = run(OutboxEmail.select(OutboxEmail.body).where(OutboxEmail.to_address == "rude@example.com",
                                                          OutboxEmail.subject == "Your comment has been checked").first().run())
    assert "was checked after it was reported and has been removed" in email["body"]

    redacted = post_form(officer_client, f"/officer/moderation/{phone}", {
        "action": "redacted", "reason": "personal_information", "redacted_body": "Ring me on [removed]"}, headers=HTMX)
    assert redacted.status_code == 200 and "0 comments waiting" in redacted.text
    assert state_of(phone) == {"state": "published", "report_count": 0, "body": "Ring me on [removed]",
                               "reason": "personal_information"}
    assert "07700" not in client.get(PAGE).text


def test_bad_moderation_input_is_refused_clearly(client, officer_client):
    run(make_case_study(premoderated=True))
    post_form(client, f"{PAGE}/comments", {"body": "Waiting comment"})
    pending = run(Comment.select(Comment.id).first().run())["id"]

    unknown = post_form(officer_client, f"/officer/moderation/{pending}", {"action": "delete"})
    assert unknown.status_code == 422 and "There is a problem" in unknown.text
    assert f'href="#moderation-{pending}"' in unknown.text and f'id="moderation-{pending}"' in unknown.text
    assert "Choose what to do with the comment" in unknown.text
    missing_action = post_form(officer_client, f"/officer/moderation/{pending}", {}, headers=HTMX)
    assert missing_action.status_code == 422 and "<html" not in missing_action.text
    keep_pending = post_form(officer_client, f"/officer/moderation/{pending}", {"action": "kept"}, headers=HTMX)
    assert keep_pending.status_code == 422 and "Approve, reject or redact that comment" in keep_pending.text
    nowhere = post_form(officer_client, "/officer/moderation/99999", {"action": "approved"})
    assert nowhere.status_code == 422 and "That comment no longer exists" in nowhere.text

    empty = post_form(officer_client, f"/officer/moderation/{pending}", {
        "action": "redacted", "reason": "personal_information", "redacted_body": "   "})
    assert empty.status_code == 422 and "Enter the comment as it should be published" in empty.text
    assert f'href="#redacted_body-{pending}"' in empty.text
    textarea = empty.text.split(f'id="redacted_body-{pending}"')[1].split("</textarea>")[0]
    assert "Waiting comment" not in textarea  # what was typed (nothing) is kept, not the original put back
    assert '<details class="govuk-details" open>' in empty.text
    assert 'value="personal_information" selected' in empty.text
    assert state_of(pending)["state"] == "pending"

    approved = post_form(officer_client, f"/officer/moderation/{pending}", {"action": "approved"}, follow_redirects=False)
    assert approved.status_code == 303
    twice = post_form(officer_client, f"/officer/moderation/{pending}", {"action": "approved"})
    assert twice.status_code == 422 and "Another moderator has already dealt with that comment" in twice.text
    published_again = post_form(officer_client, f"/officer/moderation/{pending}", {"action": "kept"})
    assert published_again.status_code == 422  # published and not reported: nothing to keep
