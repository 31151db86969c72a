"""The statutory clocks of the partnership's reviews: each review's milestones as recorded and
as due (in the partnership's intervals), recording them, changing the intervals, and every
review's clocks with its counts, overdue first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.dates import uk_date, uk_today
from analysis.findings import is_overdue
from analysis.milestones import (
    DEFAULT_INTERVALS,
    MILESTONE_LABELS,
    Milestone,
    intervals_from,
    review_milestones,
)
from app.services.errors import ServiceError
from app.services.findings import not_in_future
from app.services.partnership.reviews import partnership_review_list
from models import Action, Factor, Finding, Partnership, Review, ReviewMilestone, User


def milestones_of(
    session: Session, review: Review, today: date, intervals: Mapping[str, int] | None = None
) -> list[Milestone]:
    """The review's statutory milestones, as recorded and as due."""
    done = {
        m.key: m.done_on
        for m in session.scalars(
            select(ReviewMilestone).where(ReviewMilestone.review_id == review.id)
        )
    }
    if intervals is None:
        intervals = intervals_from(session.get_one(Partnership, review.partnership_id).settings)
    return review_milestones(review.incident_known_on, done, today, intervals)


def record_milestones(
    *,
    session: Session,
    review: Review,
    recorder: User | None,
    milestones: Mapping[str, date | None],
    today: date | None = None,
) -> None:
    """Record the day each milestone was met (None clears it). All or nothing: an unknown
    key or a date in the future changes nothing. Each change is in the audit log."""
    today = today or uk_today()
    for key, day in milestones.items():
        if key not in MILESTONE_LABELS:
            raise ServiceError(f"There is no milestone '{key}'", "milestones")
        not_in_future(day, f"milestones.{key}", today)
        if day is not None and review.incident_known_on and day < review.incident_known_on:
            raise ServiceError(
                f"{MILESTONE_LABELS[key]}: the date cannot be before the partnership became "
                f"aware of the incident ({uk_date(review.incident_known_on)})",
                f"milestones.{key}",
            )
    existing = {
        m.key: m
        for m in session.scalars(
            select(ReviewMilestone).where(ReviewMilestone.review_id == review.id)
        )
    }
    for key, day in milestones.items():
        row = existing.get(key)
        if day is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                ReviewMilestone(
                    review_id=review.id,
                    key=key,
                    done_on=day,
                    recorded_by_id=recorder.id if recorder else None,
                )
            )
        elif row.done_on != day:
            row.done_on = day
            row.recorded_by_id = recorder.id if recorder else None
    session.flush()


def update_intervals(*, session: Session, partnership_id: int, values: Mapping[str, int]) -> None:
    """Change the partnership's statutory clock intervals (whole numbers, audited)."""
    partnership = session.get_one(Partnership, partnership_id)
    settings = dict(partnership.settings or {})
    for key, value in values.items():
        if key not in DEFAULT_INTERVALS:
            raise ServiceError(f"There is no interval '{key}'", key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 366:
            raise ServiceError("An interval is a whole number from 0 to 366", key)
        settings[key] = value
    partnership.settings = settings
    session.flush()


@dataclass
class ReviewClock:
    review: Review
    milestones: list[Milestone]
    counts: dict[str, int]

    @property
    def overdue(self) -> list[Milestone]:
        return [m for m in self.milestones if m.status == "overdue"]

    @property
    def next_due(self) -> Milestone | None:
        due = [m for m in self.milestones if m.status == "due" and m.due_on]
        return min(due, key=lambda m: m.due_on or date.max) if due else None


def review_clocks(session: Session, partnership_id: int, today: date) -> list[ReviewClock]:
    """Every review of the partnership with its clocks and counts: reviews with an overdue
    milestone first (the longest overdue first), then by the next date due."""
    reviews = partnership_review_list(session, partnership_id)
    intervals = intervals_from(session.get_one(Partnership, partnership_id).settings)
    ids = [r.id for r in reviews]
    counts: dict[str, dict[int, int]] = {
        "factors": _counts(session, Factor, ids),
        "findings": _counts(session, Finding, ids),
        "actions": _counts(session, Action, ids),
    }
    overdue_actions: dict[int, int] = defaultdict(int)
    for action in session.scalars(select(Action).where(Action.review_id.in_(ids))):
        if is_overdue(action.due, action.status, today):
            overdue_actions[action.review_id] += 1
    clocks = [
        ReviewClock(
            review=r,
            milestones=milestones_of(session, r, today, intervals),
            counts={
                **{name: values.get(r.id, 0) for name, values in counts.items()},
                "overdue_actions": overdue_actions.get(r.id, 0),
            },
        )
        for r in reviews
    ]

    def order(clock: ReviewClock) -> tuple[int, date, int]:
        if clock.overdue:
            return (0, min(m.due_on or date.max for m in clock.overdue), clock.review.id)
        upcoming = clock.next_due
        return (1, upcoming.due_on if upcoming and upcoming.due_on else date.max, clock.review.id)

    return sorted(clocks, key=order)


def _counts(session: Session, model: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(model.review_id, func.count())
        .where(model.review_id.in_(ids))
        .group_by(model.review_id)
    )
    return {review_id: count for review_id, count in rows}


def milestone_item(milestone: Milestone) -> dict[str, Any]:
    return {
        "key": milestone.key,
        "label": milestone.label,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
        "done_on": milestone.done_on.isoformat() if milestone.done_on else None,
        "status": milestone.status,
    }


def clock_item(clock: ReviewClock) -> dict[str, Any]:
    review = clock.review
    return {
        "id": review.id,
        "title": review.title,
        "subject": review.subject,
        "review_type": review.review_type,
        "stage": review.stage,
        "incident_known_on": review.incident_known_on.isoformat()
        if review.incident_known_on
        else None,
        "milestones": [milestone_item(m) for m in clock.milestones],
        "counts": clock.counts,
    }
