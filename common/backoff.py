"""How long something that failed waits before it is tried again: 1, 2, 4, 8… minutes after each
failed attempt, at most an hour. The outbox's emails and texts and Notify's letters share it."""

from __future__ import annotations

from datetime import timedelta

LONGEST_RETRY_DELAY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), LONGEST_RETRY_DELAY)
