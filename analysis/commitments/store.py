"""Charter commitments in the database: read them into the tracker's model, write officers'
changes, import CSV files, and keep saved cabinet reports.

The pure rules live in ``analysis.commitments``; this module only moves data between the
tables and those dataclasses. Functions return what happened; the caller (the server)
writes the audit log, because only it knows who is asking.

**Reproducibility.** A status for a past day is built only from records known by the end of
that day (updates are append-only, with ``recorded_at``). Commitment rows can be edited
(a typo in a title, a deadline agreed anew); rather than versioning every column, a report
that cabinet was given is saved as a snapshot — the JSON and CSV text verbatim — and never
changes. "What changed since the last report" compares with that snapshot, and only with
snapshots saved by the end of the report's day, so the live report for a past day is the
same whenever it is asked.

**Platform evidence.** Panel sessions come from ``panels.tables.PanelSession``; a session is
treated as announced when its panel was created, because sessions carry no time of their own.
Case studies count from ``surveys.tables.CaseStudy.published_at``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any

from analysis.commitments import model
from analysis.commitments.csv_import import CommitmentCsvError, parse_commitments_csv
from analysis.commitments.forms import (
    merge_csv_errors,
    parse_commitment_form,
    parse_update_form,
    storage_limit_errors,
)
from analysis.commitments.headline import headline
from analysis.commitments.report import build_report_document, document_csv, document_json
from analysis.commitments.status import known_updates, status_as_of, tracker_as_of
from analysis.commitments.summary import to_open_data
from analysis.tables import Charter, Commitment, CommitmentReportSnapshot, CommitmentUpdate, Principle
from common.clock import COUNCIL_TIME_ZONE
from common.transactions import write_transaction
from panels.tables import Panel, PanelSession
from surveys.tables import CaseStudy


class CommitmentNotFound(LookupError):
    """No such charter, commitment or saved report."""


@dataclass(frozen=True)
class CharterRecord:
    """A stored charter: its database id and slug beside the tracker's model of it."""

    id: int
    slug: str
    charter: model.Charter


@dataclass(frozen=True)
class StoredUpdate:
    """An update as officers see it in a commitment's history (``recorded_by`` included)."""

    id: int
    update: model.CommitmentUpdate
    recorded_by: str


@dataclass(frozen=True)
class TrackerInputs:
    """Everything the tracker needs for one charter."""

    charter: CharterRecord
    commitments: tuple[model.Commitment, ...]
    updates: tuple[model.CommitmentUpdate, ...]
    evidence: model.PlatformEvidence

    @property
    def owners(self) -> dict[str, str]:
        return {commitment.key: commitment.owner for commitment in self.commitments}

    def commitment(self, key: str) -> model.Commitment:
        for commitment in self.commitments:
            if commitment.key == key:
                return commitment
        raise CommitmentNotFound(f"no commitment {key!r} in {self.charter.charter.name}")


@dataclass(frozen=True)
class CommitmentPage:
    """One commitment as the public reads it on a day: its status, and the updates known that
    day, newest first (who recorded them is not part of it)."""

    charter: CharterRecord
    commitment: model.Commitment
    status: model.CommitmentStatus
    history: tuple[model.CommitmentUpdate, ...]


@dataclass(frozen=True)
class ImportOutcome:
    commitments: tuple[model.Commitment, ...]
    updates: tuple[model.CommitmentUpdate, ...]


@dataclass(frozen=True)
class SnapshotSummary:
    id: int
    as_of: date
    created_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """A saved report: the document and CSV exactly as saved."""

    id: int
    as_of: date
    created_at: datetime
    document_json: str
    open_data_csv: str

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.document_json)


# ---------------------------------------------------------------- reading

