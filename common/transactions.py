"""The one transaction for read-then-write work, on either engine.

SQLite: an IMMEDIATE transaction takes the write lock up front, so two writers cannot both read
and then deadlock on the upgrade to a write lock. The server's SQLite engine also takes the
machine's write turn (an exclusive ``flock`` shared by every worker and command) whenever a
transaction asks it for a connection, so the turn comes with this helper without common knowing
that engine. PostgreSQL: the default transaction; constraints settle races there.
"""

from __future__ import annotations

import sqlite3

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def write_transaction(engine: Engine):
    """An async context manager: ``async with write_transaction(Table._meta.db): ...``."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def is_unique_violation(error: BaseException) -> bool:
    """True when a write failed on a UNIQUE constraint (PostgreSQL's READ COMMITTED lets two
    transactions pass the same existence check; the constraint is the final word)."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE" in str(error)
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # asyncpg is only needed for PostgreSQL
        return False
    return isinstance(error, UniqueViolationError)
