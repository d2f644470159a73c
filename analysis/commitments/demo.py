"""Demo data: Camden's commitments to its Data Charter in the database, with the platform records
the tracker reads as evidence (see ``analysis.commitments.demo_content`` for what is real and what is
invented). Loading twice adds nothing: commitments are keyed by id within the charter, the panel
and case studies by slug.

The 2022 Resident Panel is created only when no panel has its slug, because the recruitment
journey extends that same panel; its creation time is the day its session was announced
(15 March 2022), which is when the tracker may first use the session as a deadline.
The October 2021 panel days that drafted the charter are not loaded: they come before every
commitment, so no status depends on them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from analysis.commitments.demo_content import DEMO_COMMITMENTS, DEMO_EVIDENCE, DEMO_UPDATES
from analysis.commitments.store import ensure_commitments
from analysis.charter.demo import DEMO_CHARTER_SLUG
from common.clock import COUNCIL_TIME_ZONE
from panels.tables import Panel, PanelSession
from surveys.tables import CaseStudy

DEMO_PANEL_SLUG = "camden-data-charter-resident-panel-2022"
DEMO_PANEL_NAME = "Camden Data Charter Resident Panel 2022"
DEMO_PANEL_ANNOUNCED = datetime(2022, 3, 15, 10, 0, tzinfo=COUNCIL_TIME_ZONE)
DEMO_PANEL_SESSIONS = [(record.held_on, "Resident Panel: a year of the Data Charter")
                       for record in DEMO_EVIDENCE.panel_sessions if record.held_on.year == 2022]

DEMO_CASE_STUDY_TITLES = (
    "Predicting which homes need repairs before they fail",
    "Finding residents eligible for unclaimed benefits",
    "Planning school places from birth and housing data",
    "Sharing data with the NHS to support hospital discharge",
    "Routing street cleaning by reports from residents",
    "Measuring air quality near schools",
    "Spotting households at risk of homelessness early",
)

RECORDED_BY = "demo-loader"


async def load_demo_commitments() -> list[str]:
    lines = [await _ensure_panel(), await _ensure_case_studies()]
    added, updates = await ensure_commitments(slug=DEMO_CHARTER_SLUG, commitments=DEMO_COMMITMENTS,
                                              updates=DEMO_UPDATES, recorded_by=RECORDED_BY)
    if added:
        lines.append(f"commitments: {added} added to the Camden Data Charter, with {updates} updates")
    else:
        lines.append("commitments: already present")
    return lines


async def _ensure_panel() -> str:
    if await Panel.exists().where(Panel.slug == DEMO_PANEL_SLUG).run():
        return f"panel: {DEMO_PANEL_NAME} already present"
    panel = Panel(name=DEMO_PANEL_NAME, slug=DEMO_PANEL_SLUG, year=2022, panel_size=20,
                  created_at=DEMO_PANEL_ANNOUNCED.astimezone(timezone.utc))
    await panel.save().run()
    await PanelSession.insert(*[
        PanelSession(panel=panel.id, title=title, held_on=held_on, starts_at=time(10, 0), ends_at=time(16, 0),
                     place="Crowndale Centre, 218 Eversholt Street")
        for held_on, title in DEMO_PANEL_SESSIONS
    ]).run()
    return f"panel: {DEMO_PANEL_NAME} created with {len(DEMO_PANEL_SESSIONS)} session(s)"


async def _ensure_case_studies() -> str:
    rows = await CaseStudy.select(CaseStudy.slug).run()
    present = {row["slug"] for row in rows}
    new = []
    for number, (published_on, title) in enumerate(zip(DEMO_EVIDENCE.case_studies_published,
                                                       DEMO_CASE_STUDY_TITLES), start=1):
        slug = f"camden-demo-case-study-{number}"
        if slug not in present:
            new.append(CaseStudy(slug=slug, title=title,
                                 summary="A fictional case study for the demo of the commitments tracker.",
                                 published_at=_noon(published_on)))
    if new:
        await CaseStudy.insert(*new).run()
    return f"case studies: {len(new)} added" if new else "case studies: already present"


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=COUNCIL_TIME_ZONE).astimezone(timezone.utc)
