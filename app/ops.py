"""Running behind a proxy and a process manager: ``/healthz``, request ids and JSON logs.

``/healthz`` answers without signing in and shows no data: 200 when the database answers, 503
when it does not (a load balancer or systemd watchdog takes the worker out). Every request has
an id — the proxy's ``X-Request-ID`` when it sends a sane one, else a new one — returned in the
response's ``X-Request-ID`` and carried by every log line of that request. With
``LR_LOG_FORMAT=json`` (the production default) logs are one JSON object per line on standard
error, with an access line per request (the path without its query string, which may hold
search text). Only the app's own loggers (``app.*``, ``learning_review.*``) get the JSON
handler: the process's root logger is left to whoever runs it.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Blueprint, Flask, Response, g, has_request_context, jsonify, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import db

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("learning_review.access")
log = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like: anything else is replaced (log injection, length).
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """Whether this worker can serve: the database answers. No data, no sign-in."""
    try:
        db().execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.error("Health check: the database does not answer (%s)", type(error).__name__)
        response, status = jsonify({"status": "unavailable", "database": "unreachable"}), 503
    else:
        response, status = jsonify({"status": "ok", "database": "ok"}), 200
    response.headers["Cache-Control"] = "no-store"
    return response, status


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    rid = request_id()
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    # The user if the request already loaded one: never a database query here (/healthz).
    user = g.get("_login_user")
    user_id = user.get_id() if user is not None and user.is_authenticated else None
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id,
            "remote_addr": request.remote_addr,
        },
    )
    return response


class RequestIdFilter(logging.Filter):
    """Adds the request id to every record logged while a request is being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class _JsonLinesHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """One JSON object per line, to whatever standard error is when the line is written
    (a test runner or a process manager may swap it), unless given a stream of its own."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._own_stream = stream is not None

    def setStream(self, stream: Any) -> Any:
        self._own_stream = True
        return super().setStream(stream)

    def emit(self, record: logging.LogRecord) -> None:
        if not self._own_stream:
            self.stream = sys.stderr
        super().emit(record)


HANDLER_NAME = "learning-review-json"
# The app's loggers: Flask's own (named after the package), the modules', the access log.
APP_LOGGERS = ("app", "learning_review")


def json_handler(stream: Any = None) -> logging.Handler:
    handler = _JsonLinesHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    )
    handler.addFilter(RequestIdFilter())
    handler.set_name(HANDLER_NAME)
    return handler


def _configure_logging(app: Flask) -> None:
    if app.config["LOG_FORMAT"] != "json":
        return
    handler = json_handler()
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        # One handler however many apps a process builds (tests, gunicorn's preload).
        for existing in list(logger.handlers):
            if existing.get_name() == HANDLER_NAME:
                logger.removeHandler(existing)
        logger.addHandler(handler)
        logger.setLevel(app.config["LOG_LEVEL"])
    app.extensions["lr_log_handler"] = handler


def init_app(app: Flask) -> None:
    _configure_logging(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
