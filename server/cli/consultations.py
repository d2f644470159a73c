"""``civicpanel consultations`` (slugs, status and response counts), ``civicpanel export-responses``
and ``civicpanel import-responses`` (all or nothing, every bad row listed).

Registered on the ``civicpanel`` group in ``server/cli/main.py``. Each prints what it did; on failure,
a one-line reason and a non-zero exit. Exports and imports are written to the audit log with the
operating-system user as the actor."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import click

from server.cli.support import require_migrated as _ready
from server.cli.support import run_async as _run
from server.platform.private_files import write_private_file


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


@click.command("consultations")
def consultations_command() -> None:
    """List consultations with their slugs, status and response counts."""
    _ready()
    from surveys.consultations import list_consultations

    items = _run(list_consultations(date.today(), include_drafts=True))
    if not items:
        click.echo("No consultations.")
        return
    width = max(len(item.slug) for item in items)
    click.echo(f"{'slug':<{width}}  {'status':<8}  {'responses':>9}  dates                    title")
    for item in items:
        click.echo(f"{item.slug:<{width}}  {item.status:<8}  {item.response_count:>9}  "
                   f"{item.opens_on.isoformat()} – {item.closes_on.isoformat()}  {item.title}")


@click.command("export-responses")
@click.option("--consultation", "slug", required=True, help="The consultation's slug (see `civicpanel consultations`).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export_responses_command(slug: str, out: Path | None) -> None:
    """Write the responses CSV: one row per response, with the channel and About-you answers as columns."""
    _ready()
    from server.audit import record_audit
    from surveys.responses import export_responses

    exported = _run(export_responses(slug))
    if exported is None:
        raise click.ClickException(f"there is no consultation {slug!r} (see `civicpanel consultations`)")
    _run(record_audit(actor=_actor(), action="responses_exported", object_type="consultation", object_id=slug,
                      detail=f"{exported.count} responses (command line)"))
    if out is None:
        click.echo(exported.text, nl=False)
        return
    write_private_file(out, exported.text)
    click.echo(f"Wrote {exported.count} responses to {out}", err=True)


@click.command("import-responses")
@click.option("--consultation", "slug", required=True, help="The consultation's slug.")
@click.option("--channel", "default_channel", default="paper", show_default=True,
              type=click.Choice(["paper", "email", "focus_group", "panel_session", "online"]),
              help="Channel for rows whose channel column is blank or missing.")
@click.option("--after-close", "after_close", default="",
              help="Why responses are added to a closed consultation (required once it has closed; audited).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_responses_command(slug: str, default_channel: str, after_close: str, file: Path) -> None:
    """Import paper or focus-group responses from a CSV file: every row is checked against the
    questionnaire, and nothing is imported if any row is bad. A closed consultation takes them
    only with --after-close and a reason: they change any report already published."""
    _ready()
    from datetime import date

    from server.audit import record_audit
    from surveys.consultations import get_consultation
    from surveys.response_csv import ResponseImportError
    from surveys.responses import import_responses

    consultation = _run(get_consultation(slug, date.today()))
    after_close = after_close.strip()
    if consultation is not None and consultation.status == "closed" and not after_close:
        raise click.ClickException(f"{slug} is closed: give --after-close with the reason to add responses")

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file} is not UTF-8 text: save it as CSV UTF-8") from error
    try:
        count = _run(import_responses(slug=slug, csv_text=text, entered_by=_actor(), default_channel=default_channel))
    except ResponseImportError as error:
        for problem in error.errors:
            click.echo(problem, err=True)
        raise click.ClickException(f"nothing imported: {len(error.errors)} problem{'s' if len(error.errors) != 1 else ''} in {file}") from error
    _run(record_audit(actor=_actor(), action="responses_imported", object_type="consultation", object_id=slug,
                      detail=f"{count} responses from {file.name} (command line)"
                      + (f"; added after closing: {after_close}" if consultation and consultation.status == "closed" else "")))
    click.echo(f"Imported {count} responses into {slug}")


@click.command("purge-comment-originals")
@click.option("--older-than-days", "days", type=click.IntRange(min=1), default=None,
              help="Redactions older than this many days (default: the retention period, RETENTION_MONTHS × 30 days).")
def purge_comment_originals_command(days: int | None) -> None:
    """Forget the original text of comments redacted before the audit period: only the redacted
    text stays. Run it daily (cron or a systemd timer)."""
    settings = _ready()
    from datetime import datetime, timedelta, timezone

    from server.audit import record_audit
    from surveys.comments import purge_redacted_originals

    days = days or settings.personal_data_retention_months * 30
    purged = _run(purge_redacted_originals(older_than=datetime.now(timezone.utc) - timedelta(days=days)))
    if purged:
        _run(record_audit(actor=_actor(), action="comment_originals_purged", object_type="comment",
                          detail=f"{purged} originals of redacted comments older than {days} days"))
    click.echo(f"Purged the original text of {purged} redacted comment{'s' if purged != 1 else ''} older than {days} days")
