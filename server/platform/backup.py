"""Back up and restore the whole database.

SQLite: the online backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (the PostgreSQL client tools must be
installed; Debian's ``postgresql-client``).

A backup holds every resident's personal data, so it is created readable by its owner only
(mode 0600, ``server.platform.private_files``) and takes its name only once complete.

A restore is all or nothing. On PostgreSQL ``pg_restore --single-transaction`` runs every
statement (the drops of ``--force`` included) in one transaction, so any failure — a view of
the council's own that depends on a table, a full disk, a bad backup — rolls back to the database
as it was. On SQLite the backup API writes the whole copy in one write transaction on the
target, which SQLite rolls back if the copy stops part-way.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from server.platform.database import SQLITE_BUSY_TIMEOUT_S, postgres_config, sqlite_path
from server.platform.private_files import private_file


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


def _failure_reason(stderr: str, returncode: int) -> str:
    """The server's own error and its detail from a client tool's output, on one line (the last
    line alone is often just "Command was: ...")."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    wanted = [line for line in lines if re.search(r"\b(ERROR|FATAL|DETAIL):", line)]
    chosen = wanted or lines[-1:] or [f"exit code {returncode}"]
    return " ".join(re.sub(r"^.*?\b(ERROR|FATAL):\s*", "", line) for line in chosen)


def _run_tool(name: str, arguments: list[str], environment: dict[str, str], *, failure: str = "") -> None:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    result = subprocess.run([tool, *arguments], env={**os.environ, **environment}, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{name} failed{failure}: {_failure_reason(result.stderr, result.returncode)}")


def backup_database(database_url: str, out: Path) -> BackupOutcome:
    """Write a consistent copy of the database to ``out``, created with mode 0600."""
    out = Path(out)
    source = sqlite_path(database_url)
    if source is not None and not source.exists():
        raise BackupError(f"there is no database at {source}")
    try:
        with private_file(out) as partial:
            if source is not None:
                live, copy = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_S), sqlite3.connect(partial)
                try:
                    live.backup(copy)
                finally:
                    copy.close()
                    live.close()
            else:
                arguments, environment = _pg_environment(database_url)
                _run_tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(partial),
                                      *arguments], environment)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"cannot write {out}: {error}") from error
    return BackupOutcome(out, out.stat().st_size, "sqlite" if source is not None else "postgresql")


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


def _sqlite_reason(error: sqlite3.Error, source: sqlite3.Connection, live: sqlite3.Connection) -> str:
    """SQLite's message, with the cause spelt out where SQLite's own words mislead."""
    page_sizes = {connection.execute("PRAGMA page_size").fetchone()[0] for connection in (source, live)}
    if len(page_sizes) > 1 and live.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return ("the backup's page size differs from the database's, which SQLite cannot change in WAL mode; "
                "restore into a new, empty database file")
    return str(error)


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
        source, live = sqlite3.connect(f"file:{backup}?mode=ro", uri=True), sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_S)
        try:
            try:
                source.backup(live)  # one write transaction on the target: all of the copy or none of it
            except sqlite3.Error as error:
                raise BackupError(f"the restore failed and nothing was changed: {_sqlite_reason(error, source, live)}") from error
            live.execute("PRAGMA journal_mode=WAL")
        finally:
            live.close()
            source.close()
        return f"restored {backup} into {target}"
    if await _postgres_has_tables(database_url) and not force:
        raise BackupError("the database already holds tables; restore into an empty database, or pass --force")
    arguments, environment = _pg_environment(database_url)
    extra = ["--clean", "--if-exists"] if force else []
    _run_tool("pg_restore", ["--no-owner", "--no-privileges", "--single-transaction", *extra, *arguments, str(backup)],
              environment, failure=" and nothing was changed (the restore runs in one transaction)")
    return f"restored {backup} into PostgreSQL database {postgres_config(database_url)['database']}"
