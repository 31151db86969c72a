"""The one answer to "may this user do this?": a table of roles and actions, and one check.

Every route is listed in ``ROUTES`` with the action it needs; ``enforce`` runs before every
request and denies by default: a route that is not in the table is refused for everyone (and
the generated access test fails). Review routes take the review from the URL; a user who is
not a member of it gets 404, so reviews cannot be discovered; a member whose role lacks the
action gets 403. Views call ``may`` only to decide what to show.

Every access rule is in this package, one module a concern, every name re-exported here (so
``from app.policy import may`` and ``from app.policy.context import may`` both work):

- ``table``: the rule table: roles, ``REVIEW_ACTIONS``, the global actions, ``ROUTES``,
  ``action_for``, ``role_may``.
- ``members``: who holds which role where: ``membership_of``, ``role_on``, the partnership's
  roles (``is_business_manager``, ``partnership_may``, ``administers``, approvers).
- ``context``: what ``enforce`` established about this request: ``review_access``,
  ``current_review``, ``current_participant``, ``good_practice_entry``, ``may``,
  ``may_change_chairs``.
- ``rows``: row-level rules: ``own_agency_ref``, ``check_agency_scope``,
  ``may_change_register_entry``, ``entry_may``, ``visible_good_practice``.
- ``second_factor``: who must use a second factor (``requires_second_factor``) and the step-up.
- ``enforcement``: ``enforce``, run before every request, and the participant's credential.
"""

from __future__ import annotations

from app.policy.context import (
    ReviewAccess,
    current_participant,
    current_review,
    good_practice_entry,
    is_api_request,
    may,
    may_change_chairs,
    review_access,
)
from app.policy.enforcement import enforce, participant_cookie_name, participant_credential
from app.policy.members import (
    administered_partnership_ids,
    administers,
    is_business_manager,
    is_partnership_approver,
    is_partnership_member_as,
    may_track_review,
    membership_of,
    partnership_may,
    role_on,
)
from app.policy.rows import (
    AGENCY_SCOPE_MESSAGES,
    ENTRY_CHANGES,
    NO_AGENCY_MESSAGE,
    REGISTER_ROLES_FOR_AGENCY_REPS,
    SHARED_ENTRY_DELETERS,
    AgencyScopeError,
    check_agency_scope,
    entry_may,
    may_change_register_entry,
    own_agency_ref,
    visible_good_practice,
)
from app.policy.second_factor import (
    SECOND_FACTOR_ACTION,
    SECOND_FACTOR_FREE_ENDPOINTS,
    enforce_second_factor,
    requires_second_factor,
)
from app.policy.table import (
    ADMIN,
    ALL_ROLES,
    BUSINESS_MANAGER_ACTIONS,
    GLOBAL_ACTIONS,
    JOB,
    JOIN,
    LEADS,
    PARTICIPANT,
    PARTNERSHIP,
    PARTNERSHIP_APPROVER_ROLES,
    PARTNERSHIP_CURATE,
    PARTNERSHIP_ROLES,
    PARTNERSHIP_SETTINGS,
    PARTNERSHIP_VIEW,
    PARTNERSHIP_VIEWER_ROLES,
    PASSWORD_CHANGE_ROUTES,
    PATTERN_CURATOR_ROLES,
    PUBLIC,
    REAL_NAME_ROLES,
    REVIEW_ACTIONS,
    ROLES,
    ROOM,
    ROOM_MEMBER_ACTION,
    ROUTES,
    SEARCH_POSTS,
    SIGNED_IN,
    SITE_ADMIN_ACTIONS,
    SITE_ADMIN_CHAIR_ROUTES,
    action_for,
    role_may,
)

__all__ = [
    "ADMIN",
    "AGENCY_SCOPE_MESSAGES",
    "ALL_ROLES",
    "BUSINESS_MANAGER_ACTIONS",
    "ENTRY_CHANGES",
    "GLOBAL_ACTIONS",
    "JOB",
    "JOIN",
    "LEADS",
    "NO_AGENCY_MESSAGE",
    "PARTICIPANT",
    "PARTNERSHIP",
    "PARTNERSHIP_APPROVER_ROLES",
    "PARTNERSHIP_CURATE",
    "PARTNERSHIP_ROLES",
    "PARTNERSHIP_SETTINGS",
    "PARTNERSHIP_VIEW",
    "PARTNERSHIP_VIEWER_ROLES",
    "PASSWORD_CHANGE_ROUTES",
    "PATTERN_CURATOR_ROLES",
    "PUBLIC",
    "REAL_NAME_ROLES",
    "REGISTER_ROLES_FOR_AGENCY_REPS",
    "REVIEW_ACTIONS",
    "ROLES",
    "ROOM",
    "ROOM_MEMBER_ACTION",
    "ROUTES",
    "SEARCH_POSTS",
    "SECOND_FACTOR_ACTION",
    "SECOND_FACTOR_FREE_ENDPOINTS",
    "SHARED_ENTRY_DELETERS",
    "SIGNED_IN",
    "SITE_ADMIN_ACTIONS",
    "SITE_ADMIN_CHAIR_ROUTES",
    "AgencyScopeError",
    "ReviewAccess",
    "action_for",
    "administered_partnership_ids",
    "administers",
    "check_agency_scope",
    "current_participant",
    "current_review",
    "enforce",
    "enforce_second_factor",
    "entry_may",
    "good_practice_entry",
    "is_api_request",
    "is_business_manager",
    "is_partnership_approver",
    "is_partnership_member_as",
    "may",
    "may_change_chairs",
    "may_change_register_entry",
    "may_track_review",
    "membership_of",
    "own_agency_ref",
    "participant_cookie_name",
    "participant_credential",
    "partnership_may",
    "requires_second_factor",
    "review_access",
    "role_may",
    "role_on",
    "visible_good_practice",
]
