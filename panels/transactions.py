"""IMMEDIATE transactions for read-then-write work on SQLite (the default on PostgreSQL).

The same rule as ``server.platform.database.write_transaction``, which panels may not import (the
dependency arrows point from server to panels)."""

from __future__ import annotations

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def write_transaction(engine: Engine):
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
