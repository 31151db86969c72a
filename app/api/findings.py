"""API for findings (with the board's responses) and actions, by ref, in the bundle's
vocabulary."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.helpers import ApiError, expected_version, json_body, with_etag, with_save_warnings
from app.db import db
from app.policy import may, review_access
from app.services import findings as service


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
    review = review_access().review
    if request.method == "POST":
        data = json_body("findings", creating=True)
        _check_responses_allowed(data)
        finding = service.create_finding(session=db(), review=review, **data)
        return with_etag(
            with_save_warnings(service.finding_item(finding), finding, "finding"),
            finding.version,
            201,
        )
    items = [service.finding_item(f) for f in service.review_findings(db(), review)]
    return jsonify({"items": items, "next_cursor": None})


def _check_responses_allowed(data: dict[str, Any]) -> None:
    # Only the board (or the chair for it) records the board's responses.
    if data.get("board_responses") and not may("board.respond"):
        raise ApiError(403, "Only the board records its responses to the questions")


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
    review = review_access().review
    item = service.finding_by_ref(db(), review, ref)
    if item is None:
        abort(404, f"No finding '{ref}' in this review")
    if request.method == "DELETE":
        service.delete_finding(session=db(), review=review, finding=item)
        return "", 204
    if request.method == "PATCH":
        version = expected_version()
        data = json_body("findings", creating=False)
        _check_responses_allowed(data)
        service.update_finding(session=db(), finding=item, expected_version=version, **data)
        return with_etag(
            with_save_warnings(service.finding_item(item), item, "finding"), item.version
        )
    return with_etag(service.finding_item(item), item.version)


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
    item = service.finding_by_ref(db(), review_access().review, ref)
    if item is None:
        abort(404, f"No finding '{ref}' in this review")
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
    review = review_access().review
    if request.method == "POST":
        data = json_body("actions", creating=True)
        action = service.create_action(session=db(), review=review, **data)
        return with_etag(service.action_item(action), action.version, 201)
    if request.args.get("overdue") in ("1", "true", "yes"):
        rows = service.overdue_actions(db(), [review.id])
    else:
        rows = service.review_actions(db(), review)
    return jsonify({"items": [service.action_item(a) for a in rows], "next_cursor": None})


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
    review = review_access().review
    item = service.action_by_ref(db(), review, ref)
    if item is None:
        abort(404, f"No action '{ref}' in this review")
    if request.method == "DELETE":
        service.delete_action(session=db(), review=review, action=item)
        return "", 204
    if request.method == "PATCH":
        version = expected_version()
        data = json_body("actions", creating=False)
        service.update_action(session=db(), action=item, expected_version=version, **data)
    return with_etag(service.action_item(item), item.version)
