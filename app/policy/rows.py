"""Row-level rules: what a member may change within a review they may act on.

An agency representative changes only their own agency's events, register entries and
practitioners, and nothing while their membership names no agency (``check_agency_scope``,
``may_change_register_entry``); a good-practice entry is changed by whom ``entry_may``
says; the register lists what ``visible_good_practice`` lets a user see.
"""

from __future__ import annotations

from typing import Literal

from flask import g
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select
from werkzeug.exceptions import Forbidden

from app.db import db
from app.policy.context import ReviewAccess
from app.policy.members import is_partnership_approver, is_partnership_member_as, membership_of
from app.policy.table import role_may
from models import GoodPractice, Membership, Review, User

# --- row-level: an agency representative's own agency --------------------------------------


def own_agency_ref() -> str | None:
    """For an agency representative on this review, their agency's ref ("" if unbound);
    None for every other role, who are not limited to one agency."""
    access: ReviewAccess | None = g.get("review_access")
    if access is None or access.role != "agency_rep" or access.membership is None:
        return None
    agency = access.membership.agency
    return agency.ref if agency is not None else ""


# What an agency representative is told when they change what is not their own agency's, by
# what they change: the chronology's events, or the good-practice register's entries.
AGENCY_SCOPE_MESSAGES: dict[str, str] = {
    "events": "Agency representatives change only their own agency's events",
    "good_practice": "Agency representatives record only their own agency's practice",
}
# What the register's form says to an agency representative whose membership names no agency.
NO_AGENCY_MESSAGE = "Your membership of this review names no agency: ask the chair to set it"


class AgencyScopeError(Forbidden):
    """A 403: an agency representative's change to what is not their own agency's.

    ``message`` is what the 403 says; ``unbound`` when their membership names no agency at
    all, which only the chair can put right (``form_message`` says so on a form)."""

    def __init__(self, message: str, *, unbound: bool) -> None:
        super().__init__(message)
        self.message = message
        self.unbound = unbound

    @property
    def form_message(self) -> str:
        return NO_AGENCY_MESSAGE if self.unbound else self.message


def check_agency_scope(
    agency_ref: str | None,
    kind: Literal["events", "good_practice"],
    review: Review | None = None,
) -> None:
    """The row-level rule of agency representatives: they add, change, delete, restore and
    import only what belongs to their own agency (``agency_ref``, the review agency's ref;
    None for an item of no agency). Anything else, and anything at all while their membership
    names no agency, raises ``AgencyScopeError`` (a 403). Every other role passes.

    ``review``: the review to check the user's membership of, when the route's review is not
    it (a new register entry in the API names its review in the body); by default the review
    of this request, as checked by ``enforce``.
    """
    if review is None:
        own = own_agency_ref()
    else:
        membership = membership_of(current_user, review)
        own = None
        if membership is not None and membership.role == "agency_rep":
            own = membership.agency.ref if membership.agency is not None else ""
    if own is None:
        return
    if not own or agency_ref != own:
        raise AgencyScopeError(AGENCY_SCOPE_MESSAGES[kind], unbound=not own)


# The people register: an agency representative adds, changes and removes only their own
# agency's practitioners, never the child, the family or another agency's staff.
REGISTER_ROLES_FOR_AGENCY_REPS = frozenset({"practitioner"})


def may_change_register_entry(person_role: str | None, agency_ref: str | None) -> bool:
    """In a review route: may the current user hold a register entry with this role and
    agency (checked on the entry as it is and as it would become)?"""
    own = own_agency_ref()
    if own is None:
        return True
    return bool(own) and person_role in REGISTER_ROLES_FOR_AGENCY_REPS and agency_ref == own


# --- the good-practice register ---------------------------------------------------------------

# Who deletes a shared entry: it has been circulated, so removing it from the register is the
# chair's decision on a review; for an entry outside any review, a chair of any of the
# partnership's reviews or a site administrator of the partnership (who manages retention).
SHARED_ENTRY_DELETERS = frozenset({"chair"})
# Changing or deleting an entry: what ``entry_may`` checks beyond the review's role table.
ENTRY_CHANGES = frozenset({"good_practice.edit", "good_practice.delete"})


def entry_may(user: User, entry: GoodPractice, action: str) -> bool:
    """May ``user`` take ``action`` on a good-practice entry? Deny by default.

    An entry of a review: the user's role on that review decides (not a member: no), and for
    changing or deleting it also the entry itself:

    - chair, lead reviewer, panel member: any entry of the review;
    - agency representative: only entries of their own agency (not an entry of another
      agency, nor one that names no agency);
    - facilitator: only the entries they recorded themselves (from a workshop, an account);
    - a shared entry is deleted by the chair only (see ``SHARED_ENTRY_DELETERS``).

    An entry with no review: anyone in its partnership may view it; its author or a
    partnership approver may edit it and delete it while it is not shared; a shared one is
    deleted by a chair of one of the partnership's reviews or a site administrator; only a
    partnership approver may approve or share it.
    """
    if entry.partnership_id != user.partnership_id:
        return False
    if entry.review_id is not None:
        return _review_entry_may(user, entry, action)
    if action == "good_practice.view":
        return True
    if action == "good_practice.delete" and entry.share_status == "shared":
        return user.is_admin or is_partnership_member_as(user, SHARED_ENTRY_DELETERS)
    if action in ENTRY_CHANGES:
        return entry.created_by_id == user.id or is_partnership_approver(user)
    if action in ("good_practice.approve", "good_practice.share"):
        return is_partnership_approver(user)
    return False


def _review_entry_may(user: User, entry: GoodPractice, action: str) -> bool:
    membership = db().scalar(
        select(Membership).where(
            Membership.review_id == entry.review_id, Membership.user_id == user.id
        )
    )
    role = membership.role if membership is not None else None
    if not role_may(role, action) or membership is None:
        return False
    if action not in ENTRY_CHANGES:
        return True
    if action == "good_practice.delete" and entry.share_status == "shared":
        return role in SHARED_ENTRY_DELETERS
    if role == "agency_rep":
        own = membership.agency
        return own is not None and entry.agency_id == own.agency_id
    if role == "facilitator":
        return entry.created_by_id == user.id
    return True


def visible_good_practice(user: User) -> ColumnElement[bool]:
    """Which register entries ``user`` may see: those of reviews they are a member of, and
    those of their partnership that belong to no review."""
    member_of = select(Membership.review_id).where(Membership.user_id == user.id)
    return and_(
        GoodPractice.partnership_id == user.partnership_id,
        or_(GoodPractice.review_id.is_(None), GoodPractice.review_id.in_(member_of)),
    )
