"""Configuration from environment variables, with an optional ``instance/config.py`` override.

``LR_ENV`` chooses the class: ``development`` (the default, used by ``make run``),
``production`` (``make serve``) or ``testing``.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from app import passwords
from models.audit.keys import AuditKeys

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("LR_INSTANCE_PATH", PROJECT_ROOT / "instance"))
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_PATH / 'learning-review.db'}"
MIN_SECRET_KEY_LENGTH = 32
# A key's entropy as if each character were drawn at random from those it uses: "aaaa…" has
# none, "abab…" little; secrets.token_hex(16) has about 120 bits, token_hex(32) about 240.
MIN_SECRET_KEY_BITS = 100
MIN_SECRET_KEY_GUESSES_LOG10 = 28


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def secret_key_guessable(key: str) -> bool:
    """Whether ``key`` looks typed by a person (words, names, years, repeats) rather than
    drawn at random: zxcvbn's estimate of the guesses it takes is below 10^28 (about 93
    bits; a key from secrets.token_hex(16) scores about 10^30, token_hex(32) about 10^64)."""
    from zxcvbn import zxcvbn

    return float(zxcvbn(key[:100])["guesses_log10"]) < MIN_SECRET_KEY_GUESSES_LOG10


def secret_key_bits(key: str) -> float:
    """Shannon entropy of ``key``'s characters times its length, 0 for a repeated unit: a cheap
    guard against keys typed by hand, not a proof of randomness."""
    if not key or key in (key + key)[1:-1]:
        return 0.0  # empty, or one unit repeated ("abcabcabc…")
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_char * len(key)


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
    # The audit chain's key (HMAC) and the key wrapping each review's audit key. Keep it with
    # SECRET_KEY, never in the database; unset, it is derived from SECRET_KEY (so set it
    # before ever changing SECRET_KEY). A restored backup needs the same key.
    AUDIT_KEY: str | None = os.environ.get("LR_AUDIT_KEY")
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
    # A review bundle may be larger (app.security lets the import routes take this much).
    BUNDLE_MAX_BYTES = 50 * 1024 * 1024
    # A bundle with more events than this is imported as a background job (app.bundle_import_job).
    BUNDLE_BACKGROUND_EVENTS = 2000

    LOGIN_LOCK_THRESHOLD = 5
    LOGIN_LOCK_DURATION = timedelta(minutes=15)
    PASSWORD_MIN_LENGTH = passwords.MIN_LENGTH
    SIGN_IN_RATE_LIMIT = "30 per minute"
    # Joining a workshop by its code, per address: a room of 60 behind one NAT still fits.
    WORKSHOP_JOIN_RATE_LIMIT = os.environ.get("LR_WORKSHOP_JOIN_RATE_LIMIT", "120 per minute")
    PARTICIPANT_COOKIE_NAME = "lr_participant"
    RATELIMIT_HEADERS_ENABLED = True
    # With Redis configured but down, limits fall back to each worker's memory (Flask-Limiter
    # logs the switch) rather than failing every sign-in with a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    BEHIND_PROXY = os.environ.get("LR_BEHIND_PROXY", "") == "1"
    # "json": one JSON object per log line with the request id (the production default);
    # "text": Flask's usual logging.
    LOG_FORMAT = os.environ.get("LR_LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LR_LOG_LEVEL", "INFO")

    # Email (invitations, password resets, security notices). Without SMTP_HOST nothing is
    # sent and administrators are shown the links to pass on.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "Learning Review <no-reply@localhost>")
    # Single sign-on: ID-token ``acr`` values that mean the provider used a second factor (its
    # ``amr`` saying so is accepted too); with neither, our own TOTP step follows.
    SSO_MFA_ACR_VALUES = tuple(
        v.strip() for v in os.environ.get("LR_SSO_MFA_ACR_VALUES", "").split(",") if v.strip()
    )
    INVITATION_LIFETIME = timedelta(days=7)
    RESET_LINK_LIFETIME = timedelta(hours=1)

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


def audit_keys_for(config: Mapping[str, Any]) -> AuditKeys:
    """The audit log's keys: from ``LR_AUDIT_KEY``, or derived from ``SECRET_KEY``."""
    secret = config.get("AUDIT_KEY") or config.get("SECRET_KEY")
    if not secret:
        raise ConfigError("Set LR_AUDIT_KEY or SECRET_KEY: the audit log needs a key.")
    return AuditKeys.derive(str(secret))


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
    LOG_FORMAT = os.environ.get("LR_LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-lr_session"
    # __Secure- rather than __Host-: the cookie is scoped to its workshop's path.
    PARTICIPANT_COOKIE_NAME = "__Secure-lr_participant"

    @classmethod
    def finalise(cls, values: dict[str, Any]) -> None:
        key = values.get("SECRET_KEY") or ""
        if (
            len(key) < MIN_SECRET_KEY_LENGTH
            or key in _KNOWN_DEFAULT_KEYS
            or secret_key_bits(key) < MIN_SECRET_KEY_BITS
            or secret_key_guessable(key)
        ):
            raise ConfigError(
                "Refusing to start in production: set SECRET_KEY to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (for example: python -c "
                "'import secrets; print(secrets.token_hex(32))')."
            )
        url = values.get("DATABASE_URL") or ""
        if not os.environ.get("DATABASE_URL") and url == DEFAULT_DATABASE_URL:
            raise ConfigError("Refusing to start in production: set DATABASE_URL (PostgreSQL).")
        if url.startswith("sqlite") and os.environ.get("LR_ALLOW_SQLITE") != "1":
            raise ConfigError(
                "Refusing to start in production on SQLite: set DATABASE_URL to PostgreSQL "
                "(or LR_ALLOW_SQLITE=1 to accept a single-file database)."
            )
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
