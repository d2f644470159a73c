"""Surveys services against the database: comments and moderation, responses, questionnaire edits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from surveys import comments as c
from surveys.case_studies import case_studies_published_between, publish_case_study
from surveys.consultations import get_consultation, update_questionnaire
from surveys.questionnaire import QuestionnaireError, remove_question
from surveys.response_csv import ResponseImportError
from surveys.responses import export_responses, import_responses, submit_response
from surveys.tables import Comment, SurveyResponse
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run

SITE = "https://panel.example"


def post(slug="debt-early-help", ip="ip-1", **values):
    form = {"body": "I think this is useful", "display_name": "", "email": "", "parent_id": "", **values}
    checked, errors = c.check_comment_form(form)
    assert errors == {}
    return run(c.post_comment(case_study_slug=slug, values=checked, ip_hash=ip,
                          private_link=lambda token: f"{SITE}/my/comments/{token}"))


def test_comment_is_premoderated_then_approved_with_a_notice(db):
    run(make_case_study())
    posted = post(email="amina@example.com")
    assert not posted.published
    assert posted.notice.to_address == "amina@example.com" and f"{SITE}/my/comments/{posted.token}" in posted.notice.body
    study_id = run(Comment.select(Comment.case_study).first().run())["case_study"]
    assert run(c.published_comments(study_id)) == []
    stored = run(Comment.select(Comment.author_token_hash).first().run())
    assert stored["author_token_hash"] == c.hash_token(posted.token) and posted.token not in str(stored)
    assert run(c.comment_for_author(posted.token)).state == "pending"
    outcome = run(c.moderate_comment(comment_id=posted.comment_id, action="approved"))
    assert outcome.notice.subject == "Your comment has been checked"
    assert [item.body for item in run(c.published_comments(study_id))] == ["I think this is useful"]
    with pytest.raises(c.ModerationError, match="already dealt"):
        run(c.moderate_comment(comment_id=posted.comment_id, action="approved"))


def test_reject_needs_a_house_rule_and_the_author_sees_it(db):
    run(make_case_study())
    posted = post()
    with pytest.raises(c.ModerationError):
        run(c.moderate_comment(comment_id=posted.comment_id, action="rejected", reason="nonsense"))
    outcome = run(c.moderate_comment(comment_id=posted.comment_id, action="rejected", reason="off_topic"))
    assert outcome.notice is None  # no email given
    view = run(c.comment_for_author(posted.token))
    assert view.state == "rejected" and view.reason_text.startswith("It is not about this case study")
    assert run(c.comment_for_author("wrong-token")) is None


def test_redaction_keeps_the_original_until_purged(db):
    run(make_case_study())
    posted = post(body="My neighbour John Smith at 4 High St owes money")
    run(c.moderate_comment(comment_id=posted.comment_id, action="redacted", reason="personal_information",
                           redacted_body="My neighbour [removed] owes money"))
    row = run(Comment.select().first().run())
    assert row["body"] == "My neighbour [removed] owes money" and "John Smith" in row["original_body"]
    assert run(c.purge_redacted_originals(older_than=datetime.now(timezone.utc) - timedelta(days=1))) == 0
    assert run(c.purge_redacted_originals(older_than=datetime.now(timezone.utc) + timedelta(seconds=1))) == 1
    assert run(Comment.select(Comment.original_body).first().run())["original_body"] == ""


def test_replies_are_one_level_deep_and_orders(db):
    study_id = run(make_case_study(premoderated=False))
    first = post()
    second = post(body="Second")
    reply = post(body="A reply", parent_id=str(first.comment_id))
    post(body="Reply to reply", parent_id=str(reply.comment_id))
    newest = run(c.published_comments(study_id))
    assert [item.body for item in newest] == ["Second", "I think this is useful"]
    assert [item.body for item in newest[1].replies] == ["A reply", "Reply to reply"]
    assert [item.body for item in run(c.published_comments(study_id, newest_first=False))][0] == "I think this is useful"
    assert second.published


def test_rate_limit_counts_recent_comments_from_one_address(db):
    run(make_case_study())
    for _ in range(c.RATE_LIMIT):
        post(ip="busy")
    with pytest.raises(c.CommentError) as caught:
        post(ip="busy")
    assert caught.value.rate_limited
    post(ip="someone-else")


def test_closed_or_unpublished_case_studies_take_no_comments(db):
    run(make_case_study("closed-one", comments_open=False))
    run(make_case_study("draft-one", published=False))
    for slug in ("closed-one", "draft-one"):
        with pytest.raises(c.CommentError, match="closed"):
            post(slug=slug)


def test_three_reports_hide_a_comment_until_reviewed(db):
    study_id = run(make_case_study(premoderated=False))
    posted = post()
    assert run(c.report_comment(comment_id=posted.comment_id, reporter_hash="a")).counted
    assert not run(c.report_comment(comment_id=posted.comment_id, reporter_hash="a")).counted  # same person twice
    assert not run(c.report_comment(comment_id=posted.comment_id, reporter_hash="b")).hidden
    assert run(c.report_comment(comment_id=posted.comment_id, reporter_hash="c")).hidden
    assert run(c.published_comments(study_id)) == []
    queue = run(c.moderation_queue())
    assert [(item.state, item.report_count) for item in queue] == [("hidden", 3)]
    run(c.moderate_comment(comment_id=posted.comment_id, action="approved"))
    assert len(run(c.published_comments(study_id))) == 1


def test_publishing_records_the_date_once(db):
    run(make_case_study("draft", published=False))
    assert run(publish_case_study("draft", publish=True))
    assert not run(publish_case_study("draft", publish=True))
    now = datetime.now(timezone.utc)
    assert run(case_studies_published_between(now - timedelta(days=1), now + timedelta(days=1))) == 1


def test_double_submit_stores_one_response(db):
    consultation_id = run(make_consultation())
    first = run(submit_response(consultation_id=consultation_id, answers={"used_services": "No"}, idempotency_key="k" * 32))
    second = run(submit_response(consultation_id=consultation_id, answers={"used_services": "No"}, idempotency_key="k" * 32))
    assert first.created and not second.created and first.reference == second.reference
    assert run(SurveyResponse.count().run()) == 1


def test_import_is_all_or_nothing_and_exports_round_trip(db):
    source = run(make_consultation("source"))
    run(make_consultation("copy"))
    run(submit_response(consultation_id=source, answers={"used_services": "Yes", "which_services": ["Phone"],
                                                         "open_data": "Agree", "visits": 7}, channel="paper"))
    run(submit_response(consultation_id=source, answers={"used_services": "No", "open_data": "Disagree",
                                                         "suggestions": "Plain English"}))
    exported = run(export_responses("source"))
    assert exported.count == 2
    assert run(import_responses(slug="copy", csv_text=exported.text, entered_by="officer@test.example")) == 2
    copied = run(export_responses("copy")).text
    assert copied == exported.text
    with pytest.raises(ResponseImportError, match="already been imported"):
        run(import_responses(slug="copy", csv_text=exported.text, entered_by="officer@test.example"))
    bad = exported.text + "Z-1,paper,,Maybe,,,,Agree,,,,\r\n"
    with pytest.raises(ResponseImportError) as caught:
        run(import_responses(slug="source", csv_text=bad.replace("R-", "S-"), entered_by="x"))
    assert caught.value.errors == ["Row 4, column used_services: ‘Maybe’ is not one of the options: Yes; No; Don't know"]
    assert run(SurveyResponse.count().run()) == 4  # nothing from the bad file


def test_questionnaire_edits_that_break_answers_are_refused_once_responses_exist(db):
    consultation_id = run(make_consultation())
    assert run(get_consultation("data-charter", datetime.now().date())).status == "open"
    run(update_questionnaire("data-charter", lambda q: remove_question(q, "visits")))
    run(submit_response(consultation_id=consultation_id, answers={"used_services": "No"}))
    with pytest.raises(QuestionnaireError, match="cannot be removed: it already has answers in 1 response"):
        run(update_questionnaire("data-charter", lambda q: remove_question(q, "suggestions")))
