"""Private-link and session tokens are never stored: only their SHA-256, as lower-case hex.

Every stored ``token_hash`` (volunteers, comment authors, respondents, personal-data links, staff
sessions) was written with this rule, so it must not change."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """The SHA-256 of the token's UTF-8 bytes, as 64 lower-case hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
