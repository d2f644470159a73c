"""`make bench SECTION=pages`: every GET page, for anonymous visitors and each staff role, on ten
times the demo, in process and through a real server, on SQLite and PostgreSQL.

For each database the script makes a fresh database, runs `civicpanel migrate` and `load-demo`
and grows the demo to ten times its size (``bench/pages_data.py``). Then, in a process of its
own (``DATABASE_URL`` is read at import), it signs in as each role with Litestar's ``TestClient``
(the app configured as the server below: ``CIVICPANEL_ENV=production``, no page cache)
and walks the pages from each role's start page and the private links the data set holds,
following links, to find a real address (real ids and slugs) for every GET route of the app's
route table that the role may open; a route no page links to gets the sample values of
``tests/support/routes.concrete_path`` (its status shows in the table). Where a route is linked
with several ids, the biggest panel, consultation and case study are preferred. It times each
address (one warm-up, then ``BENCH_REPEATS`` requests) and counts the queries each runs. Then it
starts `civicpanel serve` (one worker, ``CIVICPANEL_ENV=production``, ``PAGE_CACHE_SECONDS=0`` so
that anonymous pages are drawn afresh each time) and times the same
addresses through it with httpx, signed in the same way.

It prints, per database, the 20 slowest addresses with median and p95 in process and through the
server, time to the first byte of the body, status and queries per request, and one target line:
every page under 150 ms median in process and under 300 ms p95 through the server, except the
downloads of whole data sets (``DOWNLOADS``), which must start (first byte) within 300 ms.

Environment: ``BENCH_SCALE`` (default 1; 0.1 for a quick run), ``BENCH_REPEATS`` (default 5),
``BENCH_ENGINES`` (default ``sqlite,postgres``), ``BENCH_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/civicpanel_bench``), ``BENCH_PAGES_DIR`` (keep the SQLite
file and results there and reuse a data set already made at the same scale), ``BENCH_JSON``
(write every measurement to this file).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

PYTHON = sys.executable
POSTGRES_BENCH_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/civicpanel_bench")
IN_PROCESS_MEDIAN_MS = 150.0
SERVER_P95_MS = 300.0
DOWNLOAD_FIRST_BYTE_MS = 300.0
SLOWEST = 20

DOWNLOADS = {
    "/admin/audit.csv",
    "/officer/comments.csv",
    "/officer/consultations/{slug:str}/responses.csv",
    "/officer/panels/{panel_id:int}/pool.csv",
    "/officer/panels/{panel_id:int}/finance.csv",
    "/officer/panels/{panel_id:int}/letters/{batch_id:int}/mailing.csv",
    "/officer/panels/{panel_id:int}/letters/{batch_id:int}/letters.pdf",
}
"""Routes that download a whole data set: held to the first-byte target, not the page targets."""

SKIPPED = re.compile(r"^/(static/|api/schema|logout|language/|login/council)")
"""Routes not walked: static files, the API schema, signing out, switching language (it would
change the walker's own language) and the council's identity provider (not configured here)."""

STAFF = {  # the demo's staff (server/services/demo.py DEMO_STAFF)
    "officer": ("officer@camden.example", "officer-demo-pass"),
    "facilitator": ("facilitator@camden.example", "facilitator-demo-pass"),
    "cabinet": ("cabinet@camden.example", "cabinet-demo-pass"),
    "admin": ("admin@camden.example", "admin-demo-pass1"),
}
IDENTITIES = ("anonymous", *STAFF)


@dataclass
class Timing:
    identity: str
    route: str
    url: str
    linked: bool
    """Whether a page linked to this address (else it holds sample values)."""
    status: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int = 0
    server_median_ms: float = 0.0
    server_p95_ms: float = 0.0
    server_first_byte_ms: float = 0.0
    server_status: int = 0
    samples: list[float] = field(default_factory=list)


def repeats() -> int:
    return max(1, int(os.environ.get("BENCH_REPEATS", "5") or "5"))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]


# --- which addresses: the route table, filled with real ids found by following links ----------

def get_routes(app) -> list[tuple[str, dict]]:
    from litestar.routes import HTTPRoute

    routes = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and not SKIPPED.match(route.path):
            for handler in route.route_handlers:
                if "GET" in handler.http_methods:
                    routes.append((route.path, handler.opt))
    return routes


def allowed(identity: str, opt: dict) -> bool:
    if identity == "anonymous":
        return bool(opt.get("public"))
    return identity in opt.get("roles", ())


def route_pattern(path: str) -> re.Pattern:
    """A regular expression matching the addresses of a route path."""
    parts, last = [], 0
    for match in re.finditer(r"\{(\w+)(?::(\w+))?\}", path):
        parts.append(re.escape(path[last:match.start()]))
        parts.append(r"(?P<%s>\d+)" % match.group(1) if match.group(2) == "int" else r"(?P<%s>[^/?#]+)" % match.group(1))
        last = match.end()
    parts.append(re.escape(path[last:]))
    return re.compile("^" + "".join(parts) + "$")


LINK = re.compile(r"""(?:href|hx-get|src)=["']([^"'#]+)""")


def find_addresses(client, routes: list[tuple[str, dict]], starts: list[str], preferred: dict[str, set[str]],
                   limit: int = 400) -> dict[str, str]:
    """A real address for each route, found by following links from ``starts`` (at most
    ``limit`` pages fetched, each route's pages fetched once). Among several addresses of one
    route, the one whose parameters hold the most ``preferred`` values (name → values) wins."""
    patterns = [(path, route_pattern(path)) for path, _ in routes]
    found: dict[str, tuple[int, str]] = {}
    fetched_routes: set[str] = set()
    queue = list(starts)
    seen = set(queue)
    fetched = 0

    def score(match: re.Match) -> int:
        return sum(1 for name, value in match.groupdict().items() if value in preferred.get(name, ()))

    def route_of(url: str):
        for path, pattern in patterns:
            match = pattern.match(url)
            if match:
                return path, match
        return None, None

    while queue and fetched < limit:
        url = queue.pop(0)
        path, match = route_of(url)
        if path is None or path in fetched_routes or path in DOWNLOADS or re.search(r"\.(pdf|png|csv|json)$", url):
            continue
        response = client.get(url, follow_redirects=False)
        fetched += 1
        if response.status_code != 200:
            if found.get(path, (0, ""))[1] == url:
                del found[path]  # a start page that is not there, or a link that is gone
            continue
        fetched_routes.add(path)
        if url in starts:
            found[path] = (score(match) + 10, url)
        if "html" not in response.headers.get("content-type", ""):
            continue
        links = sorted({link.split("?")[0] for link in LINK.findall(response.text) if link.startswith("/")},
                       key=lambda link: -score(route_of(link)[1]) if route_of(link)[1] else 0)
        for link in links:
            if link in seen:
                continue
            seen.add(link)
            link_path, match = route_of(link)
            if link_path is None:
                continue
            if link_path not in found or score(match) > found[link_path][0]:
                found[link_path] = (score(match), link)
            queue.append(link)
    return {path: url for path, (_, url) in found.items()}


def preferred_values() -> dict[str, set[str]]:
    """The biggest panel, consultation and case study, and the private links' tokens."""
    from bench.pages_data import TOKENS
    from panels.tables import Panel, Volunteer
    from surveys.tables import CaseStudy, Consultation, SurveyResponse
    from tests.support.database import run

    panel_counts = run(Volunteer.raw("SELECT panel, COUNT(*) AS n FROM panel_volunteer GROUP BY panel").run())
    panel = max(panel_counts, key=lambda row: row["n"])["panel"]
    panel_slug = run(Panel.select(Panel.slug).where(Panel.id == panel).first().run())["slug"]
    by_responses = run(SurveyResponse.raw(
        "SELECT consultation, COUNT(*) AS n FROM consultation_response GROUP BY consultation").run())
    consultation = max(by_responses, key=lambda row: row["n"])["consultation"]
    consultation_slug = run(Consultation.select(Consultation.slug).where(Consultation.id == consultation).first().run())["slug"]
    study = run(CaseStudy.raw("SELECT case_study.slug FROM case_study JOIN case_study_comment ON case_study = case_study.id "
                              "GROUP BY case_study.slug ORDER BY COUNT(*) DESC LIMIT 1").run())[0]
    return {"panel_id": {str(panel)}, "slug": {panel_slug, consultation_slug, study["slug"]},
            "token": set(TOKENS.values())}


def private_starts() -> list[str]:
    """Pages behind the private links the data set made (``bench.pages_data.TOKENS``)."""
    from bench.pages_data import TOKENS
    from surveys.tables import Consultation, SavedAnswers
    from common.tokens import hash_token
    from tests.support.database import run

    saved = run(SavedAnswers.select(SavedAnswers.consultation).where(
        SavedAnswers.token_hash == hash_token(TOKENS["resume"])).first().run())
    starts = [f"/my-panel/{TOKENS['member']}", f"/my/comments/{TOKENS['comment_author']}",
              f"/your-data/{TOKENS['your_data']}"]
    if saved:
        slug = run(Consultation.select(Consultation.slug).where(Consultation.id == saved["consultation"]).first().run())["slug"]
        starts.append(f"/consultations/{slug}/resume/{TOKENS['resume']}")
    return starts


def start_pages(identity: str, preferred: dict[str, set[str]], private: list[str]) -> list[str]:
    if identity == "anonymous":
        slugs = sorted(preferred["slug"])
        return ["/", "/consultations", "/case-studies", "/panels", "/commitments", *private,
                *[f"/consultations/{slug}" for slug in slugs], *[f"/case-studies/{slug}" for slug in slugs],
                *[f"/panels/{slug}" for slug in slugs]]
    homes = {"officer": "/officer", "facilitator": "/facilitator", "cabinet": "/cabinet", "admin": "/admin"}
    panel = next(iter(preferred["panel_id"]))
    extra = [f"/officer/panels/{panel}", f"/officer/panels/{panel}/pool"] if identity == "officer" else []
    extra += [f"/officer/consultations/{slug}" for slug in sorted(preferred["slug"])] if identity == "officer" else []
    return [homes[identity], "/account", *extra]


# --- in process ----------------------------------------------------------------------------------

class QueryCount:
    def __init__(self) -> None:
        self.count = 0


def count_queries() -> QueryCount:
    """Count every query the Piccolo engine runs, as ``tests/server/conftest.py`` does."""
    from piccolo_conf import DB

    counter = QueryCount()
    engine_class = type(DB)
    original = engine_class.run_querystring

    async def counting(self, *args, **kwargs):
        counter.count += 1
        return await original(self, *args, **kwargs)

    engine_class.run_querystring = counting
    return counter


def sign_in_test_client(client, identity: str):
    """The client, signed out, then signed in as ``identity`` (one client throughout, whose
    event loop runs the app's lifespan: a PostgreSQL pool belongs to that loop)."""
    from tests.support.http import post_form

    client.cookies.clear()
    if identity != "anonymous":
        email, password = STAFF[identity]
        response = post_form(client, "/login", {"email": email, "password": password}, follow_redirects=False)
        if response.status_code != 303:
            raise RuntimeError(f"{identity} could not sign in: {response.status_code}")
    return client


def measure_in_process() -> list[dict]:
    from litestar.testing import TestClient

    from server.app import create_app
    from server.settings import Settings
    from tests.support.routes import concrete_path

    preferred = preferred_values()  # before the app's lifespan: a PostgreSQL pool belongs to its loop
    private = private_starts()
    app = create_app(Settings.from_env())
    counter = count_queries()
    timings: list[Timing] = []
    # https: the app runs as deployed (CIVICPANEL_ENV=production), whose cookies are Secure
    with TestClient(app=app, base_url="https://testserver.local") as signed_in:  # runs the lifespan once
        routes = get_routes(app)
        for identity in IDENTITIES:
            client = sign_in_test_client(signed_in, identity)
            mine = [(path, opt) for path, opt in routes if allowed(identity, opt)]
            addresses = find_addresses(client, mine, start_pages(identity, preferred, private), preferred)
            for path, _ in mine:
                url = addresses.get(path) or concrete_path(path)
                timing = Timing(identity, path, url, linked=path in addresses)
                client.get(url, follow_redirects=False)  # warm-up: templates, caches
                for _ in range(repeats()):
                    before = counter.count
                    started = time.perf_counter()
                    response = client.get(url, follow_redirects=False)
                    timing.samples.append((time.perf_counter() - started) * 1000)
                    timing.queries = counter.count - before
                    timing.status = response.status_code
                    if timing.samples[-1] > 3000 and len(timing.samples) >= 2:
                        break  # a page this slow is measured well enough
                timing.median_ms = statistics.median(timing.samples)
                timing.p95_ms = p95(timing.samples)
                timings.append(timing)
    return [asdict(timing) for timing in timings]


# --- through a server ----------------------------------------------------------------------------

def measure_server(timings: list[dict], database_url: str, tmp_dir: Path) -> None:
    from bench.web import _free_port, _server_env, _stop, _wait_ready
    from bench.web_fixtures import CSRF_HEADER, CookieWalker

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**_server_env(database_url, tmp_dir), "PAGE_CACHE_SECONDS": "0"}
    server = subprocess.Popen([PYTHON, "-m", "server", "serve", "--port", str(port), "--workers", "1",
                               "--no-access-log"], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_ready(f"{base}/healthz", server)
        walkers: dict[str, CookieWalker] = {}
        for identity in IDENTITIES:
            walker = CookieWalker(base)
            if identity != "anonymous":
                email, password = STAFF[identity]
                token = walker.csrf_token()
                response = walker.request("POST", "/login", data={"email": email, "password": password},
                                          headers={CSRF_HEADER: token})
                if response.status_code != 303:
                    raise RuntimeError(f"{identity} could not sign in to the server: {response.status_code}")
            walkers[identity] = walker
        for timing in timings:
            walker = walkers[timing["identity"]]
            totals, first_bytes = [], []
            for attempt in range(repeats() + 1):
                started = time.perf_counter()
                headers = {"cookie": walker.cookie_header(), "accept-encoding": "gzip"}
                with walker.client.stream("GET", timing["url"], headers=headers) as response:
                    chunks = response.iter_raw()
                    next(chunks, b"")
                    first = (time.perf_counter() - started) * 1000
                    for _ in chunks:
                        pass
                total = (time.perf_counter() - started) * 1000
                timing["server_status"] = response.status_code
                if attempt:  # the first is a warm-up
                    totals.append(total)
                    first_bytes.append(first)
                if total > 3000 and len(totals) >= 2:
                    break
            timing["server_median_ms"] = statistics.median(totals)
            timing["server_p95_ms"] = p95(totals)
            timing["server_first_byte_ms"] = statistics.median(first_bytes)
        for walker in walkers.values():
            walker.close()
    finally:
        _stop(server)


# --- the run ---------------------------------------------------------------------------------------

def prepare(database: str, tmp_dir: Path) -> str:
    """A database with the demo grown to ``BENCH_SCALE`` times ten; reused when ``BENCH_PAGES_DIR``
    holds one made at the same scale."""
    from bench.web import _civicpanel, _prepare_database, _server_env

    scale = os.environ.get("BENCH_SCALE", "1")
    marker = tmp_dir / f"{database}.seeded"
    url = f"sqlite:///{tmp_dir / 'bench.sqlite'}" if database == "sqlite" else POSTGRES_BENCH_URL
    if marker.exists() and marker.read_text() == f"{scale} {url}":
        _civicpanel(["server", "migrate"], {**_server_env(url, tmp_dir), "CIVICPANEL_ENV": "development"})
        print(f"{database}: reusing the data set in {url} (scale {scale}), migrated", flush=True)
        return url
    if database == "sqlite":
        for leftover in tmp_dir.glob("bench.sqlite*"):
            leftover.unlink()
    url = _prepare_database(database, tmp_dir) if database == "postgres" else url
    env = {**_server_env(url, tmp_dir), "CIVICPANEL_ENV": "development"}
    started = time.perf_counter()
    _civicpanel(["server", "migrate"], env)
    _civicpanel(["server", "load-demo"], env)
    counts = json.loads(_civicpanel(["bench.pages_data", "seed"], env).strip().splitlines()[-1])
    print(f"{database}: data set made in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items()), flush=True)
    marker.write_text(f"{scale} {url}")
    return url


def run_database(database: str, tmp_dir: Path) -> list[dict]:
    from bench.web import _server_env

    url = prepare(database, tmp_dir)
    env = {**_server_env(url, tmp_dir), "PAGE_CACHE_SECONDS": "0"}  # as the server below runs
    result = subprocess.run([PYTHON, str(Path(__file__)), "--in-process"], env=env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=7200)
    if result.returncode != 0:
        raise RuntimeError(f"in-process walk failed: {result.stderr.strip()[-2000:]}")
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    measure_server(timings, url, tmp_dir)
    return timings


def is_download(timing: dict) -> bool:
    return timing["route"] in DOWNLOADS


def report(database: str, timings: list[dict]) -> bool:
    print(f"\n{database}: {len(timings)} addresses ({sum(t['linked'] for t in timings)} found by following links), "
          f"{repeats()} requests each after a warm-up")
    header = (f"{'who':<11} {'address':<62} {'status':>6} {'queries':>7} {'median':>8} {'p95':>8} "
              f"{'srv med':>8} {'srv p95':>8} {'srv 1st':>8}")
    print(f"slowest {SLOWEST} in process (ms):")
    print(header)
    for timing in sorted(timings, key=lambda t: -t["median_ms"])[:SLOWEST]:
        mark = " (download)" if is_download(timing) else ""
        print(f"{timing['identity']:<11} {timing['url'][:62]:<62} {timing['status']:>6} {timing['queries']:>7} "
              f"{timing['median_ms']:>8.1f} {timing['p95_ms']:>8.1f} {timing['server_median_ms']:>8.1f} "
              f"{timing['server_p95_ms']:>8.1f} {timing['server_first_byte_ms']:>8.1f}{mark}")
    pages = [t for t in timings if not is_download(t)]
    downloads = [t for t in timings if is_download(t)]
    slow_in_process = [t for t in pages if t["median_ms"] >= IN_PROCESS_MEDIAN_MS]
    slow_server = [t for t in pages if t["server_p95_ms"] >= SERVER_P95_MS]
    slow_start = [t for t in downloads if t["server_first_byte_ms"] >= DOWNLOAD_FIRST_BYTE_MS]
    errors = [t for t in timings if t["status"] >= 500 or t["server_status"] >= 500]
    met = not (slow_in_process or slow_server or slow_start or errors)
    print(f"target ({database}): every page < {IN_PROCESS_MEDIAN_MS:.0f} ms median in process "
          f"[{len(pages) - len(slow_in_process)}/{len(pages)}] and < {SERVER_P95_MS:.0f} ms p95 through the server "
          f"[{len(pages) - len(slow_server)}/{len(pages)}]; downloads start < {DOWNLOAD_FIRST_BYTE_MS:.0f} ms "
          f"[{len(downloads) - len(slow_start)}/{len(downloads)}]; no 5xx [{len(timings) - len(errors)}/{len(timings)}]: "
          f"{'MET' if met else 'NOT MET'}")
    for timing in errors:
        print(f"  5xx: {timing['identity']} {timing['url']} ({timing['status']}, server {timing['server_status']})")
    return met


def main(argv: list[str]) -> int:
    if argv[:1] == ["--in-process"]:
        import logging

        logging.getLogger("httpx").setLevel(logging.WARNING)
        print(json.dumps(measure_in_process()))
        return 0
    engines = [name.strip() for name in os.environ.get("BENCH_ENGINES", "sqlite,postgres").split(",") if name.strip()]
    keep = os.environ.get("BENCH_PAGES_DIR")
    holder = None if keep else tempfile.TemporaryDirectory(prefix="bench-pages-")
    tmp_dir = Path(keep or holder.name)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    print(f"scale {os.environ.get('BENCH_SCALE', '1')} (1 = ten times the demo)", flush=True)
    everything, all_met = {}, True
    try:
        for database in engines:
            try:
                timings = run_database(database, tmp_dir)
            except RuntimeError as error:
                print(f"{database}: skipped: {error}")
                all_met = False
                continue
            everything[database] = timings
            all_met &= report(database, timings)
    finally:
        if holder is not None:
            holder.cleanup()
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(everything, indent=1))
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
