"""API endpoints. Each docstring's YAML (after ``---``) feeds the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from analysis.dates import statutory_dates, uk_today
from app import bundle_import_job as import_job
from app import jobs
from app.api import bp, resources  # resources.member: views.py has a member route
from app.api.helpers import (
    ApiError,
    error_response,
    expected_version,
    json_body,
    paged,
    service_error,
    with_etag,
)
from app.api.openapi import openapi_document
from app.db import db
from app.policy import (
    may,
    may_change_chairs,
    may_change_register_entry,
    own_agency_ref,
    review_access,
)
from app.security import token_expiry
from app.services import bundles
from app.services import partnership as partnership_service
from app.services import reviews as review_service
from app.services.errors import ServiceError, StaleVersionError
from models import Membership, Review, ReviewAgency, audit


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> ResponseReturnValue:
    return error_response(error)


@bp.errorhandler(ServiceError)
def _service_error(error: ServiceError) -> ResponseReturnValue:
    if isinstance(error, StaleVersionError):
        return error_response(ApiError(412, error.message))
    return error_response(service_error(error))


def _dates(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key in ("period_start", "period_end", "incident_known_on"):
        if key in out:
            out[key] = date.fromisoformat(out[key]) if out[key] else None
    return out


def review_resource(review: Review) -> dict[str, Any]:
    due = statutory_dates(review.incident_known_on)
    milestones = partnership_service.milestones_of(db(), review, uk_today())
    return {
        "id": review.id,
        **bundles.review_item(review),
        "incident_known_on": review.incident_known_on.isoformat()
        if review.incident_known_on
        else None,
        "notification_due": due["notification_due"].isoformat()
        if due["notification_due"]
        else None,
        "rapid_review_due": due["rapid_review_due"].isoformat()
        if due["rapid_review_due"]
        else None,
        "milestones": [partnership_service.milestone_item(m) for m in milestones],
        "version": review.version,
    }


def member_resource(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.id,
        "email": membership.user.email,
        "name": membership.user.name,
        "role": membership.role,
        "agency": membership.agency.ref if membership.agency else None,
    }


@bp.route("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3 document of this API.
    ---
    get:
      summary: The OpenAPI document
      security: []
      responses:
        200: {description: This document}
    """
    return jsonify(openapi_document())


@bp.route("/me")
def me() -> ResponseReturnValue:
    """Who the token or session belongs to.
    ---
    get:
      summary: The signed-in user, and the token used (its name, prefix and expiry)
      responses:
        200: {description: 'The user; token is null for a browser session'}
        401: Unauthorised
    """
    row = g.get("api_token")
    token = (
        {"name": row.name, "prefix": row.prefix, "expires_at": token_expiry(row).isoformat()}
        if row is not None
        else None
    )
    return jsonify(
        {
            "id": current_user.id,
            "email": current_user.email,
            "name": current_user.name,
            "partnership": current_user.partnership.name,
            "token": token,
        }
    )


@bp.route("/reviews", methods=["GET", "POST"])
def reviews() -> ResponseReturnValue:
    """Reviews the user is a member of; create one (the creator becomes its chair).
    ---
    get:
      summary: List my reviews
      parameters:
        - {in: query, name: limit, schema: {type: integer, minimum: 0, maximum: 1000}}
        - {in: query, name: cursor, schema: {type: string}}
      responses:
        200: {description: 'A page of reviews: items and next_cursor'}
    post:
      summary: Create a review
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Review'}}}
      responses:
        201: {description: The new review, with its ETag}
        422: Invalid
    """
    if request.method == "POST":
        data = _dates(json_body("review", creating=True))
        review = review_service.create_review(session=db(), creator=current_user, **data)
        return with_etag(review_resource(review), review.version, 201)
    rows, cursor = paged(
        lambda after, limit: review_service.member_reviews(
            db(), current_user.id, after=after, limit=limit
        )
    )
    return jsonify({"items": [review_resource(r) for r in rows], "next_cursor": cursor})


@bp.route("/reviews/import", methods=["POST"])
def import_review() -> ResponseReturnValue:
    """Create a review from a bundle; all of it is stored, or nothing.
    ---
    post:
      summary: Import a review bundle
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Bundle'}}}
      responses:
        201: {description: 'The new review: {"id": …}'}
        202: {description: 'A bundle of more than BUNDLE_BACKGROUND_EVENTS events is imported
          by a background job: Location names its status; its result has review_id'}
        413: {description: 'The bundle is larger than 50 MB'}
        422: Invalid
    """
    db().commit()  # reading a big bundle must not keep the write lock the sign-in took
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "Send the bundle as JSON with Content-Type: application/json")
    try:
        if import_job.runs_in_background(data):
            job = import_job.start_import(db(), request.get_data(), data, current_user)
            return jobs.accepted(job)
        # Stored in parts, each committed, so other users' edits never wait long.
        review = bundles.import_bundle(
            data, session=db(), importer=current_user, commit=db().commit
        )
    except bundles.BundleError as error:
        problems = [{"path": p.path, "message": p.message} for p in error.problems]
        raise ApiError(
            422, "The bundle was not imported: nothing has been stored", problems
        ) from None
    return jsonify({"id": review.id, **review_resource(review)}), 201


