"""The cabinet report as one JSON-ready document: "Commitments as of DATE".

Every output is rendered from this document — the HTML page, the PDF, the CSV and JSON
downloads, the command line's table — so they cannot disagree, and a saved report (a
snapshot of the document) renders again exactly as it was. Only plain JSON types appear
in it: dates are ISO strings, statuses their enum values.

The document holds no personal data: owners are roles or teams, and who recorded an
update is not part of it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from analysis.commitments.model import (
    Charter,
    CommitmentKind,
    CommitmentStatus,
    PeriodOutcome,
    StatusValue,
    UpdateStatus,
)
from analysis.commitments.status import STATUS_NAMES, human_date
from analysis.commitments.summary import OPEN_DATA_FIELDS, build_cabinet_report, natural_key, to_open_data
from common.formulas import safe_cell
from common.i18n import gettext, lazy_gettext
from common.text import whole_number


KIND_NAMES = {
    CommitmentKind.ONE_OFF: lazy_gettext("One-off"),
    CommitmentKind.RECURRING: lazy_gettext("Recurring"),
    CommitmentKind.ONGOING: lazy_gettext("Ongoing"),
    CommitmentKind.METRIC: lazy_gettext("Metric"),
}

UPDATE_NAMES = {
    UpdateStatus.MET: lazy_gettext("Met"),
    UpdateStatus.PROGRESS: lazy_gettext("Progress"),
    UpdateStatus.NOT_MET: lazy_gettext("Not met after all"),
}
"""An update in a commitment's public history, in words."""

OUTCOME_NAMES = {
    PeriodOutcome.MET: lazy_gettext("Met"),
    PeriodOutcome.MISSED: lazy_gettext("Missed"),
    PeriodOutcome.IN_PROGRESS: lazy_gettext("In progress"),
}
"""How one period of a recurring commitment went, in words."""

ROW_FIELDS = (*OPEN_DATA_FIELDS, "owner", "label")
"""Fields of each commitment in the JSON and CSV: the open-data fields, then who owns it
(a role or team) and the sentence the tracker shows."""

DOCUMENT_VERSION = 1


