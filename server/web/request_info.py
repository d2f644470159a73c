"""Small facts about a request that several controllers need."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection


def client_ip(connection: ASGIConnection) -> str:
    """The peer address. Behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
    ``--forwarded-allow-ips`` so this is the resident's address, not the proxy's."""
    client = connection.client
    return client.host if client else ""


def absolute_link(connection: ASGIConnection, route_name: str, **parameters: object) -> str:
    """The absolute address of a route, for an email or a link a person copies: ``SITE_URL``
    joined with the route's path. Never the Host header the request arrived with, which anyone
    can set: an email must not carry a link to an attacker's site."""
    return connection.app.state.settings.site_url + connection.app.route_reverse(route_name, **parameters)


def private_link_builder(connection: ASGIConnection, route_name: str) -> Callable[[str], str]:
    """For domain code that makes a private token and writes it into an email: token -> absolute link."""
    return lambda token: absolute_link(connection, route_name, token=token)


def site_domain(connection: ASGIConnection) -> str:
    """The host name of ``SITE_URL`` (``panel.council.example``), e.g. for calendar event UIDs."""
    return urlsplit(connection.app.state.settings.site_url).hostname or "civicpanel"


def safe_next_path(next_path: str) -> str:
    """Only a local path may be a redirect target (no open redirect). Browsers drop tabs and
    line breaks from a URL, so ``/<tab>/elsewhere.example`` would become ``//elsewhere.example``:
    a path with any control character is refused too."""
    if (next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path
            and not any(ord(character) < 0x20 or ord(character) == 0x7F for character in next_path)):
        return next_path
    return ""
