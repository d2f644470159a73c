"""The test database: which engine, one database per pytest-xdist worker, and resetting it.

Nothing here imports ``piccolo_conf`` at import time: ``tests/conftest.py`` must settle
``DATABASE_URL`` (a SQLite file per process, or a PostgreSQL database per worker) before the
engine is built.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def uses_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def run(coroutine):
    """Run a database coroutine from a test. No connection pool is open in tests, so every query
    opens its own connection and any event loop will do. When this thread already runs a loop
    (Playwright's sync API keeps one open for the browser tests), use a fresh thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


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