async def find_charter(slug: str) -> CharterRecord:
    row = await Charter.select().where(Charter.slug == slug).first().run()
    if row is None:
        raise CommitmentNotFound(f"no charter {slug!r}")
    principles = await Principle.select(Principle.number, Principle.title).where(
        Principle.charter == row["id"]).order_by(Principle.number).run()
    charter = model.Charter(
        name=row["name"], organisation=row["organisation"], adopted_on=row["adopted_on"], url=row["url"],
        principles=tuple(model.Principle(number=p["number"], title=p["title"]) for p in principles),
    )
    return CharterRecord(id=row["id"], slug=row["slug"], charter=charter)


async def only_charter_slug() -> str:
    """The slug of the one charter there is; an error naming them when there are several."""
    slugs = [row["slug"] for row in await Charter.select(Charter.slug).order_by(Charter.id).run()]
    if not slugs:
        raise CommitmentNotFound("no charter is stored yet (load the demo or add one)")
    if len(slugs) > 1:
        raise CommitmentNotFound(f"there are several charters; name one of: {', '.join(slugs)}")
    return slugs[0]


async def load_tracker_inputs(slug: str) -> TrackerInputs:
    charter = await find_charter(slug)
    rows = await Commitment.select().where(Commitment.charter == charter.id).order_by(Commitment.id).run()
    commitments = tuple(_commitment_from_row(row) for row in rows)
    key_by_id = {row["id"]: row["key"] for row in rows}
    updates = tuple(stored.update for stored in await _stored_updates(key_by_id))
    return TrackerInputs(charter=charter, commitments=commitments, updates=updates,
                         evidence=await platform_evidence())


async def platform_evidence() -> model.PlatformEvidence:
    """Panel sessions (announced when their panel was created) and case-study publications."""
    sessions = await PanelSession.select(PanelSession.held_on, PanelSession.panel.created_at.as_alias("announced")).run()
    published = await CaseStudy.select(CaseStudy.published_at).where(CaseStudy.published_at.is_not_null()).run()
    return model.PlatformEvidence(
        panel_sessions=tuple(sorted(
            (model.PanelSessionRecord(held_on=row["held_on"], recorded_on=_local_day(row["announced"]))
             for row in sessions), key=lambda record: (record.held_on, record.recorded_on))),
        case_studies_published=tuple(sorted(_local_day(row["published_at"]) for row in published)),
    )


async def commitment_history(slug: str, key: str) -> tuple[TrackerInputs, model.Commitment, list[StoredUpdate]]:
    """A commitment with its updates, newest first, for the officer's page."""
    inputs = await load_tracker_inputs(slug)
    commitment = inputs.commitment(key)
    row = await Commitment.select(Commitment.id).where(
        Commitment.charter == inputs.charter.id, Commitment.key == key).first().run()
    history = await _stored_updates({row["id"]: key})
    history.sort(key=lambda stored: (stored.update.effective_on, stored.update.recorded_at, stored.id), reverse=True)
    return inputs, commitment, history


async def commitment_page(slug: str, key: str, as_of: date) -> CommitmentPage:
    """A commitment's public page for ``as_of``; CommitmentNotFound when there is no such
    commitment, or it was not yet made or recorded on that day."""
    inputs = await load_tracker_inputs(slug)
    commitment = inputs.commitment(key)
    if not tracker_as_of([commitment], (), model.PlatformEvidence(), as_of):
        raise CommitmentNotFound(f"commitment {key!r} was not made by {as_of}")
    status = status_as_of(commitment, inputs.updates, inputs.evidence, as_of)
    history = tuple(reversed(known_updates(key, inputs.updates, as_of)))
    return CommitmentPage(charter=inputs.charter, commitment=commitment, status=status, history=history)


async def statuses_as_of(inputs: TrackerInputs, as_of: date) -> list[model.CommitmentStatus]:
    return tracker_as_of(inputs.commitments, inputs.updates, inputs.evidence, as_of)


