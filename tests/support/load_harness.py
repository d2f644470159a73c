"""A real `civicpanel serve` in its own process group, and residents posting comments and
questionnaire responses at it from many threads, recording what each submission was and what
answer (if any) it got. Used by ``test_no_lost_submissions.py``.

The server uses the test's own database (``DATABASE_URL`` as ``tests/conftest.py`` set it, and
the ``db`` fixture emptied it), so the test reads back what was stored with ``run(...)``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.web_fixtures import CONSULTATION, CSRF_HEADER, POSTING_CASE_STUDY
from tests.support.servers import free_port, wait_until_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
COMMENT_TEXT = ("I read how the council matches records to offer money advice early. Please keep a person "
                "in charge of every call, and publish how many households were helped each year.")


class ServerProcess:
    """`civicpanel serve --workers N` on 127.0.0.1, started in a new session so that ``kill`` can
    SIGKILL the supervisor and every worker at once, as a power cut or the OOM killer would."""

    def __init__(self, log_path: Path, *, workers: int) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.env = {**os.environ, "DATABASE_POOL_SIZE": "10",  # as `civicpanel serve` runs in production
                    "MPLCONFIGDIR": str(log_path.parent / "mpl")}

    def start(self, timeout_s: float = 90, *, tries: int = 3) -> None:
        """Start the server; when the free port found was taken before the server bound it
        (another xdist worker's server or stand-in took it in between: "Address already in use"),
        try again on another free port."""
        for attempt in range(1, tries + 1):
            with open(self.log_path, "a") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                     "--workers", str(self.workers), "--no-access-log"],
                    env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_until_healthy(self.base_url, self.process, log_path=self.log_path, timeout_s=timeout_s)
                return
            except RuntimeError as error:
                self.kill()
                if attempt == tries or "address already in use" not in str(error).lower():
                    raise
                self.port = free_port()
                self.base_url = f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the whole process group: nothing gets to finish or clean up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self._reap_group()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def _reap_group(self) -> None:
        """Wait until no process of the group is alive (a worker can outlive its supervisor by a
        moment; zombies waiting for their parent to reap them hold no sockets)."""
        if self.process is None:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _live_members(self.process.pid):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def live_processes() -> list[tuple[int, int, int]]:
    """``(pid, parent pid, process group)`` of every process that is not a zombie (Linux ``/proc``)."""
    processes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            processes.append((int(stat.parent.name), int(fields[1]), int(fields[2])))
    return processes


def _live_members(group: int) -> list[int]:
    """Processes of a process group that are not zombies."""
    return [pid for pid, _, process_group in live_processes() if process_group == group]


@dataclass(frozen=True)
class CommentAttempt:
    body: str
    display_name: str
    address: str
    """The X-Forwarded-For address it was sent from."""


@dataclass
class Outcomes:
    """Every submission made and what came back, shared by the client threads."""

    tag: str
    """Starts every comment marker and idempotency key, so that a test finds its own rows."""
    phase: str = "before"
    """``before`` the kill, ``down`` until the restarted server answers, ``after``."""
    comments: dict[str, CommentAttempt] = field(default_factory=dict)
    """marker (the start of the body) → what was sent."""
    responses: dict[str, dict[str, object]] = field(default_factory=dict)
    """idempotency key → the answers the cookie it was sent with holds."""
    comment_successes: set[str] = field(default_factory=set)
    response_successes: set[str] = field(default_factory=set)
    successes_by_phase: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    """Answers that were neither a success nor a connection failure (a 5xx, a 403, …)."""
    unanswered: int = 0
    """Requests sent on a connection that broke before the answer came (the kill)."""
    refused: int = 0
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def success(self, kind: str, identifier: str) -> None:
        with self.lock:
            (self.comment_successes if kind == "comment" else self.response_successes).add(identifier)
            self.successes_by_phase[(kind, self.phase)] += 1

    def failure(self, description: str) -> None:
        with self.lock:
            self.unexpected.append(description)

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


def post_comments(base_url: str, client_number: int, cookie: str, csrf: str, outcomes: Outcomes,
                  stop: threading.Event) -> None:
    """One resident after another posting a comment, each from a new address (so the per-address
    rate limit never applies). A comment has no idempotency key, so a failed post is not retried."""
    path = f"/case-studies/{POSTING_CASE_STUDY}/comments"
    with httpx.Client(base_url=base_url, timeout=30) as http:
        number = 0
        while not stop.is_set():
            number += 1
            marker = f"{outcomes.tag}-{client_number}-{number}"
            attempt = CommentAttempt(body=f"{marker}: {COMMENT_TEXT}", display_name=f"Client {client_number}",
                                     address=f"10.{client_number}.{number // 250 % 250}.{number % 250}")
            with outcomes.lock:
                outcomes.comments[marker] = attempt
            try:
                response = http.post(path, data={"body": attempt.body, "display_name": attempt.display_name},
                                     headers={"cookie": cookie, CSRF_HEADER: csrf, "x-forwarded-for": attempt.address})
            except httpx.ConnectError:
                outcomes.count("refused")
                time.sleep(0.05)
                continue
            except httpx.TransportError:
                outcomes.count("unanswered")
                continue
            if response.status_code == 200 and "Thank you for your comment" in response.text:
                outcomes.success("comment", marker)
            else:
                outcomes.failure(f"comment {marker}: {response.status_code}")


def submit_responses(base_url: str, cookie: str, csrf: str, answers: dict[str, object], outcomes: Outcomes,
                     stop: threading.Event) -> None:
    """One questionnaire submission after another, each with a new idempotency key, from a
    session cookie holding complete answers. A submission that got no answer is sent again with
    the same key until it is answered, as the browser's resubmit would: it must be stored once."""
    path = f"/consultations/{CONSULTATION}/submit"
    with httpx.Client(base_url=base_url, timeout=30) as http:
        while not stop.is_set():
            key = f"{outcomes.tag}-{uuid.uuid4().hex}"
            with outcomes.lock:
                outcomes.responses[key] = answers
            response, sent = None, False
            while response is None and not stop.is_set():
                try:
                    sent = True
                    response = http.post(path, data={"idempotency_key": key}, headers={"cookie": cookie, CSRF_HEADER: csrf})
                except httpx.ConnectError:
                    outcomes.count("refused")
                    time.sleep(0.05)
                except httpx.TransportError:
                    outcomes.count("unanswered")
                    outcomes.count("retried")
            if response is None:
                if not sent:  # stopped between choosing the key and sending it: nothing to find stored
                    with outcomes.lock:
                        del outcomes.responses[key]
                return
            if response.status_code == 303 and response.headers.get("location", "").endswith("/confirmation"):
                outcomes.success("response", key)
            else:
                outcomes.failure(f"response {key}: {response.status_code}")


def start_clients(base_url: str, *, comment_clients: int, response_cookies: list[tuple[str, str, dict[str, object]]],
                  comment_cookie: tuple[str, str], outcomes: Outcomes, stop: threading.Event) -> list[threading.Thread]:
    threads = [threading.Thread(target=post_comments, args=(base_url, number, *comment_cookie, outcomes, stop),
                                daemon=True) for number in range(comment_clients)]
    threads += [threading.Thread(target=submit_responses, args=(base_url, cookie, csrf, answers, outcomes, stop),
                                 daemon=True) for cookie, csrf, answers in response_cookies]
    for thread in threads:
        thread.start()
    return threads
