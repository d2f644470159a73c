"""Back up and restore the whole database.

SQLite: the online backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (the PostgreSQL client tools must be
installed; Debian's ``postgresql-client``)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from server.platform.database import SQLITE_BUSY_TIMEOUT_S, postgres_config, sqlite_path


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why in one line."""


@dataclass(frozen=True)
class BackupOutcome:
    path: Path
    size_bytes: int
    engine: str


def _pg_environment(database_url: str) -> tuple[list[str], dict[str, str]]:
    config = postgres_config(database_url)
    arguments = ["--host", str(config["host"]), "--port", str(config["port"]), "--username", str(config["user"]),
                 "--dbname", str(config["database"])]
    environment = {"PGPASSWORD": str(config["password"])} if "password" in config else {}
    return arguments, environment


def _run_tool(name: str, arguments: list[str], environment: dict[str, str]) -> None:
    import os

    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    result = subprocess.run([tool, *arguments], env={**os.environ, **environment}, capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        raise BackupError(f"{name} failed: {message}")


def backup_database(database_url: str, out: Path) -> BackupOutcome:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite_path(database_url)
    if source is not None:
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        with sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_S) as live, sqlite3.connect(out) as copy:
            live.backup(copy)
        return BackupOutcome(out, out.stat().st_size, "sqlite")
    arguments, environment = _pg_environment(database_url)
    _run_tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(out), *arguments],
              environment)
    return BackupOutcome(out, out.stat().st_size, "postgresql")


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


async def _postgres_has_tables(database_url: str) -> bool:
    import asyncpg

    connection = await asyncpg.connect(**postgres_config(database_url))
    try:
        count = await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    return count > 0


async def restore_database(database_url: str, backup: Path, *, force: bool = False) -> str:
    """Restore a backup made by ``backup_database`` into the configured database. Refuses a
    database that already has tables unless ``force`` (which replaces what is there)."""
    backup = Path(backup)
    if not backup.exists():
        raise BackupError(f"there is no backup file at {backup}")
    target = sqlite_path(database_url)
    if target is not None:
        try:
            with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as check:
                check.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{backup} is not a SQLite backup: {error}") from error
        if _sqlite_has_tables(target) and not force:
            raise BackupError(f"{target} already holds data; restore into an empty database, or pass --force")
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(backup) as source, sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_S) as live:
            source.backup(live)
        with sqlite3.connect(target) as live:
            live.execute("PRAGMA journal_mode=WAL")
        return f"restored {backup} into {target}"
    if await _postgres_has_tables(database_url) and not force:
        raise BackupError("the database already holds tables; restore into an empty database, or pass --force")
    arguments, environment = _pg_environment(database_url)
    extra = ["--clean", "--if-exists"] if force else []
    _run_tool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", *extra, *arguments, str(backup)],
              environment)
    return f"restored {backup} into PostgreSQL database {postgres_config(database_url)['database']}"
