"""Charter commitments and their tracker: which commitments were met on time, which are
late, which are due soon, with the evidence, as of any date — and the same answer for
that date every time it is asked.

Pure Python over plain data: the database layer builds the model objects, this package
computes statuses and report contents, and the web layer renders them.
"""

from __future__ import annotations

from analysis.commitments.csv_import import (
    CommitmentCsvError,
    CsvRowError,
    ImportedCommitments,
    parse_commitments_csv,
)
from analysis.commitments.model import (
    MET_STATUSES,
    Charter,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    CommitmentUpdate,
    DeadlineEvent,
    EvidenceItem,
    EvidenceSource,
    MetricDirection,
    MetricTrend,
    PanelSessionRecord,
    PeriodKind,
    PeriodOutcome,
    PeriodResult,
    PlatformEvidence,
    Principle,
    Recurrence,
    ReportingPeriod,
    StatusValue,
    UpdateStatus,
)
from analysis.commitments.status import (
    DUE_SOON_DAYS,
    STALE_AFTER_DAYS,
    resolve_deadline,
    status_as_of,
    tracker_as_of,
)
from analysis.commitments.summary import (
    OPEN_DATA_FIELDS,
    CabinetReport,
    StatusChanges,
    TimelineEntry,
    build_cabinet_report,
    changes_between,
    headline_counts,
    to_open_data,
)

__all__ = [
    "DUE_SOON_DAYS",
    "MET_STATUSES",
    "OPEN_DATA_FIELDS",
    "STALE_AFTER_DAYS",
    "CabinetReport",
    "Charter",
    "Commitment",
    "CommitmentCsvError",
    "CommitmentKind",
    "CommitmentStatus",
    "CommitmentUpdate",
    "CsvRowError",
    "DeadlineEvent",
    "EvidenceItem",
    "EvidenceSource",
    "ImportedCommitments",
    "MetricDirection",
    "MetricTrend",
    "PanelSessionRecord",
    "PeriodKind",
    "PeriodOutcome",
    "PeriodResult",
    "PlatformEvidence",
    "Principle",
    "Recurrence",
    "ReportingPeriod",
    "StatusChanges",
    "StatusValue",
    "TimelineEntry",
    "UpdateStatus",
    "build_cabinet_report",
    "changes_between",
    "headline_counts",
    "parse_commitments_csv",
    "resolve_deadline",
    "status_as_of",
    "to_open_data",
    "tracker_as_of",
]
