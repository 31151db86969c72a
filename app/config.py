"""Configuration from environment variables, with an optional ``instance/config.py`` override.

``LR_ENV`` chooses the class: ``development`` (the default, used by ``make run``),
``production`` (``make serve``) or ``testing``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("LR_INSTANCE_PATH", PROJECT_ROOT / "instance"))
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_PATH / 'learning-review.db'}"
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def _local_secret_key() -> str:
    # For a local trial: a random key kept in instance/ so sign-ins survive a restart.
    path = INSTANCE_PATH / "secret_key"
    if not path.exists():
        INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Background jobs: RQ on Redis when REDIS_URL is set (queue JOBS_QUEUE), else a worker
    # thread in the web process; "deferred" runs a job only when it is waited for (tests).
    JOBS_RUNNER = os.environ.get("LR_JOBS_RUNNER", "")
    JOBS_QUEUE = os.environ.get("LR_JOBS_QUEUE", "learning-review")

    SESSION_COOKIE_NAME = "lr_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which is bounded
    WTF_CSRF_CHECK_DEFAULT = False  # checked in app.security, which exempts bearer-token calls
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    LOGIN_LOCK_THRESHOLD = 5
    LOGIN_LOCK_DURATION = timedelta(minutes=15)
    PASSWORD_MIN_LENGTH = 12
    SIGN_IN_RATE_LIMIT = "30 per minute"
    # Joining a workshop by its code, per address: a room of 60 behind one NAT still fits.
    WORKSHOP_JOIN_RATE_LIMIT = os.environ.get("LR_WORKSHOP_JOIN_RATE_LIMIT", "120 per minute")
    PARTICIPANT_COOKIE_NAME = "lr_participant"
    RATELIMIT_HEADERS_ENABLED = True
    BEHIND_PROXY = os.environ.get("LR_BEHIND_PROXY", "") == "1"

    # Rendered graphs are kept here by a hash of their content (safe to delete at any time).
    GRAPH_CACHE_DIR = os.environ.get("LR_GRAPH_CACHE_DIR", str(INSTANCE_PATH / "graph-cache"))
    # Seconds Graphviz may take within a request, then for the collapsed fallback.
    GRAPH_RENDER_TIMEOUT = float(os.environ.get("LR_GRAPH_TIMEOUT", "5"))
    GRAPH_FALLBACK_TIMEOUT = 2.0
    # Above this many nodes a drawing shows events as their key practice episodes.
    GRAPH_MAX_NODES = 300
    # Rendered report files (PDF, Word, HTML, Markdown) by a hash of their content.
    REPORT_CACHE_DIR = os.environ.get("LR_REPORT_CACHE_DIR", str(INSTANCE_PATH / "report-cache"))

    @classmethod
    def finalise(cls, values: dict[str, Any]) -> None:
        if not values.get("SECRET_KEY"):
            values["SECRET_KEY"] = _local_secret_key()
        values["RATELIMIT_STORAGE_URI"] = values.get("REDIS_URL") or "memory://"


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production-use-0123456789"  # noqa: S105 - tests only; production refuses it
    # Keep the throttle for sign-in tests but never let the suite trip it by accident.
    SIGN_IN_RATE_LIMIT = "1000 per minute"
    WORKSHOP_JOIN_RATE_LIMIT = "1000 per minute"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-lr_session"
    # __Secure- rather than __Host-: the cookie is scoped to its workshop's path.
    PARTICIPANT_COOKIE_NAME = "__Secure-lr_participant"

    @classmethod
    def finalise(cls, values: dict[str, Any]) -> None:
        key = values.get("SECRET_KEY") or ""
        if len(key) < MIN_SECRET_KEY_LENGTH or key in _KNOWN_DEFAULT_KEYS:
            raise ConfigError(
                "Refusing to start in production: set SECRET_KEY to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (for example: python -c "
                "'import secrets; print(secrets.token_hex(32))')."
            )
        if not os.environ.get("DATABASE_URL") and values["DATABASE_URL"] == DEFAULT_DATABASE_URL:
            raise ConfigError("Refusing to start in production: set DATABASE_URL.")
        if values.get("DEBUG"):
            raise ConfigError("Refusing to start in production with DEBUG on.")
        values["RATELIMIT_STORAGE_URI"] = values.get("REDIS_URL") or "memory://"


_KNOWN_DEFAULT_KEYS = {TestingConfig.SECRET_KEY, "dev", "change-me", "secret"}

CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class() -> type[Config]:
    name = os.environ.get("LR_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"LR_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
