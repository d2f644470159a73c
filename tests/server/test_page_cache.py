"""Anonymous visitors' copies of public pages (server/web/page_cache.py): each visitor gets their own
CSRF token, the compressed page is a valid gzip of the same page, writes are seen at once, and
nobody signed in is ever sent a kept page."""

from __future__ import annotations

import dataclasses
import gzip
import re
import zlib

import pytest
from litestar.testing import TestClient

from server.web import page_cache
from server.web.page_cache import Page
from tests.factories.surveys import make_case_study_with_comments
from tests.support.database import run
from tests.support.http import create_staff, post_form, sign_in

TOKEN_IN_PAGE = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, page_cache_seconds=60)


@pytest.fixture
def clock(monkeypatch):
    """The page store's clock, moved by hand."""
    now = {"t": 1000.0}
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now["t"])
    return now


def page_token(html: str) -> str:
    tokens = set(TOKEN_IN_PAGE.findall(html))
    assert len(tokens) == 1, tokens
    return tokens.pop()


def fresh_visitor(app) -> TestClient:
    return TestClient(app=app)


def post_moderated_case_study(comments: int) -> str:
    """A case study whose new comments are published straight away (moderated after posting)."""
    from surveys.tables import CaseStudy

    slug = make_case_study_with_comments(comments)
    run(CaseStudy.update({CaseStudy.premoderated: False}).where(CaseStudy.slug == slug).run())
    return slug


# --- the gzip assembly --------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"<p>before TOKEN middle TOKEN after</p>" * 3,
    b"TOKEN at the start and at the end TOKEN",
    b"no token at all",
    b"TOKEN",
    b"",
    bytes(range(256)) * 400 + b"TOKEN" + b"x" * 70_000,
])
def test_gzip_body_is_one_valid_gzip_member_of_the_page(body):
    token = "ab" * 64
    page = Page.of(200, [], body.replace(b"TOKEN", token.encode()), token, now=0, fresh_seconds=5)
    for visitor in ("cd" * 64, "0" * 128, token):
        compressed = page.gzip_body(visitor)
        decompressor = zlib.decompressobj(wbits=31)
        assert decompressor.decompress(compressed) == body.replace(b"TOKEN", visitor.encode())
        assert decompressor.eof and decompressor.unused_data == b""
        assert gzip.decompress(compressed) == page.body(visitor)


def test_the_store_is_bounded_in_bytes_dropping_the_least_recently_used():
    store = page_cache.PageStore(5, max_bytes=35_000)  # three of these pages, not four
    pages = {name: Page.of(200, [], bytes(range(256)) * 40, None, now=0, fresh_seconds=5) for name in "abcd"}
    for name in "abc":
        store.put((name,), pages[name])
    assert store.get(("a",)) is pages["a"]  # now the most recently used
    store.put(("d",), pages["d"])
    assert store.get(("b",)) is None and store.get(("a",)) is pages["a"]
    assert store.bytes == sum(page.size for page in (pages["a"], pages["c"], pages["d"])) <= 35_000
    store.put(("a",), pages["b"])  # replacing a page counts its bytes once
    assert store.bytes == sum(page.size for page in (pages["b"], pages["c"], pages["d"]))
    store.clear()
    assert store.bytes == 0 and len(store) == 0


def test_accept_encoding_is_read_with_its_quality_values():
    assert page_cache._accepts_gzip(b"gzip, deflate, br")
    assert page_cache._accepts_gzip(b"br;q=1.0, GZIP;q=0.5")
    assert page_cache._accepts_gzip(b"*")
    assert not page_cache._accepts_gzip(b"gzip;q=0")
    assert not page_cache._accepts_gzip(b"br, deflate")
    assert not page_cache._accepts_gzip(b"")


# --- the middleware in the app ------------------------------------------------------------------

