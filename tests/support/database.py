"""The test database: which engine, one database per pytest-xdist worker, and resetting it.

Nothing here imports ``piccolo_conf`` at import time: ``tests/conftest.py`` must settle
``DATABASE_URL`` (a SQLite file per process, or a PostgreSQL database per worker) before the
engine is built.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def uses_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def run(coroutine):
    """Run a database coroutine from a test. No connection pool is open in tests, so any event
    loop will do (on PostgreSQL, the connections this loop borrowed are closed when it ends). When
    this thread already runs a loop (Playwright's sync API keeps one open for the browser tests),
    use a fresh thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_closing_connections(coroutine))
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, _closing_connections(coroutine)).result()


async def _closing_connections(coroutine):
    try:
        return await coroutine
    finally:
        if _LENDER is not None:
            await _LENDER.close_idle()


class _ConnectionLender:
    """PostgreSQL connections kept open per event loop and lent again, for the tests only.

    The app runs in tests with no pool (a pool belongs to one event loop, and the test client,
    ``run`` and the CLI each run their own), so Piccolo opens a connection for every query: about
    a hundred a test, each a new server process. Here a query borrows an idle connection of the
    loop it runs on, and "closing" it gives it back. Connections left on a loop that has ended
    (a test client's request, a CLI command) are closed the next time anything borrows."""

    def __init__(self, connect) -> None:
        self._connect = connect
        self._idle: dict[asyncio.AbstractEventLoop, list] = {}

    async def borrow(self) -> "_LentConnection":
        loop = asyncio.get_running_loop()
        self._close_ended_loops()
        idle = self._idle.setdefault(loop, [])
        while idle:
            connection = idle.pop()
            if not connection.is_closed():
                return _LentConnection(connection, idle)
        return _LentConnection(await self._connect(), idle)

    async def close_idle(self) -> None:
        """Close the idle connections of the running loop, before it ends."""
        for connection in self._idle.pop(asyncio.get_running_loop(), []):
            await connection.close()

    def _close_ended_loops(self) -> None:
        for loop in [loop for loop in self._idle if loop.is_closed()]:
            for connection in self._idle.pop(loop):
                # The loop that owned the socket is gone: close the socket itself.
                transport = connection._transport  # noqa: SLF001 (asyncpg keeps no public handle)
                sock = getattr(transport, "_sock", None)
                if sock is not None:
                    sock.close()


class _LentConnection:
    """An asyncpg connection on loan: everything is the connection's, but ``close`` hands it
    back (or really closes it, if a transaction was left open)."""

    def __init__(self, connection, idle: list) -> None:
        self._connection = connection
        self._idle: list | None = idle

    def __getattr__(self, name: str):
        return getattr(self._connection, name)

    async def close(self, **kwargs) -> None:
        idle, self._idle = self._idle, None
        if idle is None or self._connection.is_closed():
            return
        if self._connection.is_in_transaction():
            await self._connection.close(**kwargs)
        else:
            idle.append(self._connection)


_LENDER: _ConnectionLender | None = None


def lend_postgres_connections() -> None:
    """Make the project's PostgreSQL engine (``piccolo_conf.DB``) borrow connections per event
    loop instead of opening one per query (see ``_ConnectionLender``)."""
    global _LENDER
    import asyncpg
    from piccolo.engine.postgres import PostgresEngine

    from piccolo_conf import DB

    class LendingPostgresEngine(PostgresEngine):
        __slots__ = ()  # the same layout, so the engine already built can take this class

        async def get_new_connection(self):
            return await lender.borrow()

    # A test's commits need not reach the disk before the test goes on: nothing here outlives
    # the run (the default stays for every server the tests start).
    lender = _ConnectionLender(lambda: asyncpg.connect(**DB.config, server_settings={"synchronous_commit": "off"}))
    DB.__class__ = LendingPostgresEngine
    _LENDER = lender


def database_url_with_name(database_url: str, name: str) -> str:
    """The same PostgreSQL server and credentials, another database."""
    return urlunparse(urlparse(database_url)._replace(path=f"/{name}"))


