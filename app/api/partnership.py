"""The partnership's view in the API: every review's statutory clocks, the action tracker and
the recurring patterns. For the business manager and the chairs and board members of the
partnership's reviews; text of the shared learning is pseudonymised."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from analysis.dates import uk_today
from analysis.findings import ACTION_STATUSES, ACTION_STRENGTHS
from analysis.milestones import DEFAULT_INTERVALS, intervals_from
from app.api import bp
from app.api.helpers import ApiError, validated_body
from app.db import db
from app.policy import review_access
from app.reader import reader_text
from app.services import partnership as service
from app.services import recurring as recurring_service
from models import Partnership


@bp.route("/partnership/reviews")
def partnership_reviews() -> ResponseReturnValue:
    """Every review of the partnership with its statutory clocks, overdue first.
    ---
    get:
      summary: The partnership's reviews and their statutory milestones
      responses:
        200:
          description: 'items: {id, title, stage, milestones: [{key, label, due_on, done_on,
            status}], counts}'
        403: {description: Not the business manager, nor a chair or board member of a review}
    """
    clocks = service.review_clocks(db(), current_user.partnership_id, uk_today())
    return jsonify({"items": [service.clock_item(c) for c in clocks], "next_cursor": None})


def _tracker_filters() -> service.TrackerFilters:
    args = request.args
    review = args.get("review")
    if review is not None and not review.isdigit():
        raise ApiError(400, "review is a review's id")
    status, strength, sort = (
        args.get("status", ""),
        args.get("strength", ""),
        args.get("sort", "due"),
    )
    if status and status not in ACTION_STATUSES:
        raise ApiError(400, f"status is one of {', '.join(ACTION_STATUSES)}")
    if strength and strength not in ACTION_STRENGTHS:
        raise ApiError(400, f"strength is one of {', '.join(ACTION_STRENGTHS)}")
    if sort not in service.TRACKER_SORTS:
        raise ApiError(400, f"sort is one of {', '.join(service.TRACKER_SORTS)}")
    return service.TrackerFilters(
        review=int(review) if review else None,
        agency=args.get("agency", ""),
        status=status,
        strength=strength,
        overdue=args.get("overdue") in ("1", "true"),
        sort=sort,
    )


@bp.route("/partnership/actions")
def partnership_actions() -> ResponseReturnValue:
    """One tracker of the actions of every review of the partnership.
    ---
    get:
      summary: The partnership's actions, filtered and sorted
      parameters:
        - {in: query, name: review, schema: {type: integer}}
        - {in: query, name: agency, schema: {type: string}}
        - {in: query, name: status, schema: {type: string}}
        - {in: query, name: strength, schema: {type: string}}
        - {in: query, name: overdue, schema: {type: string, enum: ['1']}}
        - in: query
          name: sort
          schema: {type: string, enum: [due, review, agency, status, rag, strength]}
      responses:
        200: {description: 'items: actions, each with review (its id), ref and earlier_due_dates'}
    """
    rows = service.tracker_rows(db(), current_user.partnership_id, _tracker_filters(), uk_today())
    return jsonify({"items": [service.tracker_item(r) for r in rows], "next_cursor": None})


@bp.route("/partnership/actions.csv")
def partnership_actions_csv() -> ResponseReturnValue:
    """The tracker as CSV (cells cannot run as formulas).
    ---
    get:
      summary: The partnership's actions as CSV
      responses:
        200: {description: CSV}
    """
    rows = service.tracker_rows(db(), current_user.partnership_id, _tracker_filters(), uk_today())
    return Response(
        service.tracker_export(rows, "csv", reader_text()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="actions.csv"'},
    )


@bp.route("/partnership/recurring")
def partnership_recurring() -> ResponseReturnValue:
    """Recurring patterns across the partnership's reviews (pseudonymised labels).
    ---
    get:
      summary: Patterns of active failures and latent conditions across reviews
      parameters:
        - {in: query, name: min_reviews, schema: {type: integer, minimum: 1}}
      responses:
        200:
          description: 'items: {label, reviews: [ids], factors: [{review, ref, label}],
            first_seen, last_seen, levels, actions, stubborn, panel_themes}'
    """
    minimum = request.args.get("min_reviews", "1")
    if not minimum.isdigit() or int(minimum) < 1:
        raise ApiError(400, "min_reviews is a whole number of at least 1")
    patterns, _reviews = recurring_service.partnership_patterns(db(), current_user.partnership_id)
    items = [recurring_service.pattern_item(p) for p in patterns if len(p.reviews) >= int(minimum)]
    return jsonify({"items": items, "next_cursor": None})


MILESTONES_BODY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["milestones"],
    "properties": {
        "milestones": {
            "type": "object",
            "additionalProperties": {"type": ["string", "null"], "format": "date"},
        }
    },
}


@bp.route("/partnership/reviews/<int:review_id>", methods=["PATCH"])
def partnership_review(review_id: int) -> ResponseReturnValue:
    """Record the statutory milestones a review has met (its chair, or the business manager,
    who need not be a member).
    ---
    patch:
      summary: Record milestones met
      parameters: [ReviewId]
      requestBody:
        description: '{"milestones": {key: date or null}}; a date cannot be in the future'
        content: {application/json: {schema: {type: object}}}
      responses:
        200: {description: 'The review with its milestones, as in the list'}
        422: Invalid
    """
    review = review_access().review
    data = validated_body(MILESTONES_BODY)
    service.record_milestones(
        session=db(),
        review=review,
        recorder=current_user,
        milestones={k: date.fromisoformat(v) if v else None for k, v in data["milestones"].items()},
    )
    clock = next(
        c
        for c in service.review_clocks(db(), current_user.partnership_id, uk_today())
        if c.review.id == review.id
    )
    return jsonify(service.clock_item(clock))


SETTINGS_BODY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        key: {"type": "integer", "minimum": 0, "maximum": 366} for key in DEFAULT_INTERVALS
    },
}


@bp.route("/partnership/settings", methods=["GET", "PATCH"])
def partnership_settings() -> ResponseReturnValue:
    """The partnership's statutory clock intervals (guidance changes); the business manager
    changes them.
    ---
    get:
      summary: The intervals in force
      responses:
        200: {description: 'intervals: {name: number}'}
    patch:
      summary: Change intervals
      requestBody:
        description: '{name: whole number}, names as GET gives them'
        content: {application/json: {schema: {type: object}}}
      responses:
        200: {description: The intervals now in force}
        422: Invalid
    """
    if request.method == "PATCH":
        service.update_intervals(
            session=db(),
            partnership_id=current_user.partnership_id,
            values=validated_body(SETTINGS_BODY),
        )
    partnership = db().get_one(Partnership, current_user.partnership_id)
    return jsonify({"intervals": intervals_from(partnership.settings)})
