"""Name the record each email queued before ``outbox_email.about`` existed is about, from the
private link it carries (only the link's SHA-256 is stored on the record, so the link in the body
is hashed and looked up). Emails with no private link keep an empty ``about``: erasing a record
through its own link leaves them, erasing everything under a confirmed address deletes them."""

import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Text, Varchar
from piccolo.table import Table

from common.tokens import hash_token

ID = "2026-12-05T10:24:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "Name the record of emails queued before"

LINK = re.compile(r"/(my-panel|my/comments|your-data)/([A-Za-z0-9_\-]{20,100})")
RECORDS = (  # (table, column holding the link's hash, the ``about`` prefix)
    ("panel_volunteer", "token_hash", "panel_volunteer"),
    ("case_study_comment", "author_token_hash", "case_study_comment"),
    ("consultation_response", "contact_token_hash", "consultation_response"),
    ("personal_data_link", "token_hash", "personal_data_link"),
)


class OutboxEmail(Table, tablename="outbox_email"):
    body = Text()
    about = Varchar(length=80, default="")


async def _about(token: str) -> str:
    token_hash = hash_token(token)
    for table, column, prefix in RECORDS:
        rows = await OutboxEmail.raw(f"SELECT id FROM {table} WHERE {column} = {{}}", token_hash).run()
        if rows:
            return f"{prefix}:{rows[0]['id']}"
    return ""


async def name_the_records() -> None:
    for row in await OutboxEmail.select(OutboxEmail.id, OutboxEmail.body).where(OutboxEmail.about == "").run():
        for match in LINK.finditer(row["body"]):
            about = await _about(match.group(2))
            if about:
                await OutboxEmail.update({OutboxEmail.about: about}).where(OutboxEmail.id == row["id"]).run()
                break


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)
    manager.add_raw(name_the_records)
    return manager
