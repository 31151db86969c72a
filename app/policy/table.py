"""The rule table: which roles may take which action on a review, and which action each
route needs.

``REVIEW_ACTIONS`` maps an action on one review to the roles that may take it; the global
actions (``PUBLIC``, ``SIGNED_IN``, ``ADMIN``, …) are for routes that are not about one review.
``ROUTES`` gives every endpoint its action (per method where methods differ): an endpoint
missing from it is refused for everyone (``app.policy.enforce``) and fails the generated
access matrix (``tests/web/test_access_matrix.py``). Plain data and two lookups: no Flask, no
database.
"""

from __future__ import annotations

from analysis.taxonomy import ROLES as ROLES  # the roles' names: the domain's vocabulary

ALL_ROLES = frozenset(ROLES)
LEADS = frozenset({"chair", "lead_reviewer"})
# Roles that need to know who the people in the case really are.
REAL_NAME_ROLES = frozenset({"chair", "lead_reviewer", "panel_member", "agency_rep"})

# Actions on one review, and the roles that may take them.
REVIEW_ACTIONS: dict[str, frozenset[str]] = {
    "review.view": ALL_ROLES,
    "review.edit": LEADS,
    "review.members": LEADS,
    # Appointing or removing a chair decides who approves the report: a chair only (or a
    # site administrator of the partnership, see SITE_ADMIN_ACTIONS). Audited.
    "review.chairs": frozenset({"chair"}),
    "review.export": LEADS,
    "review.audit": LEADS,
    "agencies.edit": LEADS | {"panel_member"},
    "people.view": ALL_ROLES,
    "people.edit": LEADS | {"panel_member", "agency_rep"},
    "people.real_names": REAL_NAME_ROLES,
    "events.view": ALL_ROLES,
    # Agency representatives may change only their own agency's events (checked in the view).
    "events.edit": LEADS | {"panel_member", "agency_rep"},
    "events.comment": ALL_ROLES - {"observer"},
    "events.merge": LEADS | {"panel_member"},
    "kpes.edit": LEADS | {"panel_member"},
    # Accounts hold what practitioners, family and the child said: not for boards or observers.
    "accounts.view": LEADS | {"panel_member", "agency_rep", "facilitator"},
    "accounts.edit": LEADS | {"panel_member", "facilitator"},
    "factors.view": ALL_ROLES,
    "factors.edit": LEADS | {"panel_member"},
    "findings.view": ALL_ROLES,
    "findings.edit": LEADS | {"panel_member"},
    # The safeguarding board answers the findings' questions (the chair may record it for them).
    "board.respond": frozenset({"chair", "board_member"}),
    "actions.view": ALL_ROLES,
    # Boards own and track actions with the panel.
    "actions.edit": LEADS | {"panel_member", "board_member"},
    "feedback.view": ALL_ROLES,
    "feedback.edit": LEADS | {"facilitator", "board_member"},
    # Drafts of the report, with their anonymisation scan (which quotes what it found).
    "reports.view": LEADS | {"panel_member", "board_member"},
    "reports.write": LEADS,
    # A second person approves: the chair or a board member who did not generate the version.
    "reports.approve": frozenset({"chair", "board_member"}),
    "reports.publish": LEADS | {"board_member"},
    # Taking a published version off the public page (a reason is required, and it is for
    # good): the chair, or a site administrator of the partnership (see SITE_ADMIN_ACTIONS).
    "reports.withdraw": frozenset({"chair"}),
    # Deleting a superseded draft (never published), with a reason: the chair.
    "reports.delete": frozenset({"chair"}),
    # The good-practice register. An entry of a review follows the review's roles, narrowed
    # per entry by ``entry_may`` (agency representatives: their own agency's entries only;
    # facilitators: the entries they recorded; a shared entry is deleted by the chair only).
    # An entry from other quality-assurance work (no review) follows ``entry_may`` alone.
    "good_practice.view": ALL_ROLES,
    "good_practice.edit": LEADS | {"panel_member", "agency_rep", "facilitator"},
    "good_practice.delete": LEADS | {"panel_member", "agency_rep", "facilitator"},
    "good_practice.approve": frozenset({"chair", "board_member"}),
    "good_practice.share": frozenset({"chair", "lead_reviewer", "board_member"}),
    "workshops.view": LEADS | {"panel_member", "facilitator"},
    # Planning, running, moderating and closing learning workshops.
    "workshops.run": LEADS | {"facilitator"},
    # The statutory clocks: the day each milestone was met is recorded by the chair (or the
    # partnership's business manager, see BUSINESS_MANAGER_ACTIONS).
    "review.milestones": frozenset({"chair"}),
    # Keeping the action tracker up to date: progress notes, RAG status, moving a due date.
    "actions.track": LEADS | {"panel_member", "board_member"},
}
# Review actions a site administrator of the review's partnership may take without being a
# member: withdrawing a published report must not wait for the chair when a report is found
# to identify someone. Administrators still see no review content.
SITE_ADMIN_ACTIONS = frozenset({"reports.withdraw", "review.chairs"})
# A review that has lost its chair needs an administrator to appoint one: these member routes
# let a site administrator of the partnership in without being a member, and the view then
# lets them appoint or remove a chair only (``may_change_chairs``).
SITE_ADMIN_CHAIR_ROUTES = frozenset({"api.members", "api.member"})
# Who approves for the partnership: an entry with no review may be approved and shared by a
# user who is a chair or board member on any of the partnership's reviews.
PARTNERSHIP_APPROVER_ROLES = frozenset({"chair", "board_member"})
# --- the partnership's views: every review's clocks, one action tracker, recurring patterns ---
# Roles held for a whole partnership (``User.partnership_role``), not on one review.
PARTNERSHIP_ROLES: dict[str, str] = {"business_manager": "Partnership business manager"}
# Who sees the partnership's views: its business manager, and the chairs and board members of
# any of its reviews. They show titles, dates, counts and the shared learning (factor labels,
# finding titles, actions) pseudonymised; case content stays behind review membership.
PARTNERSHIP_VIEWER_ROLES = frozenset({"chair", "board_member"})
# Who curates the recurring patterns (confirm, split, merge, rename): the business manager
# and the chairs of the partnership's reviews.
PATTERN_CURATOR_ROLES = frozenset({"chair"})
# Review actions the business manager takes on any review of their partnership without being
# a member: recording the statutory milestones and keeping the action tracker up to date.
BUSINESS_MANAGER_ACTIONS = frozenset({"review.milestones", "actions.track"})
PARTNERSHIP_VIEW = "partnership.view"
PARTNERSHIP_CURATE = "partnership.curate"
# The partnership's settings (the statutory clocks' intervals): its business manager only.
PARTNERSHIP_SETTINGS = "partnership.settings"
# Actions that are not about one review.
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any active, signed-in user
ADMIN = "admin"  # site administrators
# Any signed-in user, on pages that span their partnership: the view lists only what
# ``visible_good_practice`` lets them see.
PARTNERSHIP = "partnership"
# Workshop participants are not users: they hold a token for one workshop (a cookie in the
# browser, a bearer token in the API) and may use the participant routes of that workshop only.
# A request carrying a participant's token is refused on every other route.
JOIN = "join"  # anyone, with or without a participant's token: joining a workshop by its code
PARTICIPANT = "participant"  # a valid participant of the workshop named in the URL
# What the room sees (the room wall): a participant of the workshop with their token, or a
# member who may run the workshop ("workshops.run") without one.
ROOM = "room"
ROOM_MEMBER_ACTION = "workshops.run"
# A background job (``app.jobs``): the user who started it, or a member of its review whose
# role allows the job kind's action (reading the report, for a report's generation).
JOB = "job"
GLOBAL_ACTIONS = frozenset(
    {
        PUBLIC,
        SIGNED_IN,
        ADMIN,
        PARTNERSHIP,
        JOIN,
        PARTICIPANT,
        PARTNERSHIP_VIEW,
        PARTNERSHIP_CURATE,
        PARTNERSHIP_SETTINGS,
        JOB,
        ROOM,
    }
)
# What a user whose password an administrator chose may reach before choosing their own.
PASSWORD_CHANGE_ROUTES = frozenset({"account.settings", "account.change_password", "auth.sign_out"})

