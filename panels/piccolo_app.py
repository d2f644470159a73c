import os

from piccolo.conf.apps import AppConfig

from panels.tables import (
    Attendance, Panel, PanelMaterial, PanelQuota, PanelSession, SelectionRun, Volunteer, Voucher,
)

APP_CONFIG = AppConfig(
    app_name="panels",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Panel, PanelSession, PanelQuota, Volunteer, SelectionRun, Attendance, Voucher, PanelMaterial],
    migration_dependencies=[],
    commands=[],
)
