"""`make bench SECTION=web`: load on a real server, 4 uvicorn workers, SQLite and PostgreSQL.

For each database the script makes a fresh database, migrates it, loads the demo data and any
scenario fixtures, starts `civicpanel serve --workers 4`, and drives each scenario with Debian's
`wrk` (50 connections, 2 threads) from this machine's loopback. A bare Litestar endpoint served
the same way is the ceiling. It prints requests per second, p50 and p99 latency and errors.

Targets (issue: serving real load): every read page ≥ 40% of the ceiling's throughput; p99 under
100 ms for reads and 250 ms for writes; zero errors; on both databases.
"""

from __future__ import annotations

import argparse
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
PYTHON = sys.executable
POSTGRES_BENCH_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/civicpanel_bench")


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # "read" or "write"
    path: str
    lua: str | None = None


@dataclass(frozen=True)
class Measurement:
    database: str
    scenario: str
    kind: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


READ_SCENARIOS = [
    Scenario("home page", "read", "/"),
]
WRITE_SCENARIOS: list[Scenario] = []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
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


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unreadable latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(url: str, *, lua: str | None, duration_s: int, connections: int) -> tuple[float, float, float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration_s}s", "--latency", "--timeout", "5s"]
    script_path = None
    if lua:
        handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        handle.write(lua)
        handle.close()
        script_path = handle.name
        command += ["-s", script_path]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=duration_s + 60).stdout
    if script_path:
        os.unlink(script_path)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _to_ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _to_ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sockets:
        errors += sum(int(value) for value in sockets.groups())
    return rps, p50, p99, errors


def _prepare_database(database: str, tmp_dir: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{tmp_dir / 'bench.sqlite'}"
    from server.database import postgres_config

    config = postgres_config(POSTGRES_BENCH_URL)
    psql = ["psql", "-q", "-h", str(config["host"]), "-p", str(config["port"]), "-U", str(config["user"]), "-d", "postgres"]
    name = config["database"]
    subprocess.run([*psql, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "-c", f'CREATE DATABASE "{name}"'],
                   check=True)
    return POSTGRES_BENCH_URL


def _server_env(database_url: str, tmp_dir: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "CIVICPANEL_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32), "MPLCONFIGDIR": str(tmp_dir / "mpl"), "DATABASE_POOL_SIZE": "10",
            "LOGIN_MAX_FAILURES": "1000000"}


def measure_database(database: str, *, workers: int, duration_s: int, connections: int) -> list[Measurement]:
    tmp_dir = Path(tempfile.mkdtemp(prefix=f"civicpanel-bench-{database}-"))
    database_url = _prepare_database(database, tmp_dir)
    env = _server_env(database_url, tmp_dir)
    demo_env = {**env, "CIVICPANEL_ENV": "development"}
    for command in (["migrate"], ["load-demo"]):
        subprocess.run([PYTHON, "-m", "server", *command], env=demo_env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "server", "serve", "--workers", str(workers), "--port", str(port), "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base + "/healthz", server)
        for scenario in READ_SCENARIOS + WRITE_SCENARIOS:
            run_wrk(base + scenario.path, lua=scenario.lua, duration_s=2, connections=connections)  # warm-up
            rps, p50, p99, errors = run_wrk(base + scenario.path, lua=scenario.lua, duration_s=duration_s,
                                            connections=connections)
            results.append(Measurement(database, scenario.name, scenario.kind, rps, p50, p99, errors))
    finally:
        _stop(server)
        shutil.rmtree(tmp_dir, ignore_errors=True)
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
        rps, p50, p99, errors = run_wrk(url, lua=None, duration_s=duration_s, connections=connections)
    finally:
        _stop(server)
    return Measurement("-", "ceiling: bare Litestar", "read", rps, p50, p99, errors)


def verdict(measurement: Measurement, ceiling: Measurement) -> str:
    problems = []
    if measurement.errors:
        problems.append("errors")
    if measurement.kind == "read":
        if measurement.requests_per_second < 0.4 * ceiling.requests_per_second:
            problems.append("<40% ceiling")
        if measurement.p99_ms >= 100:
            problems.append("p99≥100ms")
    elif measurement.p99_ms >= 250:
        problems.append("p99≥250ms")
    return "met" if not problems else "MISSED: " + ", ".join(problems)


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
    sys.path.insert(0, str(PROJECT_ROOT))
    ceiling = measure_ceiling(workers=args.workers, duration_s=args.duration, connections=args.connections)
    rows = [ceiling]
    for database in args.databases.split(","):
        rows += measure_database(database, workers=args.workers, duration_s=args.duration, connections=args.connections)
    print(f"\n{args.workers} workers, {args.connections} connections, {args.duration} s per scenario, wrk on 127.0.0.1")
    header = f"{'database':<11} {'scenario':<34} {'kind':<5} {'req/s':>8} {'% ceiling':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        share = 100 * row.requests_per_second / ceiling.requests_per_second
        target = "" if row is ceiling else verdict(row, ceiling)
        print(f"{row.database:<11} {row.scenario:<34} {row.kind:<5} {row.requests_per_second:>8.0f} {share:>8.0f}% "
              f"{row.p50_ms:>7.1f} {row.p99_ms:>7.1f} {row.errors:>6}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