@bp.route("/reviews/<int:review_id>", methods=["GET", "PATCH"])
def review(review_id: int) -> ResponseReturnValue:
    """One review.
    ---
    get:
      summary: Read a review
      parameters: [ReviewId]
      responses:
        200: {description: The review, with its ETag}
        404: NotFound
    patch:
      summary: Change a review's details
      parameters:
        - ReviewId
        - IfMatch
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Review'}}}
      responses:
        200: {description: The review, with its new ETag}
        412: Stale
        428: VersionNeeded
    """
    current = review_access().review
    if request.method == "PATCH":
        version = expected_version()
        data = _dates(json_body("review", creating=False))
        milestones = data.pop("milestones", None)
        if milestones is not None and not may("review.milestones"):
            abort(403, "Only the chair or the business manager records the milestones met")
        review_service.update_review(session=db(), review=current, expected_version=version, **data)
        if milestones:
            partnership_service.record_milestones(
                session=db(),
                review=current,
                recorder=current_user,
                milestones={
                    key: date.fromisoformat(day) if day else None for key, day in milestones.items()
                },
            )
    return with_etag(review_resource(current), current.version)


@bp.route("/reviews/<int:review_id>/export")
def export_review(review_id: int) -> ResponseReturnValue:
    """The whole review as a bundle (includes real names; each export is audited).
    ---
    get:
      summary: Export a review bundle
      parameters: [ReviewId]
      responses:
        200:
          description: The bundle
          content: {application/json: {schema: {$ref: '#/components/schemas/Bundle'}}}
    """
    current = review_access().review
    audit.record(
        db(),
        "export_bundle",
        entity_type="reviews",
        entity_id=str(current.id),
        review_id=current.id,
    )
    return jsonify(bundles.export_bundle(current))


def _check_member_change(role: str) -> None:
    """Only a chair (or a site administrator) appoints or removes a chair; an administrator
    who is not a member of the review changes its chairs and nothing else."""
    if role == "chair" and not may_change_chairs():
        raise ApiError(
            403, "Only a chair of this review or a site administrator appoints or removes a chair"
        )
    if role != "chair" and review_access().membership is None:
        raise ApiError(403, "A site administrator who is not a member changes chairs only")


@bp.route("/reviews/<int:review_id>/members", methods=["GET", "POST"])
def members(review_id: int) -> ResponseReturnValue:
    """Members of a review and their roles.
    ---
    get:
      summary: List members
      parameters: [ReviewId]
      responses:
        200: {description: 'items: members'}
    post:
      summary: Add a member (an existing user of the partnership)
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/MemberInput'}}}
      responses:
        201: {description: The membership}
        422: Invalid
    """
    current = review_access().review
    if request.method == "POST":
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("email"), str):
            raise ApiError(422, "Send email and role", [{"path": "$.email", "message": "required"}])
        _check_member_change(str(data.get("role", "")))
        membership = review_service.add_member(
            session=db(),
            review=current,
            email=data["email"],
            role=str(data.get("role", "")),
            agency_ref=data.get("agency"),
        )
        return jsonify(member_resource(membership)), 201
    return jsonify(
        {"items": [member_resource(m) for m in current.memberships], "next_cursor": None}
    )


@bp.route("/reviews/<int:review_id>/members/<int:membership_id>", methods=["DELETE"])
def member(review_id: int, membership_id: int) -> ResponseReturnValue:
    """One membership.
    ---
    delete:
      summary: Remove a member
      parameters:
        - ReviewId
        - {in: path, name: membership_id, required: true, schema: {type: integer}}
      responses:
        204: {description: Removed}
    """
    current = review_access().review
    membership = db().get(Membership, membership_id)
    if membership is None or membership.review_id != current.id:
        abort(404, "No such member of this review")
    _check_member_change(membership.role)
    review_service.remove_member(session=db(), review=current, membership=membership)
    return "", 204


def _add_agency(session: Session, review: Review, data: dict[str, Any]) -> ReviewAgency:
    return review_service.add_agency(
        session=session,
        review=review,
        name=data["name"],
        sector=data.get("sector", ""),
        ref=data.get("ref"),
    )


def _update_agency(
    session: Session, agency: ReviewAgency, version: int, data: dict[str, Any]
) -> ReviewAgency:
    return review_service.update_agency(
        session=session,
        review_agency=agency,
        expected_version=version,
        name=data.get("name"),
        sector=data.get("sector"),
    )


