"""The one answer to "may this user do this?": a table of roles and actions, and one check.

Every route is listed in ``ROUTES`` with the action it needs; ``enforce`` runs before every
request and denies by default: a route that is not in the table is refused for everyone (and
the generated access test fails). Review routes take the review from the URL; a user who is
not a member of it gets 404, so reviews cannot be discovered; a member whose role lacks the
action gets 403. Views call ``may`` only to decide what to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select
from werkzeug.exceptions import Forbidden

from analysis.taxonomy import ROLES as ROLES  # the roles' names: the domain's vocabulary
from app import jobs
from app.db import db, set_actor
from app.passwords import PARTICIPANT_TOKEN_PREFIX
from app.security import (
    demand_second_factor,
    is_bearer_request,
    participant_for_token,
    session_second_factor_at,
)
from models import GoodPractice, Job, Membership, Participant, Review, User, Workshop
from models.audit.chain import Actor

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


@dataclass(frozen=True)
class ReviewAccess:
    review: Review
    membership: Membership | None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None


def membership_of(user: User, review: Review) -> Membership | None:
    return db().scalar(
        select(Membership).where(Membership.review_id == review.id, Membership.user_id == user.id)
    )


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def _deny_anonymous() -> ResponseReturnValue:
    if _is_api_request():
        abort(401)
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def participant_cookie_name() -> str:
    return str(current_app.config["PARTICIPANT_COOKIE_NAME"])


def participant_credential() -> str | None:
    """The participant token this request carries (bearer or cookie), if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip().startswith(PARTICIPANT_TOKEN_PREFIX):
        return token.strip()
    return request.cookies.get(participant_cookie_name()) or None


def _enforce_participant(token: str | None) -> ResponseReturnValue | None:
    participant = participant_for_token(db(), token) if token else None
    if participant is None:
        if _is_api_request():
            abort(401)
        # A token that no longer works is almost always a workshop that has closed: say so.
        return redirect(
            url_for("participate.join", ended=1) if token else url_for("participate.join")
        )
    workshop_id = (request.view_args or {}).get("workshop_id")
    if workshop_id != participant.workshop_id:
        abort(403)
    g.participant = participant
    label = f"participant {participant.id} ({participant.display_name}) of workshop {workshop_id}"
    set_actor(Actor(None, label[:320]))
    return None


def current_participant() -> Participant:
    """The participant of this request, as checked by ``enforce``."""
    participant: Participant = g.participant
    return participant


def _review_of_request() -> Review | None:
    view_args = request.view_args or {}
    review_id = view_args.get("review_id")
    workshop = None
    if "workshop_id" in view_args:
        workshop = db().get(Workshop, view_args["workshop_id"])
        if workshop is None or (review_id is not None and workshop.review_id != review_id):
            return None
        review_id = workshop.review_id
    return db().get(Review, review_id) if review_id is not None else None


def _in_admins_partnership(admin: User) -> bool:
    """An administrator manages the users and reviews of their own partnership only."""
    view_args = request.view_args or {}
    if "user_id" in view_args:
        target = db().get(User, view_args["user_id"])
        return target is not None and administers(admin, target.partnership_id)
    if "review_id" in view_args:
        review = db().get(Review, view_args["review_id"])
        return review is not None and administers(admin, review.partnership_id)
    if "partnership_id" in view_args:
        return administers(admin, view_args["partnership_id"])
    return True


# --- the second factor -----------------------------------------------------------------------

# Who must use a second factor: site administrators, and every role that may read real names.
# Checked on every request of a browser session (not only at sign-in), so a member given such
# a role during a password-only session must pass one before going on. Demo accounts are
# exempt (``mfa_exempt``) unless the demo was loaded with --require-totp.
SECOND_FACTOR_ACTION = "people.real_names"
# Reachable without it: signing out.
SECOND_FACTOR_FREE_ENDPOINTS = frozenset({"auth.sign_out"})


def requires_second_factor(user: User) -> bool:
    """Whether ``user`` must pass a second factor to use a browser session."""
    if user.totp_enabled:
        return True
    if user.mfa_exempt:
        return False
    if user.is_admin:
        return True
    found = db().scalar(
        select(Membership.id)
        .where(
            Membership.user_id == user.id,
            Membership.role.in_(REVIEW_ACTIONS[SECOND_FACTOR_ACTION]),
        )
        .limit(1)
    )
    return found is not None


def _enforce_second_factor(user: User) -> ResponseReturnValue | None:
    if request.endpoint in SECOND_FACTOR_FREE_ENDPOINTS:
        return None
    if _is_api_request() and is_bearer_request():
        return None  # a token was minted after a recent second factor (or by the operator)
    if session_second_factor_at() is not None or not requires_second_factor(user):
        return None
    if _is_api_request():
        abort(401, "Your role needs a second factor: sign in again")
    step = demand_second_factor(user, request.full_path.rstrip("?"))
    flash("Your role needs a second factor: set it up or enter your code to continue.", "info")
    return redirect(url_for(step))


