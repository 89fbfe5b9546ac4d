from __future__ import annotations

import pytest

from server.core.config import DEV_SECRET, ConfigError, load_settings


def test_production_refuses_a_missing_or_default_secret() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"ORBIT_ENV": "production", "APP_ROLE_PASSWORD": "a-real-password"})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"ORBIT_ENV": "production", "SECRET_KEY": DEV_SECRET, "APP_ROLE_PASSWORD": "a-real-password"})


def test_production_refuses_the_default_database_password() -> None:
    with pytest.raises(ConfigError, match="APP_ROLE_PASSWORD"):
        load_settings({"ORBIT_ENV": "production", "SECRET_KEY": "x" * 48})


def test_short_secrets_and_unknown_environments_are_refused() -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings({"SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="ORBIT_ENV"):
        load_settings({"ORBIT_ENV": "staging-ish"})
    with pytest.raises(ConfigError, match="invalid setting"):
        load_settings({"ACCESS_TOKEN_SECONDS": "ten"})


def test_production_settings_from_the_environment() -> None:
    settings = load_settings(
        {
            "ORBIT_ENV": "production",
            "SECRET_KEY": "s" * 48,
            "APP_ROLE_PASSWORD": "a-real-password",
            "BASE_DOMAIN": "orbit.example",
            "PUBLIC_SCHEME": "https",
            "PUBLIC_PORT": "",
            "ACCESS_TOKEN_SECONDS": "300",
        }
    )
    assert settings.access_token_seconds == 300
    assert settings.app_url("tienda") == "https://tienda.orbit.example"
    assert not settings.is_dev


def test_dev_defaults_work_without_configuration() -> None:
    settings = load_settings({})
    assert settings.is_dev
    assert settings.app_url("demo") == "http://demo.orbitengine.localhost:8000"
