"""Shared fixtures: a migrated database per test, an HTTP client on the app, signed-in clients;
and the suite's settings: hypothesis profiles, the order of tests.

The database engine is built when ``piccolo_conf`` is imported, so the environment is set here,
at import, before anything imports it. SQLite (the default): each process (each pytest-xdist
worker) has its own temporary folder; migrations run once into a template file there, and every
test gets a fresh copy of it. PostgreSQL (``DATABASE_URL`` set): each xdist worker uses its own
database beside the named one (``<name>_gw0``, …, created if missing); migrations run once into
an emptied schema, and every test starts from truncated tables. Helpers for test modules are in
``tests/support`` and ``tests/factories``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.database import (
    lend_postgres_connections,
    remove_sqlite,
    reset_postgres_schema,
    run,
    skip_sqlite_syncs,
    sqlite_path,
    truncate_postgres,
    use_worker_database,
    uses_postgres,
)

_TEST_DIR = Path(tempfile.mkdtemp(prefix="civicpanel-tests-"))
_USES_POSTGRES = uses_postgres()
if _USES_POSTGRES:
    use_worker_database(os.environ.get("PYTEST_XDIST_WORKER", ""))
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_TEST_DIR / 'test.sqlite'}"
os.environ["CIVICPANEL_ENV"] = "test"
os.environ["DATA_DIR"] = str(_TEST_DIR / "data")
os.environ["DATABASE_POOL_SIZE"] = "0"
os.environ.setdefault("MPLCONFIGDIR", str(_TEST_DIR / "matplotlib"))

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings as hypothesis_settings  # noqa: E402
from litestar.testing import TestClient  # noqa: E402

from server.accounts.passwords import use_fast_hashing_for_tests  # noqa: E402
from server.settings import Settings  # noqa: E402
from tests.support.http import create_staff, sign_in  # noqa: E402
from tests.support.parts import Part  # noqa: E402

use_fast_hashing_for_tests()
if _USES_POSTGRES:
    lend_postgres_connections()  # a connection per event loop, not one per query
else:
    skip_sqlite_syncs()

# Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default: "ci" when CI is set, else "dev").
# Neither has a per-example deadline or the too-slow health check: with two xdist workers, servers
# and Chromium sharing two cores, an example's time says more about the machine's load than about
# the code. Tests keep their own max_examples (a cost each test chose). "ci" keeps no example
# database (a fresh clone has none to reuse) and prints the blob that reproduces a failure.
_UNDER_LOAD = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", database=None, print_blob=True, **_UNDER_LOAD)
hypothesis_settings.register_profile("dev", **_UNDER_LOAD)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests last: they are the slowest, and the fast tests tell more sooner. Each xdist
    worker that reaches them starts its own server and Chromium (``tests/e2e/conftest.py``).

    The parts of a split crawl (``tests.support.parts``) first: they are the longest tests, and
    ``--dist loadgroup`` hands each worker one test at the start, in this order, so the parts of
    one crawl start side by side on different workers instead of queueing behind each other.

    (An ``xdist_group`` mark would send them all to one worker, but pytest-xdist 3.8 groups by
    rewriting ``item._nodeid``, which pytest 9.2 no longer reads: the groups are silently ignored.)"""
    items.sort(key=lambda item: (item.get_closest_marker("browser") is not None, not _is_part(item)))


def _is_part(item) -> bool:
    """Whether the test is one part of a crawl split into several."""
    params = getattr(item, "callspec", None)
    return params is not None and any(isinstance(value, Part) and value.count > 1 for value in params.params.values())


@pytest.fixture(scope="session")
def migrated_template() -> Path | None:
    from server.platform.database import enable_wal
    from server.platform.migrations_runner import apply_migrations

    if _USES_POSTGRES:
        run(reset_postgres_schema())
        outcome = run(apply_migrations())
        assert outcome.success, outcome.message
        return None
    path = sqlite_path()
    remove_sqlite(path)
    enable_wal(path)
    outcome = run(apply_migrations())
    assert outcome.success, outcome.message
    return _keep_as_template(path, "template.sqlite")


def _keep_as_template(path: Path, name: str) -> Path:
    """A copy of the SQLite database at ``path`` (its WAL folded in first) for tests to start from."""
    template = _TEST_DIR / name
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, template)
    return template


@pytest.fixture
def db(migrated_template: Path | None) -> Iterator[None]:
    """A migrated, empty database for this test."""
    if _USES_POSTGRES:
        run(truncate_postgres())
    else:
        _start_from(migrated_template)
    yield


def _start_from(template: Path) -> None:
    """This test's SQLite database becomes a fresh copy of ``template``."""
    path = sqlite_path()
    remove_sqlite(path)
    shutil.copyfile(template, path)


@pytest.fixture(scope="session")
def _demo_template(migrated_template: Path | None) -> Path | None:
    """On SQLite, a copy of the migrated database with the demo loaded, made once per process
    (loading the demo takes seconds); None on PostgreSQL, where each test loads it."""
    if _USES_POSTGRES:
        return None
    from server.services.demo import load_demo

    _start_from(migrated_template)
    run(load_demo())
    return _keep_as_template(sqlite_path(), "demo-template.sqlite")


@pytest.fixture
def demo_loaded(db, _demo_template: Path | None) -> None:
    """The test's database holds the demo (``civicpanel load-demo``). Ask for it before ``app``
    and the signed-in clients, whose accounts it would otherwise replace."""
    if _demo_template is None:
        from server.services.demo import load_demo

        run(load_demo())
        return
    _start_from(_demo_template)


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()


# Apps built so far in this process, by their settings: building one costs about a second (the
# route table), so tests share it, each starting from ``forget_database_state``.
_APPS: dict[Settings, object] = {}


@pytest.fixture
def app(db, settings):
    from server.app import create_app, forget_database_state

    app = _APPS.pop(settings, None)
    if app is None:
        app = create_app(settings)
    else:
        forget_database_state(app, settings)
    _APPS[settings] = app  # the most recently used last
    while len(_APPS) > 8:
        del _APPS[next(iter(_APPS))]
    return app


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app=app) as test_client:
        yield test_client


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
