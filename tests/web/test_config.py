"""Configuration: production refuses unsafe settings; errors never show a traceback."""

from __future__ import annotations

from typing import Any

import pytest

from app import create_app
from app.config import ConfigError

# What `python -c 'import secrets; print(secrets.token_hex(32))'` prints: a key production accepts.
RANDOM_KEY = "5f0e9c1b7a3d48e2b6c4a9f1d0e7b3c58a2f6d4e1c9b0a7f3e5d2c8b6a4f1e0d"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: Any) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": None, "DATABASE_URL": "sqlite://"})


def test_production_refuses_a_known_default_key() -> None:
    from app.config import TestingConfig

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": TestingConfig.SECRET_KEY,
                "DATABASE_URL": "sqlite://",
            }
        )


def test_production_refuses_debug(monkeypatch: Any) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("LR_ALLOW_SQLITE", "1")
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": RANDOM_KEY,
                "DEBUG": True,
                "DATABASE_URL": "sqlite://",
            }
        )


def test_production_marks_cookies_secure(monkeypatch: Any) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("LR_ALLOW_SQLITE", "1")
    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": RANDOM_KEY, "DATABASE_URL": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


@pytest.mark.fresh_app
def test_a_server_error_shows_a_reference_not_a_traceback(
    app: Any, client: Any, login: Any
) -> None:
    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    from app import policy

    policy.ROUTES["boom"] = policy.SIGNED_IN
    try:
        login("observer")
        response = client.get("/boom")
    finally:
        del policy.ROUTES["boom"]
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "reference" in page and "secret internals" not in page and "Traceback" not in page


@pytest.mark.fresh_app
def test_an_unlisted_route_is_denied_by_default(app: Any, client: Any, login: Any) -> None:
    @app.route("/forgotten")
    def forgotten() -> str:
        return "should never be served"

    login("chair")
    assert client.get("/forgotten").status_code == 403


@pytest.mark.parametrize(
    "key",
    [
        "a" * 32,
        "ab" * 20,
        "0123456789" * 4,
        "password" * 5,
        "passwordpasswordpasswordpassword12",
        "Northshire-Safeguarding-Partnership-2026",
    ],
    ids=[
        "one-letter",
        "two-letters",
        "digits-repeated",
        "word-repeated",
        "words-and-digits",
        "a-phrase",
    ],
)
def test_production_refuses_a_key_typed_by_hand(monkeypatch: Any, key: str) -> None:
    postgres = "postgresql+psycopg://postgres@127.0.0.1/never_used"
    monkeypatch.setenv("DATABASE_URL", postgres)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": key, "DATABASE_URL": postgres})


def test_production_refuses_sqlite_unless_allowed(monkeypatch: Any) -> None:
    # The Makefile used to export a SQLite URL, so "no DATABASE_URL" served a local file.
    url = "sqlite:////tmp/learning-review-production.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("LR_ALLOW_SQLITE", raising=False)
    settings = {"ENV_NAME": "production", "SECRET_KEY": RANDOM_KEY, "DATABASE_URL": url}
    with pytest.raises(ConfigError, match="SQLite"):
        create_app(settings)
    monkeypatch.setenv("LR_ALLOW_SQLITE", "1")
    app = create_app(settings)
    assert app.config["DATABASE_URL"].startswith("sqlite")


def test_sign_in_works_when_the_configured_redis_is_down(
    connection: Any, database_url: str, world: Any, caplog: Any
) -> None:
    from models.engine import make_session_factory
    from tests.conftest import PASSWORD, csrf_token

    # Nothing listens on port 9 of the loopback: the limiter's storage is unreachable.
    app = create_app(
        {"ENV_NAME": "testing", "DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:9/0"}
    )
    app.extensions["lr_engine"].dispose()
    app.extensions["lr_session_factory"] = make_session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    client = app.test_client()
    with caplog.at_level("WARNING"):
        token = csrf_token(client)
        response = client.post(
            "/sign-in",
            data={"csrf_token": token, "email": "chair@test.example.org", "password": PASSWORD},
        )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "/sign-in" not in response.headers["Location"]
    assert any("memory" in record.getMessage().lower() for record in caplog.records)


def test_links_keep_the_proxys_path_prefix(connection: Any, database_url: str) -> None:
    from models.engine import make_session_factory

    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "BEHIND_PROXY": True})
    app.extensions["lr_engine"].dispose()
    app.extensions["lr_session_factory"] = make_session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    client = app.test_client()
    headers = {"X-Forwarded-Prefix": "/learning-review", "X-Forwarded-Proto": "https"}
    redirect = client.get("/", headers=headers)
    assert redirect.status_code == 302
    assert redirect.headers["Location"].startswith("/learning-review/sign-in")
    page = client.get("/sign-in", headers=headers).get_data(as_text=True)
    assert 'href="/learning-review/static/' in page
    assert 'href="/static/' not in page and 'src="/static/' not in page
