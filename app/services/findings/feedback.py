""" "You said, we did": what was fed back to practitioners, the family or others, what they
said and what the review did about it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.findings import FEEDBACK_AUDIENCES
from app.services.errors import ServiceError
from app.services.findings.findings import finding_by_ref
from app.services.findings.values import clean_text
from models import FeedbackRecord, Review


def create_feedback(
    *,
    session: Session,
    review: Review,
    audience: str,
    recipients: str,
    you_said: str,
    we_did: str,
    fed_back_on: date | None,
    finding: str | None = None,
) -> FeedbackRecord:
    if audience not in FEEDBACK_AUDIENCES:
        raise ServiceError("Choose who the feedback went to", "audience")
    recipients = " ".join(clean_text(recipients).split())
    you_said, we_did = clean_text(you_said), clean_text(we_did)
    if not recipients:
        raise ServiceError("Say to whom it was fed back (by role or pseudonym)", "recipients")
    if not (you_said or "").strip():
        raise ServiceError("Write what they said", "you_said")
    if not (we_did or "").strip():
        raise ServiceError("Write what was done about it", "we_did")
    if fed_back_on is None:
        raise ServiceError("Enter the date it was fed back", "fed_back_on")
    linked = finding_by_ref(session, review, finding) if finding else None
    if finding and linked is None:
        raise ServiceError(f"There is no finding '{finding}' in this review", "finding")
    record = FeedbackRecord(
        review_id=review.id,
        audience=audience,
        recipients=recipients[:300],
        you_said=you_said.strip(),
        we_did=we_did.strip(),
        fed_back_on=fed_back_on,
        finding=linked,
    )
    session.add(record)
    session.flush()
    return record


def review_feedback(session: Session, review: Review) -> list[FeedbackRecord]:
    return list(
        session.scalars(
            select(FeedbackRecord)
            .where(FeedbackRecord.review_id == review.id)
            .order_by(FeedbackRecord.fed_back_on.desc(), FeedbackRecord.id.desc())
        )
    )


def feedback_by_id(session: Session, review: Review, feedback_id: int) -> FeedbackRecord | None:
    """The review's feedback record ``feedback_id`` (None for another review's)."""
    record = session.get(FeedbackRecord, feedback_id)
    return record if record is not None and record.review_id == review.id else None


def delete_feedback(*, session: Session, record: FeedbackRecord) -> None:
    session.delete(record)
    session.flush()
