"""The hourly check that queues panel reminders (``panels.reminders``): before the reply-by date to
those who have not replied, and before each session to confirmed members. Every worker runs it;
each reminder is claimed once, so nobody is reminded twice. ``civicpanel send-reminders`` runs
one pass by hand."""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar

from common.clock import council_today
from panels.reminders import due_reminders
from server.services.outbox import write_outbox

logger = logging.getLogger("civicpanel")

REMINDER_INTERVAL_S = 3600


async def queue_reminders(app: Litestar) -> int:
    """Queue today's reminders not yet sent; returns how many."""
    settings = app.state.settings
    emails = await due_reminders(
        today=council_today(), postal_address=settings.council_postal_address, texts=settings.sends_texts,
        private_link=lambda token: settings.site_url + app.route_reverse("member_page", token=token))
    await write_outbox(emails)
    return len(emails)


async def run_reminders_forever(app: Litestar, *, interval_s: float = REMINDER_INTERVAL_S) -> None:
    """The app's hourly background task."""
    while True:
        try:
            await queue_reminders(app)
        except Exception:  # a failed pass must not stop the next; it is logged with its trace
            logger.exception("queueing panel reminders failed")
        await asyncio.sleep(interval_s)
