"""The menu's recruiting-panel link: looked up once a minute, never taking a page down."""

from __future__ import annotations

import asyncio

import server.services.recruiting as recruiting


def test_a_failed_lookup_keeps_the_last_answer_and_retries_later(monkeypatch):
    link = recruiting.RecruitingLink()
    link.current = recruiting.RecruitingPanel("panel-now", "Panel now")
    calls = []

    async def unreachable(*, now):
        calls.append(now)
        raise OSError("database unreachable")

    monkeypatch.setattr(recruiting, "recruiting_panel", unreachable)
    asyncio.run(link.refresh_if_stale())
    asyncio.run(link.refresh_if_stale())  # within the retry interval: not asked again
    assert link.current == recruiting.RecruitingPanel("panel-now", "Panel now") and len(calls) == 1
    link.forget()
    asyncio.run(link.refresh_if_stale())
    assert len(calls) == 2
