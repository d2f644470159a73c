"""The draft report's edits with htmx: each form gets back only its own part of the page and the
parts of the preview it changed (out-of-band swaps), never the statistics, which are not rebuilt;
choosing a quote changes only that answer on the comments page. Without htmx the same forms post
and redirect (``tests/server/test_reports.py``)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from analysis.tables import ReportQuote
from tests.factories.reports import BASE, count_statistics_builds, first_answer_id, seed
from tests.support.database import run
from tests.support.http import csrf_token

STATISTICS_ONLY = ("Results, question by question", "Statistics annex", "95% CI")


def send(client, url: str, pairs):
    """A form posted by htmx (its header), the redirect not followed."""
    body = urlencode([*pairs, ("_csrf_token", csrf_token(client))])
    return client.post(url, content=body, follow_redirects=False,
                       headers={"content-type": "application/x-www-form-urlencoded", "HX-Request": "true"})
@pytest.fixture
def builds(monkeypatch) -> list[int]:
    return count_statistics_builds(monkeypatch)


def only_the_officers_parts(text: str) -> bool:
    return not any(words in text for words in STATISTICS_ONLY) and "<html" not in text


def test_saving_the_words_returns_the_form_and_the_summary(officer_client, builds):
    run(seed())
    officer_client.get(BASE)
    saved = send(officer_client, BASE, [("purpose", "To write our Data Charter"), ("census_file", ""),
                                        ("findings", "Most people want more open data")])
    assert saved.status_code == 200 and 'id="report-words"' in saved.text and "Report words saved" in saved.text
    assert 'id="report-summary" hx-swap-oob="true"' in saved.text
    assert "To write our Data Charter" in saved.text and "Most people want more open data" in saved.text
    assert 'id="report-who-took-part" hx-swap-oob="true"' in saved.text
    assert only_the_officers_parts(saved.text)
    assert builds == [60]  # the statistics were kept


def test_words_with_errors_come_back_in_place_and_change_nothing(officer_client, builds):
    run(seed())
    bad = send(officer_client, BASE, [("purpose", ""), ("census_file", "nowhere.csv")])
    assert bad.status_code == 422 and 'id="report-words"' in bad.text
    assert "Enter why the council consulted" in bad.text and "There is a problem" in bad.text
    assert "hx-swap-oob" not in bad.text and only_the_officers_parts(bad.text)


def test_another_census_reloads_the_whole_page(officer_client, builds):
    run(seed())
    weighted = send(officer_client, BASE, [("purpose", "Why"), ("census_file", "camden-2021.csv")])
    assert weighted.status_code == 204 and weighted.headers["HX-Redirect"] == BASE
    assert "Design effect" in officer_client.get(BASE).text


def test_actions_are_added_and_removed_in_place(officer_client, builds):
    run(seed())
    officer_client.get(BASE)
    bad = send(officer_client, f"{BASE}/actions", [("action", ""), ("owner", "")])
    assert bad.status_code == 422 and 'id="report-actions"' in bad.text
    assert "Enter what the council did or will do" in bad.text and "hx-swap-oob" not in bad.text
    added = send(officer_client, f"{BASE}/actions", [("action", "Publish parking open data"), ("owner", "Data team")])
    assert added.status_code == 200 and "Action added" in added.text and 'id="report-actions"' in added.text
    summary = added.text[added.text.index('id="report-summary"'):]
    assert "Publish parking open data" in summary  # the preview's "We did" has it
    assert only_the_officers_parts(added.text)
    remove = added.text.split('hx-post="')[1].split('"')[0]
    assert remove.endswith("/delete")
    removed = send(officer_client, remove, [])
    assert removed.status_code == 200 and "Action removed" in removed.text
    assert "Publish parking open data" not in removed.text
    assert builds == [60]


def test_a_quote_is_chosen_on_the_comments_page_and_removed_on_the_draft(officer_client, builds):
    run(seed())
    response_id = run(first_answer_id("More open data"))
    fields = [("response_id", response_id), ("question_key", "suggestions"), ("page", "1")]
    bad = send(officer_client, f"{BASE}/quotes", [*fields, ("text", "More open data")])
    assert bad.status_code == 422 and f'id="answer-{response_id}"' in bad.text
    assert "Confirm the quote has no names" in bad.text and "<html" not in bad.text
    chosen = send(officer_client, f"{BASE}/quotes", [*fields, ("text", "More open data"), ("checked", "yes")])
    assert chosen.status_code == 200 and f'id="answer-{response_id}"' in chosen.text and "Quote chosen" in chosen.text
    assert "<html" not in chosen.text
    quote_id = run(ReportQuote.select(ReportQuote.id).first().run())["id"]
    assert "“More open data”" in officer_client.get(BASE).text
    removed = send(officer_client, f"{BASE}/quotes/{quote_id}/delete", [])
    assert removed.status_code == 200 and 'id="report-quotes"' in removed.text and "Quote removed" in removed.text
    assert 'id="report-themes-quotes" hx-swap-oob="true"' in removed.text and "“More open data”" not in removed.text
    assert only_the_officers_parts(removed.text)
    assert builds == [60]
