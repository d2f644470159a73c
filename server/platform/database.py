"""The Piccolo engine for a database URL, and the SQLite settings that make it safe to share.

SQLite is the embedded default. Piccolo opens a connection per query, so the file runs in WAL
mode (readers never block the writer), every connection waits up to ``SQLITE_BUSY_TIMEOUT_S``
for a lock instead of failing at once, and read-then-write work goes through IMMEDIATE
transactions (``common.transactions.write_transaction``), which take the write lock up front so two writers cannot
both read and then deadlock on the upgrade.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

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


def contains(column, text: str):
    """Case-insensitive substring match of a Piccolo column: ILIKE on PostgreSQL; SQLite's LIKE
    already ignores ASCII case (and has no ILIKE). % and _ in ``text`` act as wildcards, which is
    harmless in a search."""
    pattern = f"%{text}%"
    if isinstance(column._meta.table._meta.db, SQLiteEngine):
        return column.like(pattern)
    return column.ilike(pattern)


def enable_wal(path: Path) -> None:
    """Switch a SQLite file to WAL mode; the mode is stored in the file, so once is enough."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


class CivicSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, plus two long-lived connections per serving worker.

    Piccolo opens a new connection (and a new aiosqlite thread) for every query: about 5 ms each
    here. A server worker instead opens two connections at start-up (``start_worker_connections``)
    and runs their statements on the event loop's own thread: a statement on an open SQLite
    connection takes tens of microseconds, less than the two thread hops aiosqlite spends on it,
    and a write transaction that hops four times holds the write lock while other requests run.

    - The read connection takes plain SELECTs outside transactions; in WAL mode each sees
      everything committed before it started, and never waits for a writer.
    - The write connection takes every other statement and every transaction, lent to one task
      at a time. Before lending it, the worker takes an exclusive ``flock`` on
      ``<database>.writelock`` (waiting in a thread if another process holds it), so SQLite's own
      write lock is free whenever this connection asks for it: workers and CLI commands take
      turns in the kernel's order instead of retrying on SQLite's busy handler, whose back-off
      sleeps (up to 100 ms a try) made unlucky writes wait seconds under load.

    The connections are bound to the event loop that opened them; queries from any other loop
    (tests, CLI) open their own connections as Piccolo does, still taking the write turn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_connection: _InlineConnection | None = None
        self._write_connection: _InlineConnection | None = None
        self._write_turn: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open_inline(self) -> "_InlineConnection":
        from piccolo.engine.sqlite import dict_factory

        kwargs = dict(self.connection_kwargs)
        connection = sqlite3.connect(kwargs.pop("database"), check_same_thread=False, **kwargs)
        connection.row_factory = dict_factory
        connection.execute("PRAGMA foreign_keys = 1")
        return _InlineConnection(connection)

    async def start_worker_connections(self) -> None:
        if self._read_connection is not None:
            return
        read = self._open_inline()
        read.raw.execute("PRAGMA query_only = 1")
        self._read_connection, self._write_connection = read, self._open_inline()
        self._write_turn = asyncio.Lock()
        self._loop = asyncio.get_running_loop()

    async def close_worker_connections(self) -> None:
        read, write = self._read_connection, self._write_connection
        self._read_connection = self._write_connection = self._write_turn = self._loop = None
        for connection in (read, write):
            if connection is not None:
                connection.raw.close()

    def _on_worker_loop(self) -> bool:
        if self._loop is None:
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _can_read_shared(self, query: str, query_type: str) -> bool:
        if self._read_connection is None or query_type != "generic" and query_type != "select":
            return False
        return self._on_worker_loop() and query.lstrip()[:6].upper() == "SELECT"

    # --- the machine's write turn ----------------------------------------------------------------

    async def _take_write_turn(self) -> int:
        """The exclusive ``flock`` on ``<database>.writelock``, held through the returned descriptor."""
        descriptor = os.open(f"{self.path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another process is writing: wait in a thread, not on the loop
                await asyncio.get_running_loop().run_in_executor(None, fcntl.flock, descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        return descriptor

    @staticmethod
    def _end_write_turn(descriptor: int) -> None:
        os.close(descriptor)  # closing the last descriptor releases the flock

    async def _lend_write_connection(self) -> "_LentConnection":
        await self._write_turn.acquire()
        try:
            descriptor = await self._take_write_turn()
        except BaseException:
            self._write_turn.release()
            raise

        def give_back() -> None:
            try:
                self._end_write_turn(descriptor)
            finally:
                self._write_turn.release()

        return _LentConnection(self._write_connection, give_back)

    async def get_connection(self):
        """A transaction's connection: on a worker, its write connection, lent until ``close()``;
        elsewhere a new connection, still holding the machine's write turn until ``close()``."""
        if self._write_connection is not None and self._on_worker_loop():
            return await self._lend_write_connection()
        descriptor = await self._take_write_turn()
        try:
            connection = await super().get_connection()
        except BaseException:
            self._end_write_turn(descriptor)
            raise
        return _LentConnection(connection, lambda: self._end_write_turn(descriptor), closes=True)

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None, query_type: str = "generic",
                                     table: Any = None):
        if self._can_read_shared(query, query_type):
            return self._read_connection.run(query, args or [])
        if self._write_connection is not None and self._on_worker_loop():
            lent = await self._lend_write_connection()
            try:
                return lent.run(query, args or [])
            finally:
                await lent.close()
        if query.lstrip()[:6].upper() == "SELECT":
            return await super()._run_in_new_connection(query, args, query_type, table)
        descriptor = await self._take_write_turn()
        try:
            return await super()._run_in_new_connection(query, args, query_type, table)
        finally:
            self._end_write_turn(descriptor)

    async def _run_in_existing_connection(self, connection, query: str, args: list[Any] | None = None,
                                          query_type: str = "generic", table: Any = None):
        if isinstance(connection, _LentConnection) and connection.inline:
            return connection.run(query, args or [])  # foreign keys are on for good
        return await super()._run_in_existing_connection(connection, query, args, query_type, table)


class _InlineCursor:
    """The part of aiosqlite's cursor Piccolo uses, over a ``sqlite3`` cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def execute(self, sql: str, parameters: Any = ()) -> "_InlineCursor":
        self._cursor.execute(sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int) -> list[Any]:
        return self._cursor.fetchmany(size)

    async def close(self) -> None:
        self._cursor.close()


class _Execution:
    """What ``connection.execute`` gives in aiosqlite: awaitable, or an async context manager."""

    def __init__(self, connection: sqlite3.Connection, sql: str, parameters: Any) -> None:
        self._cursor = _InlineCursor(connection.execute(sql, parameters))

    def __await__(self):
        yield from ()
        return self._cursor

    async def __aenter__(self) -> _InlineCursor:
        return self._cursor

    async def __aexit__(self, *exc_info: object) -> None:
        await self._cursor.close()


class _InlineConnection:
    """A ``sqlite3`` connection run on the event loop's thread, shaped like aiosqlite's."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.raw = connection

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def run(self, sql: str, parameters: Any) -> list[Any]:
        cursor = self.raw.execute(sql, parameters)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def execute(self, sql: str, *parameters: Any) -> _Execution:
        return _Execution(self.raw, sql, parameters[0] if parameters else ())

    async def commit(self) -> None:
        self.raw.commit()

    async def rollback(self) -> None:
        self.raw.rollback()

    async def close(self) -> None:
        self.raw.close()


class _LentConnection:
    """A connection lent to one transaction (or batch): ``close()`` gives back the write turn and,
    for the worker's own connection, keeps it open. A transaction left open is rolled back."""

    def __init__(self, connection: Any, give_back, *, closes: bool = False) -> None:
        self._connection = connection
        self._give_back = give_back
        self._closes = closes
        self.inline = isinstance(connection, _InlineConnection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def run(self, sql: str, parameters: Any) -> list[Any]:
        return self._connection.run(sql, parameters)

    async def close(self) -> None:
        try:
            if self._closes:
                await self._connection.close()
            elif self._connection.in_transaction:
                await self._connection.rollback()
        finally:
            self._give_back()


def make_engine(database_url: str) -> Engine:
    path = sqlite_path(database_url)
    if path is not None:
        enable_wal(path)
        return CivicSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    return PostgresEngine(config=postgres_config(database_url))


async def keep_session_state(connection: Any) -> None:
    """The pool's ``reset`` for a connection handed back: asyncpg has already rolled back any
    open transaction; its default reset then runs one more query per request
    (``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``) to undo session state this
    app never sets (no advisory locks, LISTEN, cursors or SET outside a transaction)."""

