"""Values of the charter commitments tracker: charters, commitments, their updates, the
evidence the platform records itself, and the status the tracker computes.

Everything here is a frozen dataclass or an enum so that values can cross module
boundaries (database queries build them, the tracker reads them, reports render them)
without anyone mutating a shared record. Nothing here knows of the database or the web.

Dates are calendar dates in the council's own time zone; the only instant is an
update's ``recorded_at``, which is what makes past reports reproducible (see
``analysis.commitments.status``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from common.i18n import format_day, gettext


class CommitmentKind(enum.StrEnum):
    """How a commitment is judged."""

    ONE_OFF = "one_off"
    """Done once, by a deadline that is a date, an event, or whichever of the two comes first."""
    RECURRING = "recurring"
    """Met or missed afresh in every period (e.g. "hold a Resident Panel annually")."""
    ONGOING = "ongoing"
    """No deadline; only whether anyone has reported on it lately."""
    METRIC = "metric"
    """A published number with a direction to aim for, compared period on period."""


class DeadlineEvent(enum.StrEnum):
    """Events a deadline can name instead of (or as well as) a date."""

    NEXT_PANEL_SESSION = "next_panel_session"
    """The first Resident Panel session strictly after the day the commitment was made."""


class PeriodKind(enum.StrEnum):
    """Calendars a recurring commitment can repeat on."""

    CALENDAR_YEAR = "calendar_year"
    """1 January to 31 December."""
    FINANCIAL_YEAR = "financial_year"
    """The UK public-sector financial year, 1 April to 31 March."""


class EvidenceSource(enum.StrEnum):
    """Facts the platform records itself that can meet a recurring commitment's period."""

    PANEL_SESSION_HELD = "panel_session_held"
    """A period is met when at least one Resident Panel session was held in it."""
    CASE_STUDIES_PUBLISHED_MORE_THAN_PREVIOUS = "case_studies_published_more_than_previous"
    """A period is met when more case studies were published in it than in the period before."""


class MetricDirection(enum.StrEnum):
    """Which way a metric should move for things to be getting better."""

    REDUCE = "reduce"
    INCREASE = "increase"


class UpdateStatus(enum.StrEnum):
    """What an officer reports in an update.

    ``not_met`` withdraws an earlier ``met`` (evidence found wanting, a register taken
    down); ``progress`` is a note that leaves whether the commitment is met unchanged.
    """

    MET = "met"
    PROGRESS = "progress"
    NOT_MET = "not_met"


class StatusValue(enum.StrEnum):
    """The tracker's verdict on one commitment as of a date.

    Declaration order is the order reports list statuses in: worst news first.
    """

    OVERDUE = "overdue"
    MISSED = "missed"
    WORSENING = "worsening"
    STALE = "stale"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"
    ONGOING = "ongoing"
    NOT_ENOUGH_DATA = "not_enough_data"
    NO_CHANGE = "no_change"
    IMPROVING = "improving"
    MET_LATE = "met_late"
    MET_ON_TIME = "met_on_time"


MET_STATUSES = frozenset({StatusValue.MET_ON_TIME, StatusValue.MET_LATE})
"""Verdicts that count as "met" when reports say what was newly met."""


