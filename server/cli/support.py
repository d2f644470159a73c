"""What every ``civicpanel`` command needs: settings or a one-line error, a coroutine run to
completion, and a migrated database."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from server.settings import Settings, SettingsError

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except OSError as error:  # the database server is unreachable
        raise click.ClickException(f"cannot reach the database: {error}") from error


def require_migrated() -> Settings:
    """Valid settings and a database with every migration applied, or a one-line error."""
    settings = load_settings()
    from server.platform.migrations_runner import pending_migrations

    if run_async(pending_migrations()):
        raise click.ClickException("the database is not migrated: run `civicpanel migrate` first")
    return settings
