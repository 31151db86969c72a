"""Good practice beside problems on a review's overview: how its chronology is appraised, its
entries, and those the anonymisation scan would hold back from sharing until fixed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.good_practice.entries import review_good_practice
from app.services.good_practice.sharing import scan_entry
from models import Event, GoodPractice, Review


def appraisal_counts(session: Session, review: Review) -> dict[str, int]:
    """How many of the review's events (deleted ones left out) have each appraisal."""
    return {
        appraisal: int(count)
        for appraisal, count in session.execute(
            select(Event.appraisal, func.count())
            .where(Event.review_id == review.id, Event.deleted_at.is_(None))
            .group_by(Event.appraisal)
        ).all()
    }


@dataclass(frozen=True)
class Balance:
    """Good practice beside problems, for a review's overview."""

    entries: list[GoodPractice]
    good_events: int
    problematic_events: int
    # Entries in which the anonymisation scan finds something, with how many things: the
    # briefing removes them, and they need fixing at source.
    to_fix: list[tuple[GoodPractice, int]]


def review_balance(session: Session, review: Review) -> Balance:
    counts = appraisal_counts(session, review)
    entries = review_good_practice(session, review)
    found = ((entry, len(scan_entry(session, entry))) for entry in entries)
    return Balance(
        entries=entries,
        good_events=counts.get("good_practice", 0),
        problematic_events=counts.get("problematic", 0),
        to_fix=[(entry, count) for entry, count in found if count],
    )
