"""Over-long values in every form a person can reach: a form error (4xx) or a stored record,
never a 500. On PostgreSQL a value longer than its ``Varchar`` column was a database error.

The forms are found as a person finds them: starting from the public, officer and admin home
pages with the demo data loaded, every same-site page linked is read, and every ``<form
method="post">`` on them is sent back with its own values, once with every text field over-long
and once per text field with only that one over-long (so that a form whose other fields are
valid reaches the code that stores it).

Pages and forms that differ only in a record's id or a token are one shape: the walk reads at
most ``PAGES_PER_SHAPE`` pages of each shape and sends each form shape (its action's shape and
its field names) once, and text fields that differ only in an index (``min_0``, ``min_1``…)
are sent over-long alone once. Reading every comment's moderation page and sending every comment's
approve form tested the same code hundreds of times.

Files the pages link to (a PDF report, a CSV export) are not read (``FILES``). The officer's walk
runs as ``PARTS`` tests that pytest-xdist spreads over its workers: each part walks the same pages
and sends the form shapes it owns (``tests.support.parts``)."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest

from tests.support.parts import Part, split

pytestmark = pytest.mark.slow

LONG = "Ŵ" + "long value " * 1000
TEXT_TYPES = {"text", "email", "search", "tel", "url", "", None}
NOT_FOLLOWED = ("/logout", "/static/", "/admin/audit.csv")
FILES = re.compile(r"\.(pdf|csv|zip|png|jpe?g|svg|ico|css|js|json|txt|ics|xlsx|ods|odt|docx)$")
"""Addresses of files, not pages: they hold no forms or links, and a PDF takes seconds to draw, so the
walk does not read them."""
NOT_SENT = ("/logout", "/erase", "/withdraw", "/active", "/role", "/draw", "/select", "/purge", "/publish")
"""Forms that end a session or destroy what the rest of the walk needs; their text fields (if
any) are reached through the forms that create and edit the same records."""
MAX_PAGES = 250
PAGES_PER_SHAPE = 2
PARTS = {"officer": 2}
"""Tests an identity's walk is split into: the officer's has the most forms (over a thousand posts)."""
_VARIABLE_SEGMENT = re.compile(r"/(?:\d+|[A-Za-z0-9_-]{16,})(?=/|$)")


def shape(path: str) -> str:
    """A path with its ids and tokens taken out, and its query's names without their values:
    ``/officer/panels/3/volunteers?page=2`` → ``/officer/panels/{}/volunteers?page``."""
    target = urlsplit(path)
    names = sorted({name for name, _ in parse_qsl(target.query, keep_blank_values=True)})
    return _VARIABLE_SEGMENT.sub("/{}", target.path) + ("?" + "&".join(names) if names else "")


def form_shape(action: str, form: dict) -> tuple[str, tuple[str, ...]]:
    """A form's action without ids and tokens, and its field names: forms of one shape are sent once."""
    return shape(urlsplit(action).path), tuple(sorted({name for name, _ in form["fields"]}))


class Forms(HTMLParser):
    """Links and post forms on a page: each form's action and its fields as a browser sends them."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._form = {"action": attributes.get("action") or "", "fields": [], "text": set(),
                          "multipart": "multipart" in (attributes.get("enctype") or "")}
        elif self._form is None or not attributes.get("name"):
            return
        elif tag == "input":
            kind = (attributes.get("type") or "").lower()
            name = attributes["name"]
            if kind in ("checkbox", "radio"):
                if "checked" in attributes or not any(field[0] == name for field in self._form["fields"]):
                    self._form["fields"].append((name, attributes.get("value") or "on"))
            elif kind not in ("file", "submit", "button", "image"):
                self._form["fields"].append((name, attributes.get("value") or ""))
                if kind in TEXT_TYPES:
                    self._form["text"].add(name)
        elif tag == "textarea":
            self._textarea = attributes["name"]
            self._form["fields"].append((self._textarea, ""))
            self._form["text"].add(self._textarea)
        elif tag == "select":
            self._select = attributes["name"]
        elif tag == "option" and self._select and not any(field[0] == self._select for field in self._form["fields"]):
            if attributes.get("value"):
                self._form["fields"].append((self._select, attributes["value"]))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            fields = self._form["fields"]
            fields[-1] = (fields[-1][0], fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def walk(client, starts: list[str]) -> dict[tuple[str, str], dict]:
    """A post form of every shape reachable from ``starts``: (page, action) → form."""
    seen, queue, forms, form_shapes, queued_shapes = set(), list(starts), {}, set(), Counter()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if FILES.search(urlsplit(url).path):
            continue  # counted among the MAX_PAGES as before, so the walk reaches the same pages
        response = client.get(url)
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        parser = Forms()
        parser.feed(response.text)
        for form in parser.forms:
            action = urljoin(url, form["action"] or url)
            if form_shape(action, form) not in form_shapes:
                form_shapes.add(form_shape(action, form))
                forms[(url, action)] = form
        for href in parser.links:
            target = urlsplit(urljoin(url, href))
            if target.netloc not in ("", "testserver.local") or target.path.startswith(NOT_FOLLOWED):
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            if path not in seen and queued_shapes[shape(path)] < PAGES_PER_SHAPE:
                queued_shapes[shape(path)] += 1
                queue.append(path)
    return forms


def send(client, action: str, form: dict, long_fields: set[str]):
    fields = [(name, LONG if name in long_fields else value) for name, value in form["fields"]]
    if form["multipart"]:
        return client.post(action, files={name: (None, value) for name, value in fields}, follow_redirects=False)
    return client.post(action, content=urlencode(fields), follow_redirects=False,
                       headers={"content-type": "application/x-www-form-urlencoded"})


STARTS = {"anonymous": ["/", "/consultations", "/case-studies", "/your-data"], "officer": ["/officer"], "admin": ["/admin"]}


@pytest.mark.parametrize("identity, part", split(STARTS, PARTS))
def test_no_form_answers_a_long_value_with_a_server_error(demo_loaded, app, client, staff_client, identity,
                                                          part: Part):
    requester = client if identity == "anonymous" else staff_client(identity)
    forms = walk(requester, STARTS[identity])
    assert forms, "no forms found"
    failures = []
    for (page, action), form in forms.items():
        if urlsplit(action).path.endswith(NOT_SENT) or not form["text"] or not part.owns(form_shape(action, form)):
            continue
        one_per_shape = {re.sub(r"\d+", "{}", name): name for name in sorted(form["text"], reverse=True)}
        for long_fields in (form["text"], *({name} for name in sorted(one_per_shape.values()))):
            response = send(requester, action, form, long_fields)
            if response.status_code >= 500:
                failures.append(f"{action} (from {page}) with {sorted(long_fields)} long: {response.status_code}")
    assert failures == []
