"""``civicpanel purge``: delete personal data past its retention period."""

from __future__ import annotations

import click

from server.cli.support import require_migrated, run_async


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, and delete nothing.")
def purge_command(dry_run: bool) -> None:
    """Delete personal data past its retention period and print what was removed (counts, never
    contents). The server also runs this every day."""
    settings = require_migrated()
    from server.services.retention import purge_and_record, purge_personal_data

    if dry_run:
        summary = run_async(purge_personal_data(settings=settings, dry_run=True))
        click.echo("Dry run: nothing deleted. Past retention now:")
    else:
        summary = run_async(purge_and_record(settings=settings, actor="command line"))
        click.echo("Deleted personal data past its retention period:")
    for line in summary.lines():
        click.echo(f"  {line}")
