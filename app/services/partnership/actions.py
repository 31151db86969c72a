"""Tracking one action: its named lead, success measure and owner, its dated progress notes
(whose RAG status becomes the action's) and its due date, whose earlier values are kept."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.dates import uk_date, uk_today
from app.services.errors import ServiceError
from app.services.findings import clean_text, not_in_future
from app.services.partnership.tracker import RAG_LABELS, tracker_agencies
from models import Action, ActionDueChange, ActionProgressNote, Agency, Review, User


def update_tracking(
    *,
    session: Session,
    action: Action,
    partnership_id: int,
    lead: str | None = None,
    success_measure: str | None = None,
    owner: str | None = None,
) -> Action:
    """Set an action's named lead, success measure and owner. The owner is an agency of the
    review, or any agency of the partnership's directory (matched by name)."""
    if lead is not None:
        lead = " ".join(clean_text(lead).split())
        if len(lead) > 200:
            raise ServiceError("The lead's name must be 200 characters or fewer", "lead")
        action.lead = lead
    if success_measure is not None:
        action.success_measure = clean_text(success_measure).strip()
    if owner is not None:
        set_owner(session, action, partnership_id, owner)
    session.flush()
    return action


def set_owner(session: Session, action: Action, partnership_id: int, name: str) -> None:
    name = " ".join(name.split())
    if not name:
        action.owner_agency = None
        action.owner_directory_agency = None
        return
    key = name.casefold()
    review = session.get_one(Review, action.review_id)
    own = next((a for a in review.agencies if a.name.casefold() == key), None)
    if own is not None:
        action.owner_agency, action.owner_directory_agency = own, None
        return
    directory = session.scalar(
        select(Agency).where(
            Agency.partnership_id == partnership_id, func.lower(Agency.name) == key
        )
    )
    if directory is None:
        raise ServiceError(
            f"There is no agency '{name[:60]}' in the partnership's directory", "owner"
        )
    action.owner_agency, action.owner_directory_agency = None, directory


def add_progress_note(
    *,
    session: Session,
    action: Action,
    author: User | None,
    note: str,
    rag: str | None,
    noted_on: date | None = None,
    today: date | None = None,
) -> ActionProgressNote:
    """A dated progress note; its RAG status becomes the action's."""
    today = today or uk_today()
    text = clean_text(note).strip()
    if not text:
        raise ServiceError("Write what has happened", "note")
    if rag and rag not in RAG_LABELS:
        raise ServiceError("Choose red, amber or green", "rag")
    noted_on = not_in_future(noted_on, "noted_on", today) or today
    entry = ActionProgressNote(
        action_id=action.id,
        review_id=action.review_id,
        noted_on=noted_on,
        note=text,
        rag=rag or None,
        author_id=author.id if author else None,
    )
    session.add(entry)
    if rag:
        action.rag = rag
    session.flush()
    return entry


def move_due_date(
    *, session: Session, action: Action, user: User | None, due: date | None
) -> Action:
    """Change an action's due date, keeping the old one in its history. ``None`` removes it
    (an explicit choice). Raises ``ServiceError`` for a date before the review's incident."""
    if due == action.due:
        return action
    review = session.get_one(Review, action.review_id)
    if due is not None and review.incident_known_on is not None and due < review.incident_known_on:
        raise ServiceError(
            f"The due date cannot be before the incident ({uk_date(review.incident_known_on)})",
            "due",
        )
    session.add(
        ActionDueChange(
            action_id=action.id,
            review_id=action.review_id,
            old_due=action.due,
            new_due=due,
            changed_by_id=user.id if user else None,
        )
    )
    action.due = due
    session.flush()
    return action


def owner_choices(session: Session, review: Review) -> list[str]:
    """Who may own an action of ``review``: its agencies and every agency of the directory."""
    names = {a.name for a in review.agencies}
    names.update(tracker_agencies(session, review.partnership_id))
    return sorted(names, key=str.casefold)
