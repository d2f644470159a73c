"""A crawler: every page and every form a user can reach, as each identity, never answers 500.

For anonymous users, a panel member (their private links) and each staff role, the crawl starts
at that identity's home page, follows same-site links breadth first (at most three addresses per
route, a cap on pages; never sign-out, the language switcher or file downloads) and GETs each
page, then each page again with an impossible id or query value. Every form found on the way is
then sent (GET forms too): as the page gives it, once per named submit button, with each typed or
hidden field in turn set to "²" and to 19 nines (one field of each shape: ``quota_min_3`` stands
for every ``quota_min_N``), with every field at once set to each of a longer list of odd values,
with every field sent twice, not UTF-8, every option ticked, and with no field at all. Forms that destroy, send or close things go last, and those about passwords,
roles and second factors after them; a post that ends the session gets a new signed-in client.
Then the pages are read again for links to routes the forms' changes opened, and their forms sent.

The officer's crawl (minutes) runs as ``PARTS`` tests that pytest-xdist spreads over its workers:
each part makes the same states and walks the same pages, then sends its share of the forms and
odd addresses (``tests.support.parts``), and the forms its own changes opened.

Every page read is also checked for its own markup shown as text (``ESCAPED_MARKUP``).

Every failure (a 500 on a GET or a form, or markup shown as text) is collected with the address, the form's action, the
field and the value, and where the app logged its exception, and each identity asserts once at
the end. With ``-s`` each identity prints what it covered: pages, routes, forms, submissions, and
the GET routes it may open that no page linked to.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from common.tokens import hash_token
from panels.run_alternates import request_alternates
from panels.tables import SelectionRun, Volunteer
from tests.factories.panels import create_panel, fill_pool, registration, send_invitations, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import ROLES, csrf_token, post_form
from tests.support.parts import Part, split

pytestmark = pytest.mark.slow  # the whole demo, hundreds of pages and thousands of posts

START_PAGES = {"anonymous": ["/", "/case-studies"], "member": [], "officer": ["/officer"], "facilitator": ["/facilitator"],
               "cabinet": ["/cabinet"], "admin": ["/admin"]}
"""Where each identity starts; a panel member's pages are their private links (``member_links``)."""
LANGUAGES = {"anonymous": "cy", "member": "ar", "officer": "cy"}
"""Some identities read in another language (Welsh and Arabic have six plural forms each, where a
plural chosen by a string fails): the language links themselves are not followed."""
MAX_PAGES = 300
"""Pages a walk fetches beyond its starts: breadth first, this reaches every route the demo (and what
``officer_states`` adds to it) links to."""
URLS_PER_ROUTE = 3
"""Addresses per route (the demo's three panels differ: only the 2021 one has votes and reviews)."""
SKIPPED_PATHS = re.compile(r"^/(logout|static/|language/)|\.(pdf|csv|zip|png|jpe?g|svg|ico|css|js|json|txt|xlsx|ods|odt|docx)$")

ESCAPED_MARKUP = re.compile(r"&lt;/?(a|abbr|br|code|div|em|li|p|span|strong|ul)(\s|&gt;|/)")
"""A tag of the page's own markup escaped into its text: a template that joined markup to an
escaped value with ``~`` (the whole string is then escaped) shows the officer ``<a href=…>``
instead of a link. Nothing the crawler types holds ``<``, and the demo's content holds no tags."""
PER_FIELD_VALUES = ["²", "9" * 19]
"""Set in each text-like or hidden field in turn, the others as the page gave them: a number
parser that fails on these fails whatever its neighbours hold ("²" passes ``isdigit()`` and
``int()`` refuses it; 19 nines overflow a 64-bit integer)."""
ALL_FIELDS_VALUES = ["²", "٣", "9" * 5000, "9" * 12, "-1", "0", "1e309", "nan", "", " ", "\x00",
                     "x" * 20_000, "31/02/2020", "%s", "🙂"]
"""Set in every field at once, one value a post."""
DESTRUCTIVE = re.compile(r"delete|erase|purge|remove|archive|withdraw|revoke|deactivat|disable|send|cancel|reset"
                         r"|password|two-factor|2fa|totp|role|sign-out|close|reject|destroy|forget", re.IGNORECASE)
