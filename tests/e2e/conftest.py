"""End-to-end harness: a real Civic Panel server on a free port, Debian's Chromium driven by
Playwright, and axe-core checking every page visited against WCAG 2.2 A and AA.

Without Chromium (``/usr/bin/chromium`` or ``CHROMIUM_PATH``) or npm these tests are skipped with
a one-line reason; with ``CIVICPANEL_REQUIRE_BROWSER=1`` (as in CI) that is a failure instead.
The server uses its own database: a SQLite file, or ``<database>_e2e`` beside the test
database on PostgreSQL (so one per pytest-xdist worker), migrated and loaded with the demo data.
Tests wait on conditions (Playwright's ``expect``, ``wait_for_url``), never on fixed sleeps.
The server's output goes to ``server.log`` in its temporary folder, each line with the time it was
written; when a test that used the server fails, the lines written while it ran are shown with
the failure (a CI log keeps nothing else of the server).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

import pytest

from tests.support.database import create_postgres_database
from tests.support.servers import free_port, wait_until_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
E2E_TOOLS = PROJECT_ROOT / ".e2e"
AXE_PATH = E2E_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SERVER_LOG_SHOWN_LINES = 80
"""At most this many of the server's lines are shown with a failed test: its last ones."""
_SERVER_LOG = pytest.StashKey[Path]()
_SERVER_LOG_START = pytest.StashKey[int]()


