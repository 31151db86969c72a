"""Health checks and logs for running behind a proxy and a process manager."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.ops import APP_LOGGERS
from tests.conftest import database_kind


def test_healthz_answers_without_signing_in_and_shows_no_data(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def _unreachable_database(tmp_path: Path) -> str:
    if database_kind() == "sqlite":
        return f"sqlite:///{tmp_path / 'no-such-folder' / 'gone.db'}"
    return "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"


def test_healthz_says_unavailable_when_the_database_does_not_answer(tmp_path: Path) -> None:
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": _unreachable_database(tmp_path)})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    app.extensions["lr_engine"].dispose()


def test_a_proxys_request_id_is_returned_and_a_missing_or_odd_one_replaced(client: Any) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a:42"})
    assert given.headers["X-Request-ID"] == "edge-7f3a:42"
    fresh = client.get("/sign-in")
    assert len(fresh.headers["X-Request-ID"]) == 32
    for odd in ("two words", "x" * 300, 'quote"and<tag>'):
        response = client.get("/healthz", headers={"X-Request-ID": odd})
        assert response.headers["X-Request-ID"] != odd
        assert len(response.headers["X-Request-ID"]) == 32


@pytest.fixture
def json_log_app(tmp_path: Path, database_url: str) -> Iterator[tuple[Flask, io.StringIO]]:
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "LOG_FORMAT": "json"})
    handler = app.extensions["lr_log_handler"]
    buffer = io.StringIO()
    handler.setStream(buffer)
    yield app, buffer
    for name in APP_LOGGERS:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).setLevel(logging.NOTSET)
    app.extensions["lr_engine"].dispose()


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_logs_are_json_lines_carrying_the_request_id(
    json_log_app: tuple[Flask, io.StringIO],
) -> None:
    app, buffer = json_log_app
    client = app.test_client()
    client.get("/healthz?q=Tamsin+Testcase", headers={"X-Request-ID": "trace-42"})
    client.get("/no-such-page", headers={"X-Request-ID": "trace-43"})
    lines = _lines(buffer)
    access = [line for line in lines if line["logger"] == "learning_review.access"]
    assert [(a["request_id"], a["path"], a["status"]) for a in access] == [
        ("trace-42", "/healthz", 200),
        ("trace-43", "/no-such-page", 404),
    ]
    first = access[0]
    assert first["level"] == "INFO" and first["method"] == "GET"
    assert isinstance(first["duration_ms"], float) and first["time"]
    assert "Tamsin" not in buffer.getvalue()  # the query string is never logged
    # The process's root logger is left to whoever runs the app (gunicorn, a test runner).
    assert all(h.get_name() != "learning-review-json" for h in logging.getLogger().handlers)


def test_an_error_logged_in_a_request_carries_its_id(
    json_log_app: tuple[Flask, io.StringIO], tmp_path: Path
) -> None:
    _app, buffer = json_log_app
    broken = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": _unreachable_database(tmp_path),
            "LOG_FORMAT": "json",
        }
    )
    handler = broken.extensions["lr_log_handler"]
    handler.setStream(buffer)
    broken.test_client().get("/healthz", headers={"X-Request-ID": "trace-down"})
    errors = [line for line in _lines(buffer) if line["level"] == "ERROR"]
    assert errors and errors[0]["request_id"] == "trace-down"
    assert "database does not answer" in errors[0]["message"]
    for name in APP_LOGGERS:
        logging.getLogger(name).removeHandler(handler)
    broken.extensions["lr_engine"].dispose()
