"""``civicpanel commitments`` (the tracker as of a date, as a table, JSON, CSV or PDF) and
``civicpanel import-commitments FILE.csv`` (all or nothing, every bad row listed).

Registered on the ``civicpanel`` group in ``server/cli/main.py``. Each prints what it did; on
failure, a one-line reason and a non-zero exit."""

from __future__ import annotations

import getpass
from datetime import date, datetime, timezone
from pathlib import Path

import click

from common.clock import council_today
from server.cli.support import require_migrated as _ready
from server.cli.support import run_async as _run
from server.platform.private_files import write_private_file


async def _charter_slug(given: str) -> str:
    from analysis.commitments.store import CommitmentNotFound, find_charter, only_charter_slug

    try:
        if given:
            await find_charter(given)
            return given
        return await only_charter_slug()
    except CommitmentNotFound as error:
        raise click.ClickException(str(error)) from error


@click.command("commitments")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Report date, YYYY-MM-DD (default: today in the council's time zone).")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "pdf"]), default="table",
              show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output (required for pdf).")
@click.option("--charter", "charter", default="", help="Charter slug (default: the only charter).")
def commitments_command(as_of: datetime | None, output_format: str, out: Path | None, charter: str) -> None:
    """Every commitment's status as of a date: the cabinet report's data.

    The JSON is the report document: headline counts, overdue, due soon, what changed since
    the last saved report, and under "commitments" each one's id, title, kind, deadline,
    status, days_late, met_on, principles and evidence."""
    if output_format == "pdf" and out is None:
        raise click.ClickException("--format pdf needs --out FILE.pdf")
    _ready()
    from analysis.commitments.render import report_pdf, timeline_png
    from analysis.commitments.report import document_csv, document_json, document_text_table
    from analysis.commitments.store import report_document

    day: date = as_of.date() if as_of else council_today()

    async def build():
        return await report_document(await _charter_slug(charter), day)

    document = _run(build())
    if output_format == "pdf":
        content: str | bytes = report_pdf(document, chart_png=timeline_png(document) if document["timeline"] else None)
    else:
        content = {"table": document_text_table, "json": document_json, "csv": document_csv}[output_format](document)
    if out is None:
        click.echo(content, nl=False)
        return
    try:
        write_private_file(out, content)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from error
    click.echo(f"Wrote the {output_format} report of {document['total']} commitments as of {day.isoformat()} "
               f"to {out}", err=True)


@click.command("import-commitments")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--charter", "charter", default="", help="Charter slug (default: the only charter).")
def import_commitments_command(csv_file: Path, charter: str) -> None:
    """Import commitments and updates from a CSV file, all or nothing.

    The format is described in analysis/commitments/csv_import.py. When any row has a
    problem, every problem is listed with its row and column and nothing is imported."""
    _ready()
    from analysis.commitments.csv_import import CommitmentCsvError
    from analysis.commitments.store import import_commitments
    from server.audit import record_audit

    try:
        text = csv_file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{csv_file} is not UTF-8 text: save it as CSV UTF-8") from error
    actor = f"cli:{_user()}"

    async def work():
        slug = await _charter_slug(charter)
        outcome = await import_commitments(slug=slug, text=text, recorded_by=actor, now=datetime.now(timezone.utc))
        await record_audit(actor=actor, action="commitments_imported", object_type="charter", object_id=slug,
                           detail=f"{len(outcome.commitments)} commitments, {len(outcome.updates)} updates "
                                  f"from {csv_file.name}")
        return slug, outcome

    try:
        slug, outcome = _run(work())
    except CommitmentCsvError as error:
        for problem in error.errors:
            click.echo(f"{csv_file.name}: row {problem.row}, {problem.column}: {problem.message}", err=True)
        raise click.ClickException(f"{len(error.errors)} problem(s) in {csv_file.name}; nothing was imported") from error
    click.echo(f"Imported {len(outcome.commitments)} commitments and {len(outcome.updates)} updates "
               f"into {slug} from {csv_file.name}")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
