"""Shared fixtures: a migrated database per test, an HTTP client on the app, signed-in clients.

The database engine is built when ``piccolo_conf`` is imported, so the environment is set here,
at import, before anything imports it. SQLite (the default): migrations run once into a template
file, and every test gets a fresh copy of it. PostgreSQL (``DATABASE_URL`` set): migrations run
once into an emptied schema, and every test starts from truncated tables.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_TEST_DIR = Path(tempfile.mkdtemp(prefix="civicpanel-tests-"))
_USES_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
if not _USES_POSTGRES:
    os.environ["DATABASE_URL"] = f"sqlite:///{_TEST_DIR / 'test.sqlite'}"
os.environ["CIVICPANEL_ENV"] = "test"
os.environ["DATABASE_POOL_SIZE"] = "0"
os.environ.setdefault("MPLCONFIGDIR", str(_TEST_DIR / "matplotlib"))

import pytest  # noqa: E402
from litestar.testing import TestClient  # noqa: E402

from server.accounts.passwords import use_fast_hashing_for_tests  # noqa: E402
from server.settings import Settings  # noqa: E402

use_fast_hashing_for_tests()

TEST_PASSWORD = "correct horse battery staple"
ROLES = ("officer", "cabinet", "admin")


def run(coroutine):
    """Run a database coroutine from a test. No connection pool is open in tests, so every query
    opens its own connection and any event loop will do. When this thread already runs a loop
    (Playwright's sync API keeps one open for the browser tests), use a fresh thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests last: they are the slowest, and the fast tests tell more sooner."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _sqlite_path() -> Path:
    return Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def _reset_postgres_schema() -> None:
    from piccolo_conf import DB

    await DB.run_ddl("DROP SCHEMA public CASCADE")
    await DB.run_ddl("CREATE SCHEMA public")


async def _truncate_postgres() -> None:
    from piccolo.querystring import QueryString
    from piccolo_conf import DB

    rows = await DB.run_querystring(
        QueryString("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'")
    )
    names = ", ".join(f'"{row["tablename"]}"' for row in rows)
    if names:
        await DB.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
def migrated_template() -> Path | None:
    from server.platform.database import enable_wal
    from server.platform.migrations_runner import apply_migrations

    if _USES_POSTGRES:
        run(_reset_postgres_schema())
        outcome = run(apply_migrations())
        assert outcome.success, outcome.message
        return None
    path = _sqlite_path()
    _remove_sqlite(path)
    enable_wal(path)
    outcome = run(apply_migrations())
    assert outcome.success, outcome.message
    template = _TEST_DIR / "template.sqlite"
    with __import__("sqlite3").connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, template)
    return template


@pytest.fixture
def db(migrated_template: Path | None) -> Iterator[None]:
    """A migrated, empty database for this test."""
    if _USES_POSTGRES:
        run(_truncate_postgres())
    else:
        path = _sqlite_path()
        _remove_sqlite(path)
        shutil.copyfile(migrated_template, path)
    yield


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture
def app(db, settings):
    from server.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app=app) as test_client:
        yield test_client


def csrf_token(client: TestClient) -> str:
    """The CSRF token for this client, fetching a page first if no cookie is set yet."""
    token = client.cookies.get("civicpanel_csrf")
    if not token:
        client.get("/login")
        token = client.cookies.get("civicpanel_csrf")
    assert token, "the app did not set a CSRF cookie"
    return token


def post_form(client: TestClient, url: str, data: dict[str, str] | None = None, **kwargs):
    """POST a form the way a browser does, with the CSRF token in the form body."""
    return client.post(url, data={**(data or {}), "_csrf_token": csrf_token(client)}, **kwargs)


def create_staff(role: str, email: str | None = None) -> str:
    from server.accounts.staff import create_staff_user

    email = email or f"{role}@test.example"
    run(create_staff_user(email=email, display_name=f"Test {role}", role=role, password=TEST_PASSWORD))
    return email


def sign_in(client: TestClient, email: str, password: str = TEST_PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password}, follow_redirects=False)


@pytest.fixture
def staff_client(app, client):
    """A factory: ``staff_client("officer")`` gives a new client signed in with that role. The
    app's lifespan is already running under ``client``, so these clients do not start it again."""
    count = 0

    def make(role: str) -> TestClient:
        nonlocal count
        email = create_staff(role, f"{role}-{count}@test.example")
        count += 1
        test_client = TestClient(app=app)
        response = sign_in(test_client, email)
        assert response.status_code == 303, response.text
        return test_client

    return make


@pytest.fixture
def officer_client(staff_client) -> TestClient:
    return staff_client("officer")


@pytest.fixture
def cabinet_client(staff_client) -> TestClient:
    return staff_client("cabinet")


@pytest.fixture
def admin_client(staff_client) -> TestClient:
    return staff_client("admin")
