"""Request parsing, validation against the bundle's schemas, paging and ETags."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from flask import jsonify, make_response, request
from flask.typing import ResponseReturnValue
from jsonschema import Draft202012Validator, FormatChecker

from analysis.bundle import bundle_schema
from app.db import db
from app.security import MAX_DATABASE_ID
from app.services.anonymity import save_warnings
from app.services.errors import ServiceError

MAX_PAGE = 1000
DEFAULT_PAGE = 100


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: Sequence[object] = ()) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, list(errors)


def error_response(error: ApiError) -> ResponseReturnValue:
    return jsonify({"message": error.message, "errors": error.errors}), error.status


# The longest value an error message quotes back, and the longest message: a client that
# sends a megabyte of "ref" does not get it echoed (twice) in the answer.
ECHO_CHARS = 40
MESSAGE_CHARS = 300


def clipped(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schema_message(error: Any) -> str:
    """The validator's message, quoting at most ECHO_CHARS of the value it refused."""
    message = str(error.message)
    instance = error.instance
    if isinstance(instance, str) and len(instance) > ECHO_CHARS:
        message = message.replace(repr(instance), repr(instance[:ECHO_CHARS]) + "…")
    return clipped(message)


def service_error(error: ServiceError) -> ApiError:
    message = clipped(error.message)
    detail = {"field": error.field, "message": message} if error.field else message
    return ApiError(422, message, [detail])


def item_schema(section: str, *, creating: bool) -> dict[str, Any]:
    """The bundle's schema for one item of ``section``, as a request body for POST or PATCH."""
    return _item_schema(section, creating)


@lru_cache(maxsize=32)
def _item_schema(section: str, creating: bool) -> dict[str, Any]:
    root = bundle_schema()
    schema: dict[str, Any]
    if section == "review":
        schema = copy.deepcopy(root["properties"]["review"])
        schema["properties"]["incident_known_on"] = {"type": "string", "format": "date"}
        # The statutory milestones met: {key: date}, a null date clears one.
        schema["properties"]["milestones"] = {
            "type": "object",
            "additionalProperties": {"type": ["string", "null"], "format": "date"},
        }
    else:
        schema = copy.deepcopy(root["properties"][section]["items"])
    schema = _inline_refs(schema, root)
    schema["$defs"] = root["$defs"]
    if creating:
        schema["required"] = [r for r in schema.get("required", []) if r != "ref"]
    else:
        schema["required"] = []
        schema["properties"].pop("ref", None)
    return schema


def _inline_refs(node: Any, root: dict[str, Any]) -> Any:
    """``node`` with each ``$ref`` into the bundle outside ``$defs`` (a finding's scie_pattern
    refers to the factor's) replaced by what it points to: cut out of the bundle, the item's
    schema has no such place to point into."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and not ref.startswith("#/$defs/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _inline_refs(copy.deepcopy(target), root)
        return {key: _inline_refs(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_refs(value, root) for value in node]
    return node


def json_body(section: str, *, creating: bool) -> dict[str, Any]:
    """The request's JSON object, checked against the bundle schema for ``section``."""
    return validated_body(item_schema(section, creating=creating))


def validated_body(schema: dict[str, Any], *, empty_allowed: bool = False) -> dict[str, Any]:
    """The request's JSON object, checked against ``schema`` (no body counts as ``{}`` when
    ``empty_allowed``)."""
    data = request.get_json(silent=True)
    if data is None and empty_allowed and not request.get_data():
        data = {}
    if not isinstance(data, dict):
        raise ApiError(400, "Send a JSON object with Content-Type: application/json")
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    problems = [
        {"path": "$" + "".join(f".{p}" for p in e.absolute_path), "message": _schema_message(e)}
        for e in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
    if problems:
        raise ApiError(422, "The request body has problems", problems)
    return data


def etag_of(version: int) -> str:
    return f'"v{version}"'


def expected_version() -> int:
    """The version named by If-Match: 428 when it is missing, 412 handled by the caller."""
    header = request.headers.get("If-Match")
    if not header:
        raise ApiError(428, "Send If-Match with the ETag you last read, so no change is lost")
    value = header.strip().removeprefix("W/").strip('"')
    if not value.startswith("v") or not value[1:].isascii() or not value[1:].isdigit():
        raise ApiError(412, "If-Match does not name a version of this item")
    return int(value[1:])


def with_etag(body: dict[str, Any], version: int, status: int = 200) -> ResponseReturnValue:
    response = make_response(jsonify(body), status)
    response.headers["ETag"] = etag_of(version)
    return response


def page_limit() -> int:
    """The ``limit`` query parameter: 0 (no items, only whether there are more) to MAX_PAGE."""
    try:
        limit = min(int(request.args.get("limit", DEFAULT_PAGE)), MAX_PAGE)
    except ValueError:
        raise ApiError(400, "limit must be a whole number") from None
    if limit < 0:
        raise ApiError(400, "limit must be 0 or more")
    return limit


def decode_cursor(cursor: str) -> int:
    """The position a cursor of this API names (400 for anything else)."""
    try:
        position = int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "cursor is not one this API gave out") from None
    if not 0 <= position <= MAX_DATABASE_ID:
        raise ApiError(400, "cursor is not one this API gave out")
    return position


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(str(position).encode()).decode()


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Row = TypeVar("Row", bound=HasId)


def paged(fetch: Callable[[int, int], Sequence[Row]]) -> tuple[list[Row], str | None]:
    """One page of a list (``limit`` and ``cursor`` from the query string), and the cursor for
    the next: ``fetch(after, limit)`` gives up to ``limit`` + 1 rows with ids above ``after``
    (0 for the first page) in id order, as a service's paged query does."""
    limit = page_limit()
    cursor = request.args.get("cursor")
    after = decode_cursor(cursor) if cursor else 0
    rows = list(fetch(after, limit))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].id if rows else after)
    return rows, next_cursor


def with_save_warnings(body: dict[str, Any], item: object, kind: str) -> dict[str, Any]:
    """``body`` with ``warnings`` when the saved ``item`` names someone in the people register
    or holds an identifying detail (see ``anonymity.save_warnings``)."""
    warnings = save_warnings(db(), item, kind)
    return body | {"warnings": warnings} if warnings else body