def test_a_kept_page_is_sent_without_a_query_and_with_each_visitors_own_token(app, clock, query_counter):
    slug = make_case_study_with_comments(20)
    with fresh_visitor(app) as first, fresh_visitor(app) as second:
        drawn = first.get(f"/case-studies/{slug}")
        assert drawn.status_code == 200
        queries_to_draw = query_counter.count
        assert queries_to_draw > 0
        kept = second.get(f"/case-studies/{slug}")
        assert kept.status_code == 200
        assert query_counter.count == queries_to_draw, "the second visitor's page was drawn again"
        first_token, second_token = page_token(drawn.text), page_token(kept.text)
        assert first_token != second_token
        assert second.cookies.get("civicpanel_csrf") == second_token
        assert kept.text.replace(second_token, first_token) == drawn.text
        assert kept.headers["content-security-policy"] == drawn.headers["content-security-policy"]
        assert "Accept-Encoding" in kept.headers["vary"]


def test_the_gzip_page_decodes_to_the_same_page(app, clock):
    slug = make_case_study_with_comments(30)
    with fresh_visitor(app) as first, fresh_visitor(app) as second:
        drawn = first.get(f"/case-studies/{slug}", headers={"Accept-Encoding": "identity"})
        kept = second.get(f"/case-studies/{slug}", headers={"Accept-Encoding": "gzip"})
        assert kept.headers["content-encoding"] == "gzip"
        assert int(kept.headers["content-length"]) < len(kept.content) / 3
        token = second.cookies.get("civicpanel_csrf")
        assert kept.text == drawn.text.replace(page_token(drawn.text), token)


def test_a_visitor_with_a_valid_token_keeps_it_and_can_post_with_it(app, clock):
    slug = post_moderated_case_study(5)
    with fresh_visitor(app) as first, fresh_visitor(app) as visitor:
        first.get(f"/case-studies/{slug}")
        visitor.get("/login")  # any page: the visitor now holds a CSRF cookie
        own = visitor.cookies.get("civicpanel_csrf")
        kept = visitor.get(f"/case-studies/{slug}")
        assert "set-cookie" not in kept.headers
        assert page_token(kept.text) == own
        posted = post_form(visitor, f"/case-studies/{slug}/comments",
                           {"display_name": "Ama", "body": "Posted from a kept page"})
        assert posted.status_code == 200, posted.text
        assert "Posted from a kept page" in visitor.get(f"/case-studies/{slug}").text


def test_a_forged_or_mangled_csrf_cookie_is_replaced_never_echoed(app, clock):
    slug = make_case_study_with_comments(5)
    with fresh_visitor(app) as first:
        first.get(f"/case-studies/{slug}")
    hostile = '"><script>alert(1)</script>'
    forged = "a" * 128  # the right shape, the wrong signature
    for value in (hostile, forged):
        with fresh_visitor(app) as visitor:
            response = visitor.get(f"/case-studies/{slug}", headers={"Cookie": f"civicpanel_csrf={value}"})
            assert value not in response.text
            token = page_token(response.text)
            assert "civicpanel_csrf=" + token in response.headers["set-cookie"]


def test_a_write_in_this_worker_is_seen_at_once_and_other_changes_once_fresh_time_passes(app, clock):
    from surveys.tables import CaseStudy

    slug = post_moderated_case_study(3)
    with fresh_visitor(app) as reader:
        assert "Case with 3 comments" in reader.get(f"/case-studies/{slug}").text
        run(CaseStudy.update({CaseStudy.title: "Renamed elsewhere"}).where(CaseStudy.slug == slug).run())
        assert "Case with 3 comments" in reader.get(f"/case-studies/{slug}").text  # kept for 60 s
        clock["t"] += 61
        assert "Renamed elsewhere" in reader.get(f"/case-studies/{slug}").text
        post_form(reader, f"/case-studies/{slug}/comments", {"display_name": "Kofi", "body": "Seen straight away"})
        assert "Seen straight away" in reader.get(f"/case-studies/{slug}").text


def test_an_expired_page_is_drawn_once_while_others_get_the_old_copy(app, clock, query_counter):
    slug = make_case_study_with_comments(3)
    with fresh_visitor(app) as reader:
        reader.get(f"/case-studies/{slug}")
        clock["t"] += 61
        store = app.state.page_store
        page = next(iter(store._pages.values()))
        page.refreshing_since = clock["t"]  # another request is drawing it right now
        before = query_counter.count
        assert reader.get(f"/case-studies/{slug}").status_code == 200
        assert query_counter.count == before
        clock["t"] += page_cache.STALE_SECONDS + 1  # too old to send even while it is being drawn
        reader.get(f"/case-studies/{slug}")
        assert query_counter.count > before


