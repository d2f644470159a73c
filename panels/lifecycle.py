"""A panel's stage in its life, and what an officer may do to it at each stage.

The stage is **derived** from facts the platform already records — quotas set, the registration
dates and the officer's switch, whether a selection was drawn, the session dates — and only the
archive is **stored** (``Panel.archived_at``). A stored stage could drift from those facts (a
"recruiting" panel whose deadline passed, a "running" panel whose sessions were moved to next
month); a derived one cannot, and every page, public or officer, reads the same answer.

    draft       registration has not opened: no quotas yet, or the opening date is to come
    recruiting  registration is open
    selecting   registration has closed (deadline, switch or draw); the draw, invitations and
                replies, until the first session starts
    running     the first session has started and the last has not ended
    finished    the last session has ended
    archived    an officer archived it (off the public list of current panels)

The officer moves a panel on by actions that change those facts, each with its check here:
setting the quotas and opening registration (``check_open``), closing it (``check_close``),
the draw (``panels.runs``), holding the sessions (their dates), archiving (``check_archive``).
Deleting (``check_delete``) is for a panel nobody has registered for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from common.i18n import gettext, lazy_gettext, ngettext
from common.transactions import write_transaction
from panels.recruitment import SessionDates, as_utc, registration_ended, registration_open, session_instant
from panels.tables import Letter, Panel, PanelQuota, PanelSession, SelectionRun, Volunteer

STAGES = ("draft", "recruiting", "selecting", "running", "finished", "archived")
STAGE_LABELS = {
    "draft": lazy_gettext("Draft"),
    "recruiting": lazy_gettext("Recruiting"),
    "selecting": lazy_gettext("Selecting"),
    "running": lazy_gettext("Running"),
    "finished": lazy_gettext("Finished"),
    "archived": lazy_gettext("Archived"),
}
STAGE_COLOURS = {"draft": "grey", "recruiting": "green", "selecting": "yellow", "running": "blue",
                 "finished": "purple", "archived": "grey"}
SWITCHES = ("", "open", "closed")


class LifecycleError(ValueError):
    """An action the panel's stage does not allow; the message says why, in a sentence."""


@dataclass(frozen=True)
class PanelFacts:
    """What the stage and the checks are computed from (plain data: testable without a database)."""

    has_quotas: bool
    drawn: bool
    computed: bool
    """A selection run has been computed (running, ready or drawn)."""
    registrations: int
    """Registrations ever made for the panel, including erased ones."""
    letters: int
    sessions: tuple[SessionDates, ...]
    deadline: datetime | None
    opens_at: datetime | None
    switch: str
    archived: bool

    def is_open(self, now: datetime) -> bool:
        return registration_open(deadline=self.deadline, drawn=self.drawn, sessions=self.sessions, now=now,
                                 opens_at=self.opens_at, switch=self.switch) and self.has_quotas

    def registration_over(self, now: datetime) -> bool:
        return registration_ended(deadline=self.deadline, drawn=self.drawn, sessions=self.sessions, now=now,
                                  switch=self.switch)


def stage(facts: PanelFacts, *, now: datetime) -> str:
    """One of ``STAGES`` (see the module's docstring)."""
    if facts.archived:
        return "archived"
    sessions = facts.sessions
    if sessions and now >= session_instant(sessions[-1], ends=True):
        return "finished"
    if sessions and now >= session_instant(sessions[0]):
        return "running"
    if facts.is_open(now):
        return "recruiting"
    if facts.registration_over(now):
        return "selecting"
    return "draft"


def check_open(facts: PanelFacts, *, now: datetime) -> None:
    """The officer's switch "open": registration opens now, before its opening date or again
    after the officer closed it — never after the draw or the deadline."""
    if facts.archived:
        raise LifecycleError(gettext("The panel is archived. Bring it back from the archive first."))
    if facts.drawn:
        raise LifecycleError(gettext("The panel has been drawn, so registration cannot open again."))
    if not facts.has_quotas:
        raise LifecycleError(gettext("Set the quotas first: the registration form asks the questions they need."))
    if not facts.sessions:
        raise LifecycleError(gettext("Add at least one session first: residents need to know when the panel meets."))
    if facts.deadline is not None and now >= as_utc(facts.deadline):
        raise LifecycleError(gettext("The registration deadline has passed. Change the deadline first."))
    if facts.deadline is None and now >= session_instant(facts.sessions[0]):
        raise LifecycleError(gettext("The first session has started, so registration cannot open."))
    if facts.is_open(now):
        raise LifecycleError(gettext("Registration is already open."))


