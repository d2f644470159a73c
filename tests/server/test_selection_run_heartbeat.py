"""A selection run whose worker died (killed, restarted) is shown as stopped, not polled for ever;
one whose worker is still beating stays running."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from panels import runs as run_store
from panels.tables import Panel, SelectionRun
from tests.support.database import run


async def _panel_and_run(*, started_ago: timedelta, heartbeat_ago: timedelta | None) -> tuple[int, int]:
    panel = Panel(name="Heartbeat panel", slug="heartbeat-panel", year=2026, panel_size=6)
    await panel.save().run()
    now = datetime.now(timezone.utc)
    row = SelectionRun(panel=panel.id, status="running", started_at=now - started_ago,
                       heartbeat_at=None if heartbeat_ago is None else now - heartbeat_ago)
    await row.save().run()
    return panel.id, row.id


def test_a_run_whose_worker_died_is_marked_stopped_and_the_page_says_so(db, officer_client):
    panel_id, run_id = run(_panel_and_run(started_ago=timedelta(minutes=30), heartbeat_ago=timedelta(minutes=5)))
    page = officer_client.get(f"/officer/panels/{panel_id}/runs/{run_id}")
    assert page.status_code == 200 and "server worker running it ended" in page.text
    stored = run(SelectionRun.select(SelectionRun.status, SelectionRun.error).where(SelectionRun.id == run_id).first().run())
    assert stored["status"] == "failed" and stored["error"] == run_store.STALE_MESSAGE


def test_a_run_with_a_recent_heartbeat_keeps_running(db):
    panel_id, run_id = run(_panel_and_run(started_ago=timedelta(minutes=30), heartbeat_ago=timedelta(seconds=20)))
    assert run(run_store.get_run(panel_id, run_id)).status == "running"
    _, fresh_id = run(_panel_and_run_again())
    assert run(run_store.get_run(panel_id, fresh_id)).status == "running"  # just started, no heartbeat yet


async def _panel_and_run_again() -> tuple[int, int]:
    panel = await Panel.objects().where(Panel.slug == "heartbeat-panel").first().run()
    row = SelectionRun(panel=panel.id, status="running", started_at=datetime.now(timezone.utc))
    await row.save().run()
    return panel.id, row.id


def test_execute_run_beats_while_computing(db, monkeypatch):
    panel_id, run_id = run(_panel_and_run(started_ago=timedelta(seconds=1), heartbeat_ago=None))
    monkeypatch.setattr(run_store, "HEARTBEAT_INTERVAL_S", 0.01)

    async def slow(run_id_, pool, *, kind, alternates=(), objective="leximin"):
        await asyncio.sleep(0.1)

    monkeypatch.setattr(run_store, "_execute", slow)
    run(run_store.execute_run(run_id, pool=None, kind="selection"))
    beat = run(SelectionRun.select(SelectionRun.heartbeat_at).where(SelectionRun.id == run_id).first().run())
    assert beat["heartbeat_at"] is not None
