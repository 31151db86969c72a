"""Who chairs a review, and an administrator appointing a chair to a review left without an
active one (a review with a chair is the chair's to change: see ``app.services.reviews``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.reviews import record_chair_change
from models import Membership, Review, User


def active_chairs(session: Session, review_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active chairs of each review of ``review_ids`` (a review with none is left out)."""
    chairs: dict[int, list[User]] = {}
    for membership in session.scalars(
        select(Membership).where(
            Membership.review_id.in_(list(review_ids)), Membership.role == "chair"
        )
    ):
        if membership.user.is_active:
            chairs.setdefault(membership.review_id, []).append(membership.user)
    return chairs


def active_chair(session: Session, review: Review) -> User | None:
    """An active chair of ``review``, or None when it has none."""
    return session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.review_id == review.id,
            Membership.role == "chair",
            User.is_active.is_(True),
        )
        .limit(1)
    )


def chair_candidates(session: Session, partnership_id: int, *, appointer: User) -> list[User]:
    """Who ``appointer`` may appoint: the partnership's active people, by name, never the
    appointer."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.partnership_id == partnership_id,
                User.is_active.is_(True),
                User.id != appointer.id,
            )
            .order_by(User.name)
        )
    )


def appoint_chair(*, session: Session, review: Review, user: User) -> str | None:
    """Make ``user`` a chair of ``review``; returns the role they had on it before (their
    membership becomes the chair's, no longer bound to an agency), or None if they had none."""
    membership = session.scalar(
        select(Membership).where(Membership.review_id == review.id, Membership.user_id == user.id)
    )
    was = None
    if membership is None:
        membership = Membership(review_id=review.id, user_id=user.id, role="chair")
        session.add(membership)
    else:
        was = membership.role
        membership.role = "chair"
        membership.agency_id = None
    session.flush()
    record_chair_change(session, review, membership, "chair.appoint")
    return was
