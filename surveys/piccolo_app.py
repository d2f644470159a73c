import os

from piccolo.conf.apps import AppConfig

from surveys.tables import CaseStudy, Consultation

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Consultation, CaseStudy],
    migration_dependencies=[],
    commands=[],
)
