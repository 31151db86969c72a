"""Sign in with a password, then (for admins, chairs and anyone who enrolled) a TOTP code.

Between the two steps the session holds only the pending user's id and when the password was
accepted; nothing counts as signed in until the second step passes.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import bp
from app.auth.forms import SignInForm, SingleSignOnForm, TwoFactorForm
from app.db import commit_even_on_error, db
from app.extensions import limiter
from app.policy import requires_second_factor
from app.security import (
    check_password,
    end_session,
    is_locked,
    matching_timecode,
    new_recovery_codes,
    new_totp_secret,
    note_failed_attempt,
    qr_code_svg,
    start_session,
    totp_uri,
    use_recovery_code,
    verify_totp,
)
from app.services.sso import has_identity_providers
from app.services.users import user_by_email
from models import User, audit

SIGN_IN_ERROR = (
    "The email address or password is not right, or the account is locked for 15 minutes "
    "after too many attempts"
)
PENDING_SECONDS = 300


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, scheme or a protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("main.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("main.dashboard")
    return target


def _sign_in_rate_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _pending_user() -> User | None:
    pending = session.get("pending_user")
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = db().get(User, pending["id"])
    return user if user is not None and user.is_active and not is_locked(user) else None


def finish_sign_in(user: User, next_url: str | None, *, second_factor: bool = False) -> Response:
    start_session(user, second_factor=second_factor)
    audit.record(db(), "sign_in", entity_type="users", entity_id=str(user.id))
    return redirect(safe_next(next_url))


def start_second_factor(user: User, next_url: str | None) -> Response:
    """The first step passed (a password or a provider without a second factor): ask for the
    TOTP code, or enrol an authenticator first."""
    session.clear()
    session["pending_user"] = {"id": user.id, "at": time.time()}
    session["next"] = safe_next(next_url)
    step = "auth.two_factor" if user.totp_enabled else "auth.two_factor_setup"
    return redirect(url_for(step))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_rate_limit, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        user = user_by_email(db(), email)
        locked = user is not None and is_locked(user)
        password_ok = check_password(user, form.password.data or "")
        commit_even_on_error()  # the failure count and the audit entry must be kept
        if user is None or locked or not password_ok or not user.is_active:
            if user is not None and not locked and not password_ok:
                note_failed_attempt(user)
            audit.record(
                db(),
                "sign_in_failed",
                entity_type="users",
                entity_id=str(user.id) if user else "",
                after={"email": email, "locked": locked},
            )
            error = SIGN_IN_ERROR
        elif requires_second_factor(user):
            return start_second_factor(user, request.args.get("next"))
        else:
            return finish_sign_in(user, request.args.get("next"))
    status = 200 if error is None else 401
    has_sso = has_identity_providers(db())
    return render_template(
        "auth/sign_in.html",
        form=form,
        sso_form=SingleSignOnForm(formdata=None) if has_sso else None,
        error=error,
        title="Sign in",
    ), status


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
def two_factor() -> ResponseReturnValue:
    user = _pending_user()
    if user is None or not user.totp_enabled:
        session.pop("pending_user", None)
        return redirect(url_for("auth.sign_in"))
    form = TwoFactorForm()
    error = None
    if form.validate_on_submit():
        code = form.code.data or ""
        commit_even_on_error()
        if verify_totp(user, code) or use_recovery_code(user, code):
            return finish_sign_in(user, session.get("next"), second_factor=True)
        note_failed_attempt(user)
        audit.record(db(), "two_factor_failed", entity_type="users", entity_id=str(user.id))
        error = "That code is not right, or it has been used already. Try the next code."
        if is_locked(user):
            session.pop("pending_user", None)
            return redirect(url_for("auth.sign_in"))
    status = 200 if error is None else 401
    return render_template(
        "auth/two_factor.html", form=form, error=error, title="Enter your code"
    ), status


@bp.route("/sign-in/two-factor/setup", methods=["GET", "POST"])
def two_factor_setup() -> ResponseReturnValue:
    """First sign-in of someone who must use a second factor: enrol, then continue."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if user.totp_enabled:
        return redirect(url_for("auth.two_factor"))
    secret = session.setdefault("pending_totp_secret", new_totp_secret())
    form = TwoFactorForm()
    form.code.label.text = "Code from your authenticator app"
    error = None
    if form.validate_on_submit():
        timecode = matching_timecode(secret, form.code.data or "")
        if timecode is None:
            error = "That code is not right. Check the time on your phone and try the next code."
        else:
            user.totp_secret = secret
            user.totp_enabled = True
            user.totp_last_timecode = timecode
            codes = new_recovery_codes(user)
            next_url = session.get("next")
            session.pop("pending_totp_secret", None)
            response = finish_sign_in(user, next_url, second_factor=True)
            return render_template(
                "account/recovery_codes.html",
                codes=codes,
                continue_to=response.location,
                title="Save your recovery codes",
            )
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        error=error,
        secret=secret,
        qr_svg=qr_code_svg(totp_uri(secret, user.email)),
        title="Set up your second factor",
    ), (200 if error is None else 422)


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    audit.record(db(), "sign_out", entity_type="users", entity_id=str(current_user.id))
    end_session()
    return redirect(url_for("auth.sign_in"))
