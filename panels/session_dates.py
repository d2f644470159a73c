"""Adding, changing and removing a panel's sessions: any number of them, each with its date,
times and place.

A session keeps its date and times once attendance has been recorded for it (the record would
otherwise say people attended a day they did not), and is removed only while nothing has been
recorded for it: no attendance, no notes or points at its tables, no paper ballots. A new session
is on a day still to come. An archived panel's sessions do not change.
"""

from __future__ import annotations

from datetime import date

from common.i18n import gettext
from panels.store import SessionInput
from panels.tables import (
    Attendance, BallotTally, Panel, PanelSession, PaperBallotBatch, SessionTable, TableRecord,
)


class SessionChangeError(ValueError):
    """A change refused, with the reason in a sentence; ``field`` is the form field it concerns."""

    def __init__(self, message: str, *, field: str = "title") -> None:
        super().__init__(message)
        self.field = field


async def attendance_recorded(session_id: int) -> bool:
    return await Attendance.exists().where(Attendance.session == session_id).run()


async def records_at(session_id: int) -> bool:
    """Anything recorded for the session: attendance, table notes or points, paper ballots."""
    return (await attendance_recorded(session_id)
            or await TableRecord.exists().where(TableRecord.table.session == session_id).run()
            or await PaperBallotBatch.exists().where(PaperBallotBatch.session == session_id).run()
            or await BallotTally.exists().where(BallotTally.session == session_id).run())


def _not_archived(panel: Panel) -> None:
    if panel.archived_at is not None:
        raise SessionChangeError(gettext("The panel is archived. Bring it back from the archive to change its sessions."))


async def add_session(*, panel: Panel, session: SessionInput, today: date) -> PanelSession:
    _not_archived(panel)
    if session.held_on < today:
        raise SessionChangeError(gettext("A new session must be today or on a day still to come"), field="date")
    row = PanelSession(panel=panel.id, title=session.title, held_on=session.held_on, starts_at=session.starts_at,
                       ends_at=session.ends_at, place=session.place)
    await row.save().run()
    return row


def session_changes(old: PanelSession, new: SessionInput) -> list[str]:
    """What changed, for the audit log (``held_on: 2027-02-06 → 2027-02-13``)."""
    pairs = (("title", old.title, new.title), ("held_on", old.held_on, new.held_on),
             ("starts_at", old.starts_at, new.starts_at), ("ends_at", old.ends_at, new.ends_at),
             ("place", old.place, new.place))
    return [f"{name}: {before} → {after}" for name, before, after in pairs if before != after]


async def change_session(*, panel: Panel, session: PanelSession, new: SessionInput) -> list[str]:
    _not_archived(panel)
    moved = (session.held_on, session.starts_at, session.ends_at) != (new.held_on, new.starts_at, new.ends_at)
    if moved and await attendance_recorded(session.id):
        raise SessionChangeError(gettext("Attendance has been recorded for this session, so its date and times "
                                         "cannot change. You can still change its title and place."), field="date")
    changes = session_changes(session, new)
    if changes:
        await PanelSession.update({PanelSession.title: new.title, PanelSession.held_on: new.held_on,
                                   PanelSession.starts_at: new.starts_at, PanelSession.ends_at: new.ends_at,
                                   PanelSession.place: new.place}).where(PanelSession.id == session.id).run()
    return changes


async def removal_refusal(*, panel: Panel, session: PanelSession) -> str:
    """Why the session cannot be removed ("" when it can)."""
    if panel.archived_at is not None:
        return gettext("The panel is archived. Bring it back from the archive to change its sessions.")
    if await attendance_recorded(session.id):
        return gettext("Attendance has been recorded for this session, so it cannot be removed.")
    if await records_at(session.id):
        return gettext("Notes, points or paper ballots have been recorded at this session, so it cannot be removed.")
    return ""


async def remove_session(*, panel: Panel, session: PanelSession) -> None:
    reason = await removal_refusal(panel=panel, session=session)
    if reason:
        raise SessionChangeError(reason)
    await SessionTable.delete().where(SessionTable.session == session.id).run()
    await PanelSession.delete().where(PanelSession.id == session.id).run()
