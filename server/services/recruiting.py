"""The panel the site's navigation invites residents to join, looked up at most once a minute.

Every page shows the link, so it is not looked up per request: the answer is kept for
``REFRESH_SECONDS`` (and never past the panel's registration deadline), and an officer's change
to a panel forgets it at once in this process."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from panels.recruitment import recruiting_panel

REFRESH_SECONDS = 60.0
RETRY_SECONDS = 5.0
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecruitingPanel:
    slug: str
    name: str


class RecruitingLink:
    def __init__(self, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.refresh_seconds = refresh_seconds
        self.current: RecruitingPanel | None = None
        self._valid_until = float("-inf")

    async def refresh_if_stale(self) -> None:
        """Look again when the answer is stale. A database that does not answer leaves the last
        answer in place (tried again after ``RETRY_SECONDS``): the menu never takes a page down,
        and /healthz can still say the database is unreachable."""
        if time.monotonic() < self._valid_until:
            return
        now = datetime.now(timezone.utc)
        try:
            panel = await recruiting_panel(now=now)
        except Exception:  # noqa: BLE001 - any database failure: the page itself reports its own
            logger.warning("could not look up the recruiting panel; the menu keeps its last answer", exc_info=True)
            self._valid_until = time.monotonic() + RETRY_SECONDS
            return
        self.current = RecruitingPanel(panel.slug, panel.name) if panel else None
        lifetime = self.refresh_seconds
        if panel is not None and panel.registration_deadline is not None:
            deadline = panel.registration_deadline
            deadline = deadline if deadline.tzinfo else deadline.replace(tzinfo=timezone.utc)
            lifetime = min(lifetime, max(0.0, (deadline - now).total_seconds()))
        self._valid_until = time.monotonic() + lifetime

    def forget(self) -> None:
        """Look again on the next request (after a panel was created, changed or drawn)."""
        self._valid_until = float("-inf")
