"""What a signed-in user's dashboard lists: the reviews they are a member of, with their role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Membership, Review


def reviews_with_roles(session: Session, user_id: int) -> list[tuple[Review, str]]:
    """The reviews ``user_id`` is a member of, each with their role on it, newest first."""
    rows = session.execute(
        select(Review, Membership.role)
        .join(Membership, Membership.review_id == Review.id)
        .where(Membership.user_id == user_id)
        .order_by(Review.created_at.desc())
    )
    return [(review, role) for review, role in rows]
