"""Entry point for ASGI servers: ``uvicorn --factory server.asgi:app_from_environment``."""

from litestar import Litestar

from server.app import create_app
from server.settings import Settings


def app_from_environment() -> Litestar:
    return create_app(Settings.from_env())
