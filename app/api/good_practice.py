"""API for the good-practice register (partnership-wide) and a review's 7-minute briefing.

Entries are addressed by id, like reviews, because the register spans reviews; each carries
its ``ref`` and the bundle's field names. ``review`` is the review's id (or null).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from flask import abort, jsonify, make_response, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import policy
from app.api import bp
from app.api.helpers import (
    ApiError,
    expected_version,
    item_schema,
    paged,
    validated_body,
    with_etag,
    with_save_warnings,
)
from app.db import db
from app.policy import review_access, role_may, role_on, visible_good_practice
from app.security import MAX_DATABASE_ID
from app.services import good_practice as service
from models import GoodPractice, Review

BRIEFING_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@lru_cache(maxsize=2)
def _schema(creating: bool) -> dict[str, Any]:
    schema = copy.deepcopy(item_schema("good_practice", creating=creating))
    # A bundle carries an entry's approval; through the API an entry is approved in the app.
    for key in ("approved_at", "approved_by_email"):
        schema["properties"].pop(key, None)
    extra = {
        "review": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_DATABASE_ID},
        "agency_name": {"type": "string"},
        "account": {"$ref": "#/$defs/ref"},
    }
    schema["properties"].update(extra if creating else {"agency_name": extra["agency_name"]})
    return schema


def _body(*, creating: bool) -> dict[str, Any]:
    return validated_body(_schema(creating))


def _resource(entry: GoodPractice) -> dict[str, Any]:
    return service.entry_resource(entry)


@bp.route("/good-practice", methods=["GET", "POST"])
def good_practice_entries() -> ResponseReturnValue:
    """The partnership's good-practice register, as far as you may see it.
    ---
    get:
      summary: List register entries (of your reviews, and from outside reviews)
      parameters:
        - {name: review, in: query, schema: {type: string}, description: "A review id, or none"}
        - {name: theme, in: query, schema: {type: string}}
        - name: agency
          in: query
          schema: {type: string}
          description: >-
            An agency: its id in the partnership's directory (as the register page uses, for
            example 3), its name, or a review agency's ref (for example POL)
        - {name: limit, in: query, schema: {type: integer, minimum: 0, maximum: 1000}}
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        200: {description: 'items: entries, next_cursor'}
        401: Unauthorised
    post:
      summary: Add an entry (needs title and story; review is a review id or omitted)
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/GoodPractice'}}}
      responses:
        201: {description: The entry, with its ETag}
        404: NotFound
        422: Invalid
    """
    if request.method == "POST":
        return _create()
    review_arg = request.args.get("review", "")
    review_id = None
    if review_arg and review_arg != "none":
        if not _is_id(review_arg):
            raise ApiError(400, "review must be a review id or none")
        review_id = int(review_arg)
    agency = request.args.get("agency", "")
    agency_ids = _agency_ids(agency) if agency else None

    def entries(after: int = 0, limit: int | None = None) -> list[GoodPractice]:
        return service.entries_by_id(
            db(),
            visible_good_practice(current_user),
            review_id=review_id,
            no_review=review_arg == "none",
            agency_ids=agency_ids,
            after=after,
            limit=limit,
        )

    theme = request.args.get("theme", "")
    if service.theme_key(theme):
        rows = service.with_theme(entries(), theme)
        return jsonify({"items": [_resource(e) for e in rows], "next_cursor": None})
    rows, next_cursor = paged(lambda after, limit: entries(after, limit + 1))
    return jsonify({"items": [_resource(e) for e in rows], "next_cursor": next_cursor})


def _is_id(text: str) -> bool:
    """Whether ``text`` is a whole number the database could hold as an id."""
    return text.isascii() and text.isdigit() and int(text) <= MAX_DATABASE_ID


def _agency_ids(agency: str) -> list[int]:
    """The directory agency with id ``agency`` (as the register page filters), agencies named
    ``agency``, or matching a review agency ref on your reviews."""
    return service.agency_ids_named(
        db(),
        current_user.partnership_id,
        agency,
        agency_id=int(agency) if _is_id(agency) else None,
        reviews=service.member_reviews_in_partnership(
            db(), current_user.id, current_user.partnership_id
        ),
    )


def _create() -> ResponseReturnValue:
    data = _body(creating=True)
    review_id = data.pop("review", None)
    review = None
    if review_id is not None:
        review = db().get(Review, review_id)
        role = role_on(current_user, review_id) if review is not None else None
        if review is None or review.partnership_id != current_user.partnership_id or role is None:
            abort(404, "No such review, or you are not a member of it")
        if not role_may(role, "good_practice.edit"):
            abort(403, "Your role on this review cannot add good practice")
        policy.check_agency_scope(data.get("agency"), "good_practice", review)
    if data.get("share_status", "draft") != "draft" or data.get("shared"):
        raise ApiError(
            422, "A new entry is a draft: approve and share it in the app, where it is checked"
        )
    data.pop("share_status", None)
    data.pop("shared", None)
    entry = service.create_entry(
        session=db(),
        partnership_id=current_user.partnership_id,
        review=review,
        creator=current_user,
        **data,
    )
    return with_etag(
        with_save_warnings(_resource(entry), entry, "good_practice"), entry.version, 201
    )


@bp.route("/good-practice/<int:entry_id>", methods=["GET", "PATCH", "DELETE"])
def good_practice_entry(entry_id: int) -> ResponseReturnValue:
    """One register entry, by id.
    ---
    get:
      summary: Read an entry
      parameters: [{name: entry_id, in: path, required: true, schema: {type: integer}}]
      responses:
        200: {description: The entry, with its ETag}
        404: NotFound
    patch:
      summary: Change an entry (what it says; approval and sharing happen in the app)
      parameters: [{name: entry_id, in: path, required: true, schema: {type: integer}}, IfMatch]
      responses:
        200: {description: The entry, with its new ETag}
        412: Stale
        428: VersionNeeded
    delete:
      summary: Delete an entry (a shared one by the chair only; an agency representative
        deletes only their own agency's entries)
      parameters: [{name: entry_id, in: path, required: true, schema: {type: integer}}]
      responses:
        204: {description: Deleted}
    """
    entry = policy.good_practice_entry()
    if request.method == "DELETE":
        service.delete_entry(session=db(), entry=entry)
        return "", 204
    if request.method == "PATCH":
        version = expected_version()
        data = _body(creating=False)
        for key in ("share_status", "shared"):
            if key in data and data[key] != service.entry_item(entry).get(key):
                raise ApiError(
                    422,
                    "Approve and share an entry in the app, where consent and the "
                    "anonymisation check are enforced",
                )
            data.pop(key, None)
        if entry.review is not None and "agency" in data:
            policy.check_agency_scope(data["agency"], "good_practice", entry.review)
        service.update_entry(session=db(), entry=entry, expected_version=version, **data)
        return with_etag(
            with_save_warnings(_resource(entry), entry, "good_practice"), entry.version
        )
    return with_etag(_resource(entry), entry.version)


@bp.route("/reviews/<int:review_id>/briefing.<fmt>")
def review_briefing(review_id: int, fmt: str) -> ResponseReturnValue:
    """The review's 7-minute briefing of all its good practice, drafts marked as drafts.
    ---
    get:
      summary: The review's 7-minute briefing (fmt is html, pdf or docx)
      parameters:
        - ReviewId
        - {name: fmt, in: path, required: true, schema: {type: string, enum: [html, pdf, docx]}}
      responses:
        200: {description: The briefing document}
        404: NotFound
    """
    if fmt not in BRIEFING_TYPES:
        abort(404, "The briefing comes as html, pdf or docx")
    review = review_access().review
    response = make_response(service.review_briefing(db(), review, fmt))
    response.headers["Content-Type"] = BRIEFING_TYPES[fmt]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="briefing-review-{review.id}.{fmt}"'
    )
    return response
