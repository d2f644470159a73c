"""Several worker processes, each accepting connections on a listening socket of its own.

uvicorn's own supervisor shares one listening socket between its workers. Whichever worker wakes
first accepts every connection waiting (asyncio accepts up to the backlog in one go), so a burst
of new connections lands on one or two workers: measured here with 50 connections opened at once
on 4 workers, 34 went to one worker and 16 to another, and the busiest worker's residents waited
three times as long as the others'. With ``SO_REUSEPORT`` each worker listens on its own socket
bound to the same address, and the kernel spreads new connections across them (as nginx's
``reuseport`` does). Everything else — health checks, replacing a worker that dies, SIGHUP to
restart the workers one by one, SIGTERM to stop — is uvicorn's supervisor, unchanged; a worker's
replacement takes over its socket.
"""

from __future__ import annotations

import logging
import os
import socket

from uvicorn import Config
from uvicorn.supervisors.multiprocess import STARTUP_FAILURE, Multiprocess, Process

logger = logging.getLogger("uvicorn.error")


def can_reuse_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT") and os.name == "posix"


def reuse_port_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket on ``host:port`` that other sockets with ``SO_REUSEPORT`` may share."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


class OwnSocketMultiprocess(Multiprocess):
    """uvicorn's ``Multiprocess``, giving worker ``n`` only ``sockets[n]``."""

    def __init__(self, config: Config, sockets: list[socket.socket]) -> None:
        if len(sockets) != config.workers:
            raise ValueError("one socket per worker")
        super().__init__(config, sockets)

    def _process(self, index: int) -> Process:
        return Process(self.config, [self.sockets[index]])

    def init_processes(self) -> None:
        for index in range(self.processes_num):
            process = self._process(index)
            process.start()
            self.processes.append(process)

    def restart_all(self) -> None:
        for index, old_process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new_process = self._process(index)
            new_process.start()
            if not new_process.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new_process.kill()
                new_process.join()
                if not self.should_exit.is_set():
                    logger.error("New worker [%s] was not ready in time; keeping worker [%s] and aborting the restart.",
                                 new_process.pid, old_process.pid)
                return
            old_process.terminate()
            old_process.join()
            self.processes[index] = new_process

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for index, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # the app cannot start: every restart would fail the same way
                logger.error("Worker [%s] failed to start, stopping.", process.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info("Worker [%s] died; starting another on its socket", process.pid)
            replacement = self._process(index)
            replacement.start()
            self.processes[index] = replacement


def run_workers(config: Config) -> None:
    """Serve ``config`` (already holding ``workers``, ``host`` and ``port``) with a socket per worker."""
    sockets = [reuse_port_socket(config.host, config.port, config.backlog) for _ in range(config.workers)]
    logger.info("Listening on http://%s:%d with %d workers, a socket each", config.host, config.port, config.workers)
    try:
        OwnSocketMultiprocess(config, sockets).run()
    finally:
        for sock in sockets:
            sock.close()
