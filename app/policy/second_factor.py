"""The second factor: who must use one, and the step-up a browser session is sent through
before it may go on.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.db import db
from app.policy.context import is_api_request
from app.policy.table import REVIEW_ACTIONS
from app.security import demand_second_factor, is_bearer_request, session_second_factor_at
from models import Membership, User

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


def enforce_second_factor(user: User) -> ResponseReturnValue | None:
    """None when ``user`` may go on; else a 401 (API) or a redirect to set up or enter the
    second factor."""
    if request.endpoint in SECOND_FACTOR_FREE_ENDPOINTS:
        return None
    if is_api_request() and is_bearer_request():
        return None  # a token was minted after a recent second factor (or by the operator)
    if session_second_factor_at() is not None or not requires_second_factor(user):
        return None
    if is_api_request():
        abort(401, "Your role needs a second factor: sign in again")
    step = demand_second_factor(user, request.full_path.rstrip("?"))
    flash("Your role needs a second factor: set it up or enter your code to continue.", "info")
    return redirect(url_for(step))
