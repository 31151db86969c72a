"""Account settings for the signed-in user."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.account import bp
from app.account.forms import PasswordForm, TokenForm, TotpForm
from app.db import db
from app.passwords import hash_password
from app.policy import requires_second_factor
from app.security import (
    RECENT_SECOND_FACTOR,
    check_password,
    drop_recovery_codes,
    has_recent_second_factor,
    issue_api_token,
    matching_timecode,
    new_recovery_codes,
    new_totp_secret,
    note_second_factor,
    password_problem,
    qr_code_svg,
    revoke_api_tokens,
    revoke_sessions,
    token_expiry,
    totp_uri,
    use_recovery_code,
    verify_totp,
)
from app.services.users import api_tokens_of
from models import ApiToken, audit, utcnow


def _settings_page(status: int = 200, **forms: object) -> tuple[str, int]:
    context = {
        "password_form": PasswordForm(formdata=None),
        "token_form": TokenForm(formdata=None),
        **forms,
    }
    page = render_template(
        "account/settings.html",
        tokens=api_tokens_of(db(), current_user),
        token_expiry=token_expiry,
        now=utcnow(),
        needs_code=_token_needs_code(),
        title="Account settings",
        **context,
    )
    return page, status


@bp.route("")
def settings() -> tuple[str, int]:
    return _settings_page()


@bp.route("/password", methods=["POST"])
def change_password() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user, form.current_password.data or ""):
            form.current_password.errors = ["Your current password is not right"]
        elif problem := password_problem(
            form.new_password.data or "", email=current_user.email, name=current_user.name
        ):
            form.new_password.errors = [problem]
        elif form.new_password.data == form.current_password.data:
            # Above all when an administrator chose the current one: they know it.
            form.new_password.errors = ["Choose a new password, not the one you have now"]
        else:
            current_user.password_hash = hash_password(form.new_password.data or "")
            current_user.password_changed_at = utcnow()
            current_user.must_change_password = False
            revoke_sessions(current_user, keep_current=True)
            revoke_api_tokens(db(), current_user)
            flash(
                "Password changed. You have been signed out everywhere else and your API "
                "tokens have been revoked.",
                "success",
            )
            return redirect(url_for("account.settings"))
    return _settings_page(422, password_form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor() -> ResponseReturnValue:
    """Turn on a second factor (optional for most roles, required for admins and chairs)."""
    if current_user.totp_enabled:
        return redirect(url_for("account.settings"))
    secret = session.setdefault("pending_totp_secret", new_totp_secret())
    form = TotpForm()
    if form.validate_on_submit():
        timecode = matching_timecode(secret, form.code.data or "")
        if timecode is None:
            form.code.errors = ["That code is not right. Try the next code your app shows."]
        else:
            current_user.totp_secret = secret
            current_user.totp_enabled = True
            current_user.totp_last_timecode = timecode
            session.pop("pending_totp_secret", None)
            note_second_factor()
            codes = new_recovery_codes(current_user)
            return render_template(
                "account/recovery_codes.html",
                codes=codes,
                continue_to=url_for("account.settings"),
                title="Save your recovery codes",
            )
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        error=None,
        secret=secret,
        qr_svg=qr_code_svg(totp_uri(secret, current_user.email)),
        title="Set up your second factor",
    ), (422 if form.errors else 200)


@bp.route("/two-factor/disable", methods=["POST"])
def disable_two_factor() -> ResponseReturnValue:
    current_user.totp_enabled = False  # provisionally, to ask whether the role still needs it
    if requires_second_factor(current_user):
        current_user.totp_enabled = True
        flash("Your role needs a second factor, so it cannot be turned off.", "error")
        return redirect(url_for("account.settings"))
    current_user.totp_secret = None
    current_user.totp_last_timecode = None
    drop_recovery_codes(current_user)
    flash("Second factor turned off.", "success")
    return redirect(url_for("account.settings"))


@bp.route("/recovery-codes", methods=["POST"])
def recovery_codes() -> ResponseReturnValue:
    if not current_user.totp_enabled:
        abort(409)
    codes = new_recovery_codes(current_user)
    audit.record(
        db(), "recovery_codes_replaced", entity_type="users", entity_id=str(current_user.id)
    )
    return render_template(
        "account/recovery_codes.html",
        codes=codes,
        continue_to=url_for("account.settings"),
        title="Save your recovery codes",
    )


def _token_needs_code() -> bool:
    """A token acts as you for 90 days: minting one needs a second factor passed within
    RECENT_SECOND_FACTOR, or a code entered with the request (demo accounts excepted)."""
    if current_user.mfa_exempt and not current_user.totp_enabled:
        return False
    return not has_recent_second_factor()


@bp.route("/tokens", methods=["POST"])
def create_token() -> ResponseReturnValue:
    form = TokenForm()
    if not form.validate_on_submit():
        return _settings_page(422, token_form=form)
    if _token_needs_code():
        minutes = int(RECENT_SECOND_FACTOR.total_seconds() // 60)
        code = form.code.data or ""
        if not current_user.totp_enabled:
            form.code.errors = [
                "Set up a second factor first: an API token needs one (see Second factor above)"
            ]
            return _settings_page(422, token_form=form)
        if not code:
            form.code.errors = [
                f"Enter a code from your authenticator app: you have not used one in the "
                f"last {minutes} minutes"
            ]
            return _settings_page(422, token_form=form)
        if not (verify_totp(current_user, code) or use_recovery_code(current_user, code)):
            form.code.errors = ["That code is not right, or it has been used already"]
            return _settings_page(422, token_form=form)
        note_second_factor()
    token, row = issue_api_token(current_user, form.name.data or "", session=db())
    return render_template(
        "account/new_token.html",
        token=token,
        name=form.name.data,
        expires=token_expiry(row),
        title="Your new API token",
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> ResponseReturnValue:
    token = db().get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    token.revoked_at = token.revoked_at or utcnow()
    flash(f"Token '{token.name}' revoked.", "success")
    return redirect(url_for("account.settings"))
