"""Replies over HTTP: the same form and checks as a new comment (honeypot, optional email, htmx with
a no-JavaScript fallback, what was typed kept on error), shown under the comment replied to."""

from __future__ import annotations

import re

from server.tables import OutboxEmail
from surveys.tables import Comment
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import post_form

HTMX = {"hx-request": "true"}
PAGE = "/case-studies/debt-early-help"


def first_comment(client, *, premoderated_replies: bool = False) -> int:
    """A published top-level comment to reply to (comments appear at once unless pre-moderated)."""
    run(make_case_study(premoderated=premoderated_replies))
    post_form(client, f"{PAGE}/comments", {"body": "Who can see the records?", "display_name": "Amina"})
    comment_id = run(Comment.select(Comment.id).first().run())["id"]
    run(Comment.update({Comment.state: "published"}).where(Comment.id == comment_id).run())
    return comment_id


def reply(client, parent_id, headers=None, **values):
    data = {"body": "Only the early help team", "display_name": "Ben", "email": "", "parent_id": str(parent_id), **values}
    return post_form(client, f"{PAGE}/comments", data, headers=headers or {})


def test_each_comment_offers_the_full_reply_form_on_demand(client):
    parent = first_comment(client)
    page = client.get(PAGE).text
    link = f"{PAGE}/comments/{parent}/reply"
    assert f'href="{link}"' in page and f'hx-get="{link}"' in page and f'hx-target="#reply-{parent}-slot"' in page
    assert f'id="reply-{parent}-body"' not in page  # no form per comment: the page stays light with 200 comments
    assert 'id="body"' in page and 'id="website"' in page  # the new-comment form keeps its own ids
    assert len(re.findall(r'\bid="([^"]+)"', page)) == len(set(re.findall(r'\bid="([^"]+)"', page)))
    fragment = client.get(link, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    for field in ("body", "display_name", "email", "website"):
        assert f'id="reply-{parent}-{field}"' in fragment.text
    assert f'hx-target="#reply-{parent}-form-area"' in fragment.text and f'name="parent_id" value="{parent}"' in fragment.text
    no_js = client.get(link)
    assert "<h1" in no_js.text and "Who can see the records?" in no_js.text and f'id="reply-{parent}-body"' in no_js.text
    assert client.get(f"{PAGE}/comments/999/reply").status_code == 404
    run(Comment.update({Comment.state: "hidden"}).where(Comment.id == parent).run())
    assert client.get(link).status_code == 404


def test_reporting_asks_for_confirmation_first(client):
    parent = first_comment(client)
    url = f"/comments/{parent}/report?case_study=debt-early-help"
    assert f'href="{url}"' in client.get(PAGE).text
    fragment = client.get(url, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'name="_csrf_token"' in fragment.text
    assert "Report this comment" in client.get(url).text
    assert client.get(f"/comments/{parent}/report?case_study=other").status_code == 404
    assert run(Comment.select(Comment.report_count).first().run())["report_count"] == 0


def published_reply(client) -> int:
    parent = first_comment(client)
    reply(client, parent)
    reply_id = run(Comment.select(Comment.id).where(Comment.parent == parent).first().run())["id"]
    run(Comment.update({Comment.state: "published"}).where(Comment.id == reply_id).run())
    return reply_id


def report_count(comment_id: int) -> int:
    return run(Comment.select(Comment.report_count).where(Comment.id == comment_id).first().run())["report_count"]


def test_a_reply_can_be_reported_without_javascript(client):
    reply_id = published_reply(client)
    url = f"/comments/{reply_id}/report?case_study=debt-early-help"
    assert f'href="{url}"' in client.get(PAGE).text
    page = client.get(url)
    assert page.status_code == 200 and "Report this comment" in page.text and "Only the early help team" in page.text
    done = post_form(client, f"/comments/{reply_id}/report", {"case_study": "debt-early-help"})
    assert done.status_code == 200 and str(done.url).endswith(f"{PAGE}?reported=1")
    assert report_count(reply_id) == 1


def test_a_reply_can_be_reported_with_htmx(client):
    reply_id = published_reply(client)
    url = f"/comments/{reply_id}/report?case_study=debt-early-help"
    assert f'hx-get="{url}"' in client.get(PAGE).text
    fragment = client.get(url, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'hx-post="/comments/{reply_id}/report"' in fragment.text
    reported = post_form(client, f"/comments/{reply_id}/report", {"case_study": "debt-early-help"}, headers=HTMX)
    assert reported.status_code == 200 and "A moderator will look at this comment" in reported.text
    assert report_count(reply_id) == 1
    # Only a reply that is shown can be reported: one still waiting for a moderator is not found.
    run(Comment.update({Comment.state: "pending"}).where(Comment.id == reply_id).run())
    assert client.get(url).status_code == 404


def test_a_reply_without_javascript_gives_a_private_link_and_appears_under_its_comment(client):
    parent = first_comment(client)
    response = reply(client, parent, email="ben@example.com")
    assert response.status_code == 200 and "Reply received" in response.text and "Thank you for your reply" in response.text
    token = re.search(r'href="/my/comments/([\w-]+)"', response.text).group(1)
    assert "Published" in client.get(f"/my/comments/{token}").text
    stored = run(Comment.select(Comment.parent, Comment.email).where(Comment.body == "Only the early help team").first().run())
    assert stored == {"parent": parent, "email": "ben@example.com"}
    assert run(OutboxEmail.count().where(OutboxEmail.to_address == "ben@example.com").run()) == 1
    page = client.get(PAGE).text
    replies = page.split('class="app-comments app-comments--replies"')[1]
    assert "Only the early help team" in replies and "Ben" in replies


def test_a_reply_with_htmx_swaps_its_own_area(client):
    parent = first_comment(client)
    response = reply(client, parent, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="reply-{parent}-form-area"' in response.text and "Thank you for your reply" in response.text


def test_a_bad_reply_without_javascript_keeps_what_was_typed_under_its_comment(client):
    parent = first_comment(client)
    response = reply(client, parent, body="", display_name="Ben", email="not-an-email")
    assert response.status_code == 422 and response.text.count("There is a problem") == 1
    assert f'href="#reply-{parent}-body"' in response.text and f'href="#reply-{parent}-email"' in response.text
    assert "Enter your reply" in response.text and "Enter an email address in the correct format" in response.text
    reply_form = response.text.split(f'id="reply-{parent}-slot"')[1].split('id="comment-form-area"')[0]
    assert 'value="Ben"' in reply_form and 'value="not-an-email"' in reply_form
    new_comment_form = response.text.split('id="comment-form-area"')[1]
    assert 'value="Ben"' not in new_comment_form and "error-message" not in new_comment_form
    too_long = reply(client, parent, body="y" * 2001)
    assert too_long.status_code == 422 and "y" * 2001 in too_long.text.split(f'id="reply-{parent}-form-area"')[1]
    assert run(Comment.count().run()) == 1


def test_a_bad_reply_with_htmx_returns_its_form_with_errors(client):
    parent = first_comment(client)
    response = reply(client, parent, headers=HTMX, body="", display_name="Ben", email="nope")
    assert response.status_code == 422 and "<html" not in response.text
    assert f'id="reply-{parent}-form-area"' in response.text and f'href="#reply-{parent}-body"' in response.text
    assert f'id="reply-{parent}-email-error"' in response.text and 'value="nope"' in response.text
    assert run(Comment.count().run()) == 1


def test_a_reply_caught_by_the_honeypot_is_thanked_and_dropped(client):
    parent = first_comment(client)
    response = reply(client, parent, website="http://spam.example")
    assert response.status_code == 200 and "Thank you for your reply" in response.text
    assert run(Comment.count().run()) == 1


def test_a_reply_to_a_comment_no_longer_shown_keeps_the_text_for_a_new_comment(client):
    parent = first_comment(client)
    run(Comment.update({Comment.state: "hidden"}).where(Comment.id == parent).run())
    response = reply(client, parent, body="Still worth saying")
    assert response.status_code == 422 and "The comment you are replying to is no longer shown" in response.text
    new_comment_form = response.text.split('id="comment-form-area"')[1]
    assert "Still worth saying" in new_comment_form and 'name="parent_id"' not in new_comment_form
    assert 'href="#body"' in response.text
    assert reply(client, "12345", body="To nothing").status_code == 422
    assert run(Comment.count().run()) == 1


def test_a_reply_to_a_reply_joins_the_same_thread(client):
    parent = first_comment(client)
    reply(client, parent)
    child = run(Comment.select(Comment.id).where(Comment.parent == parent).first().run())["id"]
    assert reply(client, child, body="And a reply to the reply").status_code == 200
    assert run(Comment.select(Comment.parent).where(Comment.body == "And a reply to the reply").first().run())["parent"] == parent


def test_the_heading_counts_replies_and_not_erased_comments(client):
    parent = first_comment(client)
    assert "Comments (1)" in client.get(PAGE).text
    reply(client, parent)
    assert "Comments (2)" in client.get(PAGE).text
    run(Comment.update({Comment.state: "erased", Comment.body: ""}).where(Comment.id == parent).run())
    page = client.get(PAGE).text
    assert "Comments (1)" in page and "Only the early help team" in page
