"""Site administration: users and partnerships. Admins do not see review content."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.account_links import send_account_link
from app.db import db
from app.forms import SelectChoice, select_choices
from app.policy import administered_partnership_ids, administers
from app.security import revoke_api_tokens, revoke_sessions
from app.services import retention as retention_service
from app.services.errors import ServiceError
from app.services.reports import checked_logo, published_reports
from app.services.reviews import review_titles
from app.services.users import create_user, partnerships_among, users_of
from models import Partnership, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


class UserForm(FlaskForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's name"), Length(max=200)]
    )
    email = EmailField("Email address", validators=[DataRequired("Enter an email address")])
    partnership = SelectField("Partnership", coerce=int, choices=[])
    password = PasswordField("Temporary password (optional)", validators=[Optional()])
    is_admin = BooleanField("Site administrator")


class RetentionForm(FlaskForm):
    years = IntegerField(
        "Years to keep a closed review's case data",
        validators=[Optional(), NumberRange(1, 100, "Enter a number of years from 1 to 100")],
    )


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo for the cover of published reports (PNG or JPEG, under 2 MB)",
        validators=[FileRequired("Choose an image file for the logo")],
    )


def _administered_partnerships() -> list[Partnership]:
    return partnerships_among(db(), administered_partnership_ids(current_user))


def _partnership_choices() -> list[SelectChoice]:
    return select_choices((p.id, p.name) for p in _administered_partnerships())


@bp.route("")
def index() -> str:
    # Published reports are public already; listing them lets an administrator withdraw one
    # quickly when the chair cannot (the withdrawal page asks for the reason).
    reports = published_reports(db(), current_user.partnership_id)
    titles = review_titles(db(), {v.review_id for v in reports})
    return render_template(
        "admin/index.html", reports=reports, titles=titles, title="Administration"
    )


@bp.route("/users", methods=["GET", "POST"])
def users() -> ResponseReturnValue:
    form = UserForm()
    form.partnership.choices = _partnership_choices()
    if form.validate_on_submit():
        partnership = db().get(Partnership, form.partnership.data)
        temporary = form.password.data or ""
        try:
            if partnership is None or not administers(current_user, partnership.id):
                raise ServiceError("Choose a partnership", "partnership")
            user = create_user(
                session=db(),
                email=form.email.data or "",
                name=form.name.data or "",
                password=temporary or None,
                partnership=partnership,
                is_admin=bool(form.is_admin.data),
                password_minimum=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except ServiceError as error:
            getattr(form, error.field or "email").errors = [error.message]
        else:
            if temporary:
                user.must_change_password = True
                flash(
                    f"Account created for {user.email}. They must choose their own password "
                    "when they first sign in.",
                    "success",
                )
            else:
                sent, url = send_account_link(user, "invitation")
                flash_link(user, url, sent, "an invitation")
            return redirect(url_for("admin.user", user_id=user.id))
    people = users_of(db(), administered_partnership_ids(current_user))
    status = 422 if form.errors else 200
    return render_template("admin/users.html", form=form, users=people, title="Users"), status


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_user_active(user_id: int) -> ResponseReturnValue:
    user = db().get(User, user_id)
    if user is None or not administers(current_user, user.partnership_id):
        abort(404)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.users"))
    user.is_active = not user.is_active
    if not user.is_active:
        revoke_sessions(user, keep_current=False)
        revoke_api_tokens(db(), user)
    what = "reactivated" if user.is_active else "deactivated and signed out everywhere"
    flash(f"{user.email} {what}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/partnerships")
def partnerships() -> ResponseReturnValue:
    """The partnership(s) this administrator administers; another partnership is set up by
    the operator on the server (see ``app.policy.administers``)."""
    return _partnerships_page(LogoForm(formdata=None), None)


def _partnerships_page(logo_form: LogoForm, logo_for: int | None) -> ResponseReturnValue:
    status = 422 if logo_form.errors else 200
    return render_template(
        "admin/partnerships.html",
        logo_form=logo_form,
        logo_for=logo_for,
        partnerships=_administered_partnerships(),
        title="Partnerships",
    ), status


@bp.route("/partnerships/<int:partnership_id>/logo", methods=["POST"])
def partnership_logo(partnership_id: int) -> ResponseReturnValue:
    """Upload (checked and re-encoded as PNG) or remove a partnership's report logo."""
    partnership = db().get(Partnership, partnership_id)
    if partnership is None:
        abort(404)
    form = LogoForm()
    if request.form.get("remove"):
        partnership.logo_png = None
        flash(f"The logo of {partnership.name} is removed.", "success")
        return redirect(url_for("admin.partnerships"))
    if form.validate_on_submit():
        try:
            partnership.logo_png = checked_logo(form.logo.data.read())
        except ServiceError as error:
            form.logo.errors = [error.message]
        else:
            flash(
                f"The logo of {partnership.name} is saved: it is on the cover of reports "
                "generated from now on.",
                "success",
            )
            return redirect(url_for("admin.partnerships"))
    return _partnerships_page(form, partnership.id)


def flash_link(user: User, url: str, sent: bool, what: str) -> None:
    """Say that ``what`` was emailed, or, without email, give the link to pass on."""
    if sent:
        flash(f"We have emailed {what} to {user.email}.", "success")
    else:
        flash(
            f"This site does not send email: give {user.name} {what} yourself. "
            f"It works once: {url}",
            "success",
        )


from app.admin import accounts  # noqa: E402, F401 - registers the account routes on bp


@bp.route("/retention", methods=["GET", "POST"])
def retention() -> ResponseReturnValue:
    """The administrator's own partnership's retention rule, its closed reviews and when each
    one's case data goes. The purge itself runs from the command line (``retention --purge``)."""
    partnership = db().get_one(Partnership, current_user.partnership_id)
    form = RetentionForm(data={"years": partnership.retention_years})
    if form.validate_on_submit():
        years = form.years.data
        retention_service.set_retention(db(), partnership, years)
        if years:
            flash(f"Case data of closed reviews is now kept {years} years.", "success")
        else:
            flash("Case data of closed reviews is now kept until you set a rule.", "success")
        return redirect(url_for("admin.retention"))
    due = {
        item.review.id: item
        for item in retention_service.due_reviews(db(), partnership_id=partnership.id)
    }
    return render_template(
        "admin/retention.html",
        form=form,
        partnership=partnership,
        closed=retention_service.closed_reviews(db(), partnership),
        due=due,
        title="Retention",
    ), (422 if form.errors else 200)
