"""Apply and inspect Piccolo migrations from code (the CLI, the tests, start-up checks)."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from dataclasses import dataclass

from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards


@dataclass(frozen=True)
class MigrationOutcome:
    success: bool
    applied: list[str]
    message: str


async def pending_migrations() -> list[str]:
    """``app:migration_id`` of every migration not yet applied."""
    statuses = await CheckMigrationManager(app_name="all").get_migration_statuses()
    return [f"{status.app_name}:{status.migration_id}" for status in statuses if not status.has_ran]


async def apply_migrations() -> MigrationOutcome:
    before = await pending_migrations()
    output = io.StringIO()
    with redirect_stdout(output):  # Piccolo prints emoji progress; the CLI prints its own summary
        result = await run_forwards(app_name="all", migration_id="all")
    after = await pending_migrations()
    applied = [migration for migration in before if migration not in after]
    return MigrationOutcome(success=bool(result.success) and not after, applied=applied,
                            message=result.message or output.getvalue().strip())
