from __future__ import annotations

import pytest

from server.settings import Settings, SettingsError


def test_defaults_are_development_on_embedded_sqlite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.environment == "development"
    # under the current directory, never beside the code (in site-packages once installed)
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'civicpanel.sqlite'}"
    assert settings.disclosure_threshold == 10
    assert not settings.uses_postgres


def test_production_requires_a_real_secret_key():
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        Settings.from_env({"CIVICPANEL_ENV": "production"})
    with pytest.raises(SettingsError, match="at least 32 characters"):
        Settings.from_env({"CIVICPANEL_ENV": "production", "SECRET_KEY": "short"})
    settings = Settings.from_env({"CIVICPANEL_ENV": "production", "SECRET_KEY": "x" * 40,
                                  "SITE_URL": "https://panel.council.example/"})
    assert settings.is_production and settings.site_url == "https://panel.council.example"


def test_production_requires_the_site_address():
    """Links in emails are built on SITE_URL alone, so production cannot start without it."""
    with pytest.raises(SettingsError, match="SITE_URL is required in production"):
        Settings.from_env({"CIVICPANEL_ENV": "production", "SECRET_KEY": "x" * 40})
    with pytest.raises(SettingsError, match="SITE_URL must be an http"):
        Settings.from_env({"SITE_URL": "panel.council.example"})
    assert Settings.from_env({}).site_url == "http://127.0.0.1:8000"


def test_send_limits_and_outbox_attempts_from_environment():
    settings = Settings.from_env({"SEND_LIMIT_PER_RECIPIENT": "3", "OUTBOX_MAX_ATTEMPTS": "2"})
    assert (settings.send_limit_per_recipient, settings.send_limit_per_address, settings.outbox_max_attempts) == (3, 20, 2)
    assert Settings.from_env({"CIVICPANEL_ENV": "test"}).send_limit_per_recipient == 1000
    with pytest.raises(SettingsError, match="SEND_LIMIT_PER_ADDRESS must be at least 1"):
        Settings.from_env({"SEND_LIMIT_PER_ADDRESS": "0"})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CIVICPANEL_ENV": "staging"}, "CIVICPANEL_ENV must be one of"),
        ({"DISCLOSURE_THRESHOLD": "ten"}, "DISCLOSURE_THRESHOLD must be a whole number"),
        ({"DISCLOSURE_THRESHOLD": "0"}, "at least 1"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with"),
    ],
)
def test_bad_values_are_named(environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_postgres_url_and_council_name():
    settings = Settings.from_env({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test", "COUNCIL_NAME": "Barnet Council"})
    assert settings.uses_postgres
    assert settings.council_name == "Barnet Council"


def test_postgres_config_parses_the_url():
    from server.platform.database import postgres_config

    assert postgres_config("postgresql://user:p%40ss@db.internal:6543/civic") == {
        "host": "db.internal", "port": 6543, "database": "civic", "user": "user", "password": "p@ss",
    }
