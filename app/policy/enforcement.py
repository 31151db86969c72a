"""Request enforcement: ``enforce`` runs before every request and allows it or answers
302/401/403/404, by the rule table. Deny by default.

It finds the route's action (``ROUTES``) and, by its kind, checks a workshop participant's
token, the signed-in user (and their second factor and a password to change), a background
job, a site administrator's partnership, a good-practice entry, or the user's role on the
review of the URL; what it checked is kept for the views (``app.policy.context``).
"""

from __future__ import annotations

from flask import abort, current_app, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import jobs
from app.db import db, set_actor
from app.passwords import PARTICIPANT_TOKEN_PREFIX
from app.policy.context import ReviewAccess, is_api_request
from app.policy.members import administers, is_business_manager, membership_of, partnership_may
from app.policy.rows import entry_may
from app.policy.second_factor import enforce_second_factor
from app.policy.table import (
    ADMIN,
    BUSINESS_MANAGER_ACTIONS,
    GLOBAL_ACTIONS,
    JOB,
    JOIN,
    PARTICIPANT,
    PARTNERSHIP,
    PARTNERSHIP_CURATE,
    PARTNERSHIP_SETTINGS,
    PARTNERSHIP_VIEW,
    PASSWORD_CHANGE_ROUTES,
    PUBLIC,
    REVIEW_ACTIONS,
    ROOM,
    ROOM_MEMBER_ACTION,
    SIGNED_IN,
    SITE_ADMIN_ACTIONS,
    SITE_ADMIN_CHAIR_ROUTES,
    action_for,
    role_may,
)
from app.security import participant_for_token
from models import GoodPractice, Job, Review, User, Workshop
from models.audit.chain import Actor


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
    if (step_up := enforce_second_factor(user)) is not None:
        return step_up
    if user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ROUTES:
        # An administrator chose this password: nothing else until the user chooses their own.
        if is_api_request():
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


def _deny_anonymous() -> ResponseReturnValue:
    if is_api_request():
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
        if is_api_request():
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
