"""API for the change feed: what changed in a review since a cursor, and who changed it (the
pages' live updates)."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.api import bp
from app.api.helpers import ApiError
from app.db import db
from app.policy import review_access
from app.security import MAX_DATABASE_ID
from app.services import change_feed
from models import AuditEntry

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
    latest = change_feed.latest_seq(db())
    if request.args.get("latest"):
        return jsonify({"items": [], "next_cursor": str(latest)})
    try:
        since = int(request.args.get("since", "0"))
    except ValueError:
        raise ApiError(400, "since must be a cursor this API gave out") from None
    since = max(0, min(since, MAX_DATABASE_ID))
    entries = change_feed.changes_since(db(), review, since)
    refs = change_feed.event_refs(
        db(),
        (int(e.entity_id) for e in entries if e.entity_type == "events" and e.entity_id.isdigit()),
    )
    # People by their names, not their email addresses.
    names = change_feed.user_names(db(), {e.actor_id for e in entries if e.actor_id is not None})

    def item(entry: AuditEntry) -> str:
        name = CHANGE_ITEMS.get(entry.entity_type, entry.entity_type)
        if entry.entity_type == "events" and entry.entity_id.isdigit():
            name += " " + refs.get(int(entry.entity_id), "")
        return name.strip()

    items = [
        {
            "seq": e.seq,
            "time": e.at.strftime("%H:%M"),
            "actor": (names.get(e.actor_id) if e.actor_id is not None else None)
            or e.actor.split(" (token")[0],
            "action": "import" if e.action == "import_chronology" else e.action,
            "item": item(e),
            "mine": e.actor_id == current_user.id,
        }
        for e in entries
    ]
    cursor = str(entries[-1].seq) if entries else str(max(since, 0))
    return jsonify({"items": items, "next_cursor": cursor})
