"""The fragment cache: a fragment is reused only while what it is drawn from is unchanged, and the
case study page shows a new or erased comment at once (the key is the comments themselves)."""

from __future__ import annotations

from server.web.fragment_cache import FragmentCache
from surveys.tables import Comment
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import post_form


def test_same_parts_reuse_and_changed_parts_render_again():
    cache = FragmentCache(max_entries=2)
    renders = []

    def render(text: str):
        return lambda: renders.append(text) or f"<p>{text}</p>"

    assert cache.get_or_render(cache.key("a", 1), render("a")) == "<p>a</p>"
    assert cache.get_or_render(cache.key("a", 1), render("again")) == "<p>a</p>"
    assert cache.get_or_render(cache.key("a", 2), render("b")) == "<p>b</p>"
    assert renders == ["a", "b"]
    cache.get_or_render(cache.key("c"), render("c"))
    assert len(cache) == 2  # the least recently used went
    cache.get_or_render(cache.key("a", 1), render("a2"))
    assert renders[-1] == "a2"


def test_the_case_study_page_shows_each_change_at_once(client):
    run(make_case_study(premoderated=False))
    for text in ("First view", "Second view"):
        post_form(client, "/case-studies/debt-early-help/comments", {"body": text, "display_name": "Ann"})
        page = client.get("/case-studies/debt-early-help").text
        assert text in page
    assert client.get("/case-studies/debt-early-help").text.count("Second view") == 1
    run(Comment.update({Comment.body: "Redacted words"}).where(Comment.body == "First view").run())
    page = client.get("/case-studies/debt-early-help").text
    assert "Redacted words" in page and "First view" not in page
    run(Comment.update({Comment.state: "hidden"}).where(Comment.body == "Second view").run())
    assert "Second view" not in client.get("/case-studies/debt-early-help").text
