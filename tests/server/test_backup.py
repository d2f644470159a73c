"""`civicpanel backup` and `restore`: a backup restored into an empty database has everything."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from server.platform.backup import BackupError, backup_database, restore_database
from server.platform.private_files import private_file, write_private_file
from tests.support.database import run, scratch_database, uses_postgres
from tests.support.http import create_staff


def civicpanel(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "server", *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_backup_then_restore_into_an_empty_database_finds_everything(db, tmp_path):
    from analysis.charter.demo import load_demo_charter

    run(load_demo_charter())
    create_staff("officer", "kept@council.example")
    source_url = os.environ["DATABASE_URL"]
    backup_file = tmp_path / "civicpanel.backup"
    made = civicpanel("backup", str(backup_file), database_url=source_url)
    assert made.returncode == 0, made.stderr
    assert "Backed up" in made.stdout and backup_file.stat().st_size > 0

    with scratch_database(tmp_path, "restore") as target_url:
        restored = civicpanel("restore", str(backup_file), database_url=target_url)
        assert restored.returncode == 0, restored.stderr
        check = civicpanel("check", database_url=target_url)
        assert check.returncode == 0, check.stderr + check.stdout
        listing = subprocess.run(
            [sys.executable, "-c",
             "import asyncio; from server.accounts.staff import list_staff; from analysis.charter.queries import list_charters;"
             "print([u['email'] for u in asyncio.run(list_staff())]);"
             "print([len(c.principles) for c in asyncio.run(list_charters())])"],
            env={**os.environ, "DATABASE_URL": target_url}, capture_output=True, text=True, timeout=60,
        )
        assert listing.stdout.splitlines() == ["['kept@council.example']", "[7]"], listing.stderr
        again = civicpanel("restore", str(backup_file), database_url=target_url)
        assert again.returncode == 1 and "already holds" in again.stderr


def test_restore_of_a_missing_file_is_a_clear_error(db, tmp_path):
    result = civicpanel("restore", str(tmp_path / "nope.backup"), database_url=os.environ["DATABASE_URL"])
    assert result.returncode == 1
    assert "there is no backup file" in result.stderr


def _rows_per_table(database_url: str) -> dict[str, int]:
    """Every table of the database and how many rows it holds."""
    from server.platform.database import postgres_config, sqlite_path

    path = sqlite_path(database_url)
    if path is not None:
        with sqlite3.connect(path) as connection:
            names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}

    async def count() -> dict[str, int]:
        import asyncpg

        connection = await asyncpg.connect(**postgres_config(database_url))
        try:
            names = [row["tablename"] for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            return {name: await connection.fetchval(f'SELECT count(*) FROM "{name}"') for name in names}
        finally:
            await connection.close()

    return run(count())


def _execute(database_url: str, *statements: str) -> None:
    from server.platform.database import postgres_config, sqlite_path

    path = sqlite_path(database_url)
    if path is not None:
        with sqlite3.connect(path) as connection:
            for statement in statements:
                connection.execute(statement)
        return

    async def execute() -> None:
        import asyncpg

        connection = await asyncpg.connect(**postgres_config(database_url))
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    run(execute())


def _backup_of_the_demo(tmp_path: Path) -> Path:
    from analysis.charter.demo import load_demo_charter

    run(load_demo_charter())
    create_staff("officer", "kept@council.example")
    backup_file = tmp_path / "civicpanel.backup"
    backup_database(os.environ["DATABASE_URL"], backup_file)
    return backup_file


def test_a_forced_restore_that_fails_part_way_leaves_every_table_and_row(db, tmp_path):
    """A view of the council's own on a table made ``pg_restore --clean`` fail after it had
    dropped 21 of 32 tables. On SQLite the copy fails when the backup's page size differs from a
    WAL database's. Either way the restore must change nothing and say why in one line."""
    backup_file = _backup_of_the_demo(tmp_path)
    with scratch_database(tmp_path, "failing") as target_url:
        if uses_postgres():
            assert run(restore_database(target_url, backup_file)).startswith("restored")
            _execute(target_url, "CREATE VIEW volunteer_names AS SELECT * FROM panel_volunteer",
                     "INSERT INTO charter_principle (charter, number, title, description) "
                     "SELECT charter, 99, 'Added after the backup', '' FROM charter_principle LIMIT 1")
            expected_reason = "view public.volunteer_names depends on table public.panel_volunteer"
        else:
            target = Path(target_url.removeprefix("sqlite:///"))
            with sqlite3.connect(target) as connection:
                connection.execute("PRAGMA page_size = 8192")
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("CREATE TABLE kept (value TEXT)")
                connection.executemany("INSERT INTO kept VALUES (?)", [(str(n),) for n in range(50)])
            expected_reason = "page size"
        before = _rows_per_table(target_url)
        assert len(before) > 0 and sum(before.values()) > 0
        with pytest.raises(BackupError) as failure:
            run(restore_database(target_url, backup_file, force=True))
        message = str(failure.value)
        assert "nothing was changed" in message and expected_reason in message and "\n" not in message
        assert _rows_per_table(target_url) == before


def test_a_forced_restore_replaces_the_data_on_both_engines(db, tmp_path):
    backup_file = _backup_of_the_demo(tmp_path)
    source = _rows_per_table(os.environ["DATABASE_URL"])
    with scratch_database(tmp_path, "forced") as target_url:
        assert run(restore_database(target_url, backup_file)).startswith("restored")
        _execute(target_url, "DELETE FROM charter_principle")
        assert _rows_per_table(target_url)["charter_principle"] == 0
        with pytest.raises(BackupError, match="already holds"):
            run(restore_database(target_url, backup_file))
        assert run(restore_database(target_url, backup_file, force=True)).startswith("restored")
        assert _rows_per_table(target_url) == source


def test_a_backup_is_readable_by_its_owner_only_from_the_start(db, tmp_path):
    previous = os.umask(0)  # even a umask that lets everyone read new files
    try:
        backup_file = _backup_of_the_demo(tmp_path)
        backup_database(os.environ["DATABASE_URL"], backup_file)  # over an existing backup too
    finally:
        os.umask(previous)
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == [backup_file.name]  # no partial file left beside it


def test_private_files_are_created_0600_and_never_half_written(tmp_path):
    out = tmp_path / "exports" / "responses.csv"
    previous = os.umask(0)
    try:
        write_private_file(out, "id,answer\r\n1,Yes\r\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes() == b"id,answer\r\n1,Yes\r\n"
    with pytest.raises(RuntimeError):
        with private_file(out) as partial:
            partial.write_text("half", encoding="utf-8")
            raise RuntimeError("stopped part-way")
    assert out.read_bytes() == b"id,answer\r\n1,Yes\r\n"
    assert sorted(path.name for path in out.parent.iterdir()) == ["responses.csv"]
