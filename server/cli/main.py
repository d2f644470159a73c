"""The ``civicpanel`` command: serve, migrate, load the demo, manage staff, check the set-up.

Every command prints what it did, and on failure exits non-zero with a one-line reason."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from server.cli.support import load_settings, run_async


_settings = load_settings
_run = run_async


@click.group()
def cli() -> None:
    """Civic Panel: resident panels, consultations, and what the council did about them."""


@cli.command()
def migrate() -> None:
    """Apply every database migration not yet applied."""
    settings = _settings()
    from server.platform.migrations_runner import apply_migrations

    outcome = _run(apply_migrations())
    if not outcome.success:
        raise click.ClickException(f"migrations failed: {outcome.message}")
    where = "PostgreSQL" if settings.uses_postgres else settings.database_url.removeprefix("sqlite:///")
    if outcome.applied:
        click.echo(f"Applied {len(outcome.applied)} migrations to {where}: {', '.join(outcome.applied)}")
    else:
        click.echo(f"Database {where} is up to date; no migrations to apply.")


@cli.command("load-demo")
def load_demo_command() -> None:
    """Load the demo council, staff and charter (running it twice adds nothing)."""
    settings = _settings()
    if settings.is_production:
        raise click.ClickException("refusing to load demo data in production (CIVICPANEL_ENV=production)")
    from server.services.demo import DEMO_STAFF, load_demo
    from server.platform.migrations_runner import pending_migrations

    if _run(pending_migrations()):
        raise click.ClickException("the database is not migrated: run `civicpanel migrate` first")
    for line in _run(load_demo()):
        click.echo(line)
    click.echo("Demo staff sign-ins (demo data only):")
    for email, _name, role, password in DEMO_STAFF:
        click.echo(f"  {role:<8} {email}  password: {password}")


@cli.command("create-user")
@click.option("--role", required=True, type=click.Choice(["officer", "facilitator", "cabinet", "admin"]), help="The staff role.")
@click.option("--email", required=True, help="Work email address; it is the sign-in name.")
@click.option("--name", "display_name", default="", help="Name shown in the app (default: the part of the email before @).")
def create_user(role: str, email: str, display_name: str) -> None:
    """Create a staff account. Prompts for the password, or reads one line from standard input."""
    _settings()
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    from server.accounts.staff import StaffAccountError, create_staff_user

    try:
        identity = _run(create_staff_user(email=email, display_name=display_name or email.split("@")[0],
                                          role=role, password=password))
    except StaffAccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {identity.role} account {identity.email}")


@cli.command()
def check() -> None:
    """Check the configuration, that the database answers, and that it is migrated."""
    settings = _settings()
    click.echo(f"configuration: ok ({settings.environment}; council: {settings.council_name})")
    from server.platform.database_health import database_reachable
    from server.platform.migrations_runner import pending_migrations

    if not _run(database_reachable_quietly(database_reachable)):
        raise click.ClickException("database: unreachable or not migrated (run `civicpanel migrate`)")
    pending = _run(pending_migrations())
    if pending:
        raise click.ClickException(f"database: {len(pending)} migrations not applied (run `civicpanel migrate`)")
    click.echo("database: ok, migrations up to date")


async def database_reachable_quietly(probe) -> bool:
    import logging

    logging.getLogger("civicpanel").disabled = True
    try:
        return await probe()
    finally:
        logging.getLogger("civicpanel").disabled = False


@cli.command("send-emails")
def send_emails() -> None:
    """Send the emails waiting in the outbox now (the server also does this every 30 seconds)."""
    settings = _settings()
    if not settings.sends_email:
        raise click.ClickException("Neither NOTIFY_API_KEY nor SMTP_HOST is set: emails stay in the outbox")
    from server.platform.mailer import send_outbox

    report = _run(send_outbox(settings))
    click.echo(f"Sent {report.sent} emails; {report.failed} not sent ({report.given_up} of them now marked failed, "
               f"for an administrator to retry or discard); {report.waiting} still waiting")
    if report.failed:
        raise SystemExit(1)


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup(out: Path) -> None:
    """Write a consistent copy of the whole database to OUT (safe while the app runs)."""
    settings = _settings()
    from server.platform.backup import BackupError, backup_database

    try:
        outcome = backup_database(settings.database_url, out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the {outcome.engine} database to {outcome.path} ({outcome.size_bytes:,} bytes)")


@cli.command()
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(backup_file: Path, force: bool) -> None:
    """Restore a backup made by `civicpanel backup` into the configured (empty) database."""
    settings = _settings()
    from server.platform.backup import BackupError, restore_database

    try:
        click.echo(_run(restore_database(settings.database_url, backup_file, force=force)))
    except BackupError as error:
        raise click.ClickException(str(error)) from error


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--reload", is_flag=True, help="Restart when code changes (development only).")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request.")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, envvar="FORWARDED_ALLOW_IPS",
              help="Comma-separated addresses (or CIDR ranges) of the reverse proxies whose X-Forwarded-For and "
                   "X-Forwarded-Proto are believed; '*' trusts anyone (only when nothing but the proxy can reach "
                   "the server). Also read from FORWARDED_ALLOW_IPS.")
def serve(host: str, port: int, workers: int, reload: bool, access_log: bool, forwarded_allow_ips: str) -> None:
    """Serve the web app with uvicorn.

    Behind a reverse proxy the resident's address (rate limits, the audit log) comes from
    X-Forwarded-For, and only when the connection comes from one of ``--forwarded-allow-ips``:
    anyone else could otherwise choose their own address."""
    settings = _settings()
    import uvicorn

    if "DATABASE_POOL_SIZE" not in os.environ:  # PostgreSQL pool, or SQLite's shared read connection
        os.environ["DATABASE_POOL_SIZE"] = "10"
    click.echo(f"Civic Panel for {settings.council_name} on http://{host}:{port} ({workers} worker{'s' if workers > 1 else ''}; "
               f"forwarded headers trusted from {forwarded_allow_ips})")
    from server.platform.serving import can_reuse_port, run_workers, uvicorn_options

    options = uvicorn_options(settings, factory=True, host=host, port=port, workers=workers, reload=reload,
                              proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips, log_level="info",
                              access_log=access_log)

    if workers > 1 and not reload and can_reuse_port():  # a listening socket per worker: see server/platform/serving.py
        try:
            run_workers(uvicorn.Config("server.asgi:app_from_environment", **options))
        except KeyboardInterrupt:
            pass
        return
    uvicorn.run("server.asgi:app_from_environment", **options)


from server.cli.selection import select_command, verify_draw_command  # noqa: E402  (the selection engine's commands)

cli.add_command(select_command)
cli.add_command(verify_draw_command)

from server.cli.consultations import (  # noqa: E402
    consultations_command, export_responses_command, import_responses_command, purge_comment_originals_command,
)

cli.add_command(consultations_command)
cli.add_command(export_responses_command)
cli.add_command(import_responses_command)
cli.add_command(purge_comment_originals_command)

from server.cli.commitments import commitments_command, import_commitments_command  # noqa: E402

cli.add_command(commitments_command)
cli.add_command(import_commitments_command)

from server.cli.letters import invite_by_post_command  # noqa: E402

cli.add_command(invite_by_post_command)

from server.cli.reports import report_command  # noqa: E402

cli.add_command(report_command)

from server.cli.personal_data import purge_command  # noqa: E402

cli.add_command(purge_command)


def main() -> None:
    cli()

from server.cli.staff import password_link_command, reset_two_factor_command  # noqa: E402

cli.add_command(password_link_command)
cli.add_command(reset_two_factor_command)
