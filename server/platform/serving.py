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

Every worker also bounds what one client can hold (``uvicorn_options``): idle keep-alive
connections close after ``SERVER_KEEP_ALIVE_SECONDS``; a worker with ``SERVER_MAX_CONNECTIONS``
connections answers 503; and a request's line and headers must arrive within
``SERVER_REQUEST_HEAD_SECONDS`` and ``SERVER_MAX_REQUEST_HEAD_BYTES``. uvicorn has no limit of its
own on how long a request's headers may take to arrive (its keep-alive timer stops at the first
byte, https://github.com/Kludex/uvicorn/issues/157), so a client sending headers a byte every
few seconds held a connection for ever; ``RequestHeadLimits`` adds that limit to uvicorn's
own protocol classes. The reverse proxy must still bound slow bodies (see the README).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from functools import cache
from typing import Any

from uvicorn import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors.multiprocess import STARTUP_FAILURE, Multiprocess, Process

from server.settings import Settings

logger = logging.getLogger("uvicorn.error")

REQUEST_HEAD_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
                          b"content-length: 33\r\nconnection: close\r\n\r\nRequest header fields too large.\n")


@cache
def _limits() -> Settings:
    """The settings of this worker process (uvicorn builds protocols without them; spawned
    workers read the same environment the command checked before starting)."""
    return Settings.from_env()


class RequestHeadLimits:
    """Mixed into a uvicorn HTTP protocol class: from the moment a connection opens, and again
    after each response, the next request's line and headers must arrive within
    ``server_request_head_seconds`` and ``server_max_request_head_bytes``, or the connection is
    closed (after a 431 for too many bytes). A request being answered is never cut off: the
    deadline only closes a connection that has no request in progress."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._head_deadline: asyncio.TimerHandle | None = None
        self._await_request_head()

    def _idle(self) -> bool:
        """No request is in progress and none has begun since the deadline was set."""
        return self.cycle is self._head_cycle and (self.cycle is None or self.cycle.response_complete)

    def _await_request_head(self) -> None:
        self._stop_head_deadline()
        self._head_cycle, self._head_bytes = self.cycle, 0
        self._head_deadline = self.loop.call_later(_limits().server_request_head_seconds, self._head_too_slow)

    def _stop_head_deadline(self) -> None:
        if getattr(self, "_head_deadline", None) is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self._idle() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        waiting = self._idle()
        super().data_received(data)  # type: ignore[misc]
        if not waiting or self.transport.is_closing():
            return
        if not self._idle():  # the head is complete: a request has begun
            self._stop_head_deadline()
            return
        self._head_bytes += len(data)
        if self._head_bytes > _limits().server_max_request_head_bytes:
            self._stop_head_deadline()
            self.transport.write(REQUEST_HEAD_TOO_LARGE)
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._await_request_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_deadline()
        super().connection_lost(exc)  # type: ignore[misc]


class H11WithLimits(RequestHeadLimits, H11Protocol):
    """uvicorn's pure-Python HTTP/1.1 protocol, with the request-head limits."""


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is not installed: h11 serves
    HttpToolsProtocol = None  # type: ignore[assignment, misc]

if HttpToolsProtocol is not None:
    class HttpToolsWithLimits(RequestHeadLimits, HttpToolsProtocol):
        """uvicorn's httptools protocol (the faster parser), with the request-head limits."""


def http_protocol() -> type[asyncio.Protocol]:
    """What uvicorn's ``http="auto"`` would choose (httptools when installed, else h11), with
    the request-head limits."""
    return H11WithLimits if HttpToolsProtocol is None else HttpToolsWithLimits


def uvicorn_options(settings: Settings, **options: Any) -> dict[str, Any]:
    """The keyword arguments for ``uvicorn.run``/``uvicorn.Config``: ``options`` (host, port,
    workers…) plus the limits every worker keeps, from ``settings``."""
    return {
        **options,
        "http": http_protocol(),
        "timeout_keep_alive": settings.server_keep_alive_seconds,
        "limit_concurrency": settings.server_max_connections,
        "h11_max_incomplete_event_size": settings.server_max_request_head_bytes,
    }


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
