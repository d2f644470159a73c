"""Posting invitation letters through GOV.UK Notify: each letter an officer sent to Notify is
claimed (``panels.letter_post``), filled into the council's Notify letter template
(``server.services.invitation_letters.notify_personalisation``) and sent with its id as Notify's
reference; Notify prints and posts it. Errors are handled as the email sender handles them: a 400
(an address Notify cannot post to) fails that letter alone; a refused key, the rate limit or an
outage stops the pass, counts no attempt, and the next pass tries again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import anyio
from notifications_python_client.errors import APIError as NotifyAPIError
from notifications_python_client.notifications import NotificationsAPIClient

from panels import letter_post, store
from panels.mailing import LetterRow
from panels.tables import Panel
from server.platform.mailer import SEND_INTERVAL_S, notify_stops_pass
from server.services.invitation_letters import notify_personalisation
from server.settings import Settings

logger = logging.getLogger("civicpanel")


@dataclass(frozen=True)
class PostReport:
    posted: int
    failed: int


def _send(settings: Settings, letters: list[tuple[int, dict]]) -> tuple[dict[int, str | None], dict[int, str], str]:
    """In a worker thread: (letter id -> None or the error, letter id -> Notify's id, why the pass stopped)."""
    client = NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url, timeout=30)
    outcomes: dict[int, str | None] = {}
    ids: dict[int, str] = {}
    for letter_id, personalisation in letters:
        try:
            answer = client.send_letter_notification(settings.notify_letter_template_id, personalisation,
                                                     reference=f"civicpanel-letter-{letter_id}")
            outcomes[letter_id], ids[letter_id] = None, str(answer.get("id", ""))
        except NotifyAPIError as error:
            text = f"{type(error).__name__}: {error}"[:500]
            if notify_stops_pass(error):
                return outcomes, ids, text
            outcomes[letter_id] = text
    return outcomes, ids, ""


async def post_letters(settings: Settings, *, register_url: Callable[[str], str], limit: int = 50) -> PostReport:
    """One pass: send the letters waiting (at most ``limit``) to Notify. ``register_url(slug)`` is
    the panel's public page, where the letter's link leads (with the code filled in)."""
    if not settings.posts_letters:
        return PostReport(posted=0, failed=0)
    now = datetime.now(timezone.utc)
    claimed = await letter_post.claim_letters(now, limit)
    panels: dict[int, tuple[Panel, list]] = {}
    letters = []
    for row in claimed:
        if row["panel"] not in panels:
            panel = await Panel.objects().where(Panel.id == row["panel"]).first().run()
            panels[row["panel"]] = (panel, await store.list_sessions(panel.id))
        panel, sessions = panels[row["panel"]]
        letter = LetterRow(uprn="", lines=tuple(line for line in row["address"].split("\n") if line), postcode=row["postcode"],
                           ward="", code=row["code"])
        letters.append((row["id"], notify_personalisation(letter=letter, panel=panel, sessions=sessions,
                                                          register_url=register_url(panel.slug))))
    outcomes, ids, stopped = await anyio.to_thread.run_sync(_send, settings, letters) if letters else ({}, {}, "")
    posted = failed = 0
    for row in claimed:
        error = outcomes.get(row["id"], stopped or "not sent")
        if row["id"] not in outcomes:
            failed += 1
            await letter_post.release(row["id"], error)
        elif error is None:
            posted += 1
            await letter_post.record_posted(row["id"], notification_id=ids[row["id"]], now=datetime.now(timezone.utc))
        else:
            failed += 1
            await letter_post.record_failure(row, error, now=datetime.now(timezone.utc), max_attempts=settings.outbox_max_attempts)
            logger.warning("letter %s not posted: %s", row["id"], error)
    if stopped:
        logger.warning("GOV.UK Notify not reached, letters wait: %s", stopped)
    return PostReport(posted=posted, failed=failed)


async def run_letter_sender_forever(settings: Settings, register_url: Callable[[str], str],
                                    interval_s: float = SEND_INTERVAL_S) -> None:
    """The app's background task when Notify posts letters (started by the lifespan)."""
    while True:
        try:
            await post_letters(settings, register_url=register_url)
        except Exception:  # a bad pass must not stop later ones; it is logged with its trace
            logger.exception("letter sender pass failed")
        await asyncio.sleep(interval_s)
