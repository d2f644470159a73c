from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-05T10:24:43:031078"
VERSION = "1.38.0"
DESCRIPTION = "Emails the sender gave up on before failed_at existed are failed ones"


class OutboxEmail(Table, tablename="outbox_email"):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def mark_given_up_emails_failed():
        # The previous sender stopped after 5 attempts and left the row as it was; such rows are
        # failed now, so an administrator can retry or discard them on the outbox page.
        await OutboxEmail.raw(
            "UPDATE outbox_email SET failed_at = created_at "
            "WHERE sent_at IS NULL AND failed_at IS NULL AND attempts >= 5"
        ).run()

    manager.add_raw(mark_given_up_emails_failed)

    return manager
