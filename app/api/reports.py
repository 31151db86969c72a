"""API for the report: generate a version, read its files, approve it and publish it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import jobs
from app import report_files as files
from app.api import bp
from app.api.helpers import ApiError, validated_body
from app.db import db
from app.policy import review_access
from app.reader import hits_for_reader
from app.report_generation import start_generation
from app.services import reports as service
from app.services.errors import ServiceError
from models import ReportVersion

WITHDRAW_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["reason"],
    "additionalProperties": False,
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}},
}
DELETE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["reason"],
    "additionalProperties": False,
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}},
}
SCHEMAS = {"WithdrawInput": WITHDRAW_INPUT, "DeleteVersionInput": DELETE_INPUT}
FORMAT_NAMES = ["html", "pdf", "docx", "md"]


def _resource(version: ReportVersion) -> dict[str, Any]:
    review = review_access().review
    ready = version.is_ready
    return {
        "version": version.number,
        "status": version.status,
        "created_at": version.created_at.isoformat(),
        "render_seconds": version.render_seconds,
        "hits": [
            {k: h[k] for k in ("text", "kind", "location", "context")}
            for h in hits_for_reader(version.scan_hits)
        ],
        "approved": version.is_approved,
        "approved_at": version.approved_at.isoformat() if version.approved_at else None,
        "published": version.is_published,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "withdrawn": version.is_withdrawn,
        "withdrawn_at": version.withdrawn_at.isoformat() if version.withdrawn_at else None,
        "withdrawn_by": version.withdrawn_by.name if version.withdrawn_by else None,
        "withdrawal_reason": version.withdrawal_reason if version.is_withdrawn else None,
        "formats": FORMAT_NAMES if ready else [],
        "public_formats": FORMAT_NAMES if ready and version.public_pdf else [],
        # What the public edition leaves out, in words (the publish screen lists the same).
        "left_out": list(version.left_out or []),
        # The people register changed since: the version is scanned again before approval.
        "needs_rescan": service.register_changed_since(db(), review, version),
    }


def _version(number: int) -> ReportVersion:
    version = service.version_by_number(db(), review_access().review, number)
    if version is None:
        abort(404, f"No report version {number} in this review")
    return version


@bp.route("/reviews/<int:review_id>/reports", methods=["GET", "POST"])
def reports(review_id: int) -> ResponseReturnValue:
    """The report's versions; generate a new one.
    ---
    get:
      summary: List report versions, newest first
      parameters: [ReviewId]
      responses:
        200: {description: 'items: versions with their scan hits, approval and publication'}
    post:
      summary: Generate the next version (both editions in HTML, PDF, DOCX and Markdown)
      description: The version number is taken at once; the files are made by a background
        job. The answer is 202 with a Location header naming the job's status URL
        (GET /api/v1/jobs/{id}), which answers 202 while it runs and 200 once it has ended;
        every file of the version is readable from then on. Ten requests at once get ten
        numbers, or 409.
      parameters: [ReviewId]
      responses:
        202: {description: 'version (its number, status generating) and job (id, status_url)'}
        409: {description: 'The number was taken by a generation at the same moment: try again'}
    """
    review = review_access().review
    if request.method == "POST":
        try:
            version, job = start_generation(db(), review, current_user)
        except service.VersionTakenError as error:
            raise ApiError(409, error.message) from None
        return jobs.accepted(job, _resource(version))
    items = [_resource(v) for v in service.report_versions(db(), review)]
    return jsonify({"items": items, "next_cursor": None})


@bp.route("/reviews/<int:review_id>/reports/<int:version>", methods=["GET", "DELETE"])
def report(review_id: int, version: int) -> ResponseReturnValue:
    """One report version.
    ---
    get:
      summary: A version's status, scan hits, what its public edition leaves out, approval
        and publication
      parameters:
        - ReviewId
        - {name: version, in: path, required: true, schema: {type: integer}}
      responses:
        200: {description: The version}
    delete:
      summary: Delete a version that was never published (the chair), with a reason
      parameters:
        - ReviewId
        - {name: version, in: path, required: true, schema: {type: integer}}
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/DeleteVersionInput'}}}
      responses:
        204: {description: Deleted}
        409: {description: 'Refused: the version was published, or is being generated'}
        422: Invalid
    """
    if request.method == "DELETE":
        _with_reason(version, DELETE_INPUT, service.delete_version)
        return "", 204
    return jsonify(_resource(_version(version)))


@bp.route("/reviews/<int:review_id>/reports/<int:version>.<fmt>")
def report_file(review_id: int, version: int, fmt: str) -> ResponseReturnValue:
    """A version's file.
    ---
    get:
      summary: The version as html, pdf, docx or md
      parameters:
        - ReviewId
        - {name: version, in: path, required: true, schema: {type: integer}}
        - {name: fmt, in: path, required: true, schema: {enum: [html, pdf, docx, md]}}
      responses:
        200: {description: The file}
        404: NotFound
    """
    item = _version(version)
    return files.report_file(item, fmt, f"report-{review_id}-v{item.number}-restricted")


@bp.route("/reviews/<int:review_id>/reports/<int:version>/public.<fmt>")
def report_public_file(review_id: int, version: int, fmt: str) -> ResponseReturnValue:
    """A version's public edition.
    ---
    get:
      summary: The public edition (what publishing publishes) as html, pdf, docx or md
      parameters:
        - ReviewId
        - {name: version, in: path, required: true, schema: {type: integer}}
        - {name: fmt, in: path, required: true, schema: {enum: [html, pdf, docx, md]}}
      responses:
        200: {description: The file}
        404: NotFound
    """
    item = _version(version)
    return files.report_file(
        item, fmt, f"report-{review_id}-v{item.number}-public", edition="public"
    )


@bp.route("/reviews/<int:review_id>/reports/<int:version>/approve", methods=["POST"])
def approve_report(review_id: int, version: int) -> ResponseReturnValue:
    """Approve a version for publication (a second person: chair or board member).
    ---
    post:
      summary: Approve a version
      parameters:
        - ReviewId
        - {name: version, in: path, required: true, schema: {type: integer}}
      responses:
        200: {description: The approved version}
        409: {description: 'Refused: the approver generated it, it is published, or the
          people register changed and the version now holds a name from it (hits)'}
    """
    item = _version(version)
    try:
        service.approve_report(
            session=db(), review=review_access().review, version=item, user=current_user
        )
    except service.PublicationBlockedError as error:
        body = {"message": error.message, "errors": [], "reason": "identifying_text"}
        return jsonify(body | {"hits": error.hits}), 409
    except ServiceError as error:
        raise ApiError(409, error.message) from None
    return jsonify(_resource(item))


@bp.route("/reviews/<int:review_id>/reports/<int:version>/publish", methods=["POST"])
def publish_report(review_id: int, version: int) -> ResponseReturnValue:
    """Publish a version: the anonymisation scan runs first, then approval is checked.
    ---
    post:
      summary: Publish a version
      parameters:
        - ReviewId
        - {name: version, in: path, required: true, schema: {type: integer}}
      responses:
        200: {description: The published version}
        409: {description: 'hits (text, kind, location, context), or reason approval_required,
          or reason withdrawn (a withdrawn version is never published again)'}
    """
    item = _version(version)
    try:
        service.publish_report(
            session=db(), review=review_access().review, version=item, user=current_user
        )
    except service.PublicationBlockedError as error:
        body = {"message": error.message, "errors": [], "reason": "identifying_text"}
        return jsonify(body | {"hits": hits_for_reader(error.hits)}), 409
    except service.ApprovalRequiredError as error:
        return jsonify({"message": error.message, "errors": [], "reason": "approval_required"}), 409
    except service.VersionWithdrawnError as error:
        return jsonify({"message": error.message, "errors": [], "reason": "withdrawn"}), 409
    except ServiceError as error:
        return jsonify({"message": error.message, "errors": [], "reason": "not_ready"}), 409
    return jsonify(_resource(item))


@bp.route("/reviews/<int:review_id>/reports/<int:version>/withdraw", methods=["POST"])
def withdraw_report(review_id: int, version: int) -> ResponseReturnValue:
    """Withdraw a published version from the public page (the chair, or a site administrator).
    ---
    post:
      summary: Withdraw a published version
      description: The version leaves the partnership's public page and its files answer 404
        to the public. The reason is required and kept (with who and when) in the review and
        the audit log. A withdrawn version can never be published again (publish answers
        409); generate a new version, which goes through the scan and a second person's
        approval.
      parameters:
        - ReviewId
        - {name: version, in: path, required: true, schema: {type: integer}}
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/WithdrawInput'}}}
      responses:
        200: {description: 'The version: withdrawn, withdrawn_at, withdrawn_by, withdrawal_reason'}
        409: {description: 'Refused: the version is not published, or already withdrawn'}
        422: Invalid
    """
    return jsonify(_resource(_with_reason(version, WITHDRAW_INPUT, service.withdraw_report)))


def _with_reason(version: int, schema: dict[str, Any], change: Callable[..., Any]) -> ReportVersion:
    """A change to a version that needs a reason (deleting a draft, withdrawing a
    publication): 422 for the reason, 409 for a refusal; the version once made."""
    data = validated_body(schema)
    item = _version(version)
    try:
        change(
            session=db(),
            review=review_access().review,
            version=item,
            user=current_user,
            reason=data["reason"],
        )
    except ServiceError as error:
        raise ApiError(422 if error.field == "reason" else 409, error.message) from None
    return item
