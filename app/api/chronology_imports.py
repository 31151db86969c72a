"""API for chronology imports: upload a file for preview, change its columns or rows,
confirm it, or undo it."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from analysis.chronology.importing.model import FIELDS
from app.api import bp
from app.api.helpers import ApiError, validated_body
from app.db import db
from app.policy import check_agency_scope, own_agency_ref, review_access
from app.services.chronology_import import (
    confirm_import,
    start_import,
    undo_import,
    update_import,
)
from app.services.errors import ServiceError
from models import ChronologyImport


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
