"""The Piccolo engine for a database URL, and the SQLite settings that make it safe to share.

SQLite is the embedded default. Piccolo opens a connection per query, so the file runs in WAL
mode (readers never block the writer), every connection waits up to ``SQLITE_BUSY_TIMEOUT_S``
for a lock instead of failing at once, and read-then-write work goes through IMMEDIATE
transactions (``write_transaction``), which take the write lock up front so two writers cannot
both read and then deadlock on the upgrade.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

SQLITE_BUSY_TIMEOUT_S = 30.0


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for any other database."""
    if not database_url.startswith("sqlite:///"):
        return None
    return Path(database_url.removeprefix("sqlite:///"))


def postgres_config(database_url: str) -> dict[str, object]:
    """asyncpg connection arguments from a ``postgresql://user:password@host:port/db`` URL."""
    parsed = urlparse(database_url)
    config: dict[str, object] = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "database": (parsed.path or "/").lstrip("/") or "postgres",
        "user": unquote(parsed.username) if parsed.username else "postgres",
    }
    if parsed.password:
        config["password"] = unquote(parsed.password)
    return config


def enable_wal(path: Path) -> None:
    """Switch a SQLite file to WAL mode; the mode is stored in the file, so once is enough."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def make_engine(database_url: str) -> Engine:
    path = sqlite_path(database_url)
    if path is not None:
        enable_wal(path)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    return PostgresEngine(config=postgres_config(database_url))


def is_unique_violation(error: BaseException) -> bool:
    """True when a write failed on a UNIQUE constraint (PostgreSQL's READ COMMITTED lets two
    transactions pass the same existence check; the constraint is the final word)."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE" in str(error)
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # asyncpg is only needed for PostgreSQL
        return False
    return isinstance(error, UniqueViolationError)


def write_transaction(engine: Engine):
    """A transaction for read-then-write work: IMMEDIATE on SQLite, the default on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
