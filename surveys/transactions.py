"""Transactions for read-then-write work in the surveys package."""

from __future__ import annotations

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def write_transaction(engine: Engine):
    """IMMEDIATE on SQLite (the write lock is taken up front, so two writers cannot both read and
    then deadlock), the default on PostgreSQL. The same rule as ``server.platform.database.write_transaction``,
    repeated here because surveys does not import the server."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
