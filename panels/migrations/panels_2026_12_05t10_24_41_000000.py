"""Replace the household keys (street address and postcode) held in the inputs of selection runs
made before households were hashed, by a keyed hash under a random key of each run's own, which is
never stored. The one-per-household rule needs only equal keys to stay equal within a run; the
inputs fingerprint stays the one published, computed when the run started."""

import json
import secrets

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Text
from piccolo.table import Table

from panels.runs import household_hasher

ID = "2026-12-05T10:24:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "Hash the households in stored selection run inputs"


class SelectionRun(Table, tablename="panel_selection_run"):
    inputs_json = Text(default="{}")


async def hash_stored_households() -> None:
    for row in await SelectionRun.select(SelectionRun.id, SelectionRun.inputs_json).run():
        record = json.loads(row["inputs_json"] or "{}")
        hasher = household_hasher(secrets.token_hex(32), secrets.token_hex(16))
        for volunteer in record.get("volunteers", []):
            if volunteer.get("household"):
                volunteer["household"] = hasher(volunteer["household"])
        await SelectionRun.update({SelectionRun.inputs_json: json.dumps(record, sort_keys=True)}).where(
            SelectionRun.id == row["id"]).run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="panels", description=DESCRIPTION)
    manager.add_raw(hash_stored_households)
    return manager
