"""Fixtures for the HTTP tests: counting the queries a request runs."""

from __future__ import annotations

import threading

import pytest


class QueryCounter:
    """A count that the app's threads and the test's can add to at once."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.count += 1


@pytest.fixture
def query_counter(monkeypatch):
    """Counts every query the Piccolo engine runs (from any thread) while the test runs."""
    from piccolo_conf import DB

    counter = QueryCounter()
    engine_class = type(DB)
    original = engine_class.run_querystring

    async def counting(self, *args, **kwargs):
        counter.add()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    return counter
