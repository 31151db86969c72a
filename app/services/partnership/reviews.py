"""The partnership's reviews as its pages see them: the list of them, each one's lead, and
their text as the partnership's shared learning (pseudonymised with each review's own people
register)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.anonymity import Anonymiser, anonymiser_for
from models import Membership, Review, User


class SharedLearning:
    """Pseudonymises each review's text with that review's register (the one mechanism in
    ``app.services.anonymity``); one anonymiser per review, built when first needed."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._anonymisers: dict[int, Anonymiser] = {}

    def text(self, review: Review, value: str | None) -> str:
        anonymiser = self._anonymisers.get(review.id)
        if anonymiser is None:
            anonymiser = anonymiser_for(self._session, review)
            self._anonymisers[review.id] = anonymiser
        return anonymiser.pseudonymise(value)


def partnership_review_list(session: Session, partnership_id: int) -> list[Review]:
    """The partnership's reviews, oldest first."""
    return list(
        session.scalars(
            select(Review).where(Review.partnership_id == partnership_id).order_by(Review.id)
        )
    )


def review_leads(session: Session, review_ids: list[int]) -> dict[int, str]:
    """Each review's lead: its lead reviewer, else its chair (names of users, not of people
    in the case)."""
    if not review_ids:
        return {}
    rows = session.execute(
        select(Membership.review_id, Membership.role, User.name)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.review_id.in_(review_ids),
            Membership.role.in_(("lead_reviewer", "chair")),
        )
        .order_by(Membership.id)
    )
    leads: dict[int, str] = {}
    for review_id, role, name in rows:
        if role == "lead_reviewer" or review_id not in leads:
            leads[review_id] = name
    return leads
