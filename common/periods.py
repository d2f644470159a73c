"""Something open until the end of a day, or until someone closes it earlier: a vote, a review."""

from __future__ import annotations

from datetime import date


class OpenUntilDay:
    """For a dataclass with ``closes_on`` (the last day, council time) and ``closed_on`` (the day
    it was closed early, or None)."""

    closes_on: date
    closed_on: date | None

    def is_open(self, today: date) -> bool:
        return self.closed_on is None and today <= self.closes_on

    def ended_on(self, today: date) -> date | None:
        """The day it ended, or None while it is open."""
        if self.closed_on is not None:
            return self.closed_on
        return self.closes_on if today > self.closes_on else None
