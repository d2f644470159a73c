"""Piccolo configuration: the engine is built here, at import, from ``DATABASE_URL``.

Set ``DATABASE_URL`` before anything imports this module (tests do it in ``tests/conftest.py``).
Unset, the database is the embedded SQLite file ``var/civicpanel.sqlite`` under the current directory.
"""

from piccolo.conf.apps import AppRegistry

from server.platform.database import make_engine
from server.settings import database_url_from_env

DB = make_engine(database_url_from_env())

APP_REGISTRY = AppRegistry(
    apps=[
        "server.piccolo_app",
        "panels.piccolo_app",
        "surveys.piccolo_app",
        "analysis.piccolo_app",
    ]
)
