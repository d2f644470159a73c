"""`civicpanel backup` and `restore`: a backup restored into an empty database has everything."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from tests.conftest import create_staff, run


def civicpanel(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "server", *args], env=env, capture_output=True, text=True, timeout=120)


def _empty_database(tmp_path):
    """A URL for a new, empty database on the engine under test, and a function to drop it."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        return f"sqlite:///{tmp_path / 'restored.sqlite'}", lambda: None
    import asyncpg

    from server.platform.database import postgres_config

    config = postgres_config(url)
    name = f"civicpanel_restore_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(**{**config, "database": "postgres"})
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    run(admin(f'CREATE DATABASE "{name}"'))
    return url.rsplit("/", 1)[0] + f"/{name}", lambda: run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_backup_then_restore_into_an_empty_database_finds_everything(db, tmp_path):
    from analysis.charter.demo import load_demo_charter

    run(load_demo_charter())
    create_staff("officer", "kept@council.example")
    source_url = os.environ["DATABASE_URL"]
    backup_file = tmp_path / "civicpanel.backup"
    made = civicpanel("backup", str(backup_file), database_url=source_url)
    assert made.returncode == 0, made.stderr
    assert "Backed up" in made.stdout and backup_file.stat().st_size > 0

    target_url, drop = _empty_database(tmp_path)
    try:
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
    finally:
        drop()


def test_restore_of_a_missing_file_is_a_clear_error(db, tmp_path):
    result = civicpanel("restore", str(tmp_path / "nope.backup"), database_url=os.environ["DATABASE_URL"])
    assert result.returncode == 1
    assert "there is no backup file" in result.stderr
