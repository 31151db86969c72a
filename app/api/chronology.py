"""API for the chronology: events, KPEs, imports and the change feed."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from analysis.chronology.dates.when import DateParseError, when_from_bundle
from analysis.chronology.importing.model import FIELDS
from app.api import bp
from app.api.helpers import (
    DEFAULT_PAGE,
    MAX_PAGE,
    ApiError,
    decode_cursor,
    encode_cursor,
    expected_version,
    json_body,
    page_limit,
    validated_body,
    with_etag,
)
from app.db import db
from app.event_queries import EventFilters, filtered, ordered
from app.policy import check_agency_scope, own_agency_ref, review_access
from app.reader import reader_text
from app.security import MAX_DATABASE_ID
from app.services import chronology as chrono
from app.services import duplicates as duplicate_service
from app.services.chronology_import import (
    confirm_import,
    start_import,
    undo_import,
    update_import,
)
from app.services.errors import ServiceError
from models import AuditEntry, ChronologyImport, Event, KeyPracticeEpisode, Review, User

CHANGE_ACTIONS = (
    "create",
    "update",
    "delete",
    "import_chronology",
    "undo_chronology_import",
    "restore_chronology_import",
)
CHANGE_ITEMS = {
    "events": "event",
    "kpes": "key practice episode",
    "event_comments": "comment",
    "people": "person",
    "review_agencies": "agency",
    "memberships": "membership",
    "reviews": "review details",
    "chronology_imports": "chronology import",
}


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
    for key in (
        "agency",
        "source",
        "source_detail",
        "description",
        "outcome",
        "people",
        "appraisal",
        "kpe",
    ):
        if key in data:
            values[key] = data[key]
    return values


def _event_or_404(ref: str) -> Event:
    event = chrono.event_by_ref(db(), review_access().review, ref)
    if event is None or (event.deleted_at is not None and request.method != "GET"):
        abort(404, f"No event '{ref}' in this review")
    return event


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
    review = review_access().review
    if request.method == "POST":
        data = json_body("events", creating=True)
        check_agency_scope(data.get("agency"), "events")
        if "date" not in data:
            raise ApiError(422, "date is required", [{"path": "$.date", "message": "required"}])
        values = _event_values(data)
        event = chrono.create_event(
            session=db(), review=review, added_by_id=current_user.id, ref=data.get("ref"), **values
        )
        return with_etag(chrono.event_item(event), event.version, 201)
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
    rows = list(
        db().scalars(ordered(filtered(review, filters)).limit(limit + 1).offset(offset)).unique()
    )
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
    item = _event_or_404(ref)
    if request.method == "GET":
        if item.deleted_at is not None:
            abort(404, f"Event '{ref}' is deleted")
        return with_etag(chrono.event_item(item), item.version)
    check_agency_scope(item.agency.ref if item.agency else None, "events")
    if request.method == "DELETE":
        chrono.delete_event(session=db(), event=item)
        return "", 204
    version = expected_version()
    data = json_body("events", creating=False)
    if "agency" in data:
        check_agency_scope(data["agency"], "events")
    chrono.update_event(
        session=db(), event=item, expected_version=version, **_event_values(data, item)
    )
    return with_etag(chrono.event_item(item), item.version)


def _kpe_item(kpe: KeyPracticeEpisode) -> dict[str, Any]:
    item = {"ref": kpe.ref, "title": kpe.title}
    if kpe.summary:
        item["summary"] = kpe.summary
    if kpe.narrative:
        item["narrative"] = kpe.narrative
    return item


@bp.route("/reviews/<int:review_id>/kpes", methods=["GET", "POST"])
def kpes(review_id: int) -> ResponseReturnValue:
    """Key practice episodes (bundle 'kpes' items).
    ---
    get:
      summary: List key practice episodes
      parameters: [ReviewId]
      responses:
        200: {description: 'items: KPEs'}
    post:
      summary: Add a key practice episode
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Kpe'}}}
      responses:
        201: {description: The KPE, with its ETag}
    """
    review = review_access().review
    if request.method == "POST":
        data = json_body("kpes", creating=True)
        kpe = chrono.create_kpe(
            session=db(),
            review=review,
            title=data["title"],
            summary=data.get("summary", ""),
            narrative=data.get("narrative", ""),
            ref=data.get("ref"),
        )
        return with_etag(_kpe_item(kpe), kpe.version, 201)
    rows = db().scalars(
        select(KeyPracticeEpisode)
        .where(KeyPracticeEpisode.review_id == review.id)
        .order_by(KeyPracticeEpisode.id)
    )
    return jsonify({"items": [_kpe_item(k) for k in rows], "next_cursor": None})


@bp.route("/reviews/<int:review_id>/kpes/<ref>", methods=["GET", "PATCH", "DELETE"])
def kpe(review_id: int, ref: str) -> ResponseReturnValue:
    """One key practice episode, by ref.
    ---
    get:
      summary: Read a KPE
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The KPE, with its ETag}
    patch:
      summary: Change a KPE
      parameters: [ReviewId, Ref, IfMatch]
      responses:
        200: {description: The KPE, with its new ETag}
        412: Stale
    delete:
      summary: Remove a KPE (its events stay, unassigned)
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Removed}
    """
    review = review_access().review
    item = chrono.kpe_by_ref(db(), review, ref)
    if item is None:
        abort(404, f"No key practice episode '{ref}' in this review")
    if request.method == "DELETE":
        chrono.delete_kpe(session=db(), review=review, kpe=item)
        return "", 204
    if request.method == "PATCH":
        version = expected_version()
        data = json_body("kpes", creating=False)
        chrono.update_kpe(session=db(), kpe=item, expected_version=version, **data)
    return with_etag(_kpe_item(item), item.version)


def _import_resource(record: ChronologyImport) -> dict[str, Any]:
    preview = record.preview
    return {
        "id": record.id,
        "filename": record.filename,
        "sha256": record.sha256,
        "status": record.status,
        "row_count": record.row_count,
        "errors": preview["errors"]
        + [
            {"row": None, "column": c, "message": f"required column '{c}' is missing"}
            for c in preview["mapping"]["missing"]
        ],
        "duplicates": preview["duplicates"],
        "unknown_agencies": preview["unknown_agencies"],
        "unknown_people": preview["unknown_people"],
        "unknown_columns": preview["mapping"]["unknown"],
        "columns": preview.get("columns", []),
        "linked_people": preview.get("linked_people", {}),
        "ambiguous_people": preview.get("ambiguous_people", {}),
        "left_out": preview.get("left_out", []),
        "earlier_import": preview.get("earlier_import"),
        "undone": record.undone_at is not None,
        "rows": preview["rows"][:20],
    }


_IMPORT_CHANGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "mapping": {
            "type": "object",
            "additionalProperties": {"enum": [*FIELDS, None]},
        },
        "fixes": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "date": {"type": "string"},
                    "agency": {"type": "string"},
                    "description": {"type": "string"},
                },
            },
        },
        "left_out": {"type": "array", "items": {"type": "integer"}},
    },
}


@bp.route(
    "/reviews/<int:review_id>/chronology-imports/<int:import_id>",
    methods=["GET", "PATCH", "DELETE"],
)
def chronology_import(review_id: int, import_id: int) -> ResponseReturnValue:
    """A chronology import: its preview; change its column mapping or rows; undo it.
    ---
    get:
      summary: An import and its preview
      parameters:
        - ReviewId
        - {in: path, name: import_id, required: true, schema: {type: integer}}
      responses:
        200: {description: 'The preview, with columns [{header, field}]'}
    patch:
      summary: Change the preview's column mapping, fix rows or leave them out
      description: A preview is not versioned, so no If-Match is needed.
      parameters:
        - ReviewId
        - {in: path, name: import_id, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                mapping: {type: object, description: 'header: field, or null to leave out'}
                fixes: {type: object, description: 'row number: {date, agency, description}'}
                left_out: {type: array, items: {type: integer}}
      responses:
        200: {description: The new preview}
        422: Invalid
    delete:
      summary: Undo a confirmed import (its events soft-deleted, restorable)
      parameters:
        - ReviewId
        - {in: path, name: import_id, required: true, schema: {type: integer}}
      responses:
        200: {description: '{"removed": N}'}
        422: {description: 'Not a confirmed import, or already undone'}
    """
    review = review_access().review
    record = db().get(ChronologyImport, import_id)
    if record is None or record.review_id != review.id:
        abort(404, "No such import in this review")
    if request.method == "GET":
        return jsonify(_import_resource(record))
    try:
        if request.method == "DELETE":
            mine = record.user_id == current_user.id
            if record.status == "confirmed" and own_agency_ref() is not None and not mine:
                raise ApiError(403, "Agency representatives undo only the imports they made")
            removed = undo_import(session=db(), review=review, record=record)
            return jsonify({"removed": removed, "id": record.id})
        data = validated_body(_IMPORT_CHANGE_SCHEMA)
        update_import(
            session=db(),
            review=review,
            record=record,
            mapping=data.get("mapping"),
            fixes={int(k): v for k, v in (data.get("fixes") or {}).items() if k.isdigit()},
            left_out=data.get("left_out"),
        )
    except ServiceError as error:
        raise ApiError(422, error.message, [{"path": "$", "message": error.message}]) from error
    return jsonify(_import_resource(record))


@bp.route("/reviews/<int:review_id>/chronology-imports", methods=["POST"])
def chronology_imports(review_id: int) -> ResponseReturnValue:
    """Upload a chronology file (multipart 'file', optional 'agency'); answers with its preview.
    ---
    post:
      summary: Upload a chronology for preview
      parameters: [ReviewId]
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties: {file: {type: string, format: binary}, agency: {type: string}}
      responses:
        201: {description: 'The preview: id, row_count, errors, duplicates, unknown_agencies'}
        422: Invalid
    """
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "Send the file as multipart form data in the field 'file'")
    agency = request.form.get("agency") or None
    if agency:
        # The agency may be named by ref or by name; the importer matches names.
        review = review_access().review
        match = next((a for a in review.agencies if agency in (a.ref, a.name)), None)
        check_agency_scope(match.ref if match else None, "events")
        agency = match.name if match else agency
    elif own_agency_ref() is not None:
        raise ApiError(
            403, "Agency representatives import their own agency's file: name it in 'agency'"
        )
    try:
        record = start_import(
            session=db(),
            review=review_access().review,
            user_id=current_user.id,
            filename=upload.filename or "upload",
            data=upload.read(),
            default_agency=agency,
        )
    except ServiceError as error:
        raise ApiError(422, error.message, [{"path": "file", "message": error.message}]) from error
    return jsonify(_import_resource(record)), 201


@bp.route("/reviews/<int:review_id>/chronology-imports/<int:import_id>/confirm", methods=["POST"])
def confirm_import_api(review_id: int, import_id: int) -> ResponseReturnValue:
    """Store every row of a previewed import, or none.
    ---
    post:
      summary: Confirm an import
      parameters:
        - ReviewId
        - {in: path, name: import_id, required: true, schema: {type: integer}}
        - in: query
          name: skip_errors
          schema: {type: boolean}
          description: leave out rows with errors
      responses:
        200: {description: '{"created": N}'}
        422: Invalid
    """
    review = review_access().review
    record = db().get(ChronologyImport, import_id)
    if record is None or record.review_id != review.id:
        abort(404, "No such import in this review")
    try:
        created = confirm_import(
            session=db(),
            review=review,
            record=record,
            added_by_id=current_user.id,
            skip_errors=request.args.get("skip_errors") in ("1", "true"),
            only_agency=own_agency_ref(),
        )
    except ServiceError as error:
        raise ApiError(422, error.message, record.preview["errors"]) from error
    return jsonify({"created": created, "id": record.id})


@bp.route("/reviews/<int:review_id>/changes")
def changes(review_id: int) -> ResponseReturnValue:
    """Changes to this review since a cursor, with who made them (for live updates).
    ---
    get:
      summary: Changes since a cursor
      parameters:
        - ReviewId
        - in: query
          name: since
          schema: {type: string}
          description: next_cursor from the last call
        - {in: query, name: latest, schema: {type: boolean}, description: just get a cursor for now}
      responses:
        200: {description: 'items: changes (seq, time, actor, action, item, mine); next_cursor'}
    """
    review = review_access().review
    latest = db().scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0
    if request.args.get("latest"):
        return jsonify({"items": [], "next_cursor": str(latest)})
    try:
        since = int(request.args.get("since", "0"))
    except ValueError:
        raise ApiError(400, "since must be a cursor this API gave out") from None
    since = max(0, min(since, MAX_DATABASE_ID))
    entries = (
        db()
        .scalars(
            select(AuditEntry)
            .where(
                AuditEntry.review_id == review.id,
                AuditEntry.seq > since,
                AuditEntry.action.in_(CHANGE_ACTIONS),
            )
            .order_by(AuditEntry.seq)
            .limit(100)
        )
        .all()
    )
    event_ids = [
        int(e.entity_id) for e in entries if e.entity_type == "events" and e.entity_id.isdigit()
    ]
    refs: dict[int, str] = {}
    if event_ids:
        refs = {
            row.id: row.ref
            for row in db().execute(select(Event.id, Event.ref).where(Event.id.in_(event_ids)))
        }

    # People by their names, not their email addresses.
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    names: dict[int | None, str] = {}
    if actor_ids:
        rows = db().execute(select(User.id, User.name).where(User.id.in_(actor_ids)))
        names = {row.id: row.name for row in rows}

    def item(entry: AuditEntry) -> str:
        name = CHANGE_ITEMS.get(entry.entity_type, entry.entity_type)
        if entry.entity_type == "events" and entry.entity_id.isdigit():
            name += " " + refs.get(int(entry.entity_id), "")
        return name.strip()

    items = [
        {
            "seq": e.seq,
            "time": e.at.strftime("%H:%M"),
            "actor": names.get(e.actor_id) or e.actor.split(" (token")[0],
            "action": "import" if e.action == "import_chronology" else e.action,
            "item": item(e),
            "mine": e.actor_id == current_user.id,
        }
        for e in entries
    ]
    cursor = str(entries[-1].seq) if entries else str(max(since, 0))
    return jsonify({"items": items, "next_cursor": cursor})


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
    keep = _event_or_404(ref)
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