AGENCIES = resources.Resource[ReviewAgency](
    section="agencies",
    label="agency",
    find=review_service.agency_by_ref,
    items=lambda session, review: review.agencies,
    item=bundles.agency_item,
    create=_add_agency,
    update=_update_agency,
    delete=lambda session, review, agency: review_service.remove_agency(
        session=session, review_agency=agency
    ),
)


@bp.route("/reviews/<int:review_id>/agencies", methods=["GET", "POST"])
def agencies(review_id: int) -> ResponseReturnValue:
    """Agencies taking part in a review (bundle 'agencies' items).
    ---
    get:
      summary: List agencies
      parameters: [ReviewId]
      responses:
        200: {description: 'items: agencies'}
    post:
      summary: Add an agency (matched by name to the partnership's directory)
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Agency'}}}
      responses:
        201: {description: The agency, with its ETag}
    """
    return resources.collection(AGENCIES)


@bp.route("/reviews/<int:review_id>/agencies/<ref>", methods=["GET", "PATCH", "DELETE"])
def agency(review_id: int, ref: str) -> ResponseReturnValue:
    """One agency of a review, by ref.
    ---
    get:
      summary: Read an agency
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The agency, with its ETag}
    patch:
      summary: Rename an agency or change its sector
      parameters: [ReviewId, Ref, IfMatch]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Agency'}}}
      responses:
        200: {description: The agency, with its new ETag}
        412: Stale
    delete:
      summary: Remove an agency that nothing refers to
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Removed}
    """
    return resources.member(AGENCIES, ref)


def _reveal_real_names() -> bool:
    if request.args.get("reveal") != "real_names":
        return False
    if not may("people.real_names"):
        abort(403, "Your role on this review does not show real names")
    return True


def _check_register_scope(role: str | None, agency_ref: str | None) -> None:
    if not may_change_register_entry(role, agency_ref):
        raise ApiError(403, "Agency representatives change only their own agency's practitioners")


@bp.route("/reviews/<int:review_id>/people", methods=["GET", "POST"])
def people(review_id: int) -> ResponseReturnValue:
    """The people register (bundle 'people' items). Real names only with ?reveal=real_names.
    ---
    get:
      summary: List people (pseudonyms; real names on request, audited)
      parameters:
        - ReviewId
        - {in: query, name: reveal, schema: {type: string, enum: [real_names]}}
      responses:
        200: {description: 'items: people'}
    post:
      summary: Add a person
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Person'}}}
      responses:
        201: {description: The person, with its ETag}
    """
    current = review_access().review
    if request.method == "POST":
        data = json_body("people", creating=True)
        own = own_agency_ref()
        if own and "agency" not in data:
            data["agency"] = own
        _check_register_scope(data.get("role"), data.get("agency"))
        person = review_service.create_person(session=db(), review=current, **data)
        return with_etag(bundles.person_item(person, with_real_names=True), person.version, 201)
    reveal = _reveal_real_names()
    items = list(current.people)
    if reveal:
        review_service.record_real_name_view(session=db(), review=current, people=items)
    return jsonify(
        {
            "items": [bundles.person_item(p, with_real_names=reveal) for p in items],
            "next_cursor": None,
        }
    )


@bp.route("/reviews/<int:review_id>/people/<ref>", methods=["GET", "PATCH", "DELETE"])
def person(review_id: int, ref: str) -> ResponseReturnValue:
    """One person, by ref.
    ---
    get:
      summary: Read a person
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The person, with its ETag}
    patch:
      summary: Change a person
      parameters: [ReviewId, Ref, IfMatch]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Person'}}}
      responses:
        200: {description: The person, with its new ETag}
        412: Stale
    delete:
      summary: Remove a person
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Removed}
    """
    current = review_access().review
    item = review_service.person_by_ref(db(), current, ref)
    if item is None:
        abort(404, f"No person '{ref}' in this review")
    if request.method != "GET":
        _check_register_scope(item.role, item.agency.ref if item.agency else None)
    if request.method == "DELETE":
        review_service.delete_person(session=db(), person=item)
        return "", 204
    if request.method == "PATCH":
        version = expected_version()
        data = json_body("people", creating=False)
        _check_register_scope(
            data.get("role", item.role),
            data.get("agency", item.agency.ref if item.agency else None),
        )
        review_service.update_person(session=db(), person=item, expected_version=version, **data)
        return with_etag(bundles.person_item(item, with_real_names=True), item.version)
    reveal = _reveal_real_names()
    if reveal:
        review_service.record_real_name_view(session=db(), review=current, people=[item])
    return with_etag(bundles.person_item(item, with_real_names=reveal), item.version)
