"""No page is wider than a phone: every page a resident (in English and in Arabic, written right to
left), an officer, a facilitator, cabinet and an administrator can reach by following links from
their home page in the demo, opened on a 375 px screen, is at most 375 px wide (a wide table scrolls
inside its own box). Pages are reached by links only (GET), so the shared demo is not changed; ids
are collapsed so that each kind of page is opened once or twice, not once per row, and staff crawl
their own area (the public pages are the residents' crawl)."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
PER_KIND = 3
"""Pages opened per kind of address, where ids, slugs and language codes are collapsed:
/officer/panels/3 and /officer/panels/7 are one kind, as are the translation pages of every language."""
LANGUAGE_CODE = re.compile(r"/(ar|bn|cy|es|pt|so|sq|tr|en_GB)(?=/|$)")
MOST_PAGES = 200
"""Pages opened per identity at most: the crawl is breadth first, so the nearest pages come first."""
NOT_PAGES = re.compile(r"^/(logout|static/|language/)|\.(csv|pdf|ics|json|png|svg|zip|txt|xlsx|odt|docx)$"
                       r"|/(download|export)\b")
STAFF_AREAS = ("/officer", "/facilitator", "/cabinet", "/admin", "/account")
AREAS = {"officer": ("/officer", "/account"), "facilitator": ("/facilitator",), "cabinet": ("/cabinet",),
         "admin": ("/admin",)}


def kind_of(path: str) -> str:
    path = LANGUAGE_CODE.sub("/L", re.sub(r"\d+", "N", path))
    return "/".join("S" if "-" in segment else segment for segment in path.split("/"))


def in_area(path: str, identity: str) -> bool:
    if identity in AREAS:
        return path.startswith(AREAS[identity])
    return not path.startswith(STAFF_AREAS)


def crawl(page, base_url: str, start: str, identity: str) -> tuple[list[str], list[str]]:
    """(pages opened, pages wider than the phone with their width)."""
    seen_kinds: Counter = Counter()
    queue, queued, opened, wide = deque([start]), {start}, [], []
    while queue and len(opened) < MOST_PAGES:
        path = queue.popleft()
        response = page.goto(base_url + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        opened.append(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"{path}: {width} px")
        for href in page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(base_url + path, href))
            if (f"{target.scheme}://{target.netloc}" != base_url or NOT_PAGES.search(target.path)
                    or not in_area(target.path, identity) or target.path in queued
                    or seen_kinds[kind_of(target.path)] >= PER_KIND):
                continue
            seen_kinds[kind_of(target.path)] += 1
            queued.add(target.path)
            queue.append(target.path)
    return opened, wide


@pytest.mark.parametrize("identity, language", [("resident", "en_GB"), ("resident", "ar"), ("officer", "en_GB"),
                                                ("facilitator", "en_GB"), ("cabinet", "en_GB"), ("admin", "en_GB")])
def test_every_page_an_identity_can_reach_fits_a_phone(browser, live_server, sign_in, identity, language):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{live_server}/language/{language}")
        if identity in AREAS:
            sign_in(page, live_server, identity)
        start = urlsplit(page.url).path if identity in AREAS else "/"
        opened, wide = crawl(page, live_server, start, identity)
    finally:
        context.close()
    assert len(opened) > 2, opened  # the crawl went beyond the identity's home page
    assert wide == [], f"{len(wide)} of {len(opened)} pages are wider than a {PHONE['width']} px phone: {wide}"
