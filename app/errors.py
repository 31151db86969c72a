"""Friendly error pages and JSON errors; a 500 shows a reference, never a traceback."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, HTTPException

log = logging.getLogger(__name__)

TITLES = {
    400: "The request could not be understood",
    401: "Sign in to continue",
    403: "You do not have permission to do that",
    404: "Page not found",
    405: "That is not allowed here",
    409: "That conflicts with the current state",
    412: "Someone else changed this first",
    413: "The file is too large",
    422: "The request has problems",
    428: "A version is needed to change this",
    429: "Too many attempts",
    500: "Sorry, something went wrong",
}


def api_error(
    status: int, message: str, errors: list[object] | None = None
) -> tuple[Response, int]:
    return jsonify({"message": message, "errors": errors or []}), status


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _handle_http(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if _wants_json():
        response = api_error(status, error.description or TITLES.get(status, "Error"))
        if status == 401:
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="learning-review"'
        return response
    title = TITLES.get(status, "Error")
    # A message the app gave (abort(400, "…")), not Werkzeug's generic description.
    message = error.description if error.description != type(error).description else None
    page = render_template("errors/error.html", status=status, title=title, message=message)
    return page, status


def _handle_unexpected(error: Exception) -> ResponseReturnValue:
    reference = secrets.token_hex(4).upper()
    log.exception("Unhandled error, reference %s", reference, exc_info=error)
    if _wants_json():
        return api_error(500, f"Something went wrong on our side (reference {reference})")
    page = render_template("errors/500.html", reference=reference, title=TITLES[500])
    return page, 500


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a request body nested too deeply to parse (Python's recursion limit,
    about 1,000 levels) is a client error with a clear message, not a server error."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise BadRequest(
                "The JSON is nested too deeply to read: send it with fewer levels of nesting"
            ) from None


def init_app(app: Flask) -> None:
    if not isinstance(app.json, JSONProvider):  # the reader's view's provider is one already
        app.json = JSONProvider(app)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
