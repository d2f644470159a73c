"""The data layer under concurrency: read-then-write in IMMEDIATE transactions on SQLite, so
concurrent writers neither fail with "database is locked" nor both pass a uniqueness check."""

from __future__ import annotations

import asyncio

from server.staff import StaffAccountError, create_staff_user, list_staff
from tests.conftest import run


def test_concurrent_creates_of_one_account_make_exactly_one(db):
    async def attempt(number: int) -> str:
        try:
            await create_staff_user(email="same@council.example", display_name=f"Try {number}", role="officer",
                                    password="a long enough password")
        except StaffAccountError as error:
            return error.errors["email"]
        return "created"

    async def race() -> list[str]:
        return await asyncio.gather(*(attempt(number) for number in range(20)))

    outcomes = run(race())
    assert outcomes.count("created") == 1
    assert set(outcomes) == {"created", "A staff account with this email already exists"}
    assert [user["email"] for user in run(list_staff())] == ["same@council.example"]


def test_concurrent_writers_of_different_rows_all_succeed(db):
    async def race() -> None:
        await asyncio.gather(*(
            create_staff_user(email=f"person{number}@council.example", display_name=f"Person {number}",
                              role="cabinet", password="a long enough password")
            for number in range(30)
        ))

    run(race())
    assert len(run(list_staff())) == 30


def test_sqlite_database_is_in_wal_mode(db):
    import os
    import sqlite3

    url = os.environ["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        return
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
