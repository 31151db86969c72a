"""API for the chronology's events: list and search them, add, read, change and delete one;
likely duplicates, their dismissal and merges."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from analysis.chronology.dates.when import DateParseError, when_from_bundle
from app.api import bp
from app.api.helpers import (
    DEFAULT_PAGE,
    MAX_PAGE,
    ApiError,
    decode_cursor,
    encode_cursor,
    expected_version,
    page_limit,
    validated_body,
    with_etag,
)
from app.api.resources import Resource, collection, found_or_404, member
from app.db import db
from app.event_queries import EventFilters, events_from
from app.policy import check_agency_scope, review_access
from app.reader import reader_text
from app.services import chronology as chrono
from app.services import duplicates as duplicate_service
from models import Event, Review


def _event_values(data: dict[str, Any], current: Event | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if {"date", "date_precision", "end_date"} & set(data):
        try:
            values["when"] = when_from_bundle(
                data.get("date", current.date if current else ""),
                data.get("date_precision", current.date_precision if current else "day"),
                data.get("end_date", current.end_date if current else None),
            )
        except DateParseError as error:
            raise ApiError(422, str(error), [{"path": "$.date", "message": str(error)}]) from error
    for key in chrono.EVENT_FIELDS:
        if key != "when" and key in data:
            values[key] = data[key]
    return values


def _event_by_ref(session: Session, review: Review, ref: str) -> Event | None:
    """The event with this ref; a deleted one only to read it (to change, delete or merge
    into it, it is not there)."""
    event = chrono.event_by_ref(session, review, ref)
    if event is not None and event.deleted_at is not None and request.method != "GET":
        return None
    return event


def _create_event(session: Session, review: Review, data: dict[str, Any]) -> Event:
    check_agency_scope(data.get("agency"), "events")
    if "date" not in data:
        raise ApiError(422, "date is required", [{"path": "$.date", "message": "required"}])
    return chrono.create_event(
        session=session,
        review=review,
        added_by_id=current_user.id,
        ref=data.get("ref"),
        **_event_values(data),
    )


def _update_event(session: Session, event: Event, version: int, data: dict[str, Any]) -> Event:
    if "agency" in data:
        check_agency_scope(data["agency"], "events")
    return chrono.update_event(
        session=session, event=event, expected_version=version, **_event_values(data, event)
    )


def _event_allowed(event: Event) -> None:
    """A deleted event reads as deleted (404); changing or deleting one needs the role's scope
    over its agency (403)."""
    if request.method == "GET":
        if event.deleted_at is not None:
            abort(404, f"Event '{event.ref}' is deleted")
        return
    check_agency_scope(event.agency.ref if event.agency else None, "events")


EVENTS = Resource[Event](
    section="events",
    label="event",
    find=_event_by_ref,
    # GET of the list filters and pages: the events route answers it (_events_page).
    items=None,
    item=chrono.event_item,
    create=_create_event,
    update=_update_event,
    delete=lambda session, review, event: chrono.delete_event(session=session, event=event),
    allowed=_event_allowed,
)


@bp.route("/reviews/<int:review_id>/events", methods=["GET", "POST"])
def events(review_id: int) -> ResponseReturnValue:
    """The chronology's events (bundle 'events' items), in date order.
    ---
    get:
      summary: List events, with the chronology table's filters
      parameters:
        - ReviewId
        - {in: query, name: agency, schema: {type: string}}
        - {in: query, name: person, schema: {type: string}}
        - {in: query, name: kpe, schema: {type: string}}
        - {in: query, name: appraisal, schema: {type: string}}
        - {in: query, name: source, schema: {type: string}}
        - in: query
          name: q
          deprecated: true
          description: Deprecated, since it puts what is searched for in the URL (and so in
            logs and browser history); send it in the body of POST .../events/search instead.
          schema: {type: string}
        - {in: query, name: from, schema: {type: string, format: date}}
        - {in: query, name: to, schema: {type: string, format: date}}
        - {in: query, name: known_at, schema: {type: string, format: date}}
        - {in: query, name: limit, schema: {type: integer, minimum: 0, maximum: 1000}}
        - {in: query, name: cursor, schema: {type: string}}
      responses:
        200: {description: 'items: events; next_cursor'}
    post:
      summary: Add an event
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Event'}}}
      responses:
        201: {description: The event, with its ETag}
        422: Invalid
    """
    if request.method == "POST":
        return collection(EVENTS)
    review = review_access().review
    return _events_page(review, request.args, page_limit(), request.args.get("cursor"))


def _events_page(
    review: Review, values: Any, limit: int, cursor: str | None
) -> ResponseReturnValue:
    """One page of the events that pass the filters in ``values`` (the query string's or a
    search body's names), searched as the reader reads them."""
    filters = EventFilters.from_args(values).as_read_by(db(), review, reader_text())
    if filters.errors:
        raise ApiError(400, filters.errors[0])
    offset = decode_cursor(cursor or encode_cursor(0))
    rows = events_from(db(), review, filters, offset, limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(offset + limit)
    return jsonify({"items": [chrono.event_item(e) for e in rows], "next_cursor": next_cursor})


EVENT_SEARCH: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{
            name: {"type": "string", "maxLength": 500}
            for name in ("q", "agency", "person", "kpe", "appraisal", "source")
        },
        **{name: {"type": "string", "maxLength": 40} for name in ("from", "to", "known_at")},
        "limit": {"type": "integer", "minimum": 0, "maximum": MAX_PAGE},
        "cursor": {"type": "string", "maxLength": 40},
    },
}
SCHEMAS = {"EventSearch": EVENT_SEARCH}


