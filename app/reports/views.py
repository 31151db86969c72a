"""Report pages: narrative sections, versions, comparison, approval and publication.
The policy has checked access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from analysis.findings import side_by_side, unified_diff
from app import policy
from app.db import db
from app.forms import edit_status, save_versioned
from app.policy import current_review
from app.report_files import report_file
from app.report_generation import job_of, start_generation
from app.reports import bp
from app.security import MAX_DATABASE_ID
from app.services import findings as findings_service
from app.services import reports as service
from app.services.anonymity import HIT_KINDS
from app.services.errors import ServiceError
from models import ReportVersion, Review


class NarrativeForm(FlaskForm):
    executive_summary = TextAreaField("Executive summary (public edition)", validators=[Optional()])
    introduction = TextAreaField("Introduction", validators=[Optional()])
    systems_method = TextAreaField("The systems method", validators=[Optional()])
    childs_experience = TextAreaField("The child's experience in brief", validators=[Optional()])
    good_practice = TextAreaField("Good practice", validators=[Optional()])
    conclusion = TextAreaField("Conclusion", validators=[Optional()])
    glossary = TextAreaField("Glossary: further terms", validators=[Optional()])
    version = HiddenField()


class DeleteForm(FlaskForm):
    reason = TextAreaField(
        "Why is this version being deleted?",
        validators=[
            DataRequired("Give the reason for deleting this version"),
            Length(max=2000, message="Keep the reason under 2,000 characters"),
        ],
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why is this version being withdrawn?",
        validators=[
            DataRequired("Give the reason for withdrawing this version"),
            Length(max=2000, message="Keep the reason under 2,000 characters"),
        ],
    )


def _version_or_404(number: int) -> ReportVersion:
    version = service.version_by_number(db(), current_review(), number)
    if version is None:
        abort(404)
    return version


@bp.route("/reports", methods=["GET", "POST"])
def reports(review_id: int) -> ResponseReturnValue:
    review = current_review()
    if request.method == "POST":
        try:
            version, job = start_generation(db(), review, current_user)
        except service.VersionTakenError as error:
            flash(error.message, "error")
            return _reports_page(review, 409)
        flash(f"Report version {version.number} is being generated.", "success")
        return redirect(url_for("main.job", job_id=job.id), code=303)
    return _reports_page(review)


def _reports_page(review: Review, status: int = 200) -> tuple[str, int]:
    return render_template(
        "reports/reports.html",
        review=review,
        versions=service.report_versions(db(), review),
        title="Report",
    ), status


@bp.route("/reports/narrative", methods=["GET", "POST"])
def narrative(review_id: int) -> ResponseReturnValue:
    review = current_review()
    current = findings_service.narrative_of(db(), review)
    form = NarrativeForm(
        formdata=None if request.method == "GET" else request.form,
        obj=current if request.method == "GET" else None,
    )
    theirs = None
    if request.method == "GET":
        form.version.data = str(current.version)
    elif form.validate_on_submit():
        values = {key: getattr(form, key).data or "" for key in findings_service.NARRATIVE_FIELDS}
        saved, theirs = save_versioned(
            form,
            lambda version: findings_service.update_narrative(
                session=db(), review=review, expected_version=version, **values
            ),
            current,
        )
        if saved:
            flash("The report's narrative is saved.", "success")
            return redirect(url_for("reports.reports", review_id=review_id))
    return render_template(
        "reports/narrative.html",
        review=review,
        form=form,
        theirs=theirs,
        default_method=service.DEFAULT_METHOD,
        title="The report's narrative",
    ), edit_status(request.method, theirs)


def _version_page(
    version: ReportVersion, hits: list[dict[str, Any]], status: int = 200
) -> tuple[str, int]:
    review = current_review()
    others = [v for v in service.report_versions(db(), review) if v.number != version.number]
    return render_template(
        "reports/version.html",
        review=review,
        version=version,
        hits=hits,
        kinds=HIT_KINDS,
        others=others,
        is_creator=version.created_by_id == current_user.id,
        needs_rescan=service.register_changed_since(db(), review, version),
        withdraw_form=WithdrawForm(formdata=None),
        job=job_of(db(), version),
        title=f"Report version {version.number}",
    ), status


@bp.route("/reports/<int:version>")
def version(review_id: int, version: int) -> ResponseReturnValue:
    item = _version_or_404(version)
    return _version_page(item, list(item.scan_hits or []))


@bp.route("/reports/<int:version>.<fmt>")
def download(review_id: int, version: int, fmt: str) -> Response:
    """The restricted edition (for the panel and the board)."""
    item = _version_or_404(version)
    return report_file(item, fmt, f"report-{review_id}-v{item.number}-restricted")


@bp.route("/reports/<int:version>/public.<fmt>")
def public_download(review_id: int, version: int, fmt: str) -> Response:
    """The public edition: what publishing this version would publish."""
    item = _version_or_404(version)
    return report_file(item, fmt, f"report-{review_id}-v{item.number}-public", edition="public")


@bp.route("/reports/<int:version>/delete", methods=["GET", "POST"])
def delete(review_id: int, version: int) -> ResponseReturnValue:
    """Delete a superseded draft (never published), with a reason: the chair."""

    def done(item: ReportVersion) -> Response:
        flash(f"Version {item.number} is deleted with its files.", "success")
        return redirect(url_for("reports.reports", review_id=review_id))

    return _with_reason(
        version, DeleteForm, service.delete_version, done, "reports/delete.html", "Delete"
    )


def _with_reason(
    version: int,
    form_class: type[DeleteForm] | type[WithdrawForm],
    change: Callable[..., Any],
    done: Callable[[ReportVersion], Response],
    template: str,
    verb: str,
) -> ResponseReturnValue:
    """A change to a version that needs a reason (deleting a draft, withdrawing a
    publication): the form, the service's refusal on the form, or ``done`` once made."""
    review = current_review()
    item = _version_or_404(version)
    form = form_class(formdata=None if request.method == "GET" else request.form)
    if request.method == "POST" and form.validate_on_submit():
        try:
            change(
                session=db(),
                review=review,
                version=item,
                user=current_user,
                reason=form.reason.data or "",
            )
        except ServiceError as error:
            form.reason.errors = [error.message]
        else:
            return done(item)
    return render_template(
        template,
        review=review,
        version=item,
        form=form,
        title=f"{verb} report version {item.number}",
    ), (422 if request.method == "POST" else 200)