def build_report_document(
    *,
    charter: Charter,
    charter_slug: str,
    statuses: Sequence[CommitmentStatus],
    owners: Mapping[str, str],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report for one tracker run (all ``statuses`` as of the same day).

    ``previous`` is the document of the last saved report before this one, if any: what
    changed is measured against what cabinet was told then, not against a recomputation.
    """
    labels = {status.key: status.label for status in statuses}
    rows = [{**row, "owner": owners.get(str(row["id"]), ""), "label": labels[str(row["id"])]}
            for row in to_open_data(statuses)]
    document: dict[str, Any] = {
        "title": "",
        "charter": {"slug": charter_slug, "name": charter.name, "organisation": charter.organisation,
                    "adopted_on": charter.adopted_on.isoformat() if charter.adopted_on else None,
                    "url": charter.url or None},
        "principles": [{"number": p.number, "title": p.title} for p in charter.principles],
        "as_of": None,
        "total": len(rows),
        "counts": [],
        "overdue": [],
        "due_soon": [],
        "missed": [],
        "timeline": [],
        "changes": None,
        "commitments": rows,
        "version": DOCUMENT_VERSION,
    }
    if not statuses:
        return document
    previous_statuses = _statuses_from_document(previous) if previous else None
    report = build_cabinet_report(statuses, previous_statuses or None)

    def brief(status: CommitmentStatus) -> dict[str, Any]:
        return {"id": status.key, "title": status.title, "owner": owners.get(status.key, ""),
                "deadline": _iso(status.deadline), "days_late": status.days_late,
                "days_to_deadline": status.days_to_deadline, "label": status.label}

    document.update(
        title=gettext("Commitments as of %(day)s", day=human_date(report.as_of)),
        as_of=report.as_of.isoformat(),
        counts=[{"status": str(value), "name": str(STATUS_NAMES[value]), "count": count}
                for value, count in report.counts],
        overdue=[brief(s) for s in report.overdue],
        due_soon=[brief(s) for s in report.due_soon],
        missed=[brief(s) for s in report.missed],
        timeline=[{"id": e.key, "title": e.title, "deadline": _iso(e.deadline), "met_on": _iso(e.met_on),
                   "status": str(e.status)} for e in report.timeline],
    )
    if previous is not None:
        changes = report.changes
        document["changes"] = {
            "previous_as_of": previous.get("as_of"),
            "newly_met": [brief(s) for s in changes.newly_met] if changes else [],
            "newly_overdue": [brief(s) for s in changes.newly_overdue] if changes else [],
        }
    return document


def document_json(document: Mapping[str, Any]) -> str:
    """The document as JSON text; the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def document_csv(document: Mapping[str, Any]) -> str:
    """The commitments as CSV open data: one row per commitment, columns ``ROW_FIELDS``.

    ``principles`` are joined with ``;``; ``evidence`` lists ``date description <url>``
    items joined with `` | ``. Cells a spreadsheet would run as formulas get a leading
    apostrophe.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ROW_FIELDS)
    for row in document["commitments"]:
        cells = []
        for field in ROW_FIELDS:
            value = row.get(field)
            if field == "principles":
                value = ";".join(str(number) for number in value)
            elif field == "evidence":
                value = " | ".join(_evidence_text(item) for item in value)
            cells.append(safe_cell(value))
        writer.writerow(cells)
    return buffer.getvalue()


def document_text_table(document: Mapping[str, Any]) -> str:
    """A plain-text table for the terminal: headline counts, then one line per commitment."""
    lines = [document["title"] or "Commitments (none recorded on this date)", ""]
    lines += [f"  {count['name']:<20} {count['count']:>3}" for count in document["counts"] if count["count"]]
    lines.append(f"  {'Total':<20} {document['total']:>3}")
    lines.append("")
    width = max([len(str(row["id"])) for row in document["commitments"]] + [2])
    lines.append(f"{'id':<{width}}  {'status':<16}  {'deadline':<10}  title")
    for row in document["commitments"]:
        name = str(STATUS_NAMES[StatusValue(row["status"])])
        lines.append(f"{row['id']:<{width}}  {name:<16}  {row['deadline'] or '-':<10}  {row['title']}")
        lines.append(f"{'':<{width}}  {row['label']}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TrackerView:
    """The public tracker's list: each commitment once, narrowed by status and principle.

    ``statuses`` and ``principles`` are the filter's choices with how many commitments each
    has; ``status`` and ``principle`` the filters applied (None: any)."""

    rows: list[dict[str, Any]]
    total: int
    status: str | None
    principle: int | None
    statuses: list[dict[str, Any]]
    principles: list[dict[str, Any]]


def tracker_view(document: Mapping[str, Any], *, status: str = "", principle: str = "") -> TrackerView:
    """The commitments of ``document`` that have ``status`` and serve ``principle`` (each given
    as the query string had it). A value that names no status or principle applies no filter,
    so an edited address still shows the tracker."""
    rows = document["commitments"]
    chosen_status = status if status in {str(value) for value in StatusValue} else None
    numbers = {p["number"] for p in document["principles"]}
    chosen_principle = whole_number(principle)
    chosen_principle = chosen_principle if chosen_principle in numbers else None
    shown = [row for row in rows
             if (chosen_status is None or row["status"] == chosen_status)
             and (chosen_principle is None or chosen_principle in row["principles"])]
    statuses = [{"value": c["status"], "name": c["name"], "count": c["count"]} for c in document["counts"] if c["count"]]
    principles = [{**p, "count": sum(1 for row in rows if p["number"] in row["principles"])}
                  for p in document["principles"]]
    return TrackerView(rows=shown, total=len(rows), status=chosen_status, principle=chosen_principle,
                       statuses=statuses, principles=principles)


def iso_to_human(value: str | None) -> str:
    """``2022-06-30`` reads "30 June 2022"; None reads as an empty string."""
    return human_date(date.fromisoformat(value)) if value else ""


def _statuses_from_document(document: Mapping[str, Any]) -> list[CommitmentStatus]:
    """The statuses a saved report gave, enough to say what has changed since."""
    if not document.get("as_of"):
        return []
    as_of = date.fromisoformat(document["as_of"])
    return [
        CommitmentStatus(key=str(row["id"]), title=row["title"], kind=CommitmentKind(row["kind"]),
                         principles=tuple(row["principles"]), as_of=as_of, status=StatusValue(row["status"]),
                         label=row.get("label", ""))
        for row in sorted(document["commitments"], key=lambda row: natural_key(str(row["id"])))
    ]


def _evidence_text(item: Mapping[str, Any]) -> str:
    url = f" <{item['url']}>" if item.get("url") else ""
    return f"{item['date']} {item['description']}{url}"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
