import os

from piccolo.conf.apps import AppConfig

from panels.tables import Panel, PanelSession

APP_CONFIG = AppConfig(
    app_name="panels",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Panel, PanelSession],
    migration_dependencies=[],
    commands=[],
)
