"""``civicpanel send-reminders``: queue the panel reminders due today (the server does this every hour)."""

from __future__ import annotations

import click

from server.cli.support import require_migrated, run_async


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Queue today's panel reminders not yet sent: reply-by reminders and session reminders."""
    settings = require_migrated()
    from server.app import create_app
    from server.services.reminders import queue_reminders

    queued = run_async(queue_reminders(create_app(settings)))
    click.echo(f"Queued {queued} reminder emails in the outbox"
               + ("" if settings.sends_email else " (SMTP_HOST is not set: they wait there)"))
