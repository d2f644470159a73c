"""What the staff home pages summarise: counts across the packages, never personal data."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.tables import Charter
from panels.tables import Panel, PanelSession
from server.tables import OutboxEmail
from surveys.tables import CaseStudy, Consultation


@dataclass(frozen=True)
class Overview:
    charters: int
    panels: int
    panel_sessions: int
    consultations: int
    case_studies_published: int
    emails_waiting: int


async def staff_overview() -> Overview:
    return Overview(
        charters=int(await Charter.count().run()),
        panels=int(await Panel.count().run()),
        panel_sessions=int(await PanelSession.count().run()),
        consultations=int(await Consultation.count().run()),
        case_studies_published=int(await CaseStudy.count().where(CaseStudy.published_at.is_not_null(), CaseStudy.withdrawn_at.is_null()).run()),
        emails_waiting=int(await OutboxEmail.count().where(OutboxEmail.sent_at.is_null(), OutboxEmail.failed_at.is_null()).run()),
    )
