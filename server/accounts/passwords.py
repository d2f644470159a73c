"""Password hashing with Argon2id (argon2-cffi), the OWASP-recommended algorithm."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from common.i18n import gettext

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

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


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None. Length over complexity rules (NCSC advice)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return gettext("Password must be at least %(count)d characters", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return gettext("Password must be %(count)d characters or fewer", count=MAX_PASSWORD_LENGTH)
    return None
