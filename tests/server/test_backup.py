"""`civicpanel backup` and `restore`: a backup restored into an empty database has everything."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.database import run, scratch_database
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
