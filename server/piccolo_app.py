import os

from piccolo.conf.apps import AppConfig

from server.tables import (
    AuditEntry, CatalogueReview, Follow, FollowAnnouncement, FormatRequest, OutboxEmail, PersonalDataLink, SendLimitEvent, SignInFailure, SiteSetting, StaffPasswordLink,
    StaffRecoveryCode, StaffSession, StaffUser,
)

APP_CONFIG = AppConfig(
    app_name="server",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[StaffUser, StaffSession, AuditEntry, OutboxEmail, PersonalDataLink, SignInFailure, StaffPasswordLink,
                   StaffRecoveryCode, SiteSetting, SendLimitEvent, FormatRequest, CatalogueReview, Follow, FollowAnnouncement],
    migration_dependencies=[],
    commands=[],
)
