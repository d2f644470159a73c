"""Whether a panel is recruiting, and what residents are told about each panel.

Registration is open only while the panel is recruiting: from its opening date (or as soon as its
quotas are set) until its registration deadline (or, for a panel without one, until its first
session starts), and never once a selection has been drawn for it; the officer's switch opens it
before the opening date or closes it before the deadline (``panels.lifecycle``). The status in words follows the panel's dates: recruiting, registration closed,
chosen, meeting, finished.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from common.clock import COUNCIL_TIME_ZONE
from common.i18n import lazy_gettext
from panels.tables import Panel, PanelQuota, PanelSession, SelectionRun

STATUS_LABELS = {
    "upcoming": lazy_gettext("Registration opens soon"),
    "recruiting": lazy_gettext("Recruiting now"),
    "closed": lazy_gettext("Registration closed"),
    "chosen": lazy_gettext("Panel chosen"),
    "meeting": lazy_gettext("Meeting now"),
    "finished": lazy_gettext("Finished"),
}
STATUS_COLOURS = {"upcoming": "light-blue", "recruiting": "green", "closed": "yellow", "chosen": "blue", "meeting": "blue", "finished": "grey"}


@dataclass(frozen=True)
class SessionDates:
    held_on: date
    starts_at: time
    ends_at: time


@dataclass(frozen=True)
class PublicPanel:
    """What any resident may read about a panel: no personal data."""

    id: int
    name: str
    slug: str
    year: int
    description: str
    panel_size: int
    voucher_pence: int
    registration_deadline: datetime | None
    drawn: bool
    status: str
    sessions: tuple[SessionDates, ...] = field(default_factory=tuple)
    archived: bool = False
    registration_opens_at: datetime | None = None

    @property
    def past(self) -> bool:
        """Finished or archived: listed among past panels, with what they produced."""
        return self.archived or self.status == "finished"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def first_day(self) -> date | None:
        return self.sessions[0].held_on if self.sessions else None

    @property
    def last_day(self) -> date | None:
        return self.sessions[-1].held_on if self.sessions else None


def session_instant(session: SessionDates, *, ends: bool = False) -> datetime:
    return datetime.combine(session.held_on, session.ends_at if ends else session.starts_at, tzinfo=COUNCIL_TIME_ZONE)


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def registration_open(*, deadline: datetime | None, drawn: bool, sessions: tuple[SessionDates, ...] | list,
                      now: datetime, opens_at: datetime | None = None, switch: str = "") -> bool:
    """Open from the opening date (or the officer's switch "open") until the deadline, unless the
    officer switched it "closed"; never once the panel is drawn. Without a deadline, registration
    closes when the first session starts (a panel never takes volunteers for days already held)."""
    if drawn or switch == "closed":
        return False
    if deadline is not None:
        if now >= as_utc(deadline):
            return False
    else:
        ordered = sorted(sessions, key=lambda s: (s.held_on, s.starts_at))
        if ordered and now >= session_instant(ordered[0]):
            return False
    return switch == "open" or opens_at is None or now >= as_utc(opens_at)


def registration_ended(*, deadline: datetime | None, drawn: bool, sessions: tuple[SessionDates, ...] | list,
                       now: datetime, switch: str = "") -> bool:
    """Registration is over for good or until the officer reopens it: drawn, switched off, or past
    its deadline (or its first session, without a deadline)."""
    if drawn or switch == "closed":
        return True
    return not registration_open(deadline=deadline, drawn=False, sessions=sessions, now=now, switch="open")


def panel_status(*, deadline: datetime | None, drawn: bool, sessions: tuple[SessionDates, ...], now: datetime,
                 has_quotas: bool = True, opens_at: datetime | None = None, switch: str = "") -> str:
    """One of ``STATUS_LABELS``' keys, from the dates, the officer's switch and whether the panel
    has been drawn. A panel whose quotas are not set yet, or whose opening date is still to come,
    opens soon."""
    if registration_open(deadline=deadline, drawn=drawn, sessions=sessions, now=now, opens_at=opens_at, switch=switch):
        return "recruiting" if has_quotas else "upcoming"
    if sessions and now >= session_instant(sessions[-1], ends=True):
        return "finished"
    if sessions and now >= session_instant(sessions[0]):
        return "meeting"
    if drawn:
        return "chosen"
    if not registration_ended(deadline=deadline, drawn=drawn, sessions=sessions, now=now, switch=switch):
        return "upcoming"
    return "closed"


async def drawn_panel_ids(panel_ids: list[int] | None = None) -> set[int]:
    """Panels for which a selection (not only a replacement) has been drawn."""
    query = SelectionRun.select(SelectionRun.panel).where(SelectionRun.status == "drawn",
                                                          SelectionRun.kind == "selection")
    if panel_ids is not None:
        if not panel_ids:
            return set()
        query = query.where(SelectionRun.panel.is_in(panel_ids))
    return {row["panel"] for row in await query.run()}


async def _sessions_by_panel(panel_ids: list[int]) -> dict[int, tuple[SessionDates, ...]]:
    if not panel_ids:
        return {}
    rows = await PanelSession.select(PanelSession.panel, PanelSession.held_on, PanelSession.starts_at,
                                     PanelSession.ends_at).where(PanelSession.panel.is_in(panel_ids)).order_by(
        PanelSession.held_on).order_by(PanelSession.starts_at).run()
    grouped: dict[int, list[SessionDates]] = defaultdict(list)
    for row in rows:
        grouped[row["panel"]].append(SessionDates(row["held_on"], row["starts_at"], row["ends_at"]))
    return {panel_id: tuple(sessions) for panel_id, sessions in grouped.items()}


async def list_public_panels(*, now: datetime) -> list[PublicPanel]:
    """Every panel, recruiting ones first, then the most recent: four queries whatever the number."""
    rows = await Panel.select(Panel.id, Panel.name, Panel.slug, Panel.year, Panel.description, Panel.panel_size,
                              Panel.voucher_pence, Panel.registration_deadline, Panel.registration_opens_at,
                              Panel.registration_switch, Panel.archived_at).run()
    ids = [row["id"] for row in rows]
    sessions = await _sessions_by_panel(ids)
    drawn = await drawn_panel_ids(ids)
    with_quotas = {row["panel"] for row in await PanelQuota.select(PanelQuota.panel).distinct().run()}
    panels = []
    for row in rows:
        own = sessions.get(row["id"], ())
        status = panel_status(deadline=row["registration_deadline"], drawn=row["id"] in drawn, sessions=own, now=now,
                              has_quotas=row["id"] in with_quotas, opens_at=row["registration_opens_at"],
                              switch=row["registration_switch"] or "")
        if row["archived_at"] is not None and status != "finished":
            status = "closed"  # an archived panel takes no one, whatever its dates say
        panels.append(PublicPanel(id=row["id"], name=row["name"], slug=row["slug"], year=row["year"],
                                  description=row["description"], panel_size=row["panel_size"],
                                  voucher_pence=row["voucher_pence"], registration_deadline=row["registration_deadline"],
                                  drawn=row["id"] in drawn, status=status, sessions=own,
                                  archived=row["archived_at"] is not None,
                                  registration_opens_at=row["registration_opens_at"]))
    panels.sort(key=lambda p: (p.status != "recruiting", -p.year, -(p.first_day or date.min).toordinal(), p.id))
    return panels


async def recruiting_panel(*, now: datetime) -> PublicPanel | None:
    """The panel residents are invited to join now (the one whose registration closes first)."""
    recruiting = [panel for panel in await list_public_panels(now=now) if panel.status == "recruiting"]
    far = datetime.max.replace(tzinfo=COUNCIL_TIME_ZONE)
    recruiting.sort(key=lambda p: (p.registration_deadline or far, p.id))
    return recruiting[0] if recruiting else None


async def latest_drawn_panel_slug() -> str | None:
    """The slug of the panel whose selection was drawn most recently (its "How we chose" page)."""
    row = await SelectionRun.select(SelectionRun.panel.slug).where(
        SelectionRun.status == "drawn", SelectionRun.kind == "selection").order_by(
        SelectionRun.drawn_at, ascending=False).first().run()
    return row["panel.slug"] if row else None


async def registration_state(panel: Panel, *, now: datetime) -> tuple[bool, bool, bool]:
    """Whether registration is open now, whether the panel has been drawn (the reason it closed),
    and whether registration is over (drawn, switched off, archived or past its dates) rather
    than still to open."""
    sessions = (await _sessions_by_panel([panel.id])).get(panel.id, ())
    drawn = bool(await drawn_panel_ids([panel.id]))
    switch = panel.registration_switch or ""
    is_open = registration_open(deadline=panel.registration_deadline, drawn=drawn, sessions=sessions, now=now,
                                opens_at=panel.registration_opens_at, switch=switch)
    ended = panel.archived_at is not None or registration_ended(deadline=panel.registration_deadline, drawn=drawn,
                                                                 sessions=sessions, now=now, switch=switch)
    return is_open and panel.archived_at is None, drawn, ended