async def report_document(slug: str, as_of: date, *, since: date | None = None) -> dict[str, Any]:
    """The cabinet report as of a day, compared with the last report saved before it. With
    ``since`` (a day before ``as_of``), its one-page ``headline`` too: red, amber and green, and
    each status changed since that day (``analysis.commitments.headline``)."""
    inputs = await load_tracker_inputs(slug)
    statuses = await statuses_as_of(inputs, as_of)
    previous = await previous_snapshot(inputs.charter.id, as_of)
    document = build_report_document(charter=inputs.charter.charter, charter_slug=inputs.charter.slug,
                                     statuses=statuses, owners=inputs.owners,
                                     previous=previous.document if previous else None)
    if since is not None and since < as_of and statuses:
        earlier = to_open_data(await statuses_as_of(inputs, since))
        document["headline"] = headline(document, earlier, since)
    return document


async def previous_snapshot(charter_id: int, as_of: date) -> Snapshot | None:
    """The latest report saved for a day before ``as_of`` and saved by the end of ``as_of``
    (so that a report saved later cannot change what an earlier day's report said)."""
    rows = await CommitmentReportSnapshot.select().where(
        CommitmentReportSnapshot.charter == charter_id, CommitmentReportSnapshot.as_of < as_of,
    ).order_by(CommitmentReportSnapshot.as_of, ascending=False).order_by(
        CommitmentReportSnapshot.created_at, ascending=False).run()
    for row in rows:
        if _local_day(row["created_at"]) <= as_of:
            return _snapshot_from_row(row)
    return None


async def list_snapshots(slug: str) -> list[SnapshotSummary]:
    charter = await find_charter(slug)
    rows = await CommitmentReportSnapshot.select(
        CommitmentReportSnapshot.id, CommitmentReportSnapshot.as_of, CommitmentReportSnapshot.created_at,
    ).where(CommitmentReportSnapshot.charter == charter.id).order_by(
        CommitmentReportSnapshot.as_of, ascending=False).order_by(CommitmentReportSnapshot.id, ascending=False).run()
    return [SnapshotSummary(**row) for row in rows]


async def get_snapshot(slug: str, snapshot_id: int) -> Snapshot:
    charter = await find_charter(slug)
    row = await CommitmentReportSnapshot.select().where(
        CommitmentReportSnapshot.charter == charter.id, CommitmentReportSnapshot.id == snapshot_id).first().run()
    if row is None:
        raise CommitmentNotFound(f"no saved report {snapshot_id}")
    return _snapshot_from_row(row)


# ---------------------------------------------------------------- writing

async def create_commitment(*, slug: str, values: dict[str, str], now: datetime) -> model.Commitment:
    """Add a commitment from the officer's form; ``CommitmentFormError`` when it is not valid."""
    inputs = await load_tracker_inputs(slug)
    commitment = parse_commitment_form(
        values, now=now, existing={c.key: c for c in inputs.commitments},
        principle_numbers=[p.number for p in inputs.charter.charter.principles])
    async with write_transaction(Commitment._meta.db):
        await _insert_commitments(inputs.charter.id, [commitment])
    return commitment


async def edit_commitment(*, slug: str, key: str, values: dict[str, str], now: datetime) -> tuple[model.Commitment, model.Commitment]:
    """Change a commitment's fields (not its id). Returns (before, after) for the audit log."""
    inputs = await load_tracker_inputs(slug)
    before = inputs.commitment(key)
    after = parse_commitment_form(
        {**values, "key": key}, now=now, existing={c.key: c for c in inputs.commitments if c.key != key},
        principle_numbers=[p.number for p in inputs.charter.charter.principles])
    columns = _commitment_columns(after)
    columns.pop("recorded_at")  # when it was first entered stays as it was
    await Commitment.update(columns).where(Commitment.charter == inputs.charter.id, Commitment.key == key).run()
    return before, after


async def record_update(*, slug: str, key: str, values: dict[str, str], recorded_by: str, now: datetime) -> model.CommitmentUpdate:
    """Append an update from the officer's form; ``CommitmentFormError`` when it is not valid."""
    inputs = await load_tracker_inputs(slug)
    update = parse_update_form(values, now=now, commitment=inputs.commitment(key))
    ids = await _commitment_ids(inputs.charter.id)
    await _insert_updates(ids, [update], recorded_by=recorded_by)
    return update


