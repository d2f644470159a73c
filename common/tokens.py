"""Private-link and session tokens are never stored: only their SHA-256, as lower-case hex.

Every stored ``token_hash`` (volunteers, comment authors, respondents, personal-data links, staff
sessions) was written with this rule, so it must not change."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

PRIVATE_LINK_IDLE_DAYS = 365
"""A per-record private link stops working after this many days without use (the server passes
its ``PRIVATE_LINK_IDLE_MONTHS`` setting instead)."""


def hash_token(token: str) -> str:
    """The SHA-256 of the token's UTF-8 bytes, as 64 lower-case hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_active_since(now: datetime, idle_days: int = PRIVATE_LINK_IDLE_DAYS) -> datetime:
    """The earliest last use (or issue) of a per-record private link that still works at ``now``."""
    return now - timedelta(days=idle_days)
