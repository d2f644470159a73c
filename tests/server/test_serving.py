"""`civicpanel serve --workers N` (server/platform/serving.py): each worker listens on a socket of its own,
and a worker that dies is replaced on the same socket, with no connection refused meanwhile."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from server.platform.serving import can_reuse_port, reuse_port_socket
from tests.support.load_harness import ServerProcess, live_processes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux") or not can_reuse_port(),
                       reason="reads /proc and needs SO_REUSEPORT (Linux)"),
]


def listening_inodes(port: int) -> set[int]:
    """Inodes of the TCP sockets listening on ``port`` (``/proc/net/tcp`` and ``tcp6``)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(int(fields[9]))
    return inodes


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def workers_of(parent: int) -> list[int]:
    return [pid for pid, parent_pid, _ in live_processes() if parent_pid == parent]


def worker_sockets(server: ServerProcess) -> dict[int, set[int]]:
    """Each worker's listening sockets on the server's port (the supervisor's other children,
    such as multiprocessing's resource tracker, hold none)."""
    listening = listening_inodes(server.port)
    held = {pid: socket_inodes(pid) & listening for pid in workers_of(server.process.pid)}
    return {pid: inodes for pid, inodes in held.items() if inodes}


@pytest.fixture
def server(db, tmp_path):
    process = ServerProcess(tmp_path / "server.log", workers=3)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_reuse_port_sockets_share_an_address():
    first = reuse_port_socket("127.0.0.1", 0, 16)
    try:
        port = first.getsockname()[1]
        second = reuse_port_socket("127.0.0.1", port, 16)
        second.close()
        with pytest.raises(OSError):  # a socket without SO_REUSEPORT may not join them
            plain = socket.socket()
            try:
                plain.bind(("127.0.0.1", port))
            finally:
                plain.close()
    finally:
        first.close()


def all_workers_listening(server: ServerProcess, count: int = 3) -> dict[int, set[int]]:
    """The workers' sockets once ``count`` workers listen (the first to start answers /healthz
    while the others may still be importing the app)."""
    deadline = time.monotonic() + 60
    sockets = worker_sockets(server)
    while len(sockets) < count and time.monotonic() < deadline:
        time.sleep(0.2)
        sockets = worker_sockets(server)
    return sockets


def test_each_worker_listens_on_a_socket_of_its_own(server):
    sockets = all_workers_listening(server)
    assert len(sockets) == 3
    assert all(len(held) == 1 for held in sockets.values()), sockets
    assert len(set().union(*sockets.values())) == 3  # three different sockets, one each


def test_a_dead_worker_is_replaced_on_its_socket_and_no_request_is_refused(server):
    before = all_workers_listening(server)
    assert len(before) == 3
    victim, victim_sockets = next(iter(before.items()))
    os.kill(victim, signal.SIGKILL)
    answered = []
    for _ in range(30):  # new connections each time: some hash to the dead worker's socket
        answered.append(httpx.get(f"{server.base_url}/healthz", timeout=60, headers={"Connection": "close"}).status_code)
    assert answered == [200] * 30
    deadline = time.monotonic() + 60
    after = worker_sockets(server)
    while (victim in after or len(after) < 3) and time.monotonic() < deadline:
        time.sleep(0.2)
        after = worker_sockets(server)
    assert victim not in after and len(after) == 3
    replacement = next(pid for pid in after if pid not in before)
    assert after[replacement] == victim_sockets


def test_a_port_taken_before_the_server_binds_it_is_left_for_another(db, tmp_path):
    """Tests find a free port, then start a server on it: another xdist worker's server can take
    the port in between (seen in CI as "Address already in use"). The harness tries another."""
    process = ServerProcess(tmp_path / "server.log", workers=2)
    taken = process.port
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", taken))
    blocker.listen()
    try:
        process.start()
        assert process.port != taken
        assert httpx.get(f"{process.base_url}/healthz", timeout=30).status_code == 200
        assert "already in use" in (tmp_path / "server.log").read_text().lower()
    finally:
        process.stop()
        blocker.close()
