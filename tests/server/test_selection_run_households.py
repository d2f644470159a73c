"""Selection runs keep a keyed hash of each household, never the street address and postcode:
equal within a run (all the one-per-household rule needs), different across runs, and runs stored
before are hashed by a migration."""

from __future__ import annotations

import importlib
import json

from panels.runs import household_hasher
from panels.tables import SelectionRun
from tests.factories.panels import create_panel
from tests.support.database import run


def test_a_household_hash_is_equal_within_a_run_and_differs_across_runs():
    first, second = household_hasher("secret " * 6, "salt-1"), household_hasher("secret " * 6, "salt-2")
    assert first("1teststreet|nw12ru") == first("1teststreet|nw12ru") != first("2teststreet|nw12ru")
    assert first("1teststreet|nw12ru") != second("1teststreet|nw12ru")
    assert "teststreet" not in first("1teststreet|nw12ru")


def test_the_migration_hashes_the_households_of_runs_already_stored(officer_client):
    panel_id = create_panel(officer_client)
    volunteers = [{"id": "RP-1", "features": {}, "household": "1teststreet|nw12ru"},
                  {"id": "RP-2", "features": {}, "household": "1teststreet|nw12ru"},
                  {"id": "RP-3", "features": {}, "household": "2teststreet|nw12ru"},
                  {"id": "RP-4", "features": {}, "household": None}]
    run(SelectionRun.insert(SelectionRun(panel=panel_id, inputs_json=json.dumps({"volunteers": volunteers}),
                                         inputs_hash="fingerprint as published")).run())
    migration = importlib.import_module("panels.migrations.panels_2026_12_05t10_24_41_000000")
    run(migration.hash_stored_households())

    stored = run(SelectionRun.select(SelectionRun.inputs_json, SelectionRun.inputs_hash).first().run())
    assert "teststreet" not in stored["inputs_json"] and stored["inputs_hash"] == "fingerprint as published"
    households = {item["id"]: item["household"] for item in json.loads(stored["inputs_json"])["volunteers"]}
    assert households["RP-1"] == households["RP-2"] != households["RP-3"] and households["RP-4"] is None
