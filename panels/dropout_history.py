"""Drop-out history from this platform's own past panels, for the learnt drop-out rates.

Everyone invited to another panel counts once: they dropped out when they declined, never replied,
left after confirming, or were confirmed but attended none of the sessions whose attendance was
recorded (a no-show); they stayed when they were confirmed and attended (or no attendance was
recorded yet). Invitations still awaiting a reply are left out. Only the answers to the quota
dimensions of the panel at hand are used.
"""

from __future__ import annotations

import json

from panels.selection.dropout import PastInvitation
from panels.tables import Attendance, Volunteer

DROPPED_STATUSES = ("declined", "dropped_out", "no_reply")


async def past_invitations(*, panel_id: int, dimensions: tuple[str, ...]) -> list[PastInvitation]:
    """Invitations of every panel but ``panel_id`` (see module docstring)."""
    rows = await Volunteer.select(Volunteer.id, Volunteer.answers, Volunteer.status).where(
        (Volunteer.panel != panel_id) & Volunteer.status.is_in([*DROPPED_STATUSES, "confirmed"])).run()
    recorded = await Attendance.select(Attendance.volunteer, Attendance.attended).where(
        Attendance.volunteer.is_in([row["id"] for row in rows] or [0])).run()
    attended: dict[int, bool] = {}
    for row in recorded:
        attended[row["volunteer"]] = attended.get(row["volunteer"], False) or bool(row["attended"])
    history = []
    for row in rows:
        answers = json.loads(row["answers"] or "{}")
        dropped = row["status"] in DROPPED_STATUSES or attended.get(row["id"]) is False
        history.append(PastInvitation(features={d: str(answers[d]) for d in dimensions if d in answers}, dropped=dropped))
    return history
