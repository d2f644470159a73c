"""Reading a whole table's worth of rows a batch at a time, for downloads that stream.

``in_batches`` makes a Piccolo select again and again (a query object changes as its methods are
called, so each batch needs a new one), each time for the rows after the last one
sent, in the order of one column and then the row id (keyset pagination): every batch costs the
same however far into the table it is, and no more than one batch is ever held in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

BATCH = 2000
"""Rows a batch."""


async def in_batches(make_select: Callable[[], object], *, order, id_column, descending: bool = False,
                     size: int | None = None) -> AsyncIterator[list[dict]]:
    """The rows of the selects ``make_select`` makes (each a Piccolo select with its filters,
    selecting ``order`` and ``id_column``), ordered by ``order`` then ``id_column``, ``size``
    rows (``BATCH`` unless given) at a time."""
    size = size or BATCH
    after = None
    while True:
        query = make_select().order_by(order, ascending=not descending).order_by(id_column, ascending=not descending).limit(size)
        if after is not None:
            value, row_id = after
            # "up to the last value, and past the last row at that value": a range on the order
            # column an index serves (written as an OR of the two cases, SQLite scans the index)
            if descending:
                query = query.where((order <= value) & ((order < value) | (id_column < row_id)))
            else:
                query = query.where((order >= value) & ((order > value) | (id_column > row_id)))
        rows = await query.run()
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = (rows[-1][order._meta.get_default_alias()], rows[-1][id_column._meta.get_default_alias()])
