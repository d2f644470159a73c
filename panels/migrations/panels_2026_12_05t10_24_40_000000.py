"""Fill ``panel_volunteer.email_key`` for volunteers registered before it existed (the previous
migration added it empty). Python normalises, because SQLite's ``lower`` folds only ASCII."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Varchar
from piccolo.table import Table

from common.emails import normalise_email

ID = "2026-12-05T10:24:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "Normalised email key of existing volunteers"


class Volunteer(Table, tablename="panel_volunteer"):
    email = Varchar(length=254)
    email_key = Varchar(length=254, default="")


async def fill_email_keys() -> None:
    for row in await Volunteer.select(Volunteer.id, Volunteer.email).where(Volunteer.email != "").run():
        await Volunteer.update({Volunteer.email_key: normalise_email(row["email"])}).where(
            Volunteer.id == row["id"]).run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="panels", description=DESCRIPTION)
    manager.add_raw(fill_email_keys)
    return manager
