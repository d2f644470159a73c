"""Tables of the analysis package: a charter and its numbered principles.

The charter lives here, not in surveys, so that surveys stays unaware of charters: links from a
case study or consultation to the principles it touches belong to this package too.
"""

from __future__ import annotations

from piccolo.columns import Date, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Charter(Table, tablename="charter"):
    slug = Varchar(length=100, unique=True, index=True)
    name = Varchar(length=200)
    organisation = Varchar(length=200)
    adopted_on = Date(null=True, default=None)
    url = Varchar(length=500, default="")
    summary = Text(default="")


class Principle(Table, tablename="charter_principle"):
    charter = ForeignKey(references=Charter)
    number = Integer()
    title = Varchar(length=300)
    description = Text(default="")


class Commitment(Table, tablename="charter_commitment"):
    """A commitment made in response to a charter (see ``analysis.commitments.model.Commitment``
    for what each field means). ``key`` is unique within its charter, checked by the services.

    Edits rewrite this row in place: a past report reproduces exactly through its saved
    snapshot (``CommitmentReportSnapshot``), and every edit is in the audit log with the old
    values. Updates, which is what statuses are built from, are append-only.
    """

    charter = ForeignKey(references=Charter, index=True)
    key = Varchar(length=20)
    title = Varchar(length=300)
    text = Text(default="")
    kind = Varchar(length=20)
    principles = Varchar(length=100, default="")
    """Principle numbers separated by ``;``, e.g. ``1;3``."""
    owner = Varchar(length=200)
    """A role or team, never a person's name."""
    made_on = Date()
    deadline_date = Date(null=True, default=None)
    deadline_event = Varchar(length=40, default="")
    repeats = Varchar(length=30, default="")
    first_period_start = Date(null=True, default=None)
    evidence_source = Varchar(length=60, default="")
    direction = Varchar(length=20, default="")
    recorded_at = Timestamptz(null=True, default=None)
    """When it was entered; null for records migrated from before the platform (the demo),
    which reports treat as known from ``made_on``."""


class CommitmentUpdate(Table, tablename="charter_commitment_update"):
    """One report on a commitment. Only ever inserted: a correction is a later update."""

    commitment = ForeignKey(references=Commitment, index=True)
    effective_on = Date()
    recorded_at = Timestamptz()
    status = Varchar(length=20)
    note = Text(default="")
    evidence_url = Varchar(length=500, default="")
    metric_value = DoublePrecision(null=True, default=None)
    metric_period_start = Date(null=True, default=None)
    metric_period_end = Date(null=True, default=None)
    recorded_by = Varchar(length=254, default="")
    """The officer's email, for accountability; never shown to cabinet or the public."""


class CommitmentReportSnapshot(Table, tablename="charter_commitment_snapshot"):
    """A saved cabinet report: the JSON and CSV exactly as they were downloaded on the day.
    Never updated or deleted, so an older report reads the same for ever."""

    charter = ForeignKey(references=Charter, index=True)
    as_of = Date()
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=254, default="")
    """Staff email; shown to nobody but administrators through the audit log."""
    document_json = Text()
    open_data_csv = Text()
