"""Retention: a partnership keeps a closed review's case data for its rule's number of years,
then it is purged (UK GDPR storage limitation for special-category data about children).

The purge removes the case data — chronology, accounts, factors and links, the people
register, workshops, family feedback, report drafts and narratives, unshared good-practice
entries — and keeps the review's outline, its members and agencies, its findings, board
responses and actions, its published reports and the entries of the good-practice register that
were shared. Rows are deleted in bulk, past the audit listener (whose "delete" entries would
copy the case data into the log); one entry records what was removed, and the review's audit
key is destroyed so its restricted values in the log can no longer be read. The chain verifies
as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from app.services.errors import ServiceError
from models import (
    Account,
    ChronologyImport,
    Event,
    EventComment,
    EventVersion,
    Factor,
    FactorEvidence,
    FeedbackRecord,
    GoodPractice,
    ItemRef,
    KeyPracticeEpisode,
    Link,
    Participant,
    Partnership,
    Person,
    Proposal,
    ReportNarrative,
    ReportVersion,
    Review,
    Vote,
    Workshop,
    WorkshopNote,
    account_events,
    audit,
    event_people,
    finding_factors,
    good_practice_events,
    good_practice_factors,
    utcnow,
)
from models.audit.sealing import destroy_review_key
from models.base import table_of


@dataclass(frozen=True)
class DueReview:
    """A closed review whose case data the partnership's rule says should now go."""

    review: Review
    partnership: Partnership
    closed_at: datetime
    due_at: datetime
    counts: dict[str, int]


def _years_after(moment: datetime, years: int) -> datetime:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February, in a year that has none
        return moment.replace(year=moment.year + years, day=28)


def _in_review(model: Any, review_id: int) -> Any:
    return model.review_id == review_id


def _case_data(review_id: int) -> list[tuple[str, Any, Any]]:
    """(label, table or model, which rows) of the review's case data, children first."""
    events = select(Event.id).where(Event.review_id == review_id)
    factors = select(Factor.id).where(Factor.review_id == review_id)
    accounts = select(Account.id).where(Account.review_id == review_id)
    gp_of_review = select(GoodPractice.id).where(GoodPractice.review_id == review_id)
    return [
        ("workshop votes", Vote, _in_review(Vote, review_id)),
        ("workshop notes", WorkshopNote, _in_review(WorkshopNote, review_id)),
        ("workshop proposals", Proposal, _in_review(Proposal, review_id)),
        ("workshop participants", Participant, _in_review(Participant, review_id)),
        ("workshops", Workshop, _in_review(Workshop, review_id)),
        (
            "good-practice links",
            good_practice_events,
            good_practice_events.c.good_practice_id.in_(gp_of_review),
        ),
        (
            "good-practice links",
            good_practice_factors,
            good_practice_factors.c.good_practice_id.in_(gp_of_review),
        ),
        (
            "unshared good-practice entries",
            GoodPractice,
            and_(GoodPractice.review_id == review_id, GoodPractice.share_status != "shared"),
        ),
        ("family feedback", FeedbackRecord, _in_review(FeedbackRecord, review_id)),
        ("finding-factor links", finding_factors, finding_factors.c.factor_id.in_(factors)),
        ("report narrative", ReportNarrative, _in_review(ReportNarrative, review_id)),
        (
            "report drafts",
            ReportVersion,
            and_(
                ReportVersion.review_id == review_id,
                or_(ReportVersion.published_at.is_(None), ReportVersion.withdrawn_at.is_not(None)),
            ),
        ),
        ("links", Link, _in_review(Link, review_id)),
        ("factor evidence", FactorEvidence, _in_review(FactorEvidence, review_id)),
        ("factors", Factor, _in_review(Factor, review_id)),
        ("account-event links", account_events, account_events.c.account_id.in_(accounts)),
        ("accounts", Account, _in_review(Account, review_id)),
        ("event-people links", event_people, event_people.c.event_id.in_(events)),
        ("event comments", EventComment, _in_review(EventComment, review_id)),
        ("event versions", EventVersion, EventVersion.event_id.in_(events)),
        ("events", Event, _in_review(Event, review_id)),
        ("key practice episodes", KeyPracticeEpisode, _in_review(KeyPracticeEpisode, review_id)),
        ("chronology imports", ChronologyImport, _in_review(ChronologyImport, review_id)),
        ("item refs", ItemRef, _in_review(ItemRef, review_id)),
        ("people (register)", Person, _in_review(Person, review_id)),
    ]


