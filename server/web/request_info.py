"""Small facts about a request that several controllers need."""

from __future__ import annotations

from litestar.connection import ASGIConnection


def client_ip(connection: ASGIConnection) -> str:
    """The peer address. Behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
    ``--forwarded-allow-ips`` so this is the resident's address, not the proxy's."""
    client = connection.client
    return client.host if client else ""


def link_base(connection: ASGIConnection) -> str:
    """The site's address as this request reached it, for links in emails (no trailing slash)."""
    return str(connection.base_url).rstrip("/")


def safe_next_path(next_path: str) -> str:
    """Only a local path may be a redirect target after login (no open redirect)."""
    if next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return ""
