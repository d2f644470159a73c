"""Slowing down password guessing without letting anyone lock an officer out.

Failed sign-ins are counted per address and per account-and-address, never per account alone: a
hard lock on the account would let anyone keep its owner out by typing wrong passwords from
anywhere. After ``free_failures`` failures for one account from one address (or four times that
from one address, whatever the accounts), each further attempt from that address waits for a
delay that doubles with every failure — 30 seconds, 1 minute, 2, 4… — up to ``longest_delay``.
The owner, signing in from their own address, is not slowed at all.

The failures are rows in ``SignInFailure`` (the database is shared by every worker and machine);
they hold a keyed hash of the email typed, not the email. A day after a failure it no longer counts,
and a successful sign-in forgets its account's failures from that address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from common.i18n import ngettext
from server.tables import SignInFailure

FIRST_DELAY = timedelta(seconds=30)
"""The wait after the first failure beyond the free ones; it doubles with each further failure."""

MEMORY = timedelta(days=1)
"""How long a failure counts."""

ADDRESS_FACTOR = 4
"""An address may fail this many times ``free_failures``, across all accounts, before it waits."""


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    """Failures for one account from one address before the delays start (``LOGIN_MAX_FAILURES``)."""
    longest_delay: timedelta
    """The cap on the delay (``LOGIN_LOCKOUT_MINUTES``)."""
    key: bytes
    """Keys the hash of the email (derived from ``SECRET_KEY``)."""

    def account_key(self, email: str) -> str:
        return hmac.new(self.key, email.encode("utf-8"), hashlib.sha256).hexdigest()


def policy_from_settings(settings) -> ThrottlePolicy:
    return ThrottlePolicy(
        free_failures=settings.login_max_failures,
        longest_delay=timedelta(minutes=settings.login_lockout_minutes),
        key=hashlib.sha256(b"sign-in throttle:" + settings.secret_key.encode("utf-8")).digest(),
    )


def delay_after(failures: int, free_failures: int, longest_delay: timedelta) -> timedelta:
    """How long to wait after the latest of ``failures`` failures: nothing while they are within
    the free ones, then 30 s doubling per failure, capped."""
    beyond = failures - free_failures
    if beyond < 0:
        return timedelta(0)
    if beyond > 40:  # 2**40 × 30 s is already far beyond any cap
        return longest_delay
    return min(FIRST_DELAY * (2**beyond), longest_delay)


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def _failures(*conditions) -> tuple[int, datetime | None]:
    rows = await SignInFailure.select(SignInFailure.at).where(*conditions).order_by(
        SignInFailure.at, ascending=False).run()
    return len(rows), (rows[0]["at"] if rows else None)


async def wait_before_next_attempt(*, policy: ThrottlePolicy, email: str, ip_address: str,
                                   now: datetime | None = None) -> timedelta:
    """How long this address must still wait before it may try this account again (zero: go on)."""
    now = now or _now()
    since = now - MEMORY
    waits = []
    for conditions, free in (
        ((SignInFailure.account_key == policy.account_key(email), SignInFailure.ip_address == ip_address),
         policy.free_failures),
        ((SignInFailure.ip_address == ip_address,), ADDRESS_FACTOR * policy.free_failures),
    ):
        count, latest = await _failures(SignInFailure.at >= since, *conditions)
        if latest is not None:
            waits.append(latest + delay_after(count, free, policy.longest_delay) - now)
    return max([timedelta(0), *waits])


async def record_failure(*, policy: ThrottlePolicy, email: str, ip_address: str) -> None:
    now = _now()
    await SignInFailure.delete().where(SignInFailure.at < now - MEMORY).run()
    await SignInFailure.insert(
        SignInFailure(at=now, ip_address=ip_address[:64], account_key=policy.account_key(email))
    ).run()


async def forget_failures(*, policy: ThrottlePolicy, email: str, ip_address: str) -> None:
    """After a successful sign-in: the owner's own mistakes from this address stop counting."""
    await SignInFailure.delete().where(
        SignInFailure.account_key == policy.account_key(email), SignInFailure.ip_address == ip_address
    ).run()


def too_many_attempts_message(wait: timedelta) -> str:
    """What a person who must wait is told, in whole minutes (at least one)."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ngettext("Too many failed sign-in attempts. Try again in %(num)d minute.",
                    "Too many failed sign-in attempts. Try again in %(num)d minutes.", minutes)