def _unavailable(reason: str) -> None:
    if os.environ.get("CIVICPANEL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def axe_script() -> str:
    E2E_TOOLS.mkdir(exist_ok=True)
    # One install at a time: two xdist workers that reach their first browser test together
    # would otherwise both run npm in .e2e/ and break each other's unpacking (ENOTEMPTY).
    with open(E2E_TOOLS / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE_PATH.exists():
            npm = shutil.which("npm")
            if npm is None:
                _unavailable("npm is not installed, so axe-core cannot be installed")
            shutil.copyfile(PROJECT_ROOT / "tests" / "e2e" / "package.json", E2E_TOOLS / "package.json")
            result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=E2E_TOOLS,
                                    capture_output=True, text=True, timeout=300)
            if result.returncode != 0 or not AXE_PATH.exists():
                _unavailable(f"npm could not install axe-core: {result.stderr.strip()[-300:]}")
    return AXE_PATH.read_text(encoding="utf-8")


def _e2e_database_url(tmp_dir: Path) -> str:
    """The live server's own database: a SQLite file, or ``<test database>_e2e`` (per xdist
    worker, as the test database is), emptied first."""
    test_url = os.environ["DATABASE_URL"]
    if test_url.startswith("sqlite:///"):
        return f"sqlite:///{tmp_dir / 'e2e.sqlite'}"
    from server.platform.database import postgres_config

    name = f"{postgres_config(test_url)['database']}_e2e"
    return create_postgres_database(test_url, name, recreate=True)


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory) -> Iterator[str]:
    """Base URL of a real server (uvicorn, one worker) with the demo data loaded."""
    tmp_dir = tmp_path_factory.mktemp("e2e")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": _e2e_database_url(tmp_dir), "CIVICPANEL_ENV": "development",
           "SITE_URL": base_url,  # links in emails lead to this server
           "MPLCONFIGDIR": str(tmp_dir / "mpl"), "DATABASE_POOL_SIZE": "10"}  # as `civicpanel serve` runs
    for command in (["migrate"], ["load-demo"]):
        result = subprocess.run([sys.executable, "-m", "server", *command], env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, f"civicpanel {command[0]} failed: {result.stderr or result.stdout}"
    log_path = tmp_dir / "server.log"
    log_path.touch()
    server = subprocess.Popen([sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    threading.Thread(target=_write_timed_lines, args=(server.stdout, log_path), daemon=True).start()
    request.config.stash[_SERVER_LOG] = log_path
    try:
        wait_until_healthy(base_url, server, log_path=log_path, timeout_s=60)
    except RuntimeError as error:
        server.kill()
        pytest.fail(str(error))
    yield base_url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def _write_timed_lines(stream: IO[str], log_path: Path) -> None:
    """Copy the server's output to its log as it comes, each line after the time it arrived."""
    with stream, open(log_path, "a", encoding="utf-8") as log:
        for line in stream:
            log.write(f"{datetime.now():%H:%M:%S.%f}"[:-3] + " " + line)
            log.flush()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    log_path = item.config.stash.get(_SERVER_LOG, None)
    if log_path is not None:
        item.stash[_SERVER_LOG_START] = log_path.stat().st_size
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed test that used the live server is reported with what the server wrote meanwhile."""
    report = yield
    log_path = item.config.stash.get(_SERVER_LOG, None)
    if report.when == "call" and report.failed and log_path is not None and "live_server" in item.fixturenames:
        with open(log_path, "rb") as log:
            log.seek(item.stash.get(_SERVER_LOG_START, 0))
            lines = log.read().decode("utf-8", errors="replace").splitlines()[-SERVER_LOG_SHOWN_LINES:]
        failed_at = f"{datetime.fromtimestamp(call.stop):%H:%M:%S.%f}"[:-3]
        report.sections.append(("Server log while the test ran",
                                "\n".join([f"({log_path}; the test failed at {failed_at})", *lines])))
    return report


@pytest.fixture(scope="package")
def browser(axe_script):
    """Package scope: Playwright's sync API keeps an event loop running in this thread while the
    browser is open, which the rest of the suite (asyncio.run in the CLI) must not meet."""
    path = chromium_path()
    if path is None:
        _unavailable("Chromium not found at /usr/bin/chromium (install Debian's chromium package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)  # the other xdist workers share the cores with the server and browser
    yield page
    context.close()


@pytest.fixture
def assert_accessible(axe_script):
    """Run axe-core on the page as it is now; fail with every WCAG 2.2 A/AA violation found."""

    def check(page) -> None:
        # A click that navigates returns once the new document has committed, before it has a
        # <head>: wait for the page to load, or axe would be injected into an empty document.
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=axe_script)
        results = page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        violations = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else json.dumps(node["target"])
                        for node in violation["nodes"][:5])
            for violation in results["violations"]
        ]
        assert violations == [], f"accessibility violations on {page.url}:\n" + "\n".join(violations)

    return check


@pytest.fixture
def assert_accessible_as_sent(browser, assert_accessible):
    """``assert_accessible_as_sent([(address, html), …])``: axe-core needs JavaScript, so pages a
    browser without it was sent are shown, exactly as sent, in a browser that runs it."""

    def serve(html: str):
        def handler(route) -> None:  # one argument: Playwright passes the request too to two
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        return handler

    def check(seen: list[tuple[str, str]]) -> None:
        for address, html in seen:
            context = browser.new_context(bypass_csp=True, locale="en-GB")
            context.route(address, serve(html))
            checked = context.new_page()
            checked.goto(address)
            assert_accessible(checked)
            context.close()

    return check


def demo_credentials(role: str) -> tuple[str, str]:
    from server.services.demo import DEMO_STAFF

    email, _name, _role, password = next(entry for entry in DEMO_STAFF if entry[2] == role)
    return email, password


@pytest.fixture
def sign_in(assert_accessible):
    """``sign_in(page, live_server, "officer")`` signs in as the demo user with that role."""

    def do(page, base_url: str, role: str) -> None:
        from playwright.sync_api import expect

        email, password = demo_credentials(role)
        page.goto(f"{base_url}/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page, f"sign in as {role} failed").not_to_have_url(re.compile(r"/login(\?|$)"), timeout=30_000)

    return do


@pytest.fixture
def replacement_member_link():
    """``replacement_member_link(page, base_url, panel_name, seed)``: on a signed-in officer's
    page, mark the panel's first member as dropped out, draw a replacement with ``seed`` and
    return the private link from the "You have been chosen" email (a member's link is only ever
    in an email)."""

    def draw(page, base_url: str, panel_name: str, seed: str) -> str:
        page.goto(f"{base_url}/officer/panels")
        page.get_by_role("link", name=panel_name).click()
        page.get_by_role("link", name="Members and sessions").click()
        page.get_by_role("link", name=re.compile("^Mark as dropped out")).first.click()
        page.get_by_label("Reason").fill(f"Moved away ({seed})")
        page.get_by_role("button", name="Mark as dropped out").click()
        page.wait_for_url(re.compile(r"/members\?withdrawn="))
        page.get_by_role("button", name=re.compile("^Choose replacements for")).click()
        page.get_by_role("button", name=re.compile("^Draw replacements")).wait_for(timeout=120_000)
        page.get_by_label("Public seed").fill(seed)
        page.get_by_role("button", name=re.compile("^Draw replacements")).click()
        page.wait_for_url(re.compile(r"/invitations$"))  # reviewed, then sent
        page.get_by_role("button", name=re.compile(r"^Send \d+ invitations?$")).click()
        page.wait_for_url(re.compile(r"/members\?sent="))
        page.goto(f"{base_url}/officer/outbox")
        email = page.locator(".outbox-email", has_text=re.compile("You have been chosen for")).filter(has_text=panel_name).first
        return re.search(r"(http://\S+/my-panel/\S+)", email.inner_text()).group(1)

    return draw
