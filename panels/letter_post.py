"""Invitation letters printed and posted by GOV.UK Notify: which letters an officer has sent to
Notify, claiming them for a sender (several workers may run one; a letter costs money, so it is
claimed before it is sent and never sent twice), and what Notify said.

A letter is *waiting* from the officer's request until Notify accepts it (*posted*), or until it
has failed ``max_attempts`` times (*failed*, with Notify's reason). Failed attempts wait as emails do
(``common.backoff``). Domain code only: the server's ``letter_sender`` talks to
Notify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from common.backoff import retry_delay
from panels.tables import Letter, LetterBatch

CLAIM_MINUTES = 5


@dataclass(frozen=True)
class PostStatus:
    posted: int
    waiting: int
    failed: int
    not_sent: int
    """Letters of the batch nobody has asked Notify to post."""
    refusals: tuple[tuple[str, str], ...] = ()
    """(first address line and postcode, Notify's reason) of each failed letter."""


async def request_post(*, panel_id: int, batch_id: int, now: datetime) -> int | None:
    """Ask for every letter of the batch not yet asked for to be posted; how many were added, or
    None when the panel has no such batch."""
    if not await LetterBatch.exists().where(LetterBatch.id == batch_id, LetterBatch.panel == panel_id).run():
        return None
    added = await Letter.update({Letter.post_requested_at: now}).where(
        Letter.batch == batch_id, Letter.post_requested_at.is_null()).returning(Letter.id).run()
    return len(added)


async def post_status(batch_id: int) -> PostStatus:
    rows = await Letter.select(Letter.post_requested_at, Letter.posted_at, Letter.post_failed_at, Letter.address,
                               Letter.postcode, Letter.post_error).where(Letter.batch == batch_id).order_by(Letter.id).run()
    posted = sum(1 for row in rows if row["posted_at"] is not None)
    failed = sum(1 for row in rows if row["post_failed_at"] is not None)
    asked = sum(1 for row in rows if row["post_requested_at"] is not None)
    refusals = tuple((f"{row['address'].split(chr(10))[0]}, {row['postcode']}", row["post_error"])
                     for row in rows if row["post_failed_at"] is not None)
    return PostStatus(posted=posted, failed=failed, waiting=asked - posted - failed, not_sent=len(rows) - asked,
                      refusals=refusals)


async def claim_letters(now: datetime, limit: int) -> list[dict]:
    """Letters waiting whose claim or back-off has passed, each claimed by an atomic update."""
    free = (Letter.post_claimed_until.is_null()) | (Letter.post_claimed_until < now)
    waiting = (Letter.post_requested_at.is_not_null(), Letter.posted_at.is_null(), Letter.post_failed_at.is_null())
    candidates = await Letter.select(Letter.id).where(*waiting, free).order_by(Letter.id).limit(limit).run()
    claimed = []
    for row in candidates:
        claimed += await Letter.update({Letter.post_claimed_until: now + timedelta(minutes=CLAIM_MINUTES)}).where(
            Letter.id == row["id"], *waiting, free).returning(
            Letter.id, Letter.panel, Letter.address, Letter.postcode, Letter.code, Letter.post_attempts).run()
    return claimed


async def record_posted(letter_id: int, *, notification_id: str, now: datetime) -> None:
    await Letter.update({Letter.posted_at: now, Letter.post_notification_id: notification_id[:40], Letter.post_error: "",
                         Letter.post_claimed_until: None}).where(Letter.id == letter_id).run()


async def record_failure(letter: dict, error: str, *, now: datetime, max_attempts: int) -> bool:
    """Count a failed attempt; True when it was the last and the letter is now failed."""
    attempts = letter["post_attempts"] + 1
    given_up = attempts >= max_attempts
    await Letter.update({Letter.post_attempts: attempts, Letter.post_error: error[:500],
                         Letter.post_claimed_until: None if given_up else now + retry_delay(attempts),
                         Letter.post_failed_at: now if given_up else None}).where(Letter.id == letter["id"]).run()
    return given_up


async def release(letter_id: int, error: str) -> None:
    """Notify could not be reached: free the claim for the next pass, no attempt counted."""
    await Letter.update({Letter.post_claimed_until: None, Letter.post_error: error[:500]}).where(Letter.id == letter_id).run()
