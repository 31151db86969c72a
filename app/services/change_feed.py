"""The change feed: what changed in a review since a cursor (an audit entry's ``seq``), for
the pages' live updates, with the events and people it names."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, Event, Review, User

#: The audit actions that are changes a reader of the review wants to hear about.
CHANGE_ACTIONS = (
    "create",
    "update",
    "delete",
    "import_chronology",
    "undo_chronology_import",
    "restore_chronology_import",
)


def latest_seq(session: Session) -> int:
    """The audit log's latest ``seq`` (0 when it is empty): a cursor for "from now on"."""
    return session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0


def changes_since(
    session: Session, review: Review, since: int, limit: int = 100
) -> list[AuditEntry]:
    """Up to ``limit`` changes to ``review`` after the cursor ``since``, oldest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.review_id == review.id,
                AuditEntry.seq > since,
                AuditEntry.action.in_(CHANGE_ACTIONS),
            )
            .order_by(AuditEntry.seq)
            .limit(limit)
        )
    )


def event_refs(session: Session, event_ids: Iterable[int]) -> dict[int, str]:
    """The refs of the events with ``event_ids``, by id (none read when there are none)."""
    wanted = list(event_ids)
    if not wanted:
        return {}
    rows = session.execute(select(Event.id, Event.ref).where(Event.id.in_(wanted)))
    return {row.id: row.ref for row in rows}


def user_names(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """The names (never the email addresses) of the users with ``user_ids``, by id."""
    wanted = list(user_ids)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    return {row.id: row.name for row in rows}