@bp.route("/reviews/<int:review_id>/events/search", methods=["POST"])
def events_search(review_id: int) -> ResponseReturnValue:
    """Search the chronology's events: GET /events's filters, sent in a body.
    ---
    post:
      summary: Search events (what is searched for stays out of the URL)
      description: The filters of GET /events (q, agency, person, kpe, appraisal, source, from,
        to, known_at; dates day first or ISO) with limit and cursor, in a JSON body, so that the
        words searched for are never in a URL, a log line or the browser's history. The answer
        is GET /events's. A browser session sends its CSRF token as X-CSRFToken.
      parameters: [ReviewId]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/EventSearch'}}}
      responses:
        200: {description: 'items: events; next_cursor'}
    """
    review = review_access().review
    body = validated_body(EVENT_SEARCH, empty_allowed=True)
    values = {key: value for key, value in body.items() if isinstance(value, str)}
    return _events_page(review, values, int(body.get("limit", DEFAULT_PAGE)), body.get("cursor"))


@bp.route("/reviews/<int:review_id>/events/<ref>", methods=["GET", "PATCH", "DELETE"])
def event(review_id: int, ref: str) -> ResponseReturnValue:
    """One event, by ref.
    ---
    get:
      summary: Read an event
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The event, with its ETag}
    patch:
      summary: Change an event (send If-Match)
      parameters: [ReviewId, Ref, IfMatch]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Event'}}}
      responses:
        200: {description: The event, with its new ETag}
        412: Stale
        428: VersionNeeded
    delete:
      summary: Delete an event (it can be restored in the app)
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Deleted}
    """
    return member(EVENTS, ref)


@bp.route("/reviews/<int:review_id>/duplicates")
def duplicates(review_id: int) -> ResponseReturnValue:
    """Likely duplicates: groups of events from different agencies that may be one happening.
    ---
    get:
      summary: Likely duplicates, as groups, best first (dismissed ones left out)
      parameters: [ReviewId]
      responses:
        200: {description: '{"items": [{"events": [refs], "score": 0.8, "reasons": [...]}]}'}
    """
    groups = duplicate_service.suggestions(db(), review_access().review)
    return jsonify(
        {
            "items": [
                {"events": list(g.refs), "score": g.score, "reasons": list(g.reasons)}
                for g in groups
            ]
        }
    )


_REFS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["refs"],
    "properties": {
        "refs": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "take": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@bp.route("/reviews/<int:review_id>/duplicates/dismissals", methods=["POST"])
def dismiss_duplicates_api(review_id: int) -> ResponseReturnValue:
    """Say that events are not one happening: they are never suggested together again.
    ---
    post:
      summary: Dismiss a duplicate suggestion
      parameters: [ReviewId]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {refs: {type: array, items: {type: string}}}}
      responses:
        201: {description: '{"refs": [...]}'}
        422: Invalid
    """
    data = validated_body(_REFS_SCHEMA)
    record = duplicate_service.dismiss(
        session=db(), review=review_access().review, refs=data["refs"], user_id=current_user.id
    )
    return jsonify({"refs": record.refs}), 201


@bp.route("/reviews/<int:review_id>/events/<ref>/merge", methods=["POST"])
def merge_into(review_id: int, ref: str) -> ResponseReturnValue:
    """Merge other events into this one (send this event's If-Match).
    ---
    post:
      summary: Merge events into this one, choosing each field
      parameters: [ReviewId, Ref, IfMatch]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                refs: {type: array, items: {type: string}}
                take: {type: object, description: 'field: the ref whose value to keep'}
      responses:
        200: {description: The kept event, with its new ETag}
        412: Stale
        422: Invalid
    """
    keep = found_or_404(EVENTS, ref)
    version = expected_version()
    data = validated_body(_REFS_SCHEMA)
    duplicate_service.merge(
        session=db(),
        review=review_access().review,
        keep=keep,
        refs=data["refs"],
        take=data.get("take"),
        expected_version=version,
    )
    return with_etag(chrono.event_item(keep), keep.version)
