"""The data layer under concurrency: read-then-write in IMMEDIATE transactions on SQLite, so
concurrent writers neither fail with "database is locked" nor both pass a uniqueness check."""

from __future__ import annotations

import asyncio

from server.accounts.staff import StaffAccountError, create_staff_user, list_staff
from tests.support.database import run


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


def test_shared_read_connection_sees_writes_and_stays_on_its_loop(db):
    import os

    if not os.environ["DATABASE_URL"].startswith("sqlite:///"):
        return
    from piccolo_conf import DB

    from server.accounts.staff import create_staff_user

    async def scenario() -> tuple[list[str], list[str], bool]:
        await DB.start_worker_connections()
        try:
            before = [user["email"] for user in await list_staff()]
            await create_staff_user(email="later@council.example", display_name="Later", role="officer",
                                    password="a long enough password")
            after = [user["email"] for user in await list_staff()]
            used_shared = DB._can_read_shared("SELECT 1", "generic")
        finally:
            await DB.close_worker_connections()
        return before, after, used_shared

    before, after, used_shared = run(scenario())
    assert before == [] and after == ["later@council.example"]
    assert used_shared
    assert DB._read_connection is None
    assert run(list_staff())[0]["email"] == "later@council.example"  # another loop: ordinary connections


def test_shared_read_connection_refuses_writes():
    from server.platform.database import CivicSQLiteEngine

    engine = CivicSQLiteEngine(path="unused.sqlite")
    engine._read_connection = object()

    async def check() -> list[bool]:
        engine._loop = asyncio.get_running_loop()
        return [engine._can_read_shared(sql, kind) for sql, kind in (
            ("SELECT * FROM staff_user", "generic"),
            ("  select count(*) from x", "generic"),
            ("INSERT INTO x VALUES (1)", "insert"),
            ("UPDATE x SET a = 1", "generic"),
            ("DELETE FROM x", "generic"),
        )]

    assert run(check()) == [True, True, False, False, False]


def test_worker_writes_take_turns_and_a_failed_transaction_rolls_back(db):
    """On a serving worker, every transaction and write goes through one connection lent to one
    task at a time, holding the machine's write turn (a flock) meanwhile: read-modify-write
    transactions lose no update, a transaction that fails leaves nothing behind, and no other
    process can take the turn while one is open."""
    import fcntl
    import os

    if not os.environ["DATABASE_URL"].startswith("sqlite:///"):
        return
    from piccolo_conf import DB

    from common.transactions import write_transaction

    async def scenario() -> tuple[int, bool, bool]:
        await DB.start_worker_connections()
        try:
            await DB.run_ddl("CREATE TABLE turn_counter (n INTEGER NOT NULL)")
            await DB._run_in_new_connection("INSERT INTO turn_counter (n) VALUES (0)")

            async def increment() -> None:
                async with write_transaction(DB):
                    rows = await DB._run_in_existing_connection(DB.current_transaction.get().connection,
                                                                "SELECT n FROM turn_counter")
                    await asyncio.sleep(0.001)  # other tasks run here, and must wait for their turn
                    await DB._run_in_existing_connection(DB.current_transaction.get().connection,
                                                         "UPDATE turn_counter SET n = ?", [rows[0]["n"] + 1])

            await asyncio.gather(*(increment() for _ in range(25)))

            held_elsewhere = released_after = False
            other = os.open(f"{DB.path}.writelock", os.O_RDWR)
            try:
                try:
                    async with write_transaction(DB):
                        await DB._run_in_existing_connection(DB.current_transaction.get().connection,
                                                             "UPDATE turn_counter SET n = 1000")
                        try:
                            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        except BlockingIOError:
                            held_elsewhere = True
                        raise RuntimeError("the request failed half-way")
                except RuntimeError:
                    pass
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the turn was given back
                released_after = True
                fcntl.flock(other, fcntl.LOCK_UN)
            finally:
                os.close(other)
            rows = await DB._run_in_new_connection("SELECT n FROM turn_counter")
            await DB.run_ddl("DROP TABLE turn_counter")
            return rows[0]["n"], held_elsewhere, released_after
        finally:
            await DB.close_worker_connections()

    count, held_elsewhere, released_after = run(scenario())
    assert count == 25
    assert held_elsewhere and released_after