def _table_of(target: Any) -> Table:
    return target if isinstance(target, Table) else table_of(target)


def case_data_counts(session: Session, review_id: int) -> dict[str, int]:
    """How many rows of each kind of case data the review holds."""
    counts: dict[str, int] = {}
    for label, target, condition in _case_data(review_id):
        table = _table_of(target)
        count = session.scalar(select(func.count()).select_from(table).where(condition)) or 0
        counts[label] = counts.get(label, 0) + count
    return counts


def closed_reviews(
    session: Session, partnership: Partnership
) -> list[tuple[Review, datetime | None]]:
    """The partnership's closed reviews whose case data is still kept, with the moment it is
    due to go under the current rule (None: no rule)."""
    reviews = session.scalars(
        select(Review)
        .where(
            Review.partnership_id == partnership.id,
            Review.closed_at.is_not(None),
            Review.purged_at.is_(None),
        )
        .order_by(Review.closed_at, Review.id)
    ).all()
    years = partnership.retention_years
    return [
        (r, _years_after(r.closed_at, years) if r.closed_at and years else None) for r in reviews
    ]


def due_reviews(
    session: Session, now: datetime | None = None, partnership_id: int | None = None
) -> list[DueReview]:
    """Closed, not yet purged reviews past their partnership's retention period."""
    now = now or utcnow()
    statement = (
        select(Review, Partnership)
        .join(Partnership, Partnership.id == Review.partnership_id)
        .where(
            Partnership.retention_years.is_not(None),
            Review.closed_at.is_not(None),
            Review.purged_at.is_(None),
        )
        .order_by(Review.id)
    )
    if partnership_id is not None:
        statement = statement.where(Partnership.id == partnership_id)
    rows = session.execute(statement).all()
    due = []
    for review, partnership in rows:
        closed_at, years = review.closed_at, partnership.retention_years
        if closed_at is None or years is None:  # excluded by the query; narrows the types
            continue
        due_at = _years_after(closed_at, years)
        if due_at <= now:
            counts = case_data_counts(session, review.id)
            due.append(DueReview(review, partnership, closed_at, due_at, counts))
    return due


def purge_review(session: Session, review: Review) -> dict[str, int]:
    """Remove the review's case data and destroy its audit key; returns what was removed."""
    removed: dict[str, int] = {}
    for label, target, condition in _case_data(review.id):
        table = _table_of(target)
        result: Any = session.execute(
            delete(table).where(condition), execution_options={"synchronize_session": False}
        )
        removed[label] = removed.get(label, 0) + int(result.rowcount or 0)
    key_destroyed = destroy_review_key(session, review.id)
    review.purged_at = utcnow()
    session.flush()
    audit.record(
        session,
        "retention_purge",
        entity_type="reviews",
        entity_id=str(review.id),
        review_id=review.id,
        after={"removed": removed, "audit_key_destroyed": key_destroyed},
    )
    session.expire_all()  # the identity map may still hold rows that were deleted
    return removed


def set_retention(session: Session, partnership: Partnership, years: int | None) -> None:
    """Set (or clear, with None) how many years a closed review's case data is kept."""
    if years is not None and not 1 <= years <= 100:
        raise ServiceError("Keep case data between 1 and 100 years", "years")
    partnership.retention_years = years
    session.flush()
