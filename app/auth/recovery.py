"""Invitations and forgotten passwords: a single-use, time-limited link sets the password.

"Forgot password" answers the same whatever the address, so it cannot tell anyone whether an
account exists; the link is sent only to an active account's own address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.account_links import security_notice, send_account_link
from app.auth import bp
from app.auth.forms import ForgotPasswordForm, SetPasswordForm
from app.db import db
from app.extensions import limiter
from app.mailer import mail_configured
from app.security import revoke_sessions
from app.services.accounts import live_account_link, set_password_from_link
from app.services.errors import ServiceError
from app.services.users import user_by_email


def _sign_in_rate_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_sign_in_rate_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        user = user_by_email(db(), email)
        if user is not None and user.is_active and mail_configured():
            send_account_link(user, "reset")
        return render_template(
            "auth/forgot_password_sent.html",
            email=email,
            can_send=mail_configured(),
            title="Check your email",
        )
    status = 422 if form.errors else 200
    return render_template(
        "auth/forgot_password.html",
        form=form,
        can_send=mail_configured(),
        title="Reset your password",
    ), status


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_rate_limit, methods=["POST"])
def account_link(token: str) -> ResponseReturnValue:
    now = datetime.now(UTC)
    link = live_account_link(session=db(), token=token, now=now)
    if link is None:
        return render_template("auth/link_expired.html", title="This link has expired"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = set_password_from_link(
                session=db(),
                link=link,
                password=form.password.data or "",
                now=now,
                password_minimum=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except ServiceError as error:
            form.password.errors = [error.message]
        else:
            revoke_sessions(user, keep_current=False)
            if link.purpose == "reset":
                security_notice(
                    user, "The password of your account was reset with an emailed link."
                )
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.sign_in"))
    status = 422 if form.errors else 200
    return render_template(
        "auth/set_password.html",
        form=form,
        user=link.user,
        purpose=link.purpose,
        title="Choose your password",
    ), status
