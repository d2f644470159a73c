"""The Piccolo engine for a database URL, and the SQLite settings that make it safe to share.

SQLite is the embedded default. Piccolo opens a connection per query, so the file runs in WAL
mode (readers never block the writer), every connection waits up to ``SQLITE_BUSY_TIMEOUT_S``
for a lock instead of failing at once, and read-then-write work goes through IMMEDIATE
transactions (``write_transaction``), which take the write lock up front so two writers cannot
both read and then deadlock on the upgrade.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any
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


class CivicSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, plus one long-lived read connection per serving worker.

    Piccolo opens a new connection (and a new aiosqlite thread) for every query: about 5 ms each
    here, against 0.1 ms on an open connection. A server worker opens one read connection at
    start-up (``start_read_connection``) and sends plain SELECTs outside transactions through
    it; in WAL mode each such statement sees everything committed before it started. Writes and
    transactions keep their own connections, exactly as before. The connection is bound to the
    event loop that opened it; queries from any other loop (tests, CLI) are unaffected."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_connection: Any = None
        self._read_loop: asyncio.AbstractEventLoop | None = None

    async def start_read_connection(self) -> None:
        import aiosqlite
        from piccolo.engine.sqlite import dict_factory

        if self._read_connection is None:
            connection = await aiosqlite.connect(**self.connection_kwargs)
            connection.row_factory = dict_factory
            await connection.execute("PRAGMA query_only = 1")
            self._read_connection = connection
            self._read_loop = asyncio.get_running_loop()

    async def close_read_connection(self) -> None:
        connection, self._read_connection, self._read_loop = self._read_connection, None, None
        if connection is not None:
            await connection.close()

    def _can_read_shared(self, query: str, query_type: str) -> bool:
        if self._read_connection is None or query_type != "generic" and query_type != "select":
            return False
        try:
            same_loop = asyncio.get_running_loop() is self._read_loop
        except RuntimeError:
            return False
        return same_loop and query.lstrip()[:6].upper() == "SELECT"

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None, query_type: str = "generic",
                                     table: Any = None):
        if self._can_read_shared(query, query_type):
            async with self._read_connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        return await super()._run_in_new_connection(query, args, query_type, table)


def make_engine(database_url: str) -> Engine:
    path = sqlite_path(database_url)
    if path is not None:
        enable_wal(path)
        return CivicSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
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
