"""Demo data: Camden's commitments to its Data Charter, with fictional updates.

The charter, its seven principles, its adoption by Cabinet on 19 January 2022 and the
wording of the commitments follow Camden's published material. Everything else is
**fictional demo data**, plausible but invented (evidence links on ``example.org``):
the updates and their dates, the evidence links (on the reserved ``example.org``
domain), the owners, which principles each commitment serves, the Resident Panel
session of 20 July 2022 and the case-study publication dates.

Commitments 4 and 7 each hold several commitments and are split (4a/4b, 7a/7b/7c).
Commitments 1–4 were "to be met by the next Resident Panel"; 3, 4a and 6 also name a
month, so their deadline is whichever comes first. The deadline of 7a is not stated in
the charter; the demo gives it the next Resident Panel.

On ``DEMO_AS_OF`` (1 July 2022) the tracker says: 1, 2 and 6 met on time; 4a met late by
12 days; 3 overdue by 1 day; 7a due soon (panel on 20 July); 7b and 7c on track for
2022; 4b improving; 5 and 8 ongoing. By 1 September 2022, 3 has been met late.
"""

from __future__ import annotations

from datetime import date, datetime

from analysis.commitments.model import (
    Charter,
    Commitment,
    CommitmentKind,
    CommitmentUpdate,
    DeadlineEvent,
    EvidenceSource,
    MetricDirection,
    PanelSessionRecord,
    PeriodKind,
    PlatformEvidence,
    Principle,
    Recurrence,
    ReportingPeriod,
    UpdateStatus,
)

DEMO_AS_OF = date(2022, 7, 1)
"""The date the demo is built to show: some met on time, one late, one overdue, one due soon."""

CHARTER_ADOPTED_ON = date(2022, 1, 19)

CAMDEN_DATA_CHARTER = Charter(
    name="Camden Data Charter",
    organisation="London Borough of Camden",
    adopted_on=CHARTER_ADOPTED_ON,
    url="https://www.camden.gov.uk/our-commitments-to-the-data-charter",
    principles=(
        Principle(1, "Build trust through transparency"),
        Principle(2, "Provide accountability and oversight"),
        Principle(3, "Make sure data is secure, safe and ethical"),
        Principle(4, "Make sure data is used for public good and be mindful of residents' data"),
        Principle(5, "Be beneficial for all by using an outcomes-based approach"),
        Principle(6, "Be clear about how we use residents' data"),
        Principle(7, "Protect individuals' rights and privacy"),
    ),
)

_NEXT_PANEL = DeadlineEvent.NEXT_PANEL_SESSION


def _one_off(key: str, title: str, text: str, principles: tuple[int, ...], owner: str,
             deadline_date: date | None = None, next_panel: bool = True) -> Commitment:
    return Commitment(key=key, title=title, text=text, kind=CommitmentKind.ONE_OFF, principles=principles,
                      owner=owner, made_on=CHARTER_ADOPTED_ON, deadline_date=deadline_date,
                      deadline_event=_NEXT_PANEL if next_panel else None)


DEMO_COMMITMENTS: tuple[Commitment, ...] = (
    _one_off("1", "Put the Data Charter to Cabinet",
             "Put the Data Charter to Cabinet to agree.", (2,), "Data Charter programme team"),
    _one_off("2", "Create a Data Sharing Register",
             "Create a Data Sharing Register publishing all data sharing agreements, with redaction "
             "where needed.", (1, 6), "Information Governance"),
    _one_off("3", "Publish all Data Privacy Impact Assessments",
             "Publish all Data Privacy Impact Assessments, each including an ethical assessment.",
             (1, 3, 7), "Information Governance", deadline_date=date(2022, 6, 30)),
    _one_off("4a", "Publish data protection complaints and breaches",
             "Create an area on the open data portal publishing the number of complaints about data "
             "protection and data breaches over time.", (1, 2), "Open Data team",
             deadline_date=date(2022, 4, 30)),
    Commitment(key="4b", title="Reduce data protection complaints",
               text="Aim to reduce complaints about data protection in each annual period between "
                    "Resident Panels.",
               kind=CommitmentKind.METRIC, principles=(3, 7), owner="Information Governance",
               made_on=CHARTER_ADOPTED_ON, direction=MetricDirection.REDUCE),
    Commitment(key="5", title="Chief Data Officer",
               text="Create the post of Chief Data Officer, responsible for ethical, transparent and "
                    "socially responsible data use and for adoption of the charter.",
               kind=CommitmentKind.ONGOING, principles=(2, 3, 4), owner="Corporate Services",
               made_on=CHARTER_ADOPTED_ON),
    _one_off("6", "Name who answers for the charter",
             "Identify people responsible for adopting the charter across the council and for answering "
             "public queries, with channels for residents to ask.", (2, 6), "Chief Data Officer",
             deadline_date=date(2022, 4, 30), next_panel=False),
    _one_off("7a", "Publish accessible materials on data use",
             "Publish accessible materials on how the council uses data.", (1, 6), "Communications"),
    Commitment(key="7b", title="Publish more case studies each year",
               text="Publish more case studies of how the council uses data annually.",
               kind=CommitmentKind.RECURRING, principles=(1, 6), owner="Data Charter programme team",
               made_on=CHARTER_ADOPTED_ON,
               recurrence=Recurrence(PeriodKind.CALENDAR_YEAR,
                                     EvidenceSource.CASE_STUDIES_PUBLISHED_MORE_THAN_PREVIOUS)),
    Commitment(key="7c", title="Hold a Resident Panel annually",
               text="Hold a Resident Panel annually, the next by the end of 2022.",
               kind=CommitmentKind.RECURRING, principles=(2, 4, 5), owner="Participation team",
               made_on=CHARTER_ADOPTED_ON,
               recurrence=Recurrence(PeriodKind.CALENDAR_YEAR, EvidenceSource.PANEL_SESSION_HELD)),
    Commitment(key="8", title="Partners pledge to the charter",
               text="Encourage partners across the public and private sectors in the borough to pledge to "
                    "the charter's principles.",
               kind=CommitmentKind.ONGOING, principles=(4, 5), owner="Chief Data Officer",
               made_on=CHARTER_ADOPTED_ON),
)