def test_a_page_that_is_withdrawn_is_not_sent_from_the_store(app, clock):
    from surveys.tables import CaseStudy

    slug = make_case_study_with_comments(2)
    with fresh_visitor(app) as reader:
        assert reader.get(f"/case-studies/{slug}").status_code == 200
        run(CaseStudy.update({CaseStudy.published_at: None}).where(CaseStudy.slug == slug).run())
        clock["t"] += 61
        assert reader.get(f"/case-studies/{slug}").status_code == 404
        assert reader.get(f"/case-studies/{slug}").status_code == 404
        assert len(app.state.page_store) == 0


def test_signed_in_staff_and_htmx_requests_always_get_a_fresh_page(app, clock, query_counter):
    with fresh_visitor(app) as anonymous:
        anonymous.get("/consultations")
        assert len(app.state.page_store) == 1
        before = query_counter.count
        anonymous.get("/consultations", headers={"HX-Request": "true"})
        assert query_counter.count > before
    email = create_staff("officer")
    with fresh_visitor(app) as officer:
        sign_in(officer, email)
        page = officer.get("/consultations")
        assert "Sign out" in page.text


def test_pages_that_are_not_marked_are_never_kept(app, clock):
    with fresh_visitor(app) as visitor:
        visitor.get("/login")
        visitor.get("/healthz")
        visitor.get("/case-studies/no-such-case-study")
        assert len(app.state.page_store) == 0


# --- poisoning ----------------------------------------------------------------------------------

def test_two_csrf_cookies_cannot_leave_a_page_every_later_visitor_is_refused_on(app, clock):
    """The page cache read the first of two CSRF cookies, Litestar's CSRF middleware the last: the
    page was drawn with the second (the attacker's) token, split on the first (not found), and kept
    whole, so every later visitor was sent a form holding the attacker's token and refused."""
    slug = post_moderated_case_study(2)
    with fresh_visitor(app) as attacker:
        attacker.get("/login")
        valid = attacker.cookies.get("civicpanel_csrf")
        for second in ("b" * 128, "x"):
            attacker.cookies.clear()
            attacker.get(f"/case-studies/{slug}", headers={"Cookie": f"civicpanel_csrf={valid}; civicpanel_csrf={second}"})
    for number in range(3):
        with fresh_visitor(app) as visitor:
            page = visitor.get(f"/case-studies/{slug}")
            assert page_token(page.text) == visitor.cookies.get("civicpanel_csrf")
            posted = post_form(visitor, f"/case-studies/{slug}/comments",
                               {"display_name": "Ama", "body": f"Comment number {number}"})
            assert posted.status_code == 200, posted.text[-500:]


def test_a_page_whose_token_is_not_where_the_forms_hold_it_is_not_kept():
    token, other = "ab" * 64, "cd" * 64
    slots = (page_cache._FORM_TOKEN_SLOT, b'"x-csrftoken": "')
    good = f'<body hx-headers=\'{{"x-csrftoken": "{token}"}}\'><input type="hidden" name="_csrf_token" value="{token}">'
    assert Page.split_exactly(good.encode(), token, slots) is not None
    assert Page.split_exactly(good.replace(token, other).encode(), token, slots) is None  # not found
    mixed = good.replace(f'value="{token}"', f'value="{other}"')  # found, but a form holds another
    assert Page.split_exactly(mixed.encode(), token, slots) is None


def test_a_refused_post_does_not_empty_the_store_and_an_accepted_one_does(app, clock):
    slug = post_moderated_case_study(2)
    with fresh_visitor(app) as visitor:
        visitor.get(f"/case-studies/{slug}")
        assert len(app.state.page_store) == 1
        refused = visitor.post(f"/case-studies/{slug}/comments", data={"body": "no token"})
        assert refused.status_code == 403
        assert len(app.state.page_store) == 1
        posted = post_form(visitor, f"/case-studies/{slug}/comments", {"display_name": "Ama", "body": "Seen at once"})
        assert posted.status_code == 200
        assert "Seen at once" in visitor.get(f"/case-studies/{slug}").text
