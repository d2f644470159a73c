"""A wall-clock deadline threaded through a long computation (the robust lottery, ``robust``).

One ``Deadline`` is made when the computation starts and handed to every step; a step calls
``check()`` between units of its work (a scenario scored, a swap tried) and gives HiGHS
``remaining()`` as its time limit. ``TimeLimitReached`` unwinds the step in progress: the step's
partial work is dropped and the caller keeps what earlier steps finished. The clock is injected
(``time.perf_counter`` by default) so that tests run on a fake one and never time real work.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


class TimeLimitReached(Exception):
    """The deadline passed in the middle of a step."""


@dataclass(frozen=True)
class Deadline:
    """The moment ``at`` on ``clock`` (seconds) after which work stops."""

    at: float
    clock: Callable[[], float] = time.perf_counter

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.perf_counter) -> Deadline:
        return cls(clock() + seconds, clock)

    @classmethod
    def never(cls) -> Deadline:
        return cls(math.inf)

    def earlier(self, seconds: float) -> Deadline:
        """The deadline ``seconds`` before this one, on the same clock (time kept for a later step)."""
        return Deadline(self.at - seconds, self.clock)

    def remaining(self) -> float:
        return self.at - self.clock()

    def passed(self) -> bool:
        return self.remaining() <= 0.0

    def check(self) -> None:
        """Raise ``TimeLimitReached`` once the deadline has passed."""
        if self.passed():
            raise TimeLimitReached

    def solver_seconds(self, most: float = math.inf) -> float:
        """A time limit for HiGHS: what is left (at most ``most``); raises once nothing is left."""
        left = self.remaining()
        if left <= 0.0:
            raise TimeLimitReached
        return min(left, most)
