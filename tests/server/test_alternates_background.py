"""The draw answers at once and the alternates are chosen afterwards, in a background task: the run
page says they are being chosen (and htmx polls until they are), then shows them; a failed choice
says why and offers to choose again, as does a run drawn with none; replacement rounds wait while
they are being chosen; a choice whose worker died is marked failed, not left "choosing".

Litestar's test client runs a response's background task before it returns, so a test that must
see the run while it is choosing replaces the task (``choose_alternates_and_audit``) with one that
only records what it was given, then runs the real one itself."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from panels import run_alternates
from panels.tables import SelectionRun, Volunteer
from server.controllers.panels import officer as officer_controller
from server.tables import AuditEntry
from tests.factories.panels import create_panel, fill_pool, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

HTMX = {"HX-Request": "true"}


def computed_run(client, officer_client) -> tuple[int, int, str]:
    """A panel with a pool and a computed (undrawn) selection run: panel id, run id, run page."""
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    url = started.headers["location"]
    return panel_id, int(url.rstrip("/").rsplit("/", 1)[1]), url


def stored(run_id: int) -> dict:
    return run(SelectionRun.select(
        SelectionRun.alternates_status, SelectionRun.alternates_error, SelectionRun.alternates_json,
        SelectionRun.alternates_asked, SelectionRun.drawn_json, SelectionRun.status).where(
        SelectionRun.id == run_id).first().run())


def audit_actions(run_id: int) -> list[str]:
    rows = run(AuditEntry.select(AuditEntry.action).where(AuditEntry.object_type == "selection_run",
                                                         AuditEntry.object_id == str(run_id)).order_by(AuditEntry.id).run())
    return [row["action"] for row in rows]


def hold_background_choice(monkeypatch) -> list[tuple]:
    """Replace the background choice with a recorder: the run stays "choosing" until the test runs
    ``officer_controller.choose_alternates_and_audit`` itself with what was recorded."""
    calls: list[tuple] = []

    async def record(run_id, count, *, actor, ip_address):
        calls.append((run_id, count, actor, ip_address))

    monkeypatch.setattr(officer_controller, "choose_alternates_and_audit", record)
    return calls


def alternates_listed(page: str) -> list[str]:
    match = re.search(r'<ol class="govuk-list govuk-list--number" id="alternates">(.*?)</ol>', page, re.S)
    return re.findall(r"RP-[A-Z0-9]{6}", match.group(1)) if match else []


def test_the_draw_redirects_at_once_and_the_alternates_follow(client, officer_client, monkeypatch):
    panel_id, run_id, run_url = computed_run(client, officer_client)
    real_choice = officer_controller.choose_alternates_and_audit
    calls = hold_background_choice(monkeypatch)
    drawn = post_form(officer_client, run_url + "/draw", {"seed": "seed 7", "alternates": "2"}, follow_redirects=False)
    assert drawn.status_code == 303 and drawn.headers["location"].endswith(f"/officer/panels/{panel_id}/invitations")
    assert [call[:2] for call in calls] == [(run_id, 2)]
    row = stored(run_id)
    assert row["status"] == "drawn" and row["alternates_status"] == "choosing" and row["alternates_json"] == ""
    members = json.loads(row["drawn_json"])
    selected = run(Volunteer.select(Volunteer.reference).where(Volunteer.status == "selected").run())
    assert {r["reference"] for r in selected} == set(members) and len(members) == 6

    page = officer_client.get(run_url).text
    assert 'id="alternates-choosing"' in page and "2 alternates are being chosen" in page
    status_url = f"/officer/panels/{panel_id}/runs/{run_id}/alternates"
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    assert f'href="{run_url}">Refresh</a>' in page  # without JavaScript
    assert "Choose alternates" not in page and not alternates_listed(page)
    polled = officer_client.get(status_url, headers=HTMX)
    assert polled.status_code == 200 and "HX-Refresh" not in polled.headers
    assert polled.text.lstrip().startswith('<div id="alternates-status"') and "alternates-choosing" in polled.text
    officer_client.follow_redirects = False
    assert officer_client.get(status_url).headers["location"] == run_url
    officer_client.follow_redirects = True
    chances = officer_client.get(f"/officer/panels/{panel_id}/runs/{run_id}/chances").text
    assert 'id="chances-waiting"' in chances

    # A replacement round waits: it takes the alternates first.
    run(Volunteer.update({Volunteer.status: "declined"}).where(Volunteer.reference == members[0]).run())
    members_page = officer_client.get(f"/officer/panels/{panel_id}/members").text
    assert 'id="replacements-wait"' in members_page and f'href="{run_url}"' in members_page
    assert "Choose replacements for 1 seats" not in members_page
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"})
    assert refused.status_code == 422 and "still being chosen" in refused.text
    assert run(SelectionRun.count().where(SelectionRun.kind == "replacement").run()) == 0

    run(real_choice(*calls[0][:2], actor=calls[0][2], ip_address=calls[0][3]))
    row = stored(run_id)
    plan = json.loads(row["alternates_json"])
    assert row["alternates_status"] == "ready" and plan["count"] == 2 and not set(plan["alternates"]["ids"]) & set(members)
    polled = officer_client.get(status_url, headers=HTMX)
    assert polled.headers["HX-Refresh"] == "true"
    members_page = officer_client.get(f"/officer/panels/{panel_id}/members").text
    assert 'id="replacements-wait"' not in members_page and "Choose replacements for 1 seats" in members_page
    page = officer_client.get(run_url).text
    assert alternates_listed(page) == plan["alternates"]["ids"] and "Final chance" in page
    assert 'id="alternates-choosing"' not in page and "Choose alternates" not in page
    assert audit_actions(run_id) == ["selection_started", "selection_drawn", "alternates_ready"]
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"},
                        follow_redirects=False)
    assert started.status_code == 303


def test_a_failed_choice_says_why_and_the_officer_chooses_again(client, officer_client, monkeypatch):
    panel_id, run_id, run_url = computed_run(client, officer_client)
    real_plan = run_alternates.plan_alternates

    def no_solution(*args, **kwargs):
        raise RuntimeError("the alternates program found no solution: model infeasible")

    monkeypatch.setattr(run_alternates, "plan_alternates", no_solution)
    drawn = post_form(officer_client, run_url + "/draw", {"seed": "seed 8", "alternates": ""}, follow_redirects=False)
    assert drawn.status_code == 303  # the draw stands; only the alternates failed
    row = stored(run_id)
    assert row["status"] == "drawn" and row["alternates_status"] == "failed" and row["alternates_error"] == "solver"
    page = officer_client.get(run_url).text
    assert 'id="alternates-failed"' in page and "The optimisation solver found no choice of alternates" in page
    assert "Choose alternates" in page and f'action="/officer/panels/{panel_id}/runs/{run_id}/alternates"' in page
    assert "hx-trigger" not in page.split('id="alternates-status"')[1].split(">")[0]  # nothing to poll
    assert audit_actions(run_id)[-1] == "alternates_failed"
    # a run whose choice ended on a time limit before the cover existed keeps its own wording
    run(SelectionRun.update({SelectionRun.alternates_error: "time_limit"}).where(SelectionRun.id == run_id).run())
    assert "could not be chosen in time for a pool this large" in officer_client.get(run_url).text

    for typed in ("many", "101", "-1", "2.5", "²"):
        refused = post_form(officer_client, run_url + "/alternates", {"alternates": typed})
        assert refused.status_code == 422, typed
        assert "Enter a whole number of alternates from 0 to 100, or leave it empty" in refused.text
        assert f'value="{typed}"' in refused.text and "There is a problem" in refused.text
    assert stored(run_id)["alternates_status"] == "failed"

    def broken(*args, **kwargs):
        raise ValueError("something unforeseen")

    monkeypatch.setattr(run_alternates, "plan_alternates", broken)
    again = post_form(officer_client, run_url + "/alternates", {"alternates": "2"}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == run_url
    assert stored(run_id)["alternates_error"] == "error:ValueError"
    assert "Choosing the alternates stopped unexpectedly (ValueError)" in officer_client.get(run_url).text

    monkeypatch.setattr(run_alternates, "plan_alternates", real_plan)
    chosen = post_form(officer_client, run_url + "/alternates", {"alternates": "2"}, follow_redirects=False)
    assert chosen.status_code == 303
    row = stored(run_id)
    assert row["alternates_status"] == "ready" and row["alternates_asked"] == 2
    page = officer_client.get(run_url).text
    assert len(alternates_listed(page)) == 2 and 'id="alternates-failed"' not in page and "Choose alternates" not in page
    assert audit_actions(run_id)[-2:] == ["alternates_requested", "alternates_ready"]
    twice = post_form(officer_client, run_url + "/alternates", {"alternates": "3"})
    assert twice.status_code == 422 and "have been chosen already" in twice.text


def test_alternates_chosen_later_for_a_run_drawn_with_none(client, officer_client, monkeypatch):
    panel_id, run_id, run_url = computed_run(client, officer_client)
    calls = hold_background_choice(monkeypatch)
    post_form(officer_client, run_url + "/draw", {"seed": "seed 9", "alternates": "0"})
    assert calls == [] and stored(run_id)["alternates_status"] == ""
    page = officer_client.get(run_url).text
    assert "No alternates were chosen with this panel" in page and "Choose alternates" in page
    chosen = post_form(officer_client, run_url + "/alternates", {"alternates": "1"}, follow_redirects=False)
    assert chosen.status_code == 303 and [call[:2] for call in calls] == [(run_id, 1)]
    assert stored(run_id)["alternates_status"] == "choosing"
    page = officer_client.get(run_url).text
    assert "1 alternate is being chosen" in page and "Choose alternates" not in page
    busy = post_form(officer_client, run_url + "/alternates", {"alternates": "1"})
    assert busy.status_code == 422 and "being chosen already" in busy.text and len(calls) == 1
    monkeypatch.undo()
    run(officer_controller.choose_alternates_and_audit(run_id, 1, actor="officer@example.com", ip_address=""))
    assert len(alternates_listed(officer_client.get(run_url).text)) == 1


def test_a_choice_whose_worker_died_is_marked_failed_and_can_be_made_again(client, officer_client, monkeypatch):
    panel_id, run_id, run_url = computed_run(client, officer_client)
    hold_background_choice(monkeypatch)
    post_form(officer_client, run_url + "/draw", {"seed": "seed 10", "alternates": "2"})
    now = datetime.now(timezone.utc)
    run(SelectionRun.update({SelectionRun.alternates_heartbeat_at: now - timedelta(seconds=30)}).where(
        SelectionRun.id == run_id).run())
    assert run(run_alternates.choosing_alternates(panel_id))  # still beating: still choosing
    run(SelectionRun.update({SelectionRun.alternates_heartbeat_at: now - timedelta(minutes=5)}).where(
        SelectionRun.id == run_id).run())
    page = officer_client.get(run_url).text  # the server restarted mid-choice: the page says so
    assert "server worker doing it ended" in page and "Choose alternates" in page
    row = stored(run_id)
    assert row["alternates_status"] == "failed" and row["alternates_error"] == run_alternates.STOPPED_ERROR
    assert not run(run_alternates.choosing_alternates(panel_id))  # replacement rounds no longer wait
    monkeypatch.undo()
    assert post_form(officer_client, run_url + "/alternates", {"alternates": "2"}).status_code == 200
    assert stored(run_id)["alternates_status"] == "ready"


def test_a_replacement_drawn_since_stops_alternates_being_chosen_later(client, officer_client):
    panel_id, run_id, run_url = computed_run(client, officer_client)
    post_form(officer_client, run_url + "/draw", {"seed": "seed 11", "alternates": "0"})
    member = json.loads(stored(run_id)["drawn_json"])[0]
    run(Volunteer.update({Volunteer.status: "declined"}).where(Volunteer.reference == member).run())
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"},
                        follow_redirects=False)
    post_form(officer_client, started.headers["location"] + "/draw", {"seed": "refill"})
    refused = post_form(officer_client, run_url + "/alternates", {"alternates": "2"})
    assert refused.status_code == 422 and "A replacement round has been drawn since this panel" in refused.text
    assert stored(run_id)["alternates_status"] == ""
    # The run page no longer offers a form whose answer would be refused.
    page = officer_client.get(run_url).text
    assert 'id="alternates-closed"' in page and "A replacement round has been drawn since this panel" in page
    assert 'name="alternates"' not in page


def test_the_choosing_task_beats_a_heartbeat(db, monkeypatch):
    monkeypatch.setattr(run_alternates, "HEARTBEAT_INTERVAL_S", 0.01)

    async def slow(run_id, count):
        await asyncio.sleep(0.1)
        return run_alternates.AlternatesOutcome(status="skipped")

    monkeypatch.setattr(run_alternates, "_choose", slow)
    beats: list[dict] = []
    update = SelectionRun.update

    def counting_update(values, *args, **kwargs):
        if SelectionRun.alternates_heartbeat_at in values:
            beats.append(values)
        return update(values, *args, **kwargs)

    monkeypatch.setattr(SelectionRun, "update", counting_update)
    outcome = run(run_alternates.choose_alternates(run_id=1, count=2))
    assert outcome.status == "skipped" and len(beats) >= 3


@pytest.mark.parametrize("typed, expected", [("", ""), ("0", ""), ("100", ""), ("101", "Enter"), ("x", "Enter"),
                                             ("²", "Enter"), ("1" * 5000, "Enter")])
def test_the_number_of_alternates_is_checked(typed, expected):
    assert officer_controller.alternates_error(typed).startswith(expected)


def test_fewer_alternates_than_asked_are_explained(client, officer_client):
    panel_id, run_id, run_url = computed_run(client, officer_client)
    post_form(officer_client, run_url + "/draw", {"seed": "seed 12", "alternates": "90"})
    plan = json.loads(stored(run_id)["alternates_json"])
    chosen = len(plan["alternates"]["ids"])
    assert 0 < chosen < 90  # a pool of 24 has fewer than 90 people off the panel
    page = officer_client.get(run_url).text
    assert 'id="alternates-fewer"' in page and f"90 were asked for and {chosen} were chosen" in page
