import asyncio
import sqlite3

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from common.transactions import write_transaction


def test_sqlite_takes_the_write_lock_when_the_transaction_begins(tmp_path):
    path = tmp_path / "lock.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (n INTEGER)").connection.commit()
    engine = SQLiteEngine(path=str(path))

    async def inside() -> bool:
        async with write_transaction(engine):
            other = sqlite3.connect(path, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # "database is locked": the lock is already ours
                return True
            finally:
                other.close()
            return False

    assert asyncio.run(inside())


def test_postgres_gets_its_default_transaction():
    engine = PostgresEngine(config={})
    transaction = write_transaction(engine)
    assert type(transaction).__name__ == "PostgresTransaction"
