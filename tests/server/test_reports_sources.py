"""Issue 6 audit, over HTTP: people reached per channel on the draft, quotes checked against the
answer or published comment they come from, tagging with htmx, atomic publishing, and action
links that land on the commitment's row of the tracker."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timezone

from analysis.tables import ReportTheme, ReportVersion
from tests.factories.reports import BASE, SLUG, first_answer_id, publish, related_comment, seed
from tests.support.database import run
from tests.support.http import send

REACH = [("purpose", "To write our Data Charter"), ("census_file", ""),
         ("reach_focus_group", "22"), ("reach_how_focus_group", "two focus groups"),
         ("reach_panel_session", "35"), ("reach_how_panel_session", "Resident Panel, March"),
         ("reach_paper", "4,000"), ("reach_how_paper", "leaflets to 4,000 homes")]


def test_reach_per_channel_is_checked_saved_and_shown_in_we_asked(officer_client):
    run(seed())
    bad = send(officer_client, BASE, [("purpose", "Why"), ("reach_paper", "lots"), ("reach_how_email", "a newsletter"),
                                      ("reach_focus_group", "-3")])
    assert bad.status_code == 422
    assert "People reached by the paper questionnaire must be a whole number" in bad.text
    assert "Enter how many people email reached, or leave both boxes empty" in bad.text
    assert "People reached by focus groups must be a whole number" in bad.text
    assert 'value="lots"' in bad.text and 'value="a newsletter"' in bad.text  # input kept
    assert 'href="#reach_paper"' in bad.text  # the error summary links to the field
    assert send(officer_client, BASE, REACH).status_code == 303
    page = officer_client.get(BASE).text
    assert re.search(r'<input[^>]*id="reach_panel_session"[^>]*value="35"', page)
    we_asked = officer_client.get(f"{BASE}/report.json").json()["we_asked"]
    channels = {channel["channel"]: channel for channel in we_asked["channels"]}
    assert channels["panel_session"] == {"channel": "panel_session", "name": "Resident Panel sessions", "responses": 0,
                                         "reached": 35, "reach_how": "Resident Panel, March"}
    assert channels["paper"]["reached"] == 4000 and channels["paper"]["responses"] > 0
    assert channels["online"]["reached"] is None
    assert we_asked["reached_total"] == 4057
    assert "People reached" in page and "leaflets to 4,000 homes" in page


def _answer_quote(client, response_id, text):
    return send(client, f"{BASE}/quotes", [("response_id", response_id), ("question_key", "suggestions"),
                                           ("text", text), ("checked", "yes")])


def test_an_answer_quote_must_be_the_residents_own_words(officer_client, client):
    run(seed())
    response_id = run(first_answer_id("Explain how my data"))
    invented = _answer_quote(officer_client, response_id, "Explain clearly how my data is shared")
    assert invented.status_code == 422 and "must use the resident&#39;s own words" in invented.text
    assert "Explain clearly how my data is shared" in invented.text  # the officer's input is kept
    reworded = _answer_quote(officer_client, response_id, "Explain how our data is shared")
    assert reworded.status_code == 422
    assert _answer_quote(officer_client, response_id, "Explain … my data is shared").status_code == 303
    publish(officer_client)
    quotes = client.get(f"/consultations/{SLUG}/report/v/1/report.json").json()["quotes"]
    assert quotes == [{"source": "answer", "question_key": "suggestions", "case_study": None, "case_study_title": None,
                       "text": "Explain … my data is shared"}]


def _comment_quote(client, comment_id, text, checked="yes"):
    return send(client, f"{BASE}/comment-quotes", [("comment_id", comment_id), ("text", text), ("checked", checked)])


def test_a_comment_quote_comes_from_a_published_related_comment_without_the_name(officer_client):
    from surveys.tables import Comment

    run(seed())
    comment_id = run(related_comment(body="Please include the date each agreement was last reviewed. Priya Shah"))
    listing = officer_client.get(f"{BASE}/case-study-comments")
    assert listing.status_code == 200 and "Please include the date each agreement" in listing.text
    assert listing.text.count("Priya Shah") == 2  # in the comment's words (text and form), never as its author
    assert "Unrelated words" not in listing.text  # only case studies sharing a principle
    named = _comment_quote(officer_client, comment_id, "Please include the date … Priya Shah")
    assert named.status_code == 422 and "Remove the commenter&#39;s name" in named.text
    added = _comment_quote(officer_client, comment_id, "Please always include the date")
    assert added.status_code == 422 and "own words" in added.text
    unchecked = _comment_quote(officer_client, comment_id, "Please include the date", checked="")
    assert unchecked.status_code == 422 and "Confirm the quote has no names" in unchecked.text
    assert _comment_quote(officer_client, comment_id, "Please include the date each agreement was last reviewed.") \
        .status_code == 303
    document = officer_client.get(f"{BASE}/report.json").json()
    assert document["quotes"] == [{"source": "comment", "question_key": None, "case_study": "register",
                                   "case_study_title": "Publishing our data sharing register",
                                   "text": "Please include the date each agreement was last reviewed."}]
    # A comment that is no longer published is not quoted, and the officer is told.
    run(Comment.update({Comment.state: "hidden"}).where(Comment.id == comment_id).run())
    assert officer_client.get(f"{BASE}/report.json").json()["quotes"] == []
    assert "Not in the report: its source was removed" in officer_client.get(BASE).text
    assert _comment_quote(officer_client, comment_id, "Please include the date").status_code == 404


def test_unpublished_or_unrelated_comments_cannot_be_quoted(officer_client):
    from surveys.tables import Comment

    run(seed())
    pending = run(related_comment(state="pending"))
    assert _comment_quote(officer_client, pending, "Please include the date").status_code == 404
    unrelated = run(Comment.select(Comment.id).where(Comment.body == "Unrelated words").first().run())["id"]
    assert _comment_quote(officer_client, unrelated, "Unrelated words").status_code == 404


def test_tagging_with_htmx_swaps_only_the_answer(officer_client):
    run(seed())
    assert send(officer_client, f"{BASE}/themes", [("name", "Parking")]).status_code == 303
    theme_id = run(ReportTheme.select().first().run())["id"]
    response_id = run(first_answer_id("More open data"))
    body = [("response_id", response_id), ("question_key", "suggestions"), ("theme_id", theme_id), ("tagged", "yes")]
    from urllib.parse import urlencode

    from tests.support.http import csrf_token

    fragment = officer_client.post(f"{BASE}/tags", content=urlencode([*body, ("_csrf_token", csrf_token(officer_client))]),
                                   headers={"content-type": "application/x-www-form-urlencoded", "HX-Request": "true"},
                                   follow_redirects=False)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith(f'<div class="app-answer" id="answer-{response_id}">')
    assert "<html" not in fragment.text and "Tagged: Parking" in fragment.text
    assert re.search(r'<button [^>]*\bautofocus\b[^>]*>\s*Remove Parking', fragment.text)
    assert "Parking: 1 comment" in officer_client.get(BASE).text


def test_two_publishes_at_once_each_get_their_own_number_everywhere(officer_client):
    from analysis.reports.store import VersionContent, publish_version

    run(seed())

    async def both() -> list[int]:
        async def content(number: int) -> VersionContent:
            await asyncio.sleep(0.05)  # the other publish tries to start meanwhile
            document = {"report": {"version": number}}
            return VersionContent(document_json=json.dumps(document), open_data_csv="",
                                  html=f'<img src="/consultations/{SLUG}/report/v/{number}/images/a.png">')

        now = datetime.now(timezone.utc)
        published = await asyncio.gather(*(publish_version(slug=SLUG, title="T", content=content, images={},
                                                           published_by="o@example.test", now=now) for _ in range(2)))
        return sorted(item.version for item in published)

    assert run(both()) == [1, 2]
    rows = run(ReportVersion.select(ReportVersion.version, ReportVersion.document_json, ReportVersion.html).run())
    assert sorted(row["version"] for row in rows) == [1, 2]
    for row in rows:
        assert json.loads(row["document_json"])["report"]["version"] == row["version"]
        assert f"/report/v/{row['version']}/images/" in row["html"]
    # Through the web: the stored document, HTML and address agree.
    assert publish(officer_client) == f"/consultations/{SLUG}/report/v/3"
    row = run(ReportVersion.select().where(ReportVersion.version == 3).first().run())
    assert json.loads(row["document_json"])["report"]["version"] == 3
    assert re.findall(r"/report/v/(\d+)/images/", row["html"]) and set(re.findall(r"/report/v/(\d+)/images/", row["html"])) == {"3"}


def test_action_links_land_on_each_commitments_own_page(officer_client, client):
    from analysis.charter.demo import load_demo_charter
    from analysis.commitments.demo import load_demo_commitments
    from analysis.reports.store import commitment_choices

    run(load_demo_charter())
    run(load_demo_commitments())
    run(seed())
    choices = run(commitment_choices())
    send(officer_client, f"{BASE}/actions", [("action", "Follow up"), ("owner", "Data team"),
                                            *(("commitments", choice["value"]) for choice in choices)])
    publish(officer_client)
    report = client.get(f"/consultations/{SLUG}/report").text
    links = re.findall(r'href="(/charter/[^"#]+/commitments/[^"#]+)"', report)
    assert sorted(links) == sorted(f"/charter/{c['charter']}/commitments/{c['key']}" for c in choices)
    page = client.get(links[0])
    assert page.status_code == 200 and choices[[f"/charter/{c['charter']}/commitments/{c['key']}" for c in choices].index(links[0])]["title"] in page.text
