"""The drop-out-robust lottery in the web: the selection form offers it with a floor (a bad floor
is refused, keeping what was typed), the run records the floor, the learnt drop-out rates and the
scenarios' seed with its inputs, the run page shows what robustness cost and bought (and, when the
time limit cut the computation short, says so and what was not measured), the public page explains
it, and a replacement round refills with plain LEXIMIN."""

from __future__ import annotations

import functools
import itertools
import json
import re

from panels.tables import SelectionRun
from tests.factories.panels import create_panel, fill_pool, send_invitations, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form


def ready_panel(client, officer_client) -> int:
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    return panel_id


def stored(run_id: int) -> dict:
    return run(SelectionRun.select().where(SelectionRun.id == run_id).first().run())


def test_a_bad_floor_is_refused_and_what_was_typed_is_kept(client, officer_client):
    panel_id = ready_panel(client, officer_client)
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool").text
    assert 'name="objective" type="radio" value="robust"' in pool and "LEXIMIN, robust to drop-outs" in pool
    assert re.search(r'<input[^>]*name="robust_floor"[^>]*value="80"', pool)
    for typed in ("0", "101", "eighty", "²", "0.8", ""):
        refused = post_form(officer_client, f"/officer/panels/{panel_id}/runs",
                            {"kind": "selection", "objective": "robust", "robust_floor": typed, "recent_rule": "include"})
        assert refused.status_code == 422, typed
        assert "Enter a whole percentage from 1 to 100, like 80" in refused.text
        assert f'value="{typed}"' in refused.text and "There is a problem" in refused.text
        assert re.search(r'<input[^>]*value="robust"[^>]*checked', refused.text), typed
    assert run(SelectionRun.count().run()) == 0
    # The floor is read only for the robust objective: LEXIMIN ignores a stray value.
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs",
                        {"kind": "selection", "objective": "leximin", "robust_floor": "nonsense"}, follow_redirects=False)
    assert started.status_code == 303
    row = run(SelectionRun.select(SelectionRun.algorithm, SelectionRun.inputs_json).first().run())
    assert row["algorithm"] == "leximin" and "robust" not in json.loads(row["inputs_json"])


def test_a_robust_lottery_keeps_the_floor_says_what_it_bought_and_refills_with_leximin(client, officer_client):
    panel_id = ready_panel(client, officer_client)
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs",
                        {"kind": "selection", "objective": "robust", "robust_floor": "70%", "recent_rule": "include"},
                        follow_redirects=False)
    assert started.status_code == 303
    run_url = started.headers["location"]
    run_id = int(run_url.rstrip("/").rsplit("/", 1)[1])
    row = stored(run_id)
    assert row["status"] == "done", row["error"]
    assert row["algorithm"] == "robust"
    inputs, record = json.loads(row["inputs_json"]), json.loads(row["result_json"])
    assert inputs["robust"]["floor"] == 0.7 and isinstance(inputs["robust"]["seed"], int)
    assert inputs["robust"]["dropout_rates"]  # the learnt rates the scenarios used
    robust = record["robust"]
    assert robust["floor"] == 0.7 and robust["lowest_chance_ratio"] >= 0.7 - 1e-6
    assert 0.0 <= robust["leximin_fresh_hold"] <= 1.0 and 0.0 <= robust["fresh_hold"] <= 1.0
    assert sum(record["probabilities"].values()) == record["k"] or abs(sum(record["probabilities"].values()) - record["k"]) < 1e-6

    page = officer_client.get(run_url).text
    assert "<strong>LEXIMIN, robust to drop-outs.</strong>" in page
    assert "Every volunteer keeps at least 70% of their LEXIMIN chance" in page and 'id="robust-hold"' in page
    assert f"{100 * robust['fresh_hold']:.1f}% of {robust['fresh_scenarios']} new simulated rounds" in page

    post_form(officer_client, run_url + "/draw", {"seed": "robust seed", "alternates": "0"})
    assert stored(run_id)["status"] == "drawn"
    public = client.get(f"/panels/{slug_of(panel_id)}/how-we-chose").text
    assert "while everyone kept at least 70% of their chance in the fairest lottery" in public
    assert "LEXIMIN, robust to drop-outs" in public

    send_invitations(officer_client, panel_id)
    from panels.tables import Volunteer  # the first drawn member declines: a replacement round follows
    member = run(Volunteer.select(Volunteer.id).where(Volunteer.status == "selected").first().run())
    run(Volunteer.update({Volunteer.status: "declined"}).where(Volunteer.id == member["id"]).run())
    refill = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"}, follow_redirects=False)
    assert refill.status_code == 303
    latest = run(SelectionRun.select(SelectionRun.algorithm, SelectionRun.kind, SelectionRun.inputs_json).order_by(
        SelectionRun.id, ascending=False).first().run())
    assert latest["kind"] == "replacement" and latest["algorithm"] == "leximin"
    assert "robust" not in json.loads(latest["inputs_json"])


def test_recent_years_in_other_digits_are_refused_not_a_server_error(client, officer_client):
    panel_id = ready_panel(client, officer_client)
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/runs",
                        {"kind": "selection", "objective": "leximin", "recent_rule": "exclude", "recent_years": "²"})
    assert refused.status_code == 422 and "Enter a whole number of years from 1 to 10" in refused.text


def test_a_run_cut_short_by_the_time_limit_says_so_and_what_was_not_measured(client, officer_client, monkeypatch):
    """A clock on which every reading is 1000 s after the last passes the 120 s limit at once: the
    lottery is LEXIMIN's, and the run page says why and leaves the hold figures unmeasured."""
    from panels.selection import engine
    from panels.selection.robust import robust_distribution
    readings = itertools.count(0.0, 1000.0)
    monkeypatch.setattr(engine, "robust_distribution",
                        functools.partial(robust_distribution, clock=lambda: next(readings)))
    panel_id = ready_panel(client, officer_client)
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs",
                        {"kind": "selection", "objective": "robust", "robust_floor": "70%", "recent_rule": "include"},
                        follow_redirects=False)
    run_url = started.headers["location"]
    row = stored(int(run_url.rstrip("/").rsplit("/", 1)[1]))
    assert row["status"] == "done", row["error"]
    robust = json.loads(row["result_json"])["robust"]
    assert robust["time_limit_reached"] == "scoring" and robust["fresh_hold"] is None
    assert robust["lowest_chance_ratio"] == 1.0
    page = officer_client.get(run_url).text
    assert 'id="robust-time-limit"' in page
    assert "The time limit of 120 seconds was reached before LEXIMIN’s panels had been scored" in page
    assert "Not measured: the time limit was reached first." in page
