import os

from piccolo.conf.apps import AppConfig

from analysis.tables import Charter, Principle

APP_CONFIG = AppConfig(
    app_name="analysis",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Charter, Principle],
    migration_dependencies=[],
    commands=[],
)
