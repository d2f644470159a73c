"""CPU-heavy work runs in worker threads: while a report's statistics are being built (here a
build step that burns CPU in its thread until told to stop), the event loop still answers
``/healthz``. The check is on order, not on a time: the health answer arrives while the build is still
burning, waiting to be told to stop — which could not happen if the build held the loop —
so a slow, shared CI machine cannot make it flaky."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

import server.services.reports as report_service
from tests.factories.reports import BASE, seed
from tests.support.database import run
from tests.support.http import TEST_PASSWORD, create_staff

LONGEST_BURN_S = 30.0
"""The slow build gives up burning after this long, so a regression fails instead of hanging."""


def test_healthz_answers_while_a_report_builds(app, monkeypatch):
    run(seed())
    email = create_staff("officer", "officer-loop@test.example")
    started, release, burnt = threading.Event(), threading.Event(), threading.Event()
    real = report_service.statistics_from_inputs

    def slow_statistics(inputs, **options):
        started.set()
        deadline = time.monotonic() + LONGEST_BURN_S
        while not release.is_set() and time.monotonic() < deadline:
            sum(number * number for number in range(2_000))  # pure Python: holds the GIL between switches
        burnt.set()
        return real(inputs, **options)

    monkeypatch.setattr(report_service, "statistics_from_inputs", slow_statistics)

    async def scenario():
        # httpx straight on the app, in this event loop (Litestar's AsyncTestClient hands each
        # request to a portal and waits for it, one at a time): two requests really overlap.
        transport = httpx.ASGITransport(app=app)
        async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            await client.get("/login")
            signed_in = await client.post("/login", data={"email": email, "password": TEST_PASSWORD,
                                                           "_csrf_token": client.cookies.get("civicpanel_csrf")},
                                          follow_redirects=False)
            assert signed_in.status_code == 303
            report = asyncio.create_task(client.get(BASE))
            deadline = time.monotonic() + LONGEST_BURN_S
            while not started.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert started.is_set(), "the report never started building"
            health = await client.get("/healthz")
            still_building = not burnt.is_set()
            release.set()
            return health, still_building, await report

    health, still_building, report = asyncio.run(scenario())
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
    assert still_building, "/healthz waited for the report: the build held the event loop"
    assert report.status_code == 200 and "95% CI" in report.text


def test_the_app_asks_threads_to_hand_the_gil_back_often(app):
    """With CPython's default 5 ms slices, /healthz waited 140 ms (90th percentile) while a report
    built in a worker thread (``make bench SECTION=report``); with 0.5 ms slices, about 20 ms."""
    import sys

    from server.app import GIL_SWITCH_INTERVAL_S

    assert abs(sys.getswitchinterval() - GIL_SWITCH_INTERVAL_S) < 1e-9
