"""Migrations: they build the whole schema from nothing on this engine, and they agree with the
table classes (a table changed without a migration fails here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

from tests.support.database import run, scratch_database

APPS = ("server", "panels", "surveys", "analysis")


def civicpanel(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def _all_table_names() -> set[str]:
    return {table._meta.tablename for table in Finder().get_table_classes()}


@pytest.mark.parametrize("app_name", APPS)
def test_tables_and_migrations_agree(app_name):
    app_config = Finder().get_app_config(app_name)
    alter_statements = run(AutoMigrationManager(auto_input="y").get_alter_statements(app_config=app_config))
    pending = [statement for group in alter_statements for statement in group.statements]
    assert pending == [], f"{app_name}: tables changed without a migration (run piccolo migrations new {app_name} --auto)"


@pytest.mark.slow
def test_migrations_apply_to_an_empty_database(tmp_path):
    with scratch_database(tmp_path, "fresh") as fresh_url:
        env = {**os.environ, "DATABASE_URL": fresh_url}
        first = civicpanel("migrate", env=env)
        assert first.returncode == 0, first.stderr
        assert "Applied" in first.stdout
        again = civicpanel("migrate", env=env)
        assert again.returncode == 0 and "up to date" in again.stdout
        check = civicpanel("check", env=env)
        assert check.returncode == 0, check.stderr
        if fresh_url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(Path(fresh_url.removeprefix("sqlite:///"))) as connection:
                names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
            assert _all_table_names() <= names
            assert journal == "wal"
