"""Panel-only consultations, answered by Resident Panel members through their private link.

``panels`` and ``surveys`` know nothing of each other, so the server joins them: a member's
private-link token (``panels.store.volunteer_by_token``) gives the right to answer a consultation
whose audience is ``panel``, and each member's response carries an idempotency key derived from
the consultation and the member's reference, so a member can answer once and only once.

The key is an HMAC-SHA256 under the site's secret key rather than a bare SHA-256: officers can
see members' references, and a plain hash of (consultation, reference) would let anyone holding
the list work out whose answers are whose. A consultation does not record which panel it is for:
it is for the current panel, the latest year's panel with confirmed members, so members of past
panels (who stay "confirmed" in their own panel's record) are not asked again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from panels.store import volunteer_by_token
from panels.tables import Panel, Volunteer
from surveys.consultations import ConsultationView, list_consultations
from surveys.responses import references_for_idempotency_keys

MEMBER_STATUS = "confirmed"
"""Only a volunteer who confirmed their place answers panel-only consultations."""


def member_response_key(*, secret_key: str, consultation_id: int, member_reference: str) -> str:
    """The idempotency key of this member's response to this consultation (64 hex characters)."""
    message = f"panel-response|{consultation_id}|{member_reference}".encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


async def current_panel_year() -> int | None:
    """The year of the latest panel that has confirmed members."""
    panel_ids = {row["panel"] for row in await Volunteer.select(Volunteer.panel).where(
        Volunteer.status == MEMBER_STATUS).distinct().run()}
    if not panel_ids:
        return None
    latest = await Panel.select(Panel.year).where(Panel.id.is_in(list(panel_ids))).order_by(
        Panel.year, ascending=False).first().run()
    return latest["year"]


async def confirmed_member(token: str) -> Volunteer | None:
    """The confirmed member of the current panel whose private link this is, or None."""
    volunteer = await volunteer_by_token(token)
    if volunteer is None or volunteer.status != MEMBER_STATUS:
        return None
    panel = await Panel.select(Panel.year).where(Panel.id == volunteer.panel).first().run()
    return volunteer if panel["year"] == await current_panel_year() else None


@dataclass(frozen=True)
class MemberConsultation:
    consultation: ConsultationView
    reference: str | None
    """The member's response reference when they have already answered."""


async def open_consultations_for_member(*, member_reference: str, secret_key: str, today: date) -> list[MemberConsultation]:
    """Open panel-only consultations with a questionnaire, and whether this member answered each."""
    consultations = [item for item in await list_consultations(today, audience="panel")
                     if item.status == "open" and item.has_questionnaire]
    keys = {item.id: member_response_key(secret_key=secret_key, consultation_id=item.id, member_reference=member_reference)
            for item in consultations}
    answered = await references_for_idempotency_keys(list(keys.values()))
    return [MemberConsultation(consultation=item, reference=answered.get(keys[item.id])) for item in consultations]
