"""Settings read once from the environment.

Outside development the process refuses to start with a missing or well-known secret:
a production deployment must never sign tokens with a key that is in this repository.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import msgspec

DEV_SECRET = "orbit-dev-secret-do-not-use-in-production-0123456789"
ENVIRONMENTS = ("dev", "test", "production")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable deployment."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    environment: str = "dev"
    database_url: str = ""
    migration_database_url: str = ""
    redis_url: str = ""
    base_domain: str = "orbitengine.localhost"
    public_scheme: str = "http"
    public_port: int | None = 8000
    secret_key: str = DEV_SECRET
    jwt_issuer: str = "orbitengine"
    jwt_audience: str = "orbitengine-api"
    access_token_seconds: int = 600
    refresh_token_seconds: int = 30 * 24 * 3600
    login_attempts_per_ip: int = 20
    login_attempts_per_account: int = 5
    login_window_seconds: int = 300
    registrations_per_ip: int = 20
    database_pool_size: int = 20
    owner_role: str = "orbit_owner"
    app_role: str = "orbit_app"
    app_role_password: str = "orbit_app"
    log_format: str = "json"
    """`json` (one object per line, for log collectors) or `text` (for a terminal)."""
    log_level: str = "INFO"
    sentry_dsn: str = ""
    """Report unexpected errors to this Sentry project (`server.core.observability`); empty: off."""
    sentry_release: str = ""
    metrics_port: int | None = None
    """Where a worker or the scheduler serves its own `/metrics` (the server serves it on its port)."""
    cors_origins: str = ""
    """Comma-separated origins (`https://pos.example.com`) allowed to call the API from a browser
    page of another origin; empty (the default): no CORS headers at all."""
    web_root: str = ""
    """The directory holding `frontend/`, `pwa/` and `landing/`, whose built `dist/` folders the
    server serves; empty means the repository's root (`server.core.webapps`)."""
    storage_backend: str = "local"
    """Where files (product images, documents) live: `local` (a directory) or `s3` (server.storage)."""
    storage_dir: str = ".orbit/objects"
    s3_endpoint_url: str = ""
    s3_bucket: str = "orbitengine"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        return tuple(origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip())

    @property
    def is_dev(self) -> bool:
        return self.environment in ("dev", "test")

    def app_url(self, subdomain: str) -> str:
        """Public URL of a tenant's application."""
        port = f":{self.public_port}" if self.public_port else ""
        return f"{self.public_scheme}://{subdomain}.{self.base_domain}{port}"

    def validate(self) -> Settings:
        if self.environment not in ENVIRONMENTS:
            raise ConfigError(f"ORBIT_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if not self.is_dev and (not self.secret_key or self.secret_key == DEV_SECRET):
            raise ConfigError("SECRET_KEY must be set to a private value outside dev")
        if len(self.secret_key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters")
        if not self.is_dev and self.app_role_password == "orbit_app":
            raise ConfigError("APP_ROLE_PASSWORD must be set to a private value outside dev")
        if self.access_token_seconds <= 0 or self.refresh_token_seconds <= 0:
            raise ConfigError("token lifetimes must be positive")
        if self.log_format not in ("json", "text"):
            raise ConfigError("LOG_FORMAT must be json or text")
        if logging.getLevelName(self.log_level.upper()) not in (10, 20, 30, 40, 50):
            raise ConfigError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        if any(origin == "*" or "://" not in origin for origin in self.allowed_origins):
            raise ConfigError("CORS_ORIGINS must list origins such as https://pos.example.com (no wildcard)")
        if self.storage_backend not in ("local", "s3"):
            raise ConfigError("STORAGE_BACKEND must be local or s3")
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ConfigError("S3_BUCKET must name a bucket when STORAGE_BACKEND is s3")
        return self


_ENV_NAMES: dict[str, str] = {
    "environment": "ORBIT_ENV",
    "database_url": "DATABASE_URL",
    "migration_database_url": "MIGRATION_DATABASE_URL",
    "redis_url": "REDIS_URL",
    "base_domain": "BASE_DOMAIN",
    "public_scheme": "PUBLIC_SCHEME",
    "public_port": "PUBLIC_PORT",
    "secret_key": "SECRET_KEY",
    "jwt_issuer": "JWT_ISSUER",
    "jwt_audience": "JWT_AUDIENCE",
    "access_token_seconds": "ACCESS_TOKEN_SECONDS",
    "refresh_token_seconds": "REFRESH_TOKEN_SECONDS",
    "login_attempts_per_ip": "LOGIN_ATTEMPTS_PER_IP",
    "login_attempts_per_account": "LOGIN_ATTEMPTS_PER_ACCOUNT",
    "login_window_seconds": "LOGIN_WINDOW_SECONDS",
    "registrations_per_ip": "REGISTRATIONS_PER_IP",
    "database_pool_size": "DATABASE_POOL_SIZE",
    "owner_role": "OWNER_ROLE",
    "app_role": "APP_ROLE",
    "app_role_password": "APP_ROLE_PASSWORD",
    "web_root": "ORBIT_WEB_ROOT",
    "log_format": "LOG_FORMAT",
    "log_level": "LOG_LEVEL",
    "sentry_dsn": "SENTRY_DSN",
    "sentry_release": "SENTRY_RELEASE",
    "metrics_port": "METRICS_PORT",
    "cors_origins": "CORS_ORIGINS",
    "storage_backend": "STORAGE_BACKEND",
    "storage_dir": "STORAGE_DIR",
    "s3_endpoint_url": "S3_ENDPOINT_URL",
    "s3_bucket": "S3_BUCKET",
    "s3_region": "S3_REGION",
    "s3_access_key_id": "S3_ACCESS_KEY_ID",
    "s3_secret_access_key": "S3_SECRET_ACCESS_KEY",
}


def load_settings(environ: Mapping[str, str] | None = None, /, **overrides: object) -> Settings:
    """Build settings from environment variables (names in `_ENV_NAMES`) and explicit overrides."""
    environ = os.environ if environ is None else environ
    raw: dict[str, object] = {field: environ[name] for field, name in _ENV_NAMES.items() if environ.get(name, "") != ""}
    if environ.get("PUBLIC_PORT") is not None and environ["PUBLIC_PORT"].strip().lower() in ("", "0", "none"):
        raw["public_port"] = None
    raw.update(overrides)
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid setting: {exc}") from exc
    return settings.validate()
