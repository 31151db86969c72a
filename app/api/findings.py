"""API for findings (with the board's responses) and actions, by ref, in the bundle's
vocabulary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.api import bp
from app.api.helpers import ApiError
from app.api.resources import Resource, collection, found_or_404, member
from app.db import db
from app.policy import may
from app.services import findings as service
from models import Action, Finding, Review


def _responses_allowed(data: dict[str, Any]) -> dict[str, Any]:
    """``data``, unless it holds the board's responses and the role may not record them."""
    # Only the board (or the chair for it) records the board's responses.
    if data.get("board_responses") and not may("board.respond"):
        raise ApiError(403, "Only the board records its responses to the questions")
    return data


def _actions(session: Session, review: Review) -> Sequence[Action]:
    """The review's actions; with ?overdue=1, only open actions past their due date."""
    if request.args.get("overdue") in ("1", "true", "yes"):
        return service.overdue_actions(session, [review.id])
    return service.review_actions(session, review)


FINDINGS = Resource[Finding](
    section="findings",
    label="finding",
    find=service.finding_by_ref,
    items=service.review_findings,
    item=service.finding_item,
    create=lambda session, review, data: service.create_finding(
        session=session, review=review, **_responses_allowed(data)
    ),
    update=lambda session, finding, version, data: service.update_finding(
        session=session, finding=finding, expected_version=version, **_responses_allowed(data)
    ),
    delete=lambda session, review, finding: service.delete_finding(
        session=session, review=review, finding=finding
    ),
    warnings="finding",
)
ACTIONS = Resource[Action](
    section="actions",
    label="action",
    find=service.action_by_ref,
    items=_actions,
    item=service.action_item,
    create=lambda session, review, data: service.create_action(
        session=session, review=review, **data
    ),
    update=lambda session, action, version, data: service.update_action(
        session=session, action=action, expected_version=version, **data
    ),
    delete=lambda session, review, action: service.delete_action(
        session=session, review=review, action=action
    ),
)


@bp.route("/reviews/<int:review_id>/findings", methods=["GET", "POST"])
def findings(review_id: int) -> ResponseReturnValue:
    """Findings with their questions for the board and its responses (bundle 'findings').
    ---
    get:
      summary: List findings
      parameters: [ReviewId]
      responses:
        200: {description: 'items: findings, in report order'}
    post:
      summary: Write a finding
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Finding'}}}
      responses:
        201: {description: The finding, with its ETag}
        422: Invalid
    """
    return collection(FINDINGS)


@bp.route("/reviews/<int:review_id>/findings/<ref>", methods=["GET", "PATCH", "DELETE"])
def finding(review_id: int, ref: str) -> ResponseReturnValue:
    """One finding, by ref.
    ---
    get:
      summary: Read a finding
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The finding, with its ETag}
    patch:
      summary: Change a finding
      parameters: [ReviewId, Ref, IfMatch]
      responses:
        200: {description: The finding, with its new ETag}
        412: Stale
        428: VersionNeeded
    delete:
      summary: Delete a finding, its actions and the board's responses
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Deleted}
    """
    return member(FINDINGS, ref)


BOARD_RESPONSE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["question", "response"],
    "properties": {
        "question": {"type": "string"},
        "response": {"type": "string"},
        "responded_on": {"type": "string", "format": "date", "nullable": True},
    },
}
SCHEMAS = {"BoardResponseInput": BOARD_RESPONSE_INPUT}


@bp.route("/reviews/<int:review_id>/findings/<ref>/board-responses", methods=["GET", "PUT"])
def board_responses(review_id: int, ref: str) -> ResponseReturnValue:
    """The board's responses to a finding's questions.
    ---
    get:
      summary: Read the board's responses
      parameters: [ReviewId, Ref]
      responses:
        200: {description: 'items: {question, response, responded_on}'}
    put:
      summary: Record the board's responses (the shape GET returns, or one response)
      description: Send {"items":[{question, response, responded_on}]}, the shape GET
        returns, or a single {question, response, responded_on}. Each response replaces the
        earlier response to its question; questions not listed keep theirs. All or nothing.
      parameters: [ReviewId, Ref]
      requestBody:
        content:
          application/json:
            schema:
              oneOf:
                - type: object
                  required: [items]
                  additionalProperties: false
                  properties:
                    items:
                      type: array
                      items: {$ref: '#/components/schemas/BoardResponseInput'}
                    next_cursor: {nullable: true}
                - {$ref: '#/components/schemas/BoardResponseInput'}
      responses:
        200: {description: 'items: every response to the finding'}
        422: Invalid
    """
    item = found_or_404(FINDINGS, ref)
    if request.method == "PUT":
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, "Send a JSON object with Content-Type: application/json")
        if "items" in data:
            unknown = set(data) - {"items", "next_cursor"}
            responses = data["items"]
            if not isinstance(responses, list):
                raise ApiError(422, "items is a list of {question, response, responded_on}")
        else:
            unknown, responses = set(), [data]
        if unknown:
            raise ApiError(422, f"Unknown fields: {', '.join(sorted(unknown))}")
        for number, response in enumerate(responses):
            where = f"items[{number}]: " if "items" in data else ""
            if not isinstance(response, dict):
                raise ApiError(422, f"{where}each response is an object")
            extra = set(response) - set(BOARD_RESPONSE_INPUT["properties"])
            if extra:
                raise ApiError(422, f"{where}Unknown fields: {', '.join(sorted(extra))}")
            service.record_board_response(
                session=db(),
                finding=item,
                question=str(response.get("question") or ""),
                response=str(response.get("response") or ""),
                responded_on=service.parse_date(response.get("responded_on"), "responded_on"),
            )
    return jsonify(
        {"items": service.finding_item(item).get("board_responses", []), "next_cursor": None}
    )


@bp.route("/reviews/<int:review_id>/actions", methods=["GET", "POST"])
def actions(review_id: int) -> ResponseReturnValue:
    """Actions answering the findings (bundle 'actions' items).
    ---
    get:
      summary: List actions
      parameters:
        - ReviewId
        - name: overdue
          in: query
          schema: {type: boolean}
          description: only open actions past their due date
      responses:
        200: {description: 'items: actions'}
    post:
      summary: Add an action
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Action'}}}
      responses:
        201: {description: The action, with its ETag}
        422: Invalid
    """
    return collection(ACTIONS)


@bp.route("/reviews/<int:review_id>/actions/<ref>", methods=["GET", "PATCH", "DELETE"])
def action(review_id: int, ref: str) -> ResponseReturnValue:
    """One action, by ref.
    ---
    get:
      summary: Read an action
      parameters: [ReviewId, Ref]
      responses:
        200: {description: The action, with its ETag}
    patch:
      summary: Change an action (status moves forward, or to dropped with a reason)
      parameters: [ReviewId, Ref, IfMatch]
      responses:
        200: {description: The action, with its new ETag}
        412: Stale
        428: VersionNeeded
    delete:
      summary: Delete an action
      parameters: [ReviewId, Ref]
      responses:
        204: {description: Deleted}
    """
    return member(ACTIONS, ref)
