"""Who holds which role where: a user's membership of a review, and the roles held for a
whole partnership (its business manager, its site administrators, the chairs and board
members who approve, view and curate for it).
"""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.policy.table import (
    PARTNERSHIP_APPROVER_ROLES,
    PARTNERSHIP_CURATE,
    PARTNERSHIP_SETTINGS,
    PARTNERSHIP_VIEW,
    PARTNERSHIP_VIEWER_ROLES,
    PATTERN_CURATOR_ROLES,
    role_may,
)
from models import Membership, Review, User


def membership_of(user: User, review: Review) -> Membership | None:
    """The user's membership of ``review``, or None when they are not a member."""
    return db().scalar(
        select(Membership).where(Membership.review_id == review.id, Membership.user_id == user.id)
    )


def role_on(user: User, review_id: int) -> str | None:
    """The user's role on a review, or None when they are not a member."""
    return db().scalar(
        select(Membership.role).where(
            Membership.review_id == review_id, Membership.user_id == user.id
        )
    )


# --- the partnership's views -----------------------------------------------------------------


def is_business_manager(user: User) -> bool:
    """Whether ``user`` is the business manager of their partnership."""
    return bool(user.is_authenticated and user.partnership_role == "business_manager")


def partnership_may(user: User, action: str) -> bool:
    """May ``user`` see the partnership's views (``PARTNERSHIP_VIEW``) or curate its recurring
    patterns (``PARTNERSHIP_CURATE``)? Deny by default."""
    if not user.is_authenticated:
        return False
    if is_business_manager(user):
        return action in (PARTNERSHIP_VIEW, PARTNERSHIP_CURATE, PARTNERSHIP_SETTINGS)
    if action == PARTNERSHIP_VIEW:
        return is_partnership_member_as(user, PARTNERSHIP_VIEWER_ROLES)
    if action == PARTNERSHIP_CURATE:
        return is_partnership_member_as(user, PATTERN_CURATOR_ROLES)
    return False


def may_track_review(user: User, review: Review) -> bool:
    """May ``user`` keep the action tracker of ``review`` up to date (outside a review route)?"""
    if review.partnership_id != user.partnership_id:
        return False
    return is_business_manager(user) or role_may(role_on(user, review.id), "actions.track")


# --- site administration ----------------------------------------------------------------------

# A site administrator administers their own partnership only: the users they list, create,
# deactivate and reactivate, and the partnership they see, are theirs (as everything else an
# administrator does is: withdrawing a report, appointing a chair). There is no global
# operator role in the app: setting up another partnership and its first administrator is
# done on the server by the operator (``learning-review create-user --partnership … --admin``).


def administers(user: User, partnership_id: int | None) -> bool:
    """Whether ``user`` is a site administrator of partnership ``partnership_id``."""
    return bool(user.is_admin) and partnership_id == user.partnership_id


def administered_partnership_ids(user: User) -> frozenset[int]:
    """The partnerships ``user`` administers (none unless a site administrator)."""
    return frozenset({user.partnership_id}) if user.is_admin else frozenset()


# --- a role on any of the partnership's reviews (approvers, viewers, curators) ---------------


def is_partnership_approver(user: User) -> bool:
    """Whether ``user`` is a chair or board member on any review of their partnership."""
    return is_partnership_member_as(user, PARTNERSHIP_APPROVER_ROLES)


def is_partnership_member_as(user: User, roles: frozenset[str]) -> bool:
    """Whether ``user`` has one of ``roles`` on any review of their partnership."""
    found = db().scalar(
        select(Membership.id)
        .join(Review, Review.id == Membership.review_id)
        .where(
            Membership.user_id == user.id,
            Membership.role.in_(roles),
            Review.partnership_id == user.partnership_id,
        )
        .limit(1)
    )
    return found is not None
