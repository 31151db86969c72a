"""Reading the chronology beyond its filtered event list (``app/event_queries.py``): an event's
history and comments, the accounts that speak of it, the factors linked to it, the deleted
events and events picked by ref."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Account, Event, EventComment, EventVersion, Factor, Review


def deleted_events(session: Session, review: Review) -> list[Event]:
    """The review's deleted events, the latest deleted first (merged-away ones are left out:
    their merge is undone from the event they went into)."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.review_id == review.id,
                Event.deleted_at.is_not(None),
                Event.merged_into_id.is_(None),
            )
            .order_by(Event.deleted_at.desc())
        )
    )


def events_by_ref(session: Session, review: Review, refs: Iterable[str]) -> dict[str, Event]:
    """The review's events among ``refs`` (deleted ones too), by ref."""
    return {
        event.ref: event
        for event in session.scalars(
            select(Event).where(Event.review_id == review.id, Event.ref.in_(list(refs)))
        )
    }


def versions_of(session: Session, event: Event) -> list[EventVersion]:
    """The event's versions, oldest first: its history."""
    return list(
        session.scalars(
            select(EventVersion).where(EventVersion.event_id == event.id).order_by(EventVersion.id)
        )
    )


def comments_on(session: Session, event: Event) -> list[EventComment]:
    """The comments on the event, oldest first."""
    return list(
        session.scalars(
            select(EventComment).where(EventComment.event_id == event.id).order_by(EventComment.id)
        )
    )


def accounts_about(session: Session, review: Review, event: Event) -> list[Account]:
    """The practitioner and family accounts of the review that speak of the event."""
    return list(
        session.scalars(
            select(Account).where(
                Account.review_id == review.id, Account.events.any(Event.id == event.id)
            )
        )
    )


def factor_labels(session: Session, review: Review, refs: Iterable[str]) -> dict[str, str]:
    """The labels of the review's factors among ``refs``, by ref."""
    return {
        factor.ref: factor.label
        for factor in session.scalars(
            select(Factor).where(Factor.review_id == review.id, Factor.ref.in_(list(refs)))
        )
    }


def has_factors(session: Session, review: Review) -> bool:
    """Whether the review has any factor yet (one row read, not all)."""
    first = session.scalar(select(Factor.id).where(Factor.review_id == review.id).limit(1))
    return first is not None
