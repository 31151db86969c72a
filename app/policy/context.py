"""What ``enforce`` established about this request, for the views: the review and the user's
membership of it, the workshop participant, the good-practice entry; and the questions a
view asks of them (``may``, ``may_change_chairs``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from flask_login import current_user

from app.policy.members import administers, is_business_manager
from app.policy.table import BUSINESS_MANAGER_ACTIONS, SITE_ADMIN_ACTIONS, role_may
from models import GoodPractice, Membership, Participant, Review


@dataclass(frozen=True)
class ReviewAccess:
    """The review of a review route and the user's membership of it (None for a site
    administrator or the business manager let in without one)."""

    review: Review
    membership: Membership | None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None


def is_api_request() -> bool:
    """Whether this request is to the JSON API (answered 401/403, never redirected)."""
    return request.path.startswith("/api/")


def review_access() -> ReviewAccess:
    """The review of this request and the user's membership, as checked by ``enforce``."""
    access: ReviewAccess = g.review_access
    return access


def current_review() -> Review:
    """The review of this request, as checked by ``enforce``."""
    return review_access().review


def may_change_chairs() -> bool:
    """In a review route: may the current user appoint or remove a chair of this review? A
    chair of it, or a site administrator of its partnership (member or not)."""
    access: ReviewAccess | None = g.get("review_access")
    if access is None:
        return False
    if role_may(access.role, "review.chairs"):
        return True
    user = current_user
    return bool(
        user.is_authenticated
        and "review.chairs" in SITE_ADMIN_ACTIONS
        and administers(user, access.review.partnership_id)
    )


def may(action: str) -> bool:
    """In a review route: may the current user take ``action`` on this review?"""
    access: ReviewAccess | None = g.get("review_access")
    if access is None:
        return False
    if access.membership is None and action in BUSINESS_MANAGER_ACTIONS:
        return is_business_manager(current_user)
    return role_may(access.role, action)


def current_participant() -> Participant:
    """The participant of this request, as checked by ``enforce``."""
    participant: Participant = g.participant
    return participant


def good_practice_entry() -> GoodPractice:
    """The entry of this request, as checked by ``enforce``."""
    entry: GoodPractice = g.good_practice_entry
    return entry