ENDS_SESSION = re.compile(r"password|two-factor|2fa|totp|role|deactivat|disable|staff", re.IGNORECASE)
TYPED = {"text", "search", "email", "tel", "url", "number", "date", "time", "datetime-local", "month", "week",
         "hidden", "password", "textarea", "range", "color"}
"""Fields whose value a person types (or the page holds hidden): each gets ``PER_FIELD_VALUES``."""
MUTABLE_TYPES = TYPED | {"select", "radio", "checkbox"}
PARTS = {"officer": 2}
"""Tests an identity's crawl is split into. The officer's whole crawl took 165 s of CPU (577 pages,
110 forms, 2,615 submissions); each of its two parts takes about 100 s, the walk being in both."""


# --- reading pages ------------------------------------------------------------------------------

@dataclass
class Form:
    method: str
    action: str
    enctype: str
    htmx: bool
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    """(name, type, value) in document order; radio and checkbox only when checked."""
    options: dict[str, list[str]] = field(default_factory=dict)
    """For radios, checkboxes and selects: every value the page offers."""
    buttons: list[tuple[str, str]] = field(default_factory=list)
    """Named submit buttons: (name, value)."""
    words: str = ""
    """The form's visible text, to tell destructive forms."""


class PageReader(HTMLParser):
    """Links (``a href``) and forms with their fields, from one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.fragments: list[str] = []
        """``hx-get`` addresses: what htmx fetches (a poll, a swap) with its ``HX-Request`` header."""
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_values: list[str] = []
        self._select_chosen: str | None = None
        self._option: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: (value or "") for key, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if attributes.get("hx-get"):
            self.fragments.append(attributes["hx-get"])
        if tag == "form":
            hx_post = attributes.get("hx-post")
            method = "post" if hx_post else (attributes.get("method") or "get").lower()
            self._form = Form(method=method, action=attributes.get("action") or hx_post or "",
                              enctype=attributes.get("enctype", ""), htmx=bool(hx_post))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            value = attributes.get("value", "")
            if kind in ("radio", "checkbox"):
                form.options.setdefault(name, []).append(value or "on")
                if "checked" in attributes:
                    form.fields.append((name, kind, value or "on"))
            elif kind in ("submit", "image"):
                form.buttons.append((name, value))
            elif kind == "file":
                form.fields.append((name, kind, ""))
            elif kind not in ("button", "reset"):
                form.fields.append((name, kind, value))
        elif tag == "button" and name and attributes.get("type", "submit") == "submit":
            form.buttons.append((name, attributes.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_values, self._select_chosen = name, [], None
        elif tag == "option" and self._select is not None:
            self._option = attributes.get("value")
            if self._option is not None:
                self._select_values.append(self._option)
                if "selected" in attributes:
                    self._select_chosen = self._option
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data):
        if self._form is not None:
            self._form.words += data
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and form is not None:
            chosen = self._select_chosen if self._select_chosen is not None else (self._select_values or [""])[0]
            form.fields.append((self._select, "select", chosen))
            form.options[self._select] = self._select_values
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None and form is not None:
            name, parts = self._textarea
            form.fields.append((name, "textarea", "".join(parts).removeprefix("\n")))
            self._textarea = None


def route_matcher(app):
    """A function giving the registered route a path belongs to (``/officer/panels/{panel_id:int}``),
    the most literal route first (``/officer/panels/new`` before it)."""
    patterns = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            regex = re.sub(r"\\\{\w+(?::(\w+))?\\\}", lambda match: ".+" if match.group(1) == "path" else "[^/]+",
                           re.escape(route.path))
            patterns.append((route.path.count("{"), re.compile(f"^{regex}/?$"), route.path))
    patterns.sort(key=lambda item: item[0])

    def route_of(path: str) -> str:
        for _, regex, name in patterns:
            if regex.match(path):
                return name
        return path

    return route_of


# --- the crawl ----------------------------------------------------------------------------------

class ExceptionsLogged(logging.Handler):
    """The last exception the app logged, to name the cause of a 500."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.last: str = ""

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            frames = traceback.extract_tb(record.exc_info[2])
            where = next((f"{frame.filename.split('/work/')[-1]}:{frame.lineno}" for frame in reversed(frames)
                          if "/site-packages/" not in frame.filename), "?")
            self.last = f"{type(record.exc_info[1]).__name__}: {str(record.exc_info[1])[:160]} at {where}"


