"""Configuration: production refuses unsafe settings; errors never show a traceback."""

from __future__ import annotations

from typing import Any

import pytest

from app import create_app
from app.config import ConfigError


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
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": "k" * 40,
                "DEBUG": True,
                "DATABASE_URL": "sqlite://",
            }
        )


def test_production_marks_cookies_secure(monkeypatch: Any) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


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


def test_an_unlisted_route_is_denied_by_default(app: Any, client: Any, login: Any) -> None:
    @app.route("/forgotten")
    def forgotten() -> str:
        return "should never be served"

    login("chair")
    assert client.get("/forgotten").status_code == 403
