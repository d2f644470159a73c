"""What members tell us through their private link: that they cannot come to a session
(apologies), and what they need to take part (access needs). Officers see both on the members page."""

from __future__ import annotations

from datetime import datetime

from common.i18n import gettext
from common.transactions import write_transaction
from panels.attendance import session_started
from panels.tables import PanelSession, SessionApology, Volunteer

MAX_ACCESS_NEEDS_LENGTH = 1000


class ApologyError(ValueError):
    """The apology cannot be recorded; the message is for the member."""


async def apologies_of(volunteer_id: int) -> set[int]:
    """The sessions this member has sent apologies for."""
    return {row["session"] for row in await SessionApology.select(SessionApology.session).where(
        SessionApology.volunteer == volunteer_id).run()}


async def apologies_for_panel(panel_id: int) -> set[tuple[int, int]]:
    """(volunteer id, session id) of every apology for the panel's sessions."""
    return {(row["volunteer"], row["session"]) for row in await SessionApology.select(
        SessionApology.volunteer, SessionApology.session).where(SessionApology.session.panel == panel_id).run()}


async def set_apology(*, volunteer: Volunteer, session_id: int, sorry: bool, now: datetime) -> PanelSession:
    """Send (``sorry``) or take back apologies for one session of the member's panel that has not
    started. Sending twice keeps one apology. Raises ``ApologyError`` for anything else."""
    if volunteer.status != "confirmed":
        raise ApologyError(gettext("Only confirmed members can send apologies"))
    session = await PanelSession.objects().where(PanelSession.id == session_id,
                                                 PanelSession.panel == volunteer.panel).first().run()
    if session is None:
        raise ApologyError(gettext("Choose a session of your panel"))
    if session_started(session, now=now):
        raise ApologyError(gettext("This session has already started"))
    async with write_transaction(SessionApology._meta.db):
        await SessionApology.delete().where(SessionApology.volunteer == volunteer.id,
                                            SessionApology.session == session.id).run()
        if sorry:
            await SessionApology.insert(SessionApology(volunteer=volunteer.id, session=session.id)).run()
    return session


def check_access_needs(text: str) -> tuple[str, str]:
    """The cleaned text and an error message ('' when it is fine; empty text clears the needs)."""
    text = text.strip().replace("\r\n", "\n")
    if len(text) > MAX_ACCESS_NEEDS_LENGTH:
        return text, gettext("Access needs must be %(most)s characters or fewer", most=MAX_ACCESS_NEEDS_LENGTH)
    return text, ""


async def save_access_needs(*, volunteer: Volunteer, text: str) -> None:
    await Volunteer.update({Volunteer.access_needs: text}).where(Volunteer.id == volunteer.id).run()