_EVIDENCE = "https://evidence.example.org/camden-demo/"


def _update(key: str, effective_on: date, status: UpdateStatus, note: str, evidence: str | None = None,
            *, recorded_days_later: int = 1, metric: tuple[float, ReportingPeriod] | None = None) -> CommitmentUpdate:
    recorded_on = date.fromordinal(effective_on.toordinal() + recorded_days_later)
    value, period = metric or (None, None)
    return CommitmentUpdate(
        commitment_key=key, effective_on=effective_on,
        recorded_at=datetime(recorded_on.year, recorded_on.month, recorded_on.day, 10, 0),
        status=status, note=note, evidence_url=_EVIDENCE + evidence if evidence else None,
        metric_value=value, metric_period=period,
    )


_MET, _PROGRESS = UpdateStatus.MET, UpdateStatus.PROGRESS

DEMO_UPDATES: tuple[CommitmentUpdate, ...] = (
    _update("1", date(2022, 1, 19), _MET, "Cabinet agreed the Data Charter; adopted as Council policy",
            "cabinet-minutes-2022-01-19"),
    _update("2", date(2022, 2, 24), _MET, "Data Sharing Register live on the Open Data Platform",
            "data-sharing-register"),
    _update("3", date(2022, 3, 31), _PROGRESS, "DPIA template now includes an ethical assessment"),
    _update("3", date(2022, 6, 10), _PROGRESS, "41 of 63 DPIAs published; the rest awaiting redaction",
            "dpia-index"),
    _update("3", date(2022, 8, 15), _MET, "All DPIAs published with their ethical assessments",
            "dpia-index"),
    _update("4a", date(2022, 4, 20), _PROGRESS, "Portal area built, figures being checked"),
    _update("4a", date(2022, 5, 12), _MET, "Complaints and breaches area live on the open data portal",
            "complaints-and-breaches"),
    _update("4b", date(2022, 5, 12), _PROGRESS, "Complaints about data protection, 2020/21",
            "complaints-and-breaches",
            metric=(14, ReportingPeriod(date(2020, 4, 1), date(2021, 3, 31)))),
    _update("4b", date(2022, 5, 12), _PROGRESS, "Complaints about data protection, 2021/22",
            "complaints-and-breaches",
            metric=(11, ReportingPeriod(date(2021, 4, 1), date(2022, 3, 31)))),
    _update("5", date(2022, 3, 1), _PROGRESS, "Chief Data Officer post created and filled",
            "chief-data-officer-role"),
    _update("6", date(2022, 4, 8), _MET,
            "Charter leads named in every directorate; residents can ask through a web form and mailbox",
            "ask-about-data"),
    _update("7a", date(2022, 5, 3), _PROGRESS, "Easy-read guide drafted, with residents reviewing it"),
)

DEMO_EVIDENCE = PlatformEvidence(
    panel_sessions=(
        PanelSessionRecord(held_on=date(2021, 10, 9), recorded_on=date(2021, 9, 1)),
        PanelSessionRecord(held_on=date(2021, 10, 16), recorded_on=date(2021, 9, 1)),
        PanelSessionRecord(held_on=date(2021, 10, 23), recorded_on=date(2021, 9, 1)),
        PanelSessionRecord(held_on=date(2022, 7, 20), recorded_on=date(2022, 3, 15)),
    ),
    case_studies_published=(
        date(2021, 3, 10), date(2021, 6, 2), date(2021, 9, 15),
        date(2022, 2, 14), date(2022, 5, 25), date(2022, 9, 7), date(2022, 11, 2),
    ),
)
"""Demo platform records: the three October 2021 panel days that drafted the charter,
a panel session on 20 July 2022 announced in March, and case studies published."""