async def _on_maintenance_database(database_url: str, sql: str) -> None:
    """Run ``sql`` (CREATE or DROP DATABASE) connected to the server's ``postgres`` database."""
    import asyncpg

    from server.platform.database import postgres_config

    connection = await asyncpg.connect(**{**postgres_config(database_url), "database": "postgres"})
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_postgres_database(database_url: str, name: str, *, recreate: bool = False) -> str:
    """Create database ``name`` beside the one in ``database_url`` unless it exists (or drop it
    first, with ``recreate``); its URL."""
    import asyncpg

    if recreate:
        run(_on_maintenance_database(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    try:
        run(_on_maintenance_database(database_url, f'CREATE DATABASE "{name}"'))
    except asyncpg.DuplicateDatabaseError:  # made before, or by another worker just now
        pass
    return database_url_with_name(database_url, name)


@contextmanager
def scratch_database(tmp_path: Path, purpose: str) -> Iterator[str]:
    """The URL of a new, empty database on the engine under test, for a test that migrates or
    restores into one; a PostgreSQL one (``<test database>_<purpose>_<random>``) is dropped after."""
    database_url = os.environ["DATABASE_URL"]
    if database_url.startswith("sqlite:///"):
        yield f"sqlite:///{tmp_path / f'{purpose}.sqlite'}"
        return
    from server.platform.database import postgres_config

    name = f"{postgres_config(database_url)['database']}_{purpose}_{uuid.uuid4().hex[:8]}"
    scratch_url = create_postgres_database(database_url, name)
    try:
        yield scratch_url
    finally:
        run(_on_maintenance_database(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def use_worker_database(worker: str) -> None:
    """Point ``DATABASE_URL`` at this xdist worker's own PostgreSQL database, ``<name>_<worker>``
    (``civicpanel_tests_gw0``, …), created if missing: workers then never truncate each other's
    tables. Outside xdist (``worker`` empty) the database named in ``DATABASE_URL`` is used."""
    if not worker or not uses_postgres():
        return
    from server.platform.database import postgres_config

    base_url = os.environ["DATABASE_URL"]
    name = f"{postgres_config(base_url)['database']}_{worker}"
    os.environ["DATABASE_URL"] = create_postgres_database(base_url, name)


def sqlite_path() -> Path:
    return Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def reset_postgres_schema() -> None:
    from piccolo_conf import DB

    await DB.run_ddl("DROP SCHEMA public CASCADE")
    await DB.run_ddl("CREATE SCHEMA public")


# The tables to empty, children before parents, and the sequences to restart: worked out once per
# process from the catalogue (the schema does not change while the suite runs).
_EMPTYING_SQL: str | None = None

_TABLES_CHILDREN_FIRST = """
WITH RECURSIVE tables AS (
    SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'migration'
), depth(oid, level) AS (
    SELECT oid, 0 FROM tables
    UNION ALL
    SELECT con.conrelid, depth.level + 1 FROM pg_constraint con JOIN depth ON con.confrelid = depth.oid
    WHERE con.contype = 'f' AND con.conrelid <> con.confrelid AND depth.level < 50
)
SELECT tables.relname FROM tables JOIN depth USING (oid)
GROUP BY tables.relname ORDER BY max(depth.level) DESC, tables.relname
"""


async def _emptying_sql(connection) -> str:
    global _EMPTYING_SQL
    if _EMPTYING_SQL is None:
        tables = [row["relname"] for row in await connection.fetch(_TABLES_CHILDREN_FIRST)]
        sequences = [
            row["name"]
            for row in await connection.fetch(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS name "
                "FROM pg_sequences WHERE schemaname = 'public'"
            )
        ]
        statements = [f'DELETE FROM "{name}"' for name in tables]
        if sequences:
            restarts = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
            statements.append(f"SELECT {restarts}")
        _EMPTYING_SQL = ";\n".join(statements)
    return _EMPTYING_SQL


async def truncate_postgres() -> None:
    """Empty every table and restart every id sequence, as ``TRUNCATE … RESTART IDENTITY`` would.

    DELETE rather than TRUNCATE: a test leaves a handful of rows, and TRUNCATE gives each of the
    tables a new file on disk, which cost about 0.5 s a test on this machine against about 1 ms."""
    import asyncpg

    from server.platform.database import postgres_config

    connection = await asyncpg.connect(**postgres_config(os.environ["DATABASE_URL"]))
    try:
        async with connection.transaction():
            await connection.execute(await _emptying_sql(connection))
    finally:
        await connection.close()


class _UnsyncedSQLiteConnection(sqlite3.Connection):
    """A SQLite connection that does not wait for the disk at each commit (``synchronous=OFF``):
    about a millisecond a commit here, and nothing in a test database outlives the run."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA synchronous = OFF")


def skip_sqlite_syncs() -> None:
    """Every connection the project's SQLite engine (``piccolo_conf.DB``) opens skips the wait
    for the disk at each commit (servers started as processes keep the default)."""
    from piccolo_conf import DB

    DB.connection_kwargs["factory"] = _UnsyncedSQLiteConnection
