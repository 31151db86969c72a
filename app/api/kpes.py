"""API for key practice episodes: list them, add one, read, change or remove it."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.resources import Resource, collection, member
from app.services import chronology as chrono
from models import KeyPracticeEpisode


def _kpe_item(kpe: KeyPracticeEpisode) -> dict[str, Any]:
    item = {"ref": kpe.ref, "title": kpe.title}
    if kpe.summary:
        item["summary"] = kpe.summary
    if kpe.narrative:
        item["narrative"] = kpe.narrative
    return item


KPES = Resource[KeyPracticeEpisode](
    section="kpes",
    label="key practice episode",
    find=chrono.kpe_by_ref,
    items=chrono.kpes_of,
    item=_kpe_item,
    create=lambda session, review, data: chrono.create_kpe(
        session=session,
        review=review,
        title=data["title"],
        summary=data.get("summary", ""),
        narrative=data.get("narrative", ""),
        ref=data.get("ref"),
    ),
    update=lambda session, kpe, version, data: chrono.update_kpe(
        session=session, kpe=kpe, expected_version=version, **data
    ),
    delete=lambda session, review, kpe: chrono.delete_kpe(session=session, review=review, kpe=kpe),
)


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
    return collection(KPES)


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
    return member(KPES, ref)
