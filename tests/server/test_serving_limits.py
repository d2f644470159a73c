"""Each worker bounds what one client can hold: uvicorn gets keep-alive, connection and header
size limits from the settings, and a request's headers must arrive in time (uvicorn alone kept
a connection whose headers trickled in a byte at a time open for ever)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn
from click.testing import CliRunner

from server.platform import serving
from server.platform.serving import H11WithLimits, RequestHeadLimits, uvicorn_options
from server.settings import Settings

HEAD_SECONDS = 1


def test_the_settings_reach_uvicorn(monkeypatch):
    settings = Settings.from_env({"SERVER_KEEP_ALIVE_SECONDS": "7", "SERVER_MAX_CONNECTIONS": "250",
                                  "SERVER_MAX_REQUEST_HEAD_BYTES": "32768", "SERVER_REQUEST_HEAD_SECONDS": "4"})
    options = uvicorn_options(settings, host="127.0.0.1", port=8000)
    assert options["timeout_keep_alive"] == 7 and options["limit_concurrency"] == 250
    assert options["h11_max_incomplete_event_size"] == 32768 and options["host"] == "127.0.0.1"
    assert issubclass(options["http"], RequestHeadLimits)
    assert settings.server_request_head_seconds == 4
    defaults = Settings.from_env({})
    assert (defaults.server_keep_alive_seconds, defaults.server_request_head_seconds,
            defaults.server_max_request_head_bytes, defaults.server_max_connections) == (5, 10, 65536, 1000)


def test_civicpanel_serve_passes_the_limits_to_uvicorn(monkeypatch):
    from server.cli.main import cli

    started: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options, app=app))
    monkeypatch.setenv("SERVER_KEEP_ALIVE_SECONDS", "9")
    monkeypatch.setenv("SERVER_MAX_CONNECTIONS", "300")
    result = CliRunner().invoke(cli, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert started["app"] == "server.asgi:app_from_environment" and started["port"] == 8123
    assert started["timeout_keep_alive"] == 9 and started["limit_concurrency"] == 300
    assert started["h11_max_incomplete_event_size"] == 65536 and issubclass(started["http"], RequestHeadLimits)


async def _slow_app(scope, receive, send):
    """Answers after longer than the head deadline, to show a request in progress is not cut off."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(HEAD_SECONDS * 1.5)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _protocols() -> list[type]:
    protocols = [H11WithLimits]
    if serving.HttpToolsProtocol is not None:
        protocols.append(serving.HttpToolsWithLimits)
    return protocols


@pytest.fixture(params=_protocols(), ids=lambda protocol: protocol.__name__)
def server_port(request, monkeypatch) -> Iterator[int]:
    monkeypatch.setenv("SERVER_REQUEST_HEAD_SECONDS", str(HEAD_SECONDS))
    monkeypatch.setenv("SERVER_MAX_REQUEST_HEAD_BYTES", "8192")
    serving._limits.cache_clear()
    config = uvicorn.Config(_slow_app, host="127.0.0.1", port=0, http=request.param, log_level="warning",
                            lifespan="off", timeout_keep_alive=30)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the server did not start")
        threading.Event().wait(0.01)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)
    serving._limits.cache_clear()


def _connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port))
    connection.settimeout(HEAD_SECONDS * 10)  # only so that a failure cannot hang the suite
    return connection


def _read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _read_response(connection: socket.socket) -> bytes:
    """One response of ``_slow_app`` (a two-byte body) on a connection kept alive: the head and
    the body are written separately and may arrive in separate reads on a loaded machine."""
    received = b""
    while not (b"\r\n\r\n" in received and len(received.split(b"\r\n\r\n", 1)[1]) >= 2):
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def test_a_client_that_never_finishes_its_headers_is_disconnected(server_port):
    with _connect(server_port) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: example\r\nX-Slow: ")
        connection.sendall(b"a")  # bytes keep coming, but the headers never end
        assert _read_until_closed(connection) == b""  # closed by the server, not by the guard timeout


def test_a_client_idle_before_its_first_request_is_disconnected(server_port):
    with _connect(server_port) as connection:
        assert _read_until_closed(connection) == b""


def test_headers_over_the_limit_get_431(server_port):
    with _connect(server_port) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n" + b"X-Big: " + b"b" * 9000)
        assert _read_until_closed(connection).startswith(b"HTTP/1.1 431 ")


def test_requests_in_time_are_answered_even_when_the_answer_takes_longer_than_the_deadline(server_port):
    with _connect(server_port) as connection:
        connection.sendall(b"GET /slow HTTP/1.1\r\nHost: example\r\n\r\n")
        first = _read_response(connection)
        assert first.startswith(b"HTTP/1.1 200 ") and first.endswith(b"ok")
        connection.sendall(b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")  # kept alive
        second = _read_until_closed(connection)
        assert second.startswith(b"HTTP/1.1 200 ") and second.endswith(b"ok")
