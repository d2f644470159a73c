"""Password hashing with Argon2id (argon2-cffi), the OWASP-recommended algorithm, and the rules a
new password must meet: the NCSC's advice of length and a block-list of common passwords, with
no composition rules (no "one capital, one digit")."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from common.i18n import gettext

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
"""The 30,000 most common passwords, lower-case (where they came from: README.md beside it)."""

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def use_fast_hashing_for_tests() -> None:
    """Cheaper parameters, so a test suite that signs in hundreds of times stays quick.
    Never called by the application."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_hash() -> str:
    """A hash of no one's password, made with the current parameters: checking a password against
    it when no account matches takes as long as checking a real account's, so the time taken does
    not tell whether an email has an account."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("no account has this password")
    return _dummy_hash


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split("\n")) - {""}


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why a new password is not acceptable, or None: too short, too long, one of the common
    passwords (compared case-insensitively), or the person's own email address or name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return gettext("Password must be at least %(count)d characters", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return gettext("Password must be %(count)d characters or fewer", count=MAX_PASSWORD_LENGTH)
    folded = password.strip().casefold()
    if folded in common_passwords():
        return gettext("This is one of the most common passwords: choose one that is harder to guess")
    own_words = {email.strip().casefold(), email.strip().casefold().split("@")[0], display_name.strip().casefold()}
    if folded in own_words - {""}:
        return gettext("Your password must not be your email address or name")
    return None
