"""`make bench SECTION=web`: load on a real server, 4 uvicorn workers, SQLite and PostgreSQL.

For each database the script makes a fresh database, runs `civicpanel migrate` and `load-demo`,
seeds the load fixtures (``bench/web_fixtures.py``: a case study with 200 published comments, a
case study to post comments on, an open consultation with a five-question questionnaire), starts
`civicpanel serve --workers 4`, and drives each scenario with Debian's `wrk` (50 connections,
2 threads) from this machine's loopback. A bare Litestar endpoint served the same way is the
ceiling. It prints requests per second, p50 and p99 latency and errors (non-2xx/3xx responses
plus socket errors) as one table. Every request asks for gzip, as browsers do, and each scenario
starts once the server has worked through the previous one's queue.

The server runs as deployed (``CIVICPANEL_ENV=production``): each worker keeps the public pages
for ``PAGE_CACHE_SECONDS`` (5 s) for visitors who are not signed in, and wrk, sending no cookie,
is such a visitor, given a new CSRF token and cookie with every page. The first request for a
page in each worker, and one every 5 s after, draws it afresh from the database.

Writes carry the CSRF cookie and ``x-csrftoken`` header as a browser's htmx would. Each comment
comes from its own ``X-Forwarded-For`` address (the server trusts it from 127.0.0.1, as behind a
proxy), so the per-address rate limit does not turn the benchmark into a 429 test. Each
questionnaire submit reuses one session cookie holding complete answers with a fresh
``idempotency_key``, so every submit stores a new response. The rows stored are counted before
and after each write scenario and printed beside the table: a write that was answered but not
stored would show there.

Targets (issue: serving real load): every read page ≥ 40% of the ceiling's throughput; p99 under
100 ms for reads and 250 ms for writes; zero errors; on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.web_fixtures import (  # noqa: E402
    CONSULTATION, CSRF_HEADER, POSTING_CASE_STUDY, READ_CASE_STUDY, csrf_cookie, questionnaire_cookie,
)

PYTHON = sys.executable
POSTGRES_BENCH_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/civicpanel_bench")
WRK_THREADS = 2
READ_P99_MS = 100.0
WRITE_P99_MS = 250.0
READ_SHARE_OF_CEILING = 0.4


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str
    """``read`` or ``write``."""
    path: str
    stored: str = ""
    """For a write: the ``bench.web_fixtures counts`` field that grows by one per success."""


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    """Responses received (any status)."""
    errors: int
    """Non-2xx/3xx responses plus socket errors (connect, read, write, timeout)."""
    bad_statuses: int
    error_detail: str


@dataclass(frozen=True)
class Measurement:
    database: str
    scenario: str
    kind: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    answered: int | None = None
    """For a write: successful responses."""
    stored: int | None = None
    """For a write: rows the database gained while the scenario ran."""
    note: str = ""
    error_detail: str = ""


SCENARIOS = [
    Scenario("home page", "read", "/"),
    Scenario("consultation hub", "read", "/consultations"),
    Scenario("case study, 200 comments", "read", f"/case-studies/{READ_CASE_STUDY}"),
    Scenario("post a comment", "write", f"/case-studies/{POSTING_CASE_STUDY}/comments", stored="comments_posted"),
    Scenario("submit 5-question questionnaire", "write", f"/consultations/{CONSULTATION}/submit", stored="responses"),
]


# --- wrk scripts -------------------------------------------------------------------------------

_LUA_COMMON = r"""
local path = [==[{path}]==]
local cookie = [==[{cookie}]==]
local csrf = [==[{csrf}]==]
local salt = {salt}
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local counter = 0
function init(args)
  math.randomseed(os.time() * 1000 + id * 7919 + salt)
end
local function headers(extra)
  local result = {{
    ["Accept-Encoding"] = "gzip",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["{csrf_header}"] = csrf,
  }}
  for name, value in pairs(extra) do result[name] = value end
  return result