@dataclass
class Crawl:
    identity: str
    client: TestClient
    route_of: Callable[[str], str]
    renew: Callable[[], TestClient]
    """A new client for this identity, for when a post ended the session."""
    logged: ExceptionsLogged
    part: Part = Part()
    """This test's share of the forms and odd addresses (all of them unless the crawl is split)."""
    pages: int = 0
    posts: int = 0
    forms_sent: int = 0
    odd_gets: int = 0
    failures: list[str] = field(default_factory=list)
    routes_seen: set[str] = field(default_factory=set)
    visited: set[str] = field(default_factory=set)
    forms: dict[tuple, tuple[str, Form]] = field(default_factory=dict)
    sent: set[tuple] = field(default_factory=set)
    made: re.Pattern | None = None
    """Addresses of what the crawler made before the walk (``officer_states``): fetched after the
    demo's pages, each route with places of its own, so they never take a demo page's place."""

    def check(self, response, what: str) -> None:
        if response.status_code >= 500:
            self.failures.append(f"{self.identity}: {response.status_code} on {what} -- {self.logged.last}")
            self.logged.last = ""

    def walk(self, starts: list[str], *, known_routes: frozenset[str] = frozenset()) -> None:
        """Breadth first from ``starts``, at most ``MAX_PAGES`` more; links to ``known_routes`` are not followed.
        An ``hx-get`` address is fetched as htmx fetches it, with the ``HX-Request`` header."""
        demo: deque[tuple[str, bool]] = deque((url, False) for url in starts)
        made: deque[tuple[str, bool]] = deque()
        seen: set[tuple[str, bool]] = set(demo)
        per_route: dict[tuple, int] = {}
        fetched = 0
        while (demo or made) and fetched < len(starts) + MAX_PAGES:
            url, htmx = (demo or made).popleft()
            fetched += 1
            response = self.client.get(url, follow_redirects=True, headers={"hx-request": "true"} if htmx else None)
            self.pages += 1
            if not htmx:
                self.visited.add(url)
            self.routes_seen.add(self.route_of(urlsplit(url).path))
            self.check(response, f"GET {url}" + (" (htmx)" if htmx else ""))
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            if shown := ESCAPED_MARKUP.search(response.text):
                context = response.text[max(0, shown.start() - 80):shown.end() + 80]
                self.failures.append(f"{self.identity}: markup shown as text on GET {url}: {context!r}")
            here = str(response.url)
            reader = PageReader()
            reader.feed(response.text)
            for form in reader.forms:
                action = self.same_site(urljoin(here, form.action) if form.action else here)
                if action is None:
                    continue
                key = (form.method, self.route_of(urlsplit(action).path), tuple(sorted({name for name, *_ in form.fields})))
                self.forms.setdefault(key, (action, form))
            for href, as_htmx in [(href, False) for href in reader.links] + [(href, True) for href in reader.fragments]:
                link = self.same_site(urljoin(here, href))
                if (link is None or (link, as_htmx) in seen or SKIPPED_PATHS.search(urlsplit(link).path)
                        or self.route_of(urlsplit(link).path) in known_routes):
                    continue
                seen.add((link, as_htmx))
                parts = urlsplit(link)
                ours = bool(self.made and self.made.search(parts.path))
                route_key = (self.route_of(parts.path), tuple(sorted({key for key, _ in parse_qsl(parts.query)})), as_htmx,
                             ours)
                allowed = URLS_PER_ROUTE if not parts.query else 1
                if per_route.get(route_key, 0) >= allowed:
                    continue
                per_route[route_key] = per_route.get(route_key, 0) + 1
                (made if ours else demo).append((link, as_htmx))

    def odd_addresses(self) -> None:
        """Each page seen again with a number in its address (a path's id, a query's value) that no
        row has or no database integer holds, or that is not a number: a 4xx, never a 500. One
        address per route and query, in the part that owns it."""
        done: set[tuple] = set()
        for url in sorted(self.visited):
            parts = urlsplit(url)
            shape = (self.route_of(parts.path), tuple(sorted(key for key, _ in parse_qsl(parts.query))))
            if shape in done:
                continue
            done.add(shape)
            if not self.part.owns(shape):
                continue
            segments = parts.path.split("/")
            numbered = [index for index, segment in enumerate(segments) if segment.isdecimal()]
            if numbered:  # the last id: the ones before it are checked on their own pages
                for odd in ("9" * 12, "9" * 19):
                    path = "/".join(odd if at == numbered[-1] else segment for at, segment in enumerate(segments))
                    self.visit_once(path + (f"?{parts.query}" if parts.query else ""))
            query = parse_qsl(parts.query, keep_blank_values=True)
            for odd in ("²", "9" * 19, "-1"):
                if query:
                    self.visit_once(parts.path + "?" + urlencode([(key, odd) for key, _ in query]))

    def visit_once(self, url: str) -> None:
        response = self.client.get(url, follow_redirects=True)
        self.odd_gets += 1
        self.check(response, f"GET {url}")

    @staticmethod
    def same_site(url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in ("testserver.local", "testserver", "127.0.0.1", "localhost"):
            return None
        if parts.path.startswith("/logout") or "sign-out" in parts.path:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def send_forms(self, *, shared: bool) -> None:
        """Every form found and not sent yet, destructive ones last. ``shared``: the forms were found
        by every part alike (the first walk), and each part sends those it owns; the forms the second
        walk found are there because this part's posts opened them, and this part sends them all."""
        waiting = [item for key, item in self.forms.items() if key not in self.sent and (not shared or self.part.owns(key))]
        self.sent.update(self.forms)
        self.forms_sent += len(waiting)
        for action, form in sorted(waiting, key=lambda item: self.rank(*item)):
            if form.method == "get":
                self.send_get_form(action, form)
            else:
                self.send_post_form(action, form)

    def walk_again(self) -> None:
        """What the forms made (a new panel, a draft, a vote) links to pages the first walk could
        not reach: every page seen is read again, links to routes not seen yet are followed, and
        the new forms are sent."""
        self.walk(sorted(self.visited), known_routes=frozenset(self.routes_seen))
        self.send_forms(shared=False)

    @staticmethod
    def rank(action: str, form: Form) -> int:
        words = action + " " + " ".join(value for _, value in form.buttons) + " " + form.words[-200:]
        if ENDS_SESSION.search(action):
            return 2
        return 1 if DESTRUCTIVE.search(words) else 0

    def variants(self, form: Form):
        """(label, pairs): the form as given, then odd values field by field and all at once."""
        base = [(name, value) for name, kind, value in form.fields if name != "_csrf_token" and kind != "file"]
        button = [form.buttons[0]] if form.buttons else []
        yield "as given", base + button
        for name, value in form.buttons[1:]:
            yield f"button {name}={value}", base + [(name, value)]
        mutable = [(name, kind) for name, kind, _ in form.fields if name != "_csrf_token" and kind in MUTABLE_TYPES]
        plain = [(name, value) for name, kind, value in form.fields if name != "_csrf_token" and kind != "file"]
        # one field of each shape: quota_min_3 stands for every quota_min_N of a long table
        shapes = {re.sub(r"\d+", "#", name): name for name, kind in reversed(mutable) if kind in TYPED}
        for name in sorted(shapes.values(), key=[name for name, _ in mutable].index):
            for odd in PER_FIELD_VALUES:
                pairs = [(key, odd if key == name else value) for key, value in plain]
                yield f"{name}={odd[:12]!r}{'…' if len(odd) > 12 else ''}", pairs + button
        if mutable:
            names = {name for name, _ in mutable}
            for odd in ALL_FIELDS_VALUES:
                pairs = [(key, odd if key in names else value) for key, value in plain]
                # unchecked radios and checkboxes are not in ``plain``: add them with the odd value
                pairs += [(name, odd) for name in form.options if name not in {key for key, _ in plain}]
                yield f"every field={odd[:12]!r}{'…' if len(odd) > 12 else ''}", pairs + button
            yield "every field twice", plain + plain + button
            yield "every field not UTF-8", [(key, b"\xff\xfe" if key in names else value) for key, value in plain] + button
            if form.options:
                yield "every option chosen", plain + [(name, value) for name, values in form.options.items()
                                                      for value in values] + button
        if base or button:
            yield "no fields", []

    def distinct_variants(self, form: Form):
        """``variants`` without a body sent twice: with empty fields "every field=''" is the form
        as given, and with one field "every field='²'" is that field set to "²"."""
        bodies: set[tuple] = set()
        for label, pairs in self.variants(form):
            if tuple(pairs) not in bodies:
                bodies.add(tuple(pairs))
                yield label, pairs

    def send_post_form(self, action: str, form: Form) -> None:
        files = [name for name, kind, _ in form.fields if kind == "file"]
        for label, pairs in self.distinct_variants(form):
            token = csrf_token(self.client)
            headers = {"hx-request": "true"} if form.htmx else {}
            body = [*pairs, ("_csrf_token", token)]
            try:
                if files or "multipart" in form.enctype:
                    response = self.client.post(action, data=_as_multi_dict(body), headers=headers,
                                                files={name: ("empty.csv", b"", "text/csv") for name in files} or None,
                                                follow_redirects=True)
                else:
                    response = self.client.post(action, content=urlencode(body), follow_redirects=True,
                                                headers={"content-type": "application/x-www-form-urlencoded", **headers})
            except Exception as exc:  # the test client re-raises what the app did not handle
                self.failures.append(f"{self.identity}: POST {action} [{label}] raised {type(exc).__name__}: {exc}")
                continue
            self.posts += 1
            self.check(response, f"POST {action} [{label}]")
            if self.identity in ROLES and urlsplit(str(response.url)).path == "/login":
                self.client = self.renew()  # the post ended this session (a password, role or second factor)

    def send_get_form(self, action: str, form: Form) -> None:
        for label, pairs in self.distinct_variants(form):
            base = action.split("?")[0]
            pairs = [(key, value[:1000]) for key, value in pairs]  # an address holds at most 64 KiB here
            response = self.client.get(base + ("?" + urlencode(pairs) if pairs else ""), follow_redirects=True)
            self.posts += 1
            self.check(response, f"GET form {base} [{label}]")


def _as_multi_dict(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def member_links() -> list[str]:
    """Private links for a panel member: the first confirmed and the first invited volunteer of
    each demo panel get a known token (only its hash is stored), for their panel pages and their
    "Your information" page."""
    rows = run(Volunteer.select(Volunteer.id, Volunteer.panel, Volunteer.status).where(
        Volunteer.status.is_in(["confirmed", "selected"])).order_by(Volunteer.id).run())
    chosen: dict[tuple, int] = {}
    for row in rows:
        chosen.setdefault((row["panel"], row["status"]), row["id"])
    links = []
    for number, volunteer_id in enumerate(chosen.values()):
        token = f"crawler-member-{number}-{'k' * 32}"
        run(Volunteer.update({Volunteer.token_hash: hash_token(token), Volunteer.link_active_at: datetime.now(timezone.utc)})
            .where(Volunteer.id == volunteer_id).run())
        links += [f"/my-panel/{token}", f"/your-data/{token}"]
    return links


def officer_states(client: TestClient, officer: TestClient) -> re.Pattern:
    """What the demo lacks and some officer pages need before anything links to them, made through
    the officer's and residents' own forms (and, for a choice of alternates still under way, the
    domain function the form calls, since the test client runs the choice before it answers):

    * a draft consultation (a copy of the demo's questionnaire): its preview, each preview page and
      the publish confirmation;
    * a panel nobody has registered for: its delete confirmation;
    * a panel with a pool in which one resident registered twice (same name and address, another
      email), drawn, its invitations sent and its alternates being chosen: the comparison of the
      two registrations to merge them, the form where an officer records a member's reply, and
      the alternates' progress that the run page polls (only while the run page is read within
      ``panels.run_alternates.STALE_AFTER`` of this: a choice silent longer is marked stopped).

    Returns what matches the addresses of these three (``Crawl.made``)."""
    copied = post_form(officer, "/officer/consultations/data-charter-questionnaire/copy",
                       {"title": "Crawler's draft consultation", "slug": "crawler-draft"}, follow_redirects=False)
    assert copied.status_code == 303, copied.text[-2000:]
    future = {"session_1_date": (datetime.now(timezone.utc).date() + timedelta(days=30)).isoformat(),
              "session_2_date": (datetime.now(timezone.utc).date() + timedelta(days=37)).isoformat()}
    empty_id = create_panel(officer, name="Crawler's empty panel", **future)
    panel_id = create_panel(officer, name="Crawler's drawn panel", **future)
    set_quotas(officer, panel_id)
    slug = slug_of(panel_id)
    fill_pool(client, slug)
    twice = registration(0, "Male", 30) | {"email": "registered.twice@example.com", "full_name": "test  RESIDENT 0"}
    assert post_form(client, f"/panels/{slug}/register", twice, follow_redirects=False).status_code == 303
    started = post_form(officer, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    assert started.status_code == 303, started.text[-2000:]
    drawn = post_form(officer, started.headers["location"] + "/draw", {"seed": "crawler 1 2 3", "alternates": "0"},
                      follow_redirects=False)
    assert drawn.status_code == 303, drawn.text[-2000:]
    assert send_invitations(officer, panel_id) > 0
    selection = run(SelectionRun.objects().where(SelectionRun.panel == panel_id).first().run())
    assert run(request_alternates(run=selection, count=2))  # left "choosing": the background choice is not run
    slugs = "|".join(re.escape(made) for made in ("crawler-draft", slug_of(empty_id), slug))
    return re.compile(rf"^/officer/panels/({empty_id}|{panel_id})(/|$)|/({slugs})(/|$)")


def get_routes_for(app, identity: str) -> set[str]:
    """The GET routes this identity may open (``opt`` declares each route's audience)."""
    return {route.path for route in app.routes if isinstance(route, HTTPRoute)
            for handler in route.route_handlers if "GET" in handler.http_methods
            and (handler.opt.get("public") or identity in handler.opt.get("roles", ()))}


@pytest.mark.parametrize("identity, part", split(["anonymous", "member", *ROLES], PARTS))
def test_no_page_or_form_answers_500(demo_loaded, app, client, staff_client, identity, part: Part):
    logged = ExceptionsLogged()
    logger = logging.getLogger("civicpanel")
    logger.addHandler(logged)
    try:
        def renew():
            return client if identity in ("anonymous", "member") else staff_client(identity)
        crawl = Crawl(identity, renew(), route_matcher(app), renew, logged, part)
        if identity == "officer":
            crawl.made = officer_states(client, crawl.client)
        if identity in LANGUAGES:
            assert crawl.client.get(f"/language/{LANGUAGES[identity]}").status_code < 400
        crawl.walk(START_PAGES[identity] or member_links())
        crawl.odd_addresses()
        crawl.send_forms(shared=True)
        crawl.walk_again()
        forms = crawl.forms_sent
    finally:
        logger.removeHandler(logged)
    unvisited = sorted(get_routes_for(app, identity) - crawl.routes_seen)
    print(f"\n{identity} ({part}): {crawl.pages} pages on {len(crawl.routes_seen)} routes, {crawl.odd_gets} odd addresses, "
          f"{forms} forms, {crawl.posts} form submissions, {len(crawl.failures)} failures; "
          f"{len(unvisited)} GET routes it may open were not linked from its pages: {unvisited}")
    assert crawl.pages >= 10 and forms >= 3  # the crawl reached something
    assert not crawl.failures, "\n".join(crawl.failures)
