"""API for key practice episodes: list them, add one, read, change or remove it."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.helpers import expected_version, json_body, with_etag
from app.db import db
from app.policy import review_access
from app.services import chronology as chrono
from models import KeyPracticeEpisode


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
    rows = chrono.kpes_of(db(), review)
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
