"""Private links kept out of the server's access log.

A resident's private link (``/your-data/{token}``, ``/my-panel/{token}``, ``/my/comments/{token}``,
``…/questionnaire?member={token}``) is the only thing that opens their data; the access log is
read by people who must not be able to open it. Uvicorn writes one line a request to the
``uvicorn.access`` logger with the path and query as arguments; this filter rewrites them
before any handler sees the line:

- a path segment that is a route's ``{…token…}`` parameter becomes ``[private]``;
- the value of a query parameter named in ``PRIVATE_QUERY_NAMES`` becomes ``[private]``;
- anything else that looks like one of our secrets (32 or more URL-safe characters with an
  upper-case letter and a digit, which no slug has) becomes ``[private]`` too, so a route added
  later with another parameter name is not written out either.

Installed by the app factory on the ``uvicorn.access`` logger (once, however many apps are made).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[private]"
PRIVATE_QUERY_NAMES = frozenset({"member", "token", "code", "key", "link"})
_LOOKS_SECRET = re.compile(r"(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{32,}")
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def private_path_patterns(route_paths: Iterable[str]) -> list[re.Pattern[str]]:
    """A pattern for each route with a token in its path, the token as group ``private``."""
    patterns = []
    for path in route_paths:
        names = _PARAMETER.findall(path)
        if not any("token" in name for name in names):
            continue
        pattern, last = "", 0
        for match in _PARAMETER.finditer(path):
            pattern += re.escape(path[last:match.start()])
            pattern += "(?P<private>[^/?]+)" if "token" in match.group(1) and "(?P<private>" not in pattern else "[^/?]+"
            last = match.end()
        patterns.append(re.compile(pattern + re.escape(path[last:]) + "$"))
    return patterns


class PrivateLinkFilter(logging.Filter):
    """Rewrites the path argument of uvicorn's access-log records (see the module's docstring)."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        super().__init__()
        self.patterns = patterns

    def redact(self, path_with_query: str) -> str:
        path, question, query = path_with_query.partition("?")
        for pattern in self.patterns:
            match = pattern.match(path)
            if match:
                path = path[:match.start("private")] + REDACTED + path[match.end("private"):]
                break
        path = _LOOKS_SECRET.sub(REDACTED, path)
        if question:
            pairs = [(name, REDACTED if name.lower() in PRIVATE_QUERY_NAMES or _LOOKS_SECRET.search(value) else value)
                     for name, value in parse_qsl(query, keep_blank_values=True)]
            query = urlencode(pairs, safe="[]")
        return path + question + query

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], self.redact(args[2]), *args[3:])
        return True


def install_access_log_filter(route_paths: Iterable[str]) -> PrivateLinkFilter:
    """Put the filter on the access logger, replacing one an earlier app put there."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for old in [existing for existing in logger.filters if isinstance(existing, PrivateLinkFilter)]:
        logger.removeFilter(old)
    installed = PrivateLinkFilter(private_path_patterns(route_paths))
    logger.addFilter(installed)
    return installed