def check_close(facts: PanelFacts, *, now: datetime) -> None:
    if not facts.is_open(now) and facts.switch != "open":
        raise LifecycleError(gettext("Registration is not open."))


def check_archive(facts: PanelFacts, *, now: datetime) -> None:
    """Archive a panel that has finished, or one given up before its draw (registration closed
    or never opened). Never while residents are registering or members are waiting for sessions."""
    current = stage(facts, now=now)
    if current == "archived":
        raise LifecycleError(gettext("The panel is already archived."))
    if current == "recruiting":
        raise LifecycleError(gettext("Registration is open. Close registration before you archive the panel."))
    if current == "running":
        raise LifecycleError(gettext("The panel is meeting. Archive it once its last session has ended."))
    if current == "selecting" and facts.drawn:
        raise LifecycleError(gettext("Members have been chosen and the sessions are still to come. "
                                     "Archive the panel once its last session has ended."))


def check_delete(facts: PanelFacts) -> None:
    """Only a panel nobody has registered for, and with no letters whose codes residents may use."""
    if facts.registrations:
        raise LifecycleError(ngettext(
            "%(num)d person has registered for this panel, so it cannot be deleted. Archive it instead.",
            "%(num)d people have registered for this panel, so it cannot be deleted. Archive it instead.",
            facts.registrations))
    if facts.letters:
        raise LifecycleError(gettext(
            "Invitation letters have been drawn for this panel and residents may register with their codes, "
            "so it cannot be deleted. Archive it instead."))


async def panel_facts(panel: Panel) -> PanelFacts:
    sessions = await PanelSession.select(PanelSession.held_on, PanelSession.starts_at, PanelSession.ends_at).where(
        PanelSession.panel == panel.id).order_by(PanelSession.held_on).order_by(PanelSession.starts_at).run()
    runs = await SelectionRun.select(SelectionRun.kind, SelectionRun.status).where(SelectionRun.panel == panel.id).run()
    return PanelFacts(
        has_quotas=await PanelQuota.exists().where(PanelQuota.panel == panel.id).run(),
        drawn=any(run["kind"] == "selection" and run["status"] == "drawn" for run in runs),
        computed=any(run["kind"] == "selection" and run["status"] in ("running", "done", "drawn") for run in runs),
        registrations=await Volunteer.count().where(Volunteer.panel == panel.id).run(),
        letters=await Letter.count().where(Letter.panel == panel.id).run(),
        sessions=tuple(SessionDates(row["held_on"], row["starts_at"], row["ends_at"]) for row in sessions),
        deadline=panel.registration_deadline, opens_at=panel.registration_opens_at,
        switch=panel.registration_switch or "", archived=panel.archived_at is not None)


async def set_registration_switch(*, panel: Panel, switch: str, now: datetime) -> PanelFacts:
    """Open (``"open"``) or close (``"closed"``) registration now; raises ``LifecycleError`` with the reason."""
    facts = await panel_facts(panel)
    if switch == "open":
        check_open(facts, now=now)
    elif switch == "closed":
        check_close(facts, now=now)
    else:
        raise LifecycleError(gettext("Choose whether to open or close registration."))
    await Panel.update({Panel.registration_switch: switch}).where(Panel.id == panel.id).run()
    return facts


async def archive_panel(*, panel: Panel, now: datetime) -> None:
    check_archive(await panel_facts(panel), now=now)
    await Panel.update({Panel.archived_at: now}).where(Panel.id == panel.id).run()


async def unarchive_panel(*, panel: Panel) -> None:
    if panel.archived_at is None:
        raise LifecycleError(gettext("The panel is not archived."))
    await Panel.update({Panel.archived_at: None}).where(Panel.id == panel.id).run()


async def delete_panel(*, panel: Panel) -> None:
    """Delete the panel and everything that hangs on it (sessions, quotas, runs: all cascade)."""
    async with write_transaction(Panel._meta.db):  # no registration slips in between the check and the delete
        check_delete(await panel_facts(panel))
        await Panel.delete().where(Panel.id == panel.id).run()
