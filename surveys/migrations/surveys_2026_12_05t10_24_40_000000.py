"""Fill the normalised email keys of existing comments and questionnaire responses (the previous
migration added them empty). Python normalises, because SQLite's ``lower`` folds only ASCII."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Varchar
from piccolo.table import Table

from common.emails import normalise_email

ID = "2026-12-05T10:24:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "Normalised email keys of existing comments and responses"


class Comment(Table, tablename="case_study_comment"):
    email = Varchar(length=254, default="")
    email_key = Varchar(length=254, default="")


class SurveyResponse(Table, tablename="consultation_response"):
    contact_email = Varchar(length=254, default="")
    contact_email_key = Varchar(length=254, default="")


async def fill_email_keys() -> None:
    for row in await Comment.select(Comment.id, Comment.email).where(Comment.email != "").run():
        await Comment.update({Comment.email_key: normalise_email(row["email"])}).where(Comment.id == row["id"]).run()
    for row in await SurveyResponse.select(SurveyResponse.id, SurveyResponse.contact_email).where(
            SurveyResponse.contact_email != "").run():
        await SurveyResponse.update({SurveyResponse.contact_email_key: normalise_email(row["contact_email"])}).where(
            SurveyResponse.id == row["id"]).run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)
    manager.add_raw(fill_email_keys)
    return manager