# endpoint -> action, or endpoint -> {method: action} where methods need different actions.
ROUTES: dict[str, str | dict[str, str]] = {
    "static": PUBLIC,
    # Load balancers and process managers: no data, no sign-in (app/ops.py).
    "ops.healthz": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.two_factor": PUBLIC,
    "auth.two_factor_setup": PUBLIC,
    "auth.sign_out": SIGNED_IN,
    "auth.forgot_password": PUBLIC,
    "auth.sso_start": PUBLIC,
    "auth.sso_callback": PUBLIC,
    "auth.account_link": PUBLIC,
    "main.dashboard": SIGNED_IN,
    # Keeps a search's words on the server; the page searched checks its own permission.
    "searches.search": SIGNED_IN,
    "main.job": JOB,
    "api.job": JOB,
    "reviews.new": SIGNED_IN,
    "reviews.import_bundle": SIGNED_IN,
    "reviews.overview": "review.view",
    "reviews.edit": "review.edit",
    "reviews.add_member": "review.members",
    "reviews.remove_member": "review.members",
    "reviews.add_agency": "agencies.edit",
    "reviews.remove_agency": "agencies.edit",
    "reviews.new_person": "people.edit",
    "reviews.edit_person": "people.edit",
    "reviews.real_names": "people.real_names",
    "reviews.export_bundle": "review.export",
    "reviews.audit_log": "review.audit",
    "reviews.audit_csv": "review.audit",
    "account.settings": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.two_factor": SIGNED_IN,
    "account.disable_two_factor": SIGNED_IN,
    "account.recovery_codes": SIGNED_IN,
    "account.create_token": SIGNED_IN,
    "account.revoke_token": SIGNED_IN,
    "admin.index": ADMIN,
    "admin.users": ADMIN,
    "admin.set_user_active": ADMIN,
    "admin.partnerships": ADMIN,
    "admin.user": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.reset_two_factor": ADMIN,
    "admin.unlock": ADMIN,
    "admin.partnership": ADMIN,
    "admin.reviews": ADMIN,
    "admin.appoint_chair": ADMIN,
    "admin.retention": ADMIN,
    "admin.partnership_logo": ADMIN,
    "chronology.table": "events.view",
    "chronology.bulk_assign": "kpes.edit",
    "chronology.export": "events.view",
    "chronology.template": "events.view",
    "chronology.deleted": "events.edit",
    "chronology.new_event": "events.edit",
    "chronology.event": "events.view",
    "chronology.edit_event": "events.edit",
    "chronology.delete_event": "events.edit",
    "chronology.restore_event": "events.edit",
    "chronology.comment": "events.comment",
    "chronology.unmerge": "events.merge",
    "chronology.merges": {"GET": "events.view", "POST": "events.merge"},
    "chronology.dismiss_duplicates": "events.merge",
    "chronology.returns": {"GET": "events.view", "POST": "agencies.edit"},
    "chronology.kpes": {"GET": "events.view", "POST": "kpes.edit"},
    "chronology.kpe": "events.view",
    "chronology.edit_kpe": "kpes.edit",
    "chronology.timeline": "events.view",
    "chronology.who_knew": "events.view",
    "chronology.import_upload": "events.edit",
    "chronology.import_preview": "events.edit",
    "chronology.import_confirm": "events.edit",
    "chronology.import_columns": "events.edit",
    "chronology.import_fix_row": "events.edit",
    "chronology.imports": "events.edit",
    "chronology.import_undo": "events.edit",
    "chronology.import_restore": "events.edit",
    "factors.accounts": "accounts.view",
    "factors.new_account": "accounts.edit",
    "factors.account": "accounts.view",
    "factors.edit_account": "accounts.edit",
    "factors.delete_account": "accounts.edit",
    "factors.factors": "factors.view",
    "factors.new_factor": "factors.edit",
    "factors.factor": "factors.view",
    "factors.edit_factor": "factors.edit",
    "factors.delete_factor": "factors.edit",
    "factors.add_link": "factors.edit",
    "factors.delete_link": "factors.edit",
    "factors.graph": {"GET": "factors.view", "POST": "factors.view"},
    "factors.graph_data": "factors.view",
    "findings.findings": "findings.view",
    "findings.accept_suggestion": "findings.edit",
    "findings.new_finding": "findings.edit",
    "findings.finding": "findings.view",
    "findings.edit_finding": "findings.edit",
    "findings.delete_finding": "findings.edit",
    "findings.board_response": "board.respond",
    "findings.actions": "actions.view",
    "findings.new_action": "actions.edit",
    "findings.edit_action": "actions.edit",
    "findings.delete_action": "actions.edit",
    "findings.feedback": {"GET": "feedback.view", "POST": "feedback.edit"},
    "findings.delete_feedback": "feedback.edit",
    "reports.reports": {"GET": "reports.view", "POST": "reports.write"},
    "reports.narrative": "reports.write",
    "reports.version": "reports.view",
    "reports.download": "reports.view",
    "reports.public_download": "reports.view",
    "reports.delete": "reports.delete",
    "reports.compare": "reports.view",
    "reports.approve": "reports.approve",
    "reports.publish": "reports.publish",
    "reports.withdraw": "reports.withdraw",
    "public.reports": PUBLIC,
    "public.read": PUBLIC,
    "public.report": PUBLIC,
    "good_practice.register": PARTNERSHIP,
    "good_practice.new_entry": PARTNERSHIP,
    "good_practice.briefing": PARTNERSHIP,
    "good_practice.bulletin": PARTNERSHIP,
    "good_practice.new_review_entry": "good_practice.edit",
    "good_practice.review_briefing": "good_practice.view",
    "good_practice.entry": "good_practice.view",
    "good_practice.edit_entry": "good_practice.edit",
    "good_practice.delete_entry": "good_practice.delete",
    "good_practice.approve": "good_practice.approve",
    "good_practice.share": "good_practice.share",
    "api.openapi": PUBLIC,
    "api.me": SIGNED_IN,
    "api.reviews": SIGNED_IN,
    "api.import_review": SIGNED_IN,
    "api.review": {"GET": "review.view", "PATCH": "review.edit"},
    "api.export_review": "review.export",
    "api.members": {"GET": "review.view", "POST": "review.members"},
    "api.member": "review.members",
    "api.agencies": {"GET": "review.view", "POST": "agencies.edit"},
    "api.agency": {"GET": "review.view", "PATCH": "agencies.edit", "DELETE": "agencies.edit"},
    "api.people": {"GET": "people.view", "POST": "people.edit"},
    "api.person": {"GET": "people.view", "PATCH": "people.edit", "DELETE": "people.edit"},
    "api.events": {"GET": "events.view", "POST": "events.edit"},
    "api.events_search": {"POST": "events.view"},
    "api.factors_search": {"POST": "factors.view"},
    "api.people_search": {"POST": "people.view"},
    "api.event": {"GET": "events.view", "PATCH": "events.edit", "DELETE": "events.edit"},
    "api.kpes": {"GET": "events.view", "POST": "kpes.edit"},
    "api.kpe": {"GET": "events.view", "PATCH": "kpes.edit", "DELETE": "kpes.edit"},
    "api.chronology_imports": "events.edit",
    "api.confirm_import_api": "events.edit",
    "api.chronology_import": "events.edit",
    "api.duplicates": "events.view",
    "api.dismiss_duplicates_api": "events.merge",
    "api.merge_into": "events.merge",
    "api.changes": "events.view",
    "api.accounts": {"GET": "accounts.view", "POST": "accounts.edit"},
    "api.account": {"GET": "accounts.view", "PATCH": "accounts.edit", "DELETE": "accounts.edit"},
    "api.factors": {"GET": "factors.view", "POST": "factors.edit"},
    "api.factor": {"GET": "factors.view", "PATCH": "factors.edit", "DELETE": "factors.edit"},
    "api.links": {"GET": "factors.view", "POST": "factors.edit"},
    "api.link": {"GET": "factors.view", "PATCH": "factors.edit", "DELETE": "factors.edit"},
    "api.graph_analysis": "factors.view",
    "api.graph_svg": "factors.view",
    "api.graph_png": "factors.view",
    "api.graph_dot": "factors.view",
    "api.graph_graphml": "factors.view",
    "api.graph_json": "factors.view",
    "api.findings": {"GET": "findings.view", "POST": "findings.edit"},
    "api.finding": {"GET": "findings.view", "PATCH": "findings.edit", "DELETE": "findings.edit"},
    "api.board_responses": {"GET": "findings.view", "PUT": "board.respond"},
    "api.actions": {"GET": "actions.view", "POST": "actions.edit"},
    "api.action": {"GET": "actions.view", "PATCH": "actions.edit", "DELETE": "actions.edit"},
    "api.reports": {"GET": "reports.view", "POST": "reports.write"},
    "api.report": {"GET": "reports.view", "DELETE": "reports.delete"},
    "api.report_file": "reports.view",
    "api.report_public_file": "reports.view",
    "api.approve_report": "reports.approve",
    "api.publish_report": "reports.publish",
    "api.withdraw_report": "reports.withdraw",
    "api.good_practice_entries": PARTNERSHIP,
    "api.good_practice_entry": {
        "GET": "good_practice.view",
        "PATCH": "good_practice.edit",
        "DELETE": "good_practice.delete",
    },
    "api.review_briefing": "good_practice.view",
    "workshops.workshops": "workshops.view",
    "workshops.new_workshop": "workshops.run",
    "workshops.workshop": "workshops.view",
    "workshops.edit_workshop": "workshops.run",
    "workshops.board": "workshops.run",
    "workshops.presenter": "workshops.run",
    "workshops.graph_step": "workshops.run",
    "workshops.moderate_note": "workshops.run",
    "workshops.accept_note": "workshops.run",
    "workshops.show_note": "workshops.run",
    "workshops.moderate_proposal": "workshops.run",
    "workshops.record_votes": "workshops.run",
    "workshops.close_workshop": "workshops.run",
    "workshops.pack": "workshops.run",
    "workshops.handout": "workshops.run",
    "participate.join": JOIN,
    "participate.join_code": JOIN,
    "participate.home": PARTICIPANT,
    "participate.node": PARTICIPANT,
    "participate.add_note": PARTICIPANT,
    "participate.propose": PARTICIPANT,
    "participate.vote": PARTICIPANT,
    "participate.withdraw_vote": PARTICIPANT,
    "participate.leave": PARTICIPANT,
    "participate.room": PARTICIPANT,
    "participate.upvote": PARTICIPANT,
    "participate.room_data": PARTICIPANT,
    "participate.save_draft": PARTICIPANT,
    "api.workshops": {"GET": "workshops.view", "POST": "workshops.run"},
    "api.workshop": "workshops.view",
    "api.workshop_board": "workshops.run",
    "api.close_workshop": "workshops.run",
    "api.join_workshop": JOIN,
    "api.workshop_material": PARTICIPANT,
    "api.workshop_notes": PARTICIPANT,
    "api.workshop_proposals": PARTICIPANT,
    "api.workshop_votes": PARTICIPANT,
    # The partnership's views (issue 15).
    "partnership.dashboard": PARTNERSHIP_VIEW,
    "partnership.record_milestone": "review.milestones",
    "partnership.actions": PARTNERSHIP_VIEW,
    "partnership.export_actions": PARTNERSHIP_VIEW,
    "partnership.action": "actions.track",
    "partnership.recurring": PARTNERSHIP_VIEW,
    "partnership.decide_pattern": PARTNERSHIP_CURATE,
    "partnership.thematic": PARTNERSHIP_VIEW,
    "partnership.thematic_briefing": PARTNERSHIP_VIEW,
    "api.partnership_reviews": PARTNERSHIP_VIEW,
    "api.partnership_actions": PARTNERSHIP_VIEW,
    "api.partnership_actions_csv": PARTNERSHIP_VIEW,
    "api.partnership_recurring": PARTNERSHIP_VIEW,
    "api.partnership_review": "review.milestones",
    "api.partnership_settings": {"GET": PARTNERSHIP_VIEW, "PATCH": PARTNERSHIP_SETTINGS},
    "api.workshop_room": ROOM,
    "api.show_workshop_note": "workshops.run",
}


# Routes whose POST only searches (the words searched for are posted to stay out of URLs):
# they change nothing, so they need only the right to read what they search.
SEARCH_POSTS = frozenset(
    {"api.events_search", "api.factors_search", "api.people_search", "factors.graph"}
)


def action_for(endpoint: str | None, method: str) -> str | None:
    """The action a request to ``endpoint`` with ``method`` needs, or None if unlisted."""
    if endpoint is None:
        return None
    entry = ROUTES.get(endpoint)
    if isinstance(entry, dict):
        return entry.get("GET" if method in ("HEAD", "OPTIONS") else method)
    return entry


def role_may(role: str | None, action: str) -> bool:
    """Whether a member with ``role`` on a review may take ``action`` on it."""
    return role is not None and role in REVIEW_ACTIONS.get(action, frozenset())