def enforce() -> ResponseReturnValue | None:
    """Run before every request: allow it, or answer 302/401/403/404. Deny by default."""
    if request.endpoint is None:
        return None  # no route matched: Flask answers 404 or 405 itself
    action = action_for(request.endpoint, request.method)
    if action is None or (action not in GLOBAL_ACTIONS and action not in REVIEW_ACTIONS):
        abort(403)
    token = participant_credential()
    if action == JOIN:
        return None
    if action == PARTICIPANT or (action == ROOM and token is not None):
        return _enforce_participant(token)
    if action == ROOM:
        action = ROOM_MEMBER_ACTION
    if token is not None:
        abort(403)  # a participant's token opens the participant routes and nothing else
    if action == PUBLIC:
        return None
    user = current_user
    if not user.is_authenticated:
        return _deny_anonymous()
    if (step_up := _enforce_second_factor(user)) is not None:
        return step_up
    if user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ROUTES:
        # An administrator chose this password: nothing else until the user chooses their own.
        if _is_api_request():
            abort(403)
        return redirect(url_for("account.settings", _anchor="password"))
    if action in (SIGNED_IN, PARTNERSHIP):
        return None
    if action in (PARTNERSHIP_VIEW, PARTNERSHIP_CURATE, PARTNERSHIP_SETTINGS):
        if not partnership_may(user, action):
            abort(403)
        return None
    if action == JOB:
        _enforce_job(user, (request.view_args or {}).get("job_id"))
        return None
    if action == ADMIN:
        if not user.is_admin:
            abort(403)
        if not _in_admins_partnership(user):
            abort(404)
        return None
    entry_id = (request.view_args or {}).get("entry_id")
    if entry_id is not None:
        _enforce_entry(user, entry_id, action)
        return None
    review = _review_of_request()
    if review is None or review.partnership_id != user.partnership_id:
        abort(404)
    membership = membership_of(user, review)
    if membership is None and user.is_admin and action in SITE_ADMIN_ACTIONS:
        g.review_access = ReviewAccess(review, None)
        return None
    if membership is None and is_business_manager(user) and action in BUSINESS_MANAGER_ACTIONS:
        g.review_access = ReviewAccess(review, None)
        return None
    if (
        membership is None
        and user.is_admin
        and action == "review.members"
        and request.endpoint in SITE_ADMIN_CHAIR_ROUTES
    ):
        g.review_access = ReviewAccess(review, None)
        return None
    if membership is None:
        abort(404)
    if not role_may(membership.role, action):
        abort(403)
    g.review_access = ReviewAccess(review, membership)
    return None


def _enforce_job(user: User, job_id: int | None) -> None:
    job = db().get(Job, job_id) if job_id is not None else None
    if job is None or not jobs.may_follow(db(), user, job, role_may):
        abort(404)  # another user's job cannot be discovered
    g.job = job


def review_access() -> ReviewAccess:
    """The review of this request and the user's membership, as checked by ``enforce``."""
    access: ReviewAccess = g.review_access
    return access


def current_review() -> Review:
    """The review of this request, as checked by ``enforce``."""
    return review_access().review


def own_agency_ref() -> str | None:
    """For an agency representative on this review, their agency's ref ("" if unbound);
    None for every other role, who are not limited to one agency."""
    access: ReviewAccess | None = g.get("review_access")
    if access is None or access.role != "agency_rep" or access.membership is None:
        return None
    agency = access.membership.agency
    return agency.ref if agency is not None else ""


# --- row-level: an agency representative's own agency --------------------------------------

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
        return _is_partnership_member_as(user, PARTNERSHIP_VIEWER_ROLES)
    if action == PARTNERSHIP_CURATE:
        return _is_partnership_member_as(user, PATTERN_CURATOR_ROLES)
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


# --- the good-practice register (partnership-wide) -------------------------------------------


def is_partnership_approver(user: User) -> bool:
    """Whether ``user`` is a chair or board member on any review of their partnership."""
    return _is_partnership_member_as(user, PARTNERSHIP_APPROVER_ROLES)


def _is_partnership_member_as(user: User, roles: frozenset[str]) -> bool:
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
        return user.is_admin or _is_partnership_member_as(user, SHARED_ENTRY_DELETERS)
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


def role_on(user: User, review_id: int) -> str | None:
    """The user's role on a review, or None when they are not a member."""
    return db().scalar(
        select(Membership.role).where(
            Membership.review_id == review_id, Membership.user_id == user.id
        )
    )


def visible_good_practice(user: User) -> ColumnElement[bool]:
    """Which register entries ``user`` may see: those of reviews they are a member of, and
    those of their partnership that belong to no review."""
    member_of = select(Membership.review_id).where(Membership.user_id == user.id)
    return and_(
        GoodPractice.partnership_id == user.partnership_id,
        or_(GoodPractice.review_id.is_(None), GoodPractice.review_id.in_(member_of)),
    )


def _enforce_entry(user: User, entry_id: int, action: str) -> None:
    entry = db().get(GoodPractice, entry_id)
    if entry is None or entry.partnership_id != user.partnership_id:
        abort(404)
    if entry.review_id is not None:
        review = db().get_one(Review, entry.review_id)
        membership = membership_of(user, review)
        if membership is None:
            abort(404)  # entries of a review cannot be discovered by non-members
        g.review_access = ReviewAccess(review, membership)
    if not entry_may(user, entry, action):
        abort(403)
    g.good_practice_entry = entry


def good_practice_entry() -> GoodPractice:
    """The entry of this request, as checked by ``enforce``."""
    entry: GoodPractice = g.good_practice_entry
    return entry