async def import_commitments(*, slug: str, text: str, recorded_by: str, now: datetime) -> ImportOutcome:
    """Import a commitments CSV, all or nothing: ``CommitmentCsvError`` lists every bad row
    and nothing is stored. Commitments without ``recorded_at`` are stamped ``now``."""
    inputs = await load_tracker_inputs(slug)
    limits = storage_limit_errors(text)
    try:
        parsed = parse_commitments_csv(
            text, imported_at=now, existing={c.key: c for c in inputs.commitments},
            principle_numbers=[p.number for p in inputs.charter.charter.principles])
    except CommitmentCsvError as error:
        raise CommitmentCsvError(merge_csv_errors(list(error.errors), limits)) from error
    if limits:
        raise CommitmentCsvError(limits)
    commitments = [c if c.recorded_at is not None else _with_recorded_at(c, now) for c in parsed.commitments]
    async with write_transaction(Commitment._meta.db):
        await _insert_commitments(inputs.charter.id, commitments)
        ids = await _commitment_ids(inputs.charter.id)
        await _insert_updates(ids, parsed.updates, recorded_by=recorded_by)
    return ImportOutcome(commitments=tuple(commitments), updates=parsed.updates)


async def save_snapshot(*, slug: str, as_of: date, created_by: str, now: datetime) -> Snapshot:
    """Save the report as of ``as_of`` exactly as it reads now; it never changes afterwards."""
    document = await report_document(slug, as_of)
    charter = await find_charter(slug)
    row = CommitmentReportSnapshot(charter=charter.id, as_of=as_of, created_at=now, created_by=created_by,
                                   document_json=document_json(document), open_data_csv=document_csv(document))
    await row.save().run()
    return Snapshot(id=row.id, as_of=as_of, created_at=now, document_json=row.document_json,
                    open_data_csv=row.open_data_csv)


async def ensure_commitments(*, slug: str, commitments: Iterable[model.Commitment],
                             updates: Iterable[model.CommitmentUpdate], recorded_by: str) -> tuple[int, int]:
    """Store the commitments not stored yet (by key), with the updates of those only.
    For loading demo or migrated records; returns how many commitments and updates were added."""
    charter = await find_charter(slug)
    stored = set((await _commitment_ids(charter.id)))
    new = [c for c in commitments if c.key not in stored]
    new_keys = {c.key for c in new}
    new_updates = [u for u in updates if u.commitment_key in new_keys]
    if not new:
        return 0, 0
    async with write_transaction(Commitment._meta.db):
        await _insert_commitments(charter.id, new)
        await _insert_updates(await _commitment_ids(charter.id), new_updates, recorded_by=recorded_by)
    return len(new), len(new_updates)


# ---------------------------------------------------------------- rows <-> model

def _commitment_columns(commitment: model.Commitment) -> dict:
    recurrence = commitment.recurrence
    return {
        Commitment.key: commitment.key, Commitment.title: commitment.title, Commitment.text: commitment.text,
        Commitment.kind: str(commitment.kind), Commitment.principles: ";".join(map(str, commitment.principles)),
        Commitment.owner: commitment.owner, Commitment.made_on: commitment.made_on,
        Commitment.deadline_date: commitment.deadline_date,
        Commitment.deadline_event: str(commitment.deadline_event or ""),
        Commitment.repeats: str(recurrence.period) if recurrence else "",
        Commitment.first_period_start: recurrence.first_period_start if recurrence else None,
        Commitment.evidence_source: str(recurrence.evidence_source or "") if recurrence else "",
        Commitment.direction: str(commitment.direction or ""),
        "recorded_at": _aware(commitment.recorded_at) if commitment.recorded_at else None,
    }


