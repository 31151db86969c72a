"""Administering one account (details, password, second factor, lock), the partnership's name,
and reviews left without a chair. The policy limits an administrator to their own partnership's
users and reviews."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.account_links import security_notice, send_account_link
from app.admin import bp, flash_link
from app.db import db
from app.forms import select_choices
from app.policy import ROLES
from app.security import revoke_sessions
from app.services import accounts, chairs
from app.services.errors import ServiceError
from app.services.reviews import reviews_of_partnership
from app.services.users import memberships_of
from models import Partnership, Review, User


class EditUserForm(FlaskForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's name"), Length(max=200)]
    )
    email = EmailField("Email address", validators=[DataRequired("Enter an email address")])
    is_admin = BooleanField("Site administrator")


class TemporaryPasswordForm(FlaskForm):
    password = PasswordField(
        "Temporary password", validators=[DataRequired("Enter a temporary password")]
    )


class RenameForm(FlaskForm):
    name = StringField(
        "Partnership name", validators=[DataRequired("Enter a name"), Length(max=200)]
    )


class ChairForm(FlaskForm):
    user = SelectField("New chair", coerce=int, choices=[])


def _user(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _user_page(user: User, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    edit = forms.get("edit") or EditUserForm(obj=user, formdata=None)
    page = render_template(
        "admin/user.html",
        user=user,
        edit=edit,
        temporary=forms.get("temporary") or TemporaryPasswordForm(formdata=None),
        memberships=memberships_of(db(), user),
        invited=accounts.awaiting_invitation(db(), user),
        now=datetime.now(UTC),
        title=user.name,
    )
    return page, status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> ResponseReturnValue:
    target = _user(user_id)
    if request.method == "GET":
        return _user_page(target)
    form = EditUserForm()
    if form.validate_on_submit():
        try:
            accounts.edit_user(
                session=db(),
                user=target,
                actor=current_user,
                name=form.name.data or "",
                email=form.email.data or "",
                partnership=target.partnership,
                is_admin=bool(form.is_admin.data),
            )
        except ServiceError as error:
            getattr(form, error.field or "name").errors = [error.message]
        else:
            flash(f"Saved the details of {target.email}.", "success")
            return redirect(url_for("admin.user", user_id=target.id))
    return _user_page(target, 422, edit=form)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int) -> ResponseReturnValue:
    target = _user(user_id)
    if request.form.get("how") == "link":
        sent, url = send_account_link(target, "reset")
        flash_link(target, url, sent, "a link to choose a new password")
        return redirect(url_for("admin.user", user_id=target.id))
    form = TemporaryPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_temporary_password(
                session=db(),
                user=target,
                password=form.password.data or "",
                now=datetime.now(UTC),
                password_minimum=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except ServiceError as error:
            form.password.errors = [error.message]
        else:
            revoke_sessions(target, keep_current=target.id == current_user.id)
            security_notice(target, "An administrator set a temporary password on your account.")
            flash(
                f"Temporary password set. {target.name} must choose their own when they next "
                "sign in, and has been signed out everywhere.",
                "success",
            )
            return redirect(url_for("admin.user", user_id=target.id))
    return _user_page(target, 422, temporary=form)


@bp.route("/users/<int:user_id>/two-factor", methods=["POST"])
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    target = _user(user_id)
    if not target.totp_enabled:
        flash(f"{target.name} has no second factor set up: there is nothing to reset.", "error")
        return redirect(url_for("admin.user", user_id=target.id))
    accounts.reset_second_factor(session=db(), user=target)
    revoke_sessions(target, keep_current=False)
    security_notice(
        target, "An administrator reset your second factor: set up your authenticator again."
    )
    flash(
        f"Second factor reset. {target.name} sets up an authenticator app again when they next "
        "sign in, and has been signed out everywhere.",
        "success",
    )
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
def unlock(user_id: int) -> ResponseReturnValue:
    target = _user(user_id)
    accounts.unlock(session=db(), user=target)
    flash(f"{target.email} can sign in again.", "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.route("/partnership", methods=["GET", "POST"])
def partnership() -> ResponseReturnValue:
    own: Partnership = current_user.partnership
    form = RenameForm(obj=own)
    if form.validate_on_submit():
        try:
            accounts.rename_partnership(session=db(), partnership=own, name=form.name.data or "")
        except ServiceError as error:
            form.name.errors = [error.message]
        else:
            flash(f"The partnership is now called {own.name}.", "success")
            return redirect(url_for("admin.partnership"))
    return render_template(
        "admin/partnership.html", form=form, partnership=own, title="Your partnership"
    ), (422 if form.errors else 200)


@bp.route("/reviews")
def reviews() -> str:
    rows = reviews_of_partnership(db(), current_user.partnership_id)
    form = ChairForm(formdata=None)
    # Who an administrator may appoint: active people of the partnership, never themselves.
    candidates = chairs.chair_candidates(db(), current_user.partnership_id, appointer=current_user)
    form.user.choices = select_choices((u.id, f"{u.name} ({u.email})") for u in candidates)
    return render_template(
        "admin/reviews.html",
        reviews=rows,
        chairs=chairs.active_chairs(db(), [r.id for r in rows]),
        form=form,
        title="Reviews and chairs",
    )


@bp.route("/reviews/<int:review_id>/chair", methods=["POST"])
def appoint_chair(review_id: int) -> ResponseReturnValue:
    """Appoint a chair to a review left without an active one. A review with a chair is the
    chair's to change: an administrator must not be able to make anyone (themselves
    included) a reader of its real names."""
    review = db().get(Review, review_id)
    if review is None:
        abort(404)
    if chairs.active_chair(db(), review) is not None:
        flash(f"{review.title} has a chair: they appoint any other chair.", "error")
        return redirect(url_for("admin.reviews"))
    form = ChairForm()
    candidates = {
        u.id: u
        for u in chairs.chair_candidates(db(), review.partnership_id, appointer=current_user)
    }
    form.user.choices = select_choices((u.id, u.name) for u in candidates.values())
    chosen = candidates.get(form.user.data or 0) if form.validate_on_submit() else None
    if chosen is None:
        flash("Choose another active person of the partnership to chair the review.", "error")
        return redirect(url_for("admin.reviews"))
    role = chairs.appoint_chair(session=db(), review=review, user=chosen)
    was = f" (they were {ROLES.get(role, role).lower()})" if role is not None else ""
    flash(f"{chosen.name} now chairs {review.title}{was}.", "success")
    return redirect(url_for("admin.reviews"))
