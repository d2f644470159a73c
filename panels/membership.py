"""Who holds a seat on the panel, who has left it, and whether the seats still meet the quotas.

A seat is held by a member who is invited (``selected``) or has confirmed. A seat is freed when
the invitee declines through their private link, or when an officer marks a confirmed member as
*dropped out* or closes an unanswered invitation as *no reply* (both with a reason). Freed seats
are refilled by a replacement run, which fixes everyone still holding a seat and leaves everyone
who has withdrawn out of the pool (``panels.runs.build_pool_problem``).

Invited people who have not replied keep their seat: they may still confirm, and replacing
them early could seat two people for one place. Once the reply deadline the council gave them
has passed, the officer marks them as "no reply" and their seat is refilled like a decline.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from common.i18n import gettext, lazy_gettext
from common.transactions import write_transaction
from panels.quotas import QuotaRow
from panels.tables import Volunteer

SEAT_STATUSES = ("selected", "confirmed")
WITHDRAWN_STATUSES = ("declined", "dropped_out", "no_reply", "withdrawn", "erased")
"""Statuses that take a volunteer out of the pool for good: never re-drawn. ``withdrawn``: the
volunteer withdrew through their private link; ``erased``: their personal data was erased (on
request or at the end of the retention period), so officers no longer see them at all."""
MEMBER_LIST_STATUSES = (*SEAT_STATUSES, "declined", "dropped_out", "no_reply", "withdrawn")
STATUS_LABELS = {
    "pool": lazy_gettext("In the pool"),
    "selected": lazy_gettext("Invited, no reply yet"),
    "confirmed": lazy_gettext("Confirmed"),
    "declined": lazy_gettext("Declined"),
    "dropped_out": lazy_gettext("Dropped out"),
    "no_reply": lazy_gettext("No reply (seat released)"),
    "withdrawn": lazy_gettext("Withdrew"),
    "erased": lazy_gettext("Erased"),
}
MAX_REASON_LENGTH = 500
WITHDRAWAL_FOR_STATUS = {"confirmed": "dropped_out", "selected": "no_reply"}
"""What an officer's withdrawal turns each seat-holding status into."""


class WithdrawalError(ValueError):
    """The withdrawal cannot be recorded; the message is for the officer."""


@dataclass(frozen=True)
class QuotaFit:
    """Seat holders in one quota category against its range."""

    dimension: str
    category: str
    quota_min: int
    quota_max: int
    seats: int

    @property
    def met(self) -> bool:
        return self.quota_min <= self.seats <= self.quota_max


def check_withdrawal_reason(reason: str) -> tuple[str, str]:
    """The cleaned reason and an error message ('' when it is fine)."""
    reason = reason.strip()
    if not reason:
        return reason, "Enter the reason the member is leaving the panel"
    if len(reason) > MAX_REASON_LENGTH:
        return reason, f"The reason must be {MAX_REASON_LENGTH} characters or fewer"
    return reason, ""


async def withdraw_member(*, panel_id: int, volunteer_id: int, reason: str,
                          now: datetime | None = None) -> Volunteer:
    """Mark a confirmed member as dropped out, or an unanswered invitation as no reply, and free
    the seat. Returns the volunteer as it now is. Raises ``WithdrawalError`` when the volunteer
    holds no seat (for example: they already declined), or the reason is missing."""
    reason, problem = check_withdrawal_reason(reason)
    if problem:
        raise WithdrawalError(problem)
    async with write_transaction(Volunteer._meta.db):
        volunteer = await Volunteer.objects().where(Volunteer.panel == panel_id, Volunteer.id == volunteer_id).first().run()
        if volunteer is None or volunteer.status not in WITHDRAWAL_FOR_STATUS:
            raise WithdrawalError(gettext("Only a member who holds a seat (invited or confirmed) can be withdrawn"))
        new_status = WITHDRAWAL_FOR_STATUS[volunteer.status]
        await Volunteer.update({Volunteer.status: new_status, Volunteer.withdrawal_reason: reason,
                                Volunteer.withdrawn_at: now or datetime.now(timezone.utc)}).where(
            Volunteer.id == volunteer.id, Volunteer.status == volunteer.status).run()
    volunteer.status = new_status
    volunteer.withdrawal_reason = reason
    return volunteer


def quota_fit(quotas: list[QuotaRow], seat_answers: list[dict[str, str]]) -> list[QuotaFit]:
    """Per quota category, how many seat holders gave it. Pure: answers in, counts out."""
    counts: dict[str, Counter] = {}
    for answers in seat_answers:
        for dimension, category in answers.items():
            counts.setdefault(dimension, Counter())[category] += 1
    return [QuotaFit(row.dimension, row.category, int(row.quota_min), int(row.quota_max),
                     counts.get(row.dimension, Counter())[row.category]) for row in quotas]


async def seat_answers(panel_id: int) -> list[dict[str, str]]:
    """The quota answers of everyone holding a seat (no names or contact details)."""
    rows = await Volunteer.select(Volunteer.answers).where(
        Volunteer.panel == panel_id, Volunteer.status.is_in(list(SEAT_STATUSES))).run()
    return [json.loads(row["answers"] or "{}") for row in rows]