class PeriodOutcome(enum.StrEnum):
    """How one period of a recurring commitment went."""

    MET = "met"
    MISSED = "missed"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    """A closed range of days, ``start`` to ``end`` inclusive, ordered by its start."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        """``2022`` for a calendar year, ``2022/23`` for a financial year, else the two dates in
        words ("1 September 2022 to 31 August 2023")."""
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            if self.start.year == self.end.year:
                return str(self.start.year)
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (4, 1, 3, 31):
            if self.end.year == self.start.year + 1:
                return f"{self.start.year}/{self.end.year % 100:02d}"
        return gettext("%(start)s to %(end)s", start=format_day(self.start), end=format_day(self.end))

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> ReportingPeriod:
        """The period of the given calendar that contains ``day``."""
        if kind is PeriodKind.CALENDAR_YEAR:
            return cls(date(day.year, 1, 1), date(day.year, 12, 31))
        first_year = day.year if day.month >= 4 else day.year - 1
        return cls(date(first_year, 4, 1), date(first_year + 1, 3, 31))

    def following(self, kind: PeriodKind) -> ReportingPeriod:
        """The next period of the same calendar."""
        return ReportingPeriod.containing(date.fromordinal(self.end.toordinal() + 1), kind)

    def preceding(self, kind: PeriodKind) -> ReportingPeriod:
        """The previous period of the same calendar."""
        return ReportingPeriod.containing(date.fromordinal(self.start.toordinal() - 1), kind)


@dataclass(frozen=True)
class Principle:
    """One numbered principle of a charter."""

    number: int
    title: str


@dataclass(frozen=True)
class Charter:
    """A charter a council has adopted, with its principles in their published order."""

    name: str
    organisation: str
    adopted_on: date
    url: str
    principles: tuple[Principle, ...]


@dataclass(frozen=True)
class Recurrence:
    """How a recurring commitment repeats and what meets a period.

    ``first_period_start`` is any day in the first period to be judged; when absent the
    first period is the one containing the day the commitment was made. A period is met
    by an officer's ``met`` update dated inside it, or by ``evidence_source`` when set.
    """

    period: PeriodKind
    evidence_source: EvidenceSource | None = None
    first_period_start: date | None = None


@dataclass(frozen=True)
class Commitment:
    """A commitment a council made in response to a charter.

    ``owner`` names a role or team ("Chief Data Officer", "Information Governance"),
    never a person. A one-off commitment has ``deadline_date``, ``deadline_event`` or
    both (then whichever comes first); the other kinds have neither. ``recurrence`` is
    set exactly for recurring commitments and ``direction`` exactly for metrics.
    """

    key: str
    title: str
    text: str
    kind: CommitmentKind
    principles: tuple[int, ...]
    owner: str
    made_on: date
    deadline_date: date | None = None
    deadline_event: DeadlineEvent | None = None
    recurrence: Recurrence | None = None
    direction: MetricDirection | None = None
    recorded_at: datetime | None = None
    """When the commitment was entered into the platform; None means it was known from
    ``made_on``. Reports for days before either do not list it."""

    def __post_init__(self) -> None:
        problem = _kind_problem(self)
        if problem:
            raise ValueError(f"commitment {self.key!r}: {problem}")


def _kind_problem(commitment: Commitment) -> str | None:
    """Why the fields do not fit the kind, or None when they do."""
    has_deadline = commitment.deadline_date is not None or commitment.deadline_event is not None
    if commitment.kind is CommitmentKind.ONE_OFF and not has_deadline:
        return "a one-off commitment needs a deadline date or event"
    if commitment.kind is not CommitmentKind.ONE_OFF and has_deadline:
        return f"a {commitment.kind} commitment has no deadline"
    if (commitment.kind is CommitmentKind.RECURRING) != (commitment.recurrence is not None):
        return "a recurrence is given exactly for recurring commitments"
    if (commitment.kind is CommitmentKind.METRIC) != (commitment.direction is not None):
        return "a direction is given exactly for metric commitments"
    return None


@dataclass(frozen=True)
class CommitmentUpdate:
    """One report on a commitment.

    ``effective_on`` is the day the reported fact became true (the day a register went
    live); ``recorded_at`` is when it was entered into the platform. A naive
    ``recorded_at`` is read as the council's local time. ``metric_value`` and
    ``metric_period`` go together: the figure a metric commitment publishes for a period.
    """

    commitment_key: str
    effective_on: date
    recorded_at: datetime
    status: UpdateStatus
    note: str = ""
    evidence_url: str | None = None
    metric_value: float | None = None
    metric_period: ReportingPeriod | None = None

    def __post_init__(self) -> None:
        if (self.metric_value is None) != (self.metric_period is None):
            raise ValueError("a metric value and its period are given together")


@dataclass(frozen=True)
class PanelSessionRecord:
    """A Resident Panel session as the platform knows it.

    ``recorded_on`` is the day its date was first entered (announced); a report for a day
    before that does not know the session exists, even once it has been held.
    """

    held_on: date
    recorded_on: date


@dataclass(frozen=True)
class PlatformEvidence:
    """What the platform itself records that can count as evidence.

    ``case_studies_published`` holds one publication date per case study.
    """

    panel_sessions: tuple[PanelSessionRecord, ...] = ()
    case_studies_published: tuple[date, ...] = ()


@dataclass(frozen=True)
class EvidenceItem:
    """A piece of evidence shown beside a status: an update's link or a platform fact."""

    on: date
    description: str
    url: str | None = None
    source: str = "update"
    """``update`` for an officer's report, ``platform`` for a fact the platform recorded."""


@dataclass(frozen=True)
class PeriodResult:
    """How one period of a recurring commitment went, as known on the report date."""

    period: ReportingPeriod
    outcome: PeriodOutcome
    met_on: date | None = None


@dataclass(frozen=True)
class MetricTrend:
    """The latest published figure of a metric against the one for the period before."""

    direction: MetricDirection
    latest_period: ReportingPeriod | None = None
    latest_value: float | None = None
    previous_period: ReportingPeriod | None = None
    previous_value: float | None = None


@dataclass(frozen=True)
class CommitmentStatus:
    """The tracker's answer for one commitment as of one date.

    ``deadline`` is the resolved date (for recurring commitments, the end of the current
    period), or None when there is none or the event it names has no date yet.
    ``days_late`` is set for ``met_late`` (days after the deadline it was met) and
    ``overdue`` (days past the deadline); ``days_to_deadline`` for ``due_soon``,
    ``on_track`` with a known deadline, and ``missed`` (days left in the current period).
    ``label`` is the sentence a person reads, e.g. "Met late by 12 days".
    """

    key: str
    title: str
    kind: CommitmentKind
    principles: tuple[int, ...]
    as_of: date
    status: StatusValue
    label: str
    deadline: date | None = None
    days_late: int | None = None
    days_to_deadline: int | None = None
    met_on: date | None = None
    periods: tuple[PeriodResult, ...] = ()
    trend: MetricTrend | None = None
    evidence: tuple[EvidenceItem, ...] = field(default=())