end
"""

_LUA_COMMENT = r"""
function request()
  counter = counter + 1
  local n = counter * 64 + id
  local address = string.format("10.%d.%d.%d", salt % 250, math.floor(n / 250) % 250, n % 250)
  local body = string.format("display_name=Load+tester&body=Load+test+comment+%d+from+thread+%d", counter, id)
  return wrk.format("POST", path, headers({["X-Forwarded-For"] = address}), body)
end
"""

_LUA_SUBMIT = r"""
function request()
  counter = counter + 1
  local key = string.format("b%d-%d-%d-%08x%08x", salt, id, counter,
                            math.random(0, 2147483647), math.random(0, 2147483647))
  return wrk.format("POST", path, headers({}), "idempotency_key=" .. key)
end
"""


def write_script(scenario: Scenario, *, cookie: str, csrf: str, salt: int) -> str:
    """The wrk Lua script for a write scenario. ``salt`` differs per wrk run, so addresses and
    idempotency keys never repeat between the warm-up and the measured run."""
    common = _LUA_COMMON.format(path=scenario.path, cookie=cookie, csrf=csrf, salt=salt, csrf_header=CSRF_HEADER)
    return common + (_LUA_COMMENT if scenario.stored == "comments_posted" else _LUA_SUBMIT)


# --- running things ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server not ready at {url}")


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unreadable latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        p50 = _to_ms(re.search(r"\s50%\s+(\S+)", output).group(1))
        p99 = _to_ms(re.search(r"\s99%\s+(\S+)", output).group(1))
        requests = int(re.search(r"(\d+) requests in", output).group(1))
    except AttributeError as error:
        raise RuntimeError(f"unreadable wrk output:\n{output}") from error
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    bad_statuses = int(non_2xx.group(1)) if non_2xx else 0
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = sum(int(value) for value in sockets.groups()) if sockets else 0
    detail = f"{bad_statuses} non-2xx/3xx" + (f"; socket errors: {sockets.group(0).split(': ', 1)[1]}" if sockets else "")
    return WrkResult(rps, p50, p99, requests, bad_statuses + socket_errors, bad_statuses, detail)


def run_wrk(url: str, *, lua: str | None, duration_s: int, connections: int) -> WrkResult:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration_s}s", "--latency", "--timeout", "5s",
               "-H", "Accept-Encoding: gzip"]  # as every browser sends; a write script sets its own headers
    script_path = None
    if lua:
        handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        handle.write(lua)
        handle.close()
        script_path = handle.name
        command += ["-s", script_path]
    try:
        completed = subprocess.run([*command, url], capture_output=True, text=True, timeout=duration_s + 60)
    finally:
        if script_path:
            os.unlink(script_path)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed: {completed.stderr.strip() or completed.stdout.strip()}")
    return parse_wrk(completed.stdout)


def wait_idle(base_url: str, timeout_s: float = 120) -> None:
    """Wait until the server has worked through what the last wrk run left queued (wrk stops
    sending, not the server working): /healthz answers quickly three times running. Otherwise
    one scenario's backlog would show up in the next one's latency."""
    deadline, quick = time.monotonic() + timeout_s, 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=10) as response:
                response.read()
            quick = quick + 1 if time.monotonic() - started < 0.1 else 0
        except OSError:
            quick = 0
        time.sleep(0.2)


def _psql_command(database_url: str) -> tuple[list[str], str]:
    from server.platform.database import postgres_config

    config = postgres_config(database_url)
    psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(config["host"]), "-p", str(config["port"]),
            "-U", str(config["user"]), "-d", "postgres"]
    return psql, str(config["database"])


def _prepare_database(database: str, tmp_dir: Path) -> str:
    """A fresh, empty database; raises ``RuntimeError`` with the reason when PostgreSQL is not there."""
    if database == "sqlite":
        return f"sqlite:///{tmp_dir / 'bench.sqlite'}"
    if shutil.which("psql") is None:
        raise RuntimeError("psql is not installed")
    psql, name = _psql_command(POSTGRES_BENCH_URL)
    result = subprocess.run([*psql, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                             "-c", f'CREATE DATABASE "{name}"'], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["psql failed"])[-1]
        raise RuntimeError(f"cannot create {name}: {reason}")
    return POSTGRES_BENCH_URL


def _server_env(database_url: str, tmp_dir: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "CIVICPANEL_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32), "SITE_URL": "http://127.0.0.1", "MPLCONFIGDIR": str(tmp_dir / "mpl"), "DATABASE_POOL_SIZE": "10", "PAGE_CACHE_SECONDS": "5",
            "LOGIN_MAX_FAILURES": "1000000"}


def _civicpanel(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run([PYTHON, "-m", *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {(result.stderr or result.stdout).strip()[-500:]}")
    return result.stdout


def _stored_counts(env: dict[str, str]) -> dict[str, int]:
    return json.loads(_civicpanel(["bench.web_fixtures", "counts"], env).strip().splitlines()[-1])


def _settled_counts(env: dict[str, str], timeout_s: float = 30) -> dict[str, int]:
    """The stored counts once they stop changing: when wrk stops, requests it sent may still be
    queued in the server, and they must be counted on the side they belong to."""
    deadline = time.monotonic() + timeout_s
    counts = _stored_counts(env)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = _stored_counts(env)
        if again == counts:
            break
        counts = again
    return counts


def measure_database(database: str, *, workers: int, duration_s: int, connections: int) -> list[Measurement]:
    tmp_dir = Path(tempfile.mkdtemp(prefix=f"civicpanel-bench-{database}-"))
    try:
        database_url = _prepare_database(database, tmp_dir)
        env = _server_env(database_url, tmp_dir)
        setup_env = {**env, "CIVICPANEL_ENV": "development"}
        _civicpanel(["server", "migrate"], setup_env)
        _civicpanel(["server", "load-demo"], setup_env)
        fixtures = json.loads(_civicpanel(["bench.web_fixtures", "seed"], setup_env).strip().splitlines()[-1])
        if fixtures["comments_on_read_case_study"] != 200:
            raise RuntimeError(f"the read case study has {fixtures['comments_on_read_case_study']} comments, not 200")
        port = _free_port()
        log_path = tmp_dir / "server.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [PYTHON, "-m", "server", "serve", "--workers", str(workers), "--port", str(port), "--no-access-log"],
                env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base + "/healthz", server)
            results = _measure_scenarios(database, base, env, duration_s=duration_s, connections=connections)
        finally:
            _stop(server)
        log = log_path.read_text(errors="replace")
        locked, tracebacks = log.count("database is locked"), log.count("Traceback")
        if locked or tracebacks:
            first_error = next((line.strip() for line in log.splitlines()
                                if re.match(r"^[\w.]+(Error|Exception)\b", line)), "")
            results.append(Measurement(database, "", "note", 0, 0, 0, locked + tracebacks, note=(
                f'MISSED: the server log has {locked} "database is locked" and {tracebacks} tracebacks'
                + (f"; first: {first_error[:120]}" if first_error else ""))))
        return results
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _measure_scenarios(database: str, base: str, env: dict[str, str], *, duration_s: int,
                       connections: int) -> list[Measurement]:
    comment_cookie, comment_csrf = csrf_cookie(base)
    submit_cookie, submit_csrf, _answers = questionnaire_cookie(base, variant=1)
    results = []
    for number, scenario in enumerate(SCENARIOS):
        def script(salt: int) -> str | None:
            if scenario.kind == "read":
                return None
            cookie, csrf = ((comment_cookie, comment_csrf) if scenario.stored == "comments_posted"
                            else (submit_cookie, submit_csrf))
            return write_script(scenario, cookie=cookie, csrf=csrf, salt=salt)

        wait_idle(base)
        run_wrk(base + scenario.path, lua=script(2 * number), duration_s=2, connections=connections)  # warm-up
        wait_idle(base)
        before = _settled_counts(env) if scenario.stored else {}
        result = run_wrk(base + scenario.path, lua=script(2 * number + 1), duration_s=duration_s,
                         connections=connections)
        answered = stored = None
        if scenario.stored:
            stored = _settled_counts(env)[scenario.stored] - before[scenario.stored]
            answered = result.requests - result.bad_statuses
        results.append(Measurement(database, scenario.name, scenario.kind, result.requests_per_second, result.p50_ms,
                                   result.p99_ms, result.errors, answered=answered, stored=stored,
                                   error_detail=result.error_detail))
    return results


def measure_ceiling(*, workers: int, duration_s: int, connections: int) -> Measurement:
    port = _free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", "--factory", "bench.ceiling_app:create_ceiling_app", "--workers", str(workers),
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_ready(url, server)
        run_wrk(url, lua=None, duration_s=2, connections=connections)
        time.sleep(1)
        result = run_wrk(url, lua=None, duration_s=duration_s, connections=connections)
    finally:
        _stop(server)
    return Measurement("-", "ceiling: bare Litestar", "read", result.requests_per_second, result.p50_ms,
                       result.p99_ms, result.errors, error_detail=result.error_detail)


def verdict(measurement: Measurement, ceiling: Measurement) -> str:
    if measurement.note:
        return measurement.note
    problems = []
    if measurement.errors:
        problems.append("errors")
    if measurement.kind == "read":
        if measurement.requests_per_second < READ_SHARE_OF_CEILING * ceiling.requests_per_second:
            problems.append(f"<{READ_SHARE_OF_CEILING:.0%} ceiling")
        if measurement.p99_ms >= READ_P99_MS:
            problems.append(f"p99≥{READ_P99_MS:.0f}ms")
    elif measurement.kind == "write":
        if measurement.p99_ms >= WRITE_P99_MS:
            problems.append(f"p99≥{WRITE_P99_MS:.0f}ms")
        if measurement.stored is not None and measurement.answered is not None and measurement.stored < measurement.answered:
            problems.append("answered but not stored")
    return "met" if not problems else "MISSED: " + ", ".join(problems)


def print_table(rows: list[Measurement], ceiling: Measurement, *, workers: int, connections: int, duration_s: int) -> None:
    print(f"\n{workers} workers, {connections} connections, {duration_s} s per scenario, wrk -t{WRK_THREADS} on 127.0.0.1, "
          "Accept-Encoding: gzip; public pages kept 5 s per worker (PAGE_CACHE_SECONDS)")
    print(f"targets: reads ≥ {READ_SHARE_OF_CEILING:.0%} of the ceiling's req/s and p99 < {READ_P99_MS:.0f} ms; "
          f"writes p99 < {WRITE_P99_MS:.0f} ms; zero errors; every answered write stored")
    header = (f"{'database':<11} {'scenario':<32} {'kind':<5} {'req/s':>7} {'% ceil':>6} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'errors':>6} {'stored/answered':>15}  target")
    print(header)
    print("-" * len(header))
    for row in rows:
        if row.note:
            print(f"{row.database:<11} {row.note}")
            continue
        share = f"{100 * row.requests_per_second / ceiling.requests_per_second:.0f}%"
        stored = f"{row.stored}/{row.answered}" if row.stored is not None else ""
        target = "" if row is ceiling else verdict(row, ceiling)
        print(f"{row.database:<11} {row.scenario:<32} {row.kind:<5} {row.requests_per_second:>7.0f} {share:>6} "
              f"{row.p50_ms:>7.1f} {row.p99_ms:>7.1f} {row.errors:>6} {stored:>15}  {target}")
    for row in rows:
        if row.errors and row.error_detail:
            print(f"errors, {row.database} {row.scenario}: {row.error_detail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 1
    ceiling = measure_ceiling(workers=args.workers, duration_s=args.duration, connections=args.connections)
    rows = [ceiling]
    for database in args.databases.split(","):
        try:
            rows += measure_database(database, workers=args.workers, duration_s=args.duration,
                                     connections=args.connections)
        except RuntimeError as error:
            if database == "sqlite":
                raise
            rows.append(Measurement(database, "", "note", 0, 0, 0, 0, note=f"not measured: {error}"))
    print_table(rows, ceiling, workers=args.workers, connections=args.connections, duration_s=args.duration)
    return 0


if __name__ == "__main__":
    sys.exit(main())
