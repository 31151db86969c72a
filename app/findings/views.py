"""Pages for findings, the board's responses, actions and "you said, we did" feedback.
The policy has checked access."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from analysis.dates import uk_date, uk_today
from analysis.findings import (
    ACTION_STATUSES,
    ACTION_STRENGTHS,
    FEEDBACK_AUDIENCES,
    is_overdue,
)
from analysis.taxonomy import FACTOR_TYPES, SCIE_PATTERNS, SYSTEM_LEVELS
from app.db import db
from app.findings import bp
from app.findings.forms import ActionForm, BoardResponseForm, FeedbackForm, FindingForm
from app.forms import (
    edit_status,
    flash_save_warnings,
    save_versioned,
    select_choices,
    show_service_error,
)
from app.pickers import factor_picker, is_picker_search
from app.policy import current_review
from app.services import findings as service
from app.services.errors import ServiceError
from models import Action, Finding


def _finding_or_404(ref: str) -> Finding:
    finding = service.finding_by_ref(db(), current_review(), ref)
    if finding is None:
        abort(404)
    return finding


def _action_or_404(ref: str) -> Action:
    action = service.action_by_ref(db(), current_review(), ref)
    if action is None:
        abort(404)
    return action


def _common() -> dict[str, Any]:
    return {
        "review": current_review(),
        "statuses": ACTION_STATUSES,
        "strengths": ACTION_STRENGTHS,
        "scie": SCIE_PATTERNS,
        "today": uk_today(),
        "is_overdue": is_overdue,
        "only_weak": service.has_only_weak_actions,
    }


# --- findings -------------------------------------------------------------------------------


@bp.route("/findings")
def findings(review_id: int) -> str:
    review = current_review()
    rows = service.review_findings(db(), review)
    return render_template(
        "findings/findings.html",
        findings=rows,
        suggestions=service.suggested_findings(db(), review),
        factor_labels=service.factor_labels(db(), review),
        overdue=service.overdue_actions(db(), [review.id]),
        title="Findings",
        **_common(),
    )


@bp.route("/findings/suggestions", methods=["POST"])
def accept_suggestion(review_id: int) -> Response:
    """Accept a suggested finding: it is created from the theme, then opened for editing."""
    try:
        finding = service.accept_suggestion(
            session=db(),
            review=current_review(),
            refs=request.form.getlist("factors"),
        )
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("findings.findings", review_id=review_id))
    flash(f"Finding {finding.ref} created from the suggestion. Edit it below.", "success")
    return redirect(url_for("findings.edit_finding", review_id=review_id, ref=finding.ref))


def _finding_form(finding: Finding | None = None) -> FindingForm:
    form = FindingForm(
        formdata=None if request.method == "GET" else request.form,
        obj=finding if request.method == "GET" else None,
    )
    form.factors.choices = []  # a picker: only the chosen and found factors are read
    if request.method == "GET" and finding is not None:
        form.scie_pattern.data = finding.scie_pattern or ""
        form.questions_for_board.data = "\n".join(finding.questions_for_board or [])
        form.factors.data = [f.ref for f in finding.factors]
        form.version.data = str(finding.version)
    return form


def _factors_picker(form: FindingForm) -> Any:
    return factor_picker(db(), current_review(), "factors", form.factors.data or [])


def _finding_values(form: FindingForm) -> dict[str, Any]:
    return {
        "title": form.title.data,
        "scie_pattern": form.scie_pattern.data or None,
        "issue": form.issue.data or "",
        "evidence": form.evidence.data or "",
        "how_widespread": form.how_widespread.data or "",
        "why_it_matters": form.why_it_matters.data or "",
        "questions_for_board": (form.questions_for_board.data or "").splitlines(),
        "factors": form.factors.data or [],
    }


@bp.route("/findings/new", methods=["GET", "POST"])
def new_finding(review_id: int) -> ResponseReturnValue:
    form = _finding_form()
    if request.method == "POST" and not is_picker_search() and form.validate_on_submit():
        try:
            finding = service.create_finding(
                session=db(), review=current_review(), **_finding_values(form)
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Finding {finding.ref} added.", "success")
            flash_save_warnings(finding, "finding")
            return redirect(url_for("findings.finding", review_id=review_id, ref=finding.ref))
    return render_template(
        "findings/finding_form.html",
        form=form,
        finding=None,
        factors=_factors_picker(form),
        title="Write a finding",
        **_common(),
    ), (422 if request.method == "POST" and not is_picker_search() else 200)


@bp.route("/findings/<ref>")
def finding(review_id: int, ref: str) -> str:
    item = _finding_or_404(ref)
    responses = {r.question: r for r in item.board_responses}
    return render_template(
        "findings/finding.html",
        finding=item,
        responses=responses,
        response_form=BoardResponseForm(formdata=None),
        levels=SYSTEM_LEVELS,
        types=FACTOR_TYPES,
        title=item.title,
        **_common(),
    )


@bp.route("/findings/<ref>/edit", methods=["GET", "POST"])
def edit_finding(review_id: int, ref: str) -> ResponseReturnValue:
    item = _finding_or_404(ref)
    form = _finding_form(item)
    theirs = None
    if request.method == "POST" and not is_picker_search() and form.validate_on_submit():
        saved, theirs = save_versioned(
            form,
            lambda version: service.update_finding(
                session=db(), finding=item, expected_version=version, **_finding_values(form)
            ),
            item,
        )
        if saved:
            flash(f"Finding {item.ref} saved.", "success")
            flash_save_warnings(item, "finding")
            return redirect(url_for("findings.finding", review_id=review_id, ref=ref))
    status = 200 if is_picker_search() else edit_status(request.method, theirs)
    return render_template(
        "findings/finding_form.html",
        form=form,
        finding=item,
        theirs=theirs,
        factors=_factors_picker(form),
        title=f"Edit finding {item.ref}",
        **_common(),
    ), status


@bp.route("/findings/<ref>/delete", methods=["POST"])
def delete_finding(review_id: int, ref: str) -> Response:
    item = _finding_or_404(ref)
    service.delete_finding(session=db(), review=current_review(), finding=item)
    flash(f"Finding {ref}, its actions and the board's responses deleted.", "success")
    return redirect(url_for("findings.findings", review_id=review_id))


@bp.route("/findings/<ref>/responses", methods=["POST"])
def board_response(review_id: int, ref: str) -> ResponseReturnValue:
    item = _finding_or_404(ref)
    form = BoardResponseForm()
    if form.validate_on_submit():
        try:
            service.record_board_response(
                session=db(),
                finding=item,
                question=form.question.data or "",
                response=form.response.data or "",
                responded_on=form.responded_on.data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash("The board's response is recorded.", "success")
            return redirect(url_for("findings.finding", review_id=review_id, ref=ref))
    responses = {r.question: r for r in item.board_responses}
    return render_template(
        "findings/finding.html",
        finding=item,
        responses=responses,
        response_form=form,
        levels=SYSTEM_LEVELS,
        types=FACTOR_TYPES,
        title=item.title,
        **_common(),
    ), 422


# --- actions --------------------------------------------------------------------------------


@bp.route("/actions")
def actions(review_id: int) -> str:
    review = current_review()
    return render_template(
        "findings/actions.html",
        actions=service.review_actions(db(), review),
        overdue=service.overdue_actions(db(), [review.id]),
        title="Actions",
        **_common(),
    )


def _action_form(action: Action | None = None) -> ActionForm:
    form = ActionForm(
        formdata=None if request.method == "GET" else request.form,
        obj=action if request.method == "GET" else None,
    )
    review = current_review()
    form.finding.choices = select_choices(
        (f.ref, f"{f.ref}: {f.title}") for f in service.review_findings(db(), review)
    )
    form.owner_agency.choices = select_choices(
        [("", "Not yet agreed"), *[(a.ref, a.name) for a in review.agencies]]
    )
    if request.method == "GET":
        if action is not None:
            form.finding.data = action.finding.ref
            form.owner_agency.data = action.owner_agency.ref if action.owner_agency else ""
            form.strength.data = action.strength or ""
            form.version.data = str(action.version)
        else:
            form.finding.data = request.args.get("finding", "")
    return form


def _action_values(form: ActionForm) -> dict[str, Any]:
    return {
        "finding": form.finding.data,
        "description": form.description.data,
        "owner_agency": form.owner_agency.data or None,
        "due": form.due.data,
        "status": form.status.data,
        "strength": form.strength.data or None,
        "impact_evidence": form.impact_evidence.data or "",
        "dropped_reason": form.dropped_reason.data or "",
    }


@bp.route("/actions/new", methods=["GET", "POST"])
def new_action(review_id: int) -> ResponseReturnValue:
    form = _action_form()
    if request.method == "POST" and form.validate_on_submit():
        try:
            action = service.create_action(
                session=db(), review=current_review(), **_action_values(form)
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Action {action.ref} added.", "success")
            # Warned, not refused: an action agreed earlier (a rapid review's, say) may be
            # recorded late, and imports carry old dates. It is listed as overdue at once.
            if is_overdue(action.due, action.status, uk_today()):
                flash(
                    f"Its due date, {uk_date(action.due)}, is already past: action "
                    f"{action.ref} is listed as overdue. Change the date if that is a mistake.",
                    "warning",
                )
            return redirect(
                url_for("findings.finding", review_id=review_id, ref=action.finding.ref)
            )
    return render_template(
        "findings/action_form.html", form=form, action=None, title="Add an action", **_common()
    ), (422 if request.method == "POST" else 200)


@bp.route("/actions/<ref>/edit", methods=["GET", "POST"])
def edit_action(review_id: int, ref: str) -> ResponseReturnValue:
    item = _action_or_404(ref)
    form = _action_form(item)
    theirs = None
    if request.method == "POST" and form.validate_on_submit():
        saved, theirs = save_versioned(
            form,
            lambda version: service.update_action(
                session=db(), action=item, expected_version=version, **_action_values(form)
            ),
            item,
        )
        if saved:
            flash(f"Action {item.ref} saved.", "success")
            return redirect(url_for("findings.finding", review_id=review_id, ref=item.finding.ref))
    return render_template(
        "findings/action_form.html",
        form=form,
        action=item,
        theirs=theirs,
        title=f"Edit action {item.ref}",
        **_common(),
    ), edit_status(request.method, theirs)


@bp.route("/actions/<ref>/delete", methods=["POST"])
def delete_action(review_id: int, ref: str) -> Response:
    item = _action_or_404(ref)
    finding_ref = item.finding.ref
    service.delete_action(session=db(), review=current_review(), action=item)
    flash(f"Action {ref} deleted.", "success")
    return redirect(url_for("findings.finding", review_id=review_id, ref=finding_ref))


# --- "you said, we did" ---------------------------------------------------------------------


@bp.route("/feedback", methods=["GET", "POST"])
def feedback(review_id: int) -> ResponseReturnValue:
    review = current_review()
    form = FeedbackForm(formdata=None if request.method == "GET" else request.form)
    form.finding.choices = select_choices(
        [
            ("", "None"),
            *[(f.ref, f"{f.ref}: {f.title}") for f in service.review_findings(db(), review)],
        ]
    )
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.create_feedback(
                session=db(),
                review=review,
                audience=form.audience.data,
                recipients=form.recipients.data or "",
                you_said=form.you_said.data or "",
                we_did=form.we_did.data or "",
                fed_back_on=form.fed_back_on.data,
                finding=form.finding.data or None,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash("Feedback recorded.", "success")
            return redirect(url_for("findings.feedback", review_id=review_id))
    return render_template(
        "findings/feedback.html",
        form=form,
        records=service.review_feedback(db(), review),
        audiences=FEEDBACK_AUDIENCES,
        title="You said, we did",
        **_common(),
    ), (422 if request.method == "POST" else 200)


@bp.route("/feedback/<int:feedback_id>/delete", methods=["POST"])
def delete_feedback(review_id: int, feedback_id: int) -> Response:
    record = service.feedback_by_id(db(), current_review(), feedback_id)
    if record is None:
        abort(404)
    service.delete_feedback(session=db(), record=record)
    flash("Feedback record deleted.", "success")
    return redirect(url_for("findings.feedback", review_id=review_id))