async def _insert_commitments(charter_id: int, commitments: Iterable[model.Commitment]) -> None:
    rows = []
    for commitment in commitments:
        columns = _commitment_columns(commitment)
        recorded_at = columns.pop("recorded_at")
        rows.append(Commitment(charter=charter_id, recorded_at=recorded_at,
                               **{column._meta.name: value for column, value in columns.items()}))
    if rows:
        await Commitment.insert(*rows).run()


async def _insert_updates(ids: dict[str, int], updates: Iterable[model.CommitmentUpdate], *, recorded_by: str) -> None:
    rows = [
        CommitmentUpdate(
            commitment=ids[u.commitment_key], effective_on=u.effective_on, recorded_at=_aware(u.recorded_at),
            status=str(u.status), note=u.note, evidence_url=u.evidence_url or "",
            metric_value=float(u.metric_value) if u.metric_value is not None else None,
            metric_period_start=u.metric_period.start if u.metric_period else None,
            metric_period_end=u.metric_period.end if u.metric_period else None,
            recorded_by=recorded_by,
        )
        for u in updates
    ]
    if rows:
        await CommitmentUpdate.insert(*rows).run()


async def _commitment_ids(charter_id: int) -> dict[str, int]:
    rows = await Commitment.select(Commitment.id, Commitment.key).where(Commitment.charter == charter_id).run()
    return {row["key"]: row["id"] for row in rows}


async def _stored_updates(key_by_id: dict[int, str]) -> list[StoredUpdate]:
    if not key_by_id:
        return []
    rows = await CommitmentUpdate.select().where(CommitmentUpdate.commitment.is_in(list(key_by_id))).order_by(
        CommitmentUpdate.id).run()
    return [StoredUpdate(id=row["id"], update=_update_from_row(row, key_by_id[row["commitment"]]),
                         recorded_by=row["recorded_by"]) for row in rows]


def _commitment_from_row(row: dict) -> model.Commitment:
    kind = model.CommitmentKind(row["kind"])
    recurrence = None
    if row["repeats"]:
        recurrence = model.Recurrence(
            period=model.PeriodKind(row["repeats"]),
            evidence_source=model.EvidenceSource(row["evidence_source"]) if row["evidence_source"] else None,
            first_period_start=row["first_period_start"])
    return model.Commitment(
        key=row["key"], title=row["title"], text=row["text"], kind=kind,
        principles=tuple(int(part) for part in row["principles"].split(";") if part),
        owner=row["owner"], made_on=row["made_on"], deadline_date=row["deadline_date"],
        deadline_event=model.DeadlineEvent(row["deadline_event"]) if row["deadline_event"] else None,
        recurrence=recurrence,
        direction=model.MetricDirection(row["direction"]) if row["direction"] else None,
        recorded_at=row["recorded_at"],
    )


def _update_from_row(row: dict, key: str) -> model.CommitmentUpdate:
    period = None
    if row["metric_period_start"] and row["metric_period_end"]:
        period = model.ReportingPeriod(row["metric_period_start"], row["metric_period_end"])
    return model.CommitmentUpdate(
        commitment_key=key, effective_on=row["effective_on"], recorded_at=row["recorded_at"],
        status=model.UpdateStatus(row["status"]), note=row["note"], evidence_url=row["evidence_url"] or None,
        metric_value=row["metric_value"] if period else None, metric_period=period,
    )


def _snapshot_from_row(row: dict) -> Snapshot:
    return Snapshot(id=row["id"], as_of=row["as_of"], created_at=row["created_at"],
                    document_json=row["document_json"], open_data_csv=row["open_data_csv"])


def _with_recorded_at(commitment: model.Commitment, now: datetime) -> model.Commitment:
    return replace(commitment, recorded_at=now)


def _aware(moment: datetime) -> datetime:
    """A naive instant is the council's local time (as the CSV format says); stored as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=COUNCIL_TIME_ZONE)
    return moment.astimezone(timezone.utc)


def _local_day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return _aware(moment).astimezone(COUNCIL_TIME_ZONE).date()
    return moment