@bp.route("/reports/compare")
def compare(review_id: int) -> ResponseReturnValue:
    review = current_review()
    versions = service.report_versions(db(), review)
    old = new = None
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        a = b = 0
    if not (0 < a <= MAX_DATABASE_ID and 0 < b <= MAX_DATABASE_ID):
        a = b = 0
    if a and b:
        old, new = _version_or_404(min(a, b)), _version_or_404(max(a, b))
    view = request.args.get("view", "unified")
    unified = side = None
    if old is not None and new is not None:
        if view == "side":
            side = side_by_side(old.markdown, new.markdown)
        else:
            unified = unified_diff(
                old.markdown, new.markdown, f"version {old.number}", f"version {new.number}"
            )
    return render_template(
        "reports/compare.html",
        review=review,
        versions=versions,
        old=old,
        new=new,
        view=view,
        unified=unified,
        side=side,
        title="Compare report versions",
    )


@bp.route("/reports/<int:version>/approve", methods=["POST"])
def approve(review_id: int, version: int) -> ResponseReturnValue:
    item = _version_or_404(version)
    try:
        service.approve_report(
            session=db(), review=current_review(), version=item, user=current_user
        )
    except service.PublicationBlockedError as error:
        flash(
            f"Version {item.number} cannot be approved: {error.message}",
            "error",
        )
        return _version_page(item, error.hits, 409)
    except ServiceError as error:
        flash(error.message, "error")
        return _version_page(item, list(item.scan_hits or []), 409)
    flash(f"Version {item.number} approved for publication.", "success")
    return redirect(url_for("reports.version", review_id=review_id, version=item.number))


@bp.route("/reports/<int:version>/publish", methods=["POST"])
def publish(review_id: int, version: int) -> ResponseReturnValue:
    item = _version_or_404(version)
    try:
        service.publish_report(
            session=db(), review=current_review(), version=item, user=current_user
        )
    except service.PublicationBlockedError as error:
        flash(error.message, "error")
        return _version_page(item, error.hits, 409)
    except ServiceError as error:
        flash(error.message, "error")
        return _version_page(item, [], 409)
    flash(f"Version {item.number} is published on the partnership's public page.", "success")
    return redirect(url_for("reports.version", review_id=review_id, version=item.number))


@bp.route("/reports/<int:version>/withdraw", methods=["GET", "POST"])
def withdraw(review_id: int, version: int) -> ResponseReturnValue:
    """Withdraw a published version from the public page, with a reason (chair or admin)."""

    def done(item: ReportVersion) -> Response:
        flash(
            f"Version {item.number} is withdrawn: it is no longer on the public page "
            "and its files are gone from the public.",
            "success",
        )
        if policy.may("reports.view"):
            return redirect(url_for("reports.version", review_id=review_id, version=item.number))
        return redirect(url_for("admin.index"))

    return _with_reason(
        version, WithdrawForm, service.withdraw_report, done, "reports/withdraw.html", "Withdraw"
    )
