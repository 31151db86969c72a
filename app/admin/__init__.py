"""Site administration: users and partnerships. Admins do not see review content."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.db import db
from app.forms import select_choices
from app.security import revoke_sessions
from app.services.errors import ServiceError
from app.services.public_report import checked_logo
from app.services.reports import published_reports
from app.services.users import create_user, get_or_create_partnership
from models import ApiToken, Partnership, Review, User, utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


class UserForm(FlaskForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's name"), Length(max=200)]
    )
    email = EmailField("Email address", validators=[DataRequired("Enter an email address")])
    partnership = SelectField("Partnership", coerce=int, choices=[])
    password = PasswordField(
        "Initial password", validators=[DataRequired("Enter an initial password")]
    )
    is_admin = BooleanField("Site administrator")


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo for the cover of published reports (PNG or JPEG, under 2 MB)",
        validators=[FileRequired("Choose an image file for the logo")],
    )


class PartnershipForm(FlaskForm):
    name = StringField(
        "Partnership name", validators=[DataRequired("Enter a name"), Length(max=200)]
    )


def _partnership_choices() -> list[SelectChoice]:
    rows = db().scalars(select(Partnership).order_by(Partnership.name))
    return select_choices((p.id, p.name) for p in rows)


@bp.route("")
def index() -> str:
    # Published reports are public already; listing them lets an administrator withdraw one
    # quickly when the chair cannot (the withdrawal page asks for the reason).
    reports = published_reports(db(), current_user.partnership_id)
    titles = {
        r.id: r.title
        for r in db().scalars(select(Review).where(Review.id.in_({v.review_id for v in reports})))
    }
    return render_template(
        "admin/index.html", reports=reports, titles=titles, title="Administration"
    )


@bp.route("/users", methods=["GET", "POST"])
def users() -> object:
    form = UserForm()
    form.partnership.choices = _partnership_choices()
    if form.validate_on_submit():
        partnership = db().get(Partnership, form.partnership.data)
        try:
            if partnership is None:
                raise ServiceError("Choose a partnership", "partnership")
            user = create_user(
                session=db(),
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                partnership=partnership,
                is_admin=bool(form.is_admin.data),
            )
        except ServiceError as error:
            getattr(form, error.field or "email").errors = [error.message]
        else:
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("admin.users"))
    people = db().scalars(select(User).order_by(User.name)).all()
    status = 422 if form.errors else 200
    return render_template("admin/users.html", form=form, users=people, title="Users"), status


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_user_active(user_id: int) -> object:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.users"))
    user.is_active = not user.is_active
    if not user.is_active:
        revoke_sessions(user, keep_current=False)
        for token in db().scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = utcnow()
    what = "reactivated" if user.is_active else "deactivated and signed out everywhere"
    flash(f"{user.email} {what}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/partnerships", methods=["GET", "POST"])
def partnerships() -> object:
    form = PartnershipForm()
    if form.validate_on_submit():
        partnership = get_or_create_partnership(form.name.data or "", session=db())
        flash(f"{partnership.name} is ready.", "success")
        return redirect(url_for("admin.partnerships"))
    return _partnerships_page(form, LogoForm(formdata=None), None)


def _partnerships_page(form: PartnershipForm, logo_form: LogoForm, logo_for: int | None) -> object:
    rows = db().scalars(select(Partnership).order_by(Partnership.name)).all()
    status = 422 if form.errors or logo_form.errors else 200
    return render_template(
        "admin/partnerships.html",
        form=form,
        logo_form=logo_form,
        logo_for=logo_for,
        partnerships=rows,
        title="Partnerships",
    ), status


@bp.route("/partnerships/<int:partnership_id>/logo", methods=["POST"])
def partnership_logo(partnership_id: int) -> object:
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
    return _partnerships_page(PartnershipForm(formdata=None), form, partnership.id)
