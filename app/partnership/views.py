"""Pages of the partnership's view. The policy has checked access: these pages are for the
business manager and the chairs and board members of the partnership's reviews; they show
titles, dates, counts and the shared learning, pseudonymised, never case content."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from analysis.dates import uk_today
from analysis.documents.pdf import to_pdf
from analysis.findings import ACTION_STATUSES, ACTION_STRENGTHS
from analysis.milestones import MILESTONE_LABELS
from analysis.recurring_chart import chart_rows, timeline_svg
from analysis.taxonomy import SYSTEM_LEVELS
from app.db import db
from app.forms import show_service_error
from app.partnership import bp
from app.partnership.forms import (
    DueDateForm,
    MilestoneForm,
    PatternDecisionForm,
    ProgressForm,
    TrackingForm,
)
from app.policy import (
    PARTNERSHIP_CURATE,
    PARTNERSHIP_VIEW,
    may,
    partnership_may,
    review_access,
    role_on,
)
from app.reader import for_reader, reader_text, reads_pseudonyms
from app.services import partnership as service
from app.services import recurring as recurring_service
from app.services import thematic as thematic_service
from app.services.errors import ServiceError
from app.services.findings import action_by_ref
from models import Review

EXPORT_TYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _may_record(review: Review) -> bool:
    """The chair of the review or the business manager records its milestones."""
    return current_user.partnership_role == "business_manager" or (
        role_on(current_user, review.id) == "chair"
    )


@bp.route("/")
def dashboard() -> str:
    today = uk_today()
    clocks = service.review_clocks(db(), current_user.partnership_id, today)
    leads = service.review_leads(db(), [c.review.id for c in clocks])
    return render_template(
        "partnership/dashboard.html",
        clocks=clocks,
        leads=leads,
        recordable={c.review.id for c in clocks if _may_record(c.review)},
        form=MilestoneForm(),
        today=today,
        title="Partnership reviews",
    )


@bp.route("/reviews/<int:review_id>/milestones", methods=["POST"])
def record_milestone(review_id: int) -> ResponseReturnValue:
    review = review_access().review
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            service.record_milestones(
                session=db(),
                review=review,
                recorder=current_user,
                milestones={form.milestone.data: None if form.clear.data else form.done_on.data},
            )
        except ServiceError as error:
            form.done_on.errors = [*form.done_on.errors, error.message]
        else:
            label = MILESTONE_LABELS[form.milestone.data]
            done = "cleared" if form.clear.data else "recorded"
            flash(f"{label}: {done} for {review.title}.", "success")
            return redirect(url_for("partnership.dashboard") + f"#review-{review.id}")
    today = uk_today()
    clocks = service.review_clocks(db(), current_user.partnership_id, today)
    return render_template(
        "partnership/dashboard.html",
        clocks=clocks,
        leads=service.review_leads(db(), [c.review.id for c in clocks]),
        recordable={c.review.id for c in clocks if _may_record(c.review)},
        form=form,
        form_review=review.id,
        today=today,
        title="Partnership reviews",
    ), 422


def _filters() -> service.TrackerFilters:
    review = request.args.get("review", "")
    return service.TrackerFilters(
        review=int(review) if review.isdigit() else None,
        agency=request.args.get("agency", ""),
        status=request.args.get("status", "")
        if request.args.get("status") in ACTION_STATUSES
        else "",
        strength=request.args.get("strength", "")
        if request.args.get("strength") in ACTION_STRENGTHS
        else "",
        overdue=request.args.get("overdue") == "1",
        sort=request.args.get("sort", "due")
        if request.args.get("sort") in service.TRACKER_SORTS
        else "due",
    )


@bp.route("/actions")
def actions() -> str:
    filters = _filters()
    rows = service.tracker_rows(db(), current_user.partnership_id, filters, uk_today())
    return render_template(
        "partnership/actions.html",
        rows=rows,
        filters=filters,
        reviews=service.partnership_review_list(db(), current_user.partnership_id),
        agencies=service.tracker_agencies(db(), current_user.partnership_id),
        statuses=ACTION_STATUSES,
        strengths=ACTION_STRENGTHS,
        sorts=service.TRACKER_SORTS,
        query=request.args.to_dict(),
        title="Action tracker",
    )


@bp.route("/actions.<fmt>")
def export_actions(fmt: str) -> Response:
    if fmt not in EXPORT_TYPES:
        abort(404)
    rows = service.tracker_rows(db(), current_user.partnership_id, _filters(), uk_today())
    return Response(
        service.tracker_export(rows, fmt, reader_text()),
        mimetype=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="actions.{fmt}"'},
    )


def _as_stored(submitted: str | None, stored: str) -> str:
    """What a tracking field saves: a reader who reads pseudonyms was shown the stored text
    pseudonymised, so sending it back unchanged keeps the stored text (real names included)
    instead of writing the pseudonyms over it."""
    text = submitted or ""
    if reads_pseudonyms() and text.strip() == for_reader(stored).strip():
        return stored
    return text


@bp.route("/reviews/<int:review_id>/actions/<ref>", methods=["GET", "POST"])
def action(review_id: int, ref: str) -> ResponseReturnValue:
    review = review_access().review
    item = action_by_ref(db(), review, ref)
    if item is None:
        abort(404)
    progress, due_form, tracking = (
        ProgressForm(prefix="p"),
        DueDateForm(prefix="d"),
        TrackingForm(prefix="t"),
    )
    owners = service.owner_choices(db(), review)
    tracking.owner.choices = [("", "Not yet agreed"), *((n, n) for n in owners)]
    if request.method == "GET":
        due_form.due.data = item.due
        tracking.lead.data = item.lead
        tracking.success_measure.data = item.success_measure
        tracking.owner.data = service.owner_name(item)
    submitted = request.form.get("form")
    chosen = {"progress": progress, "due": due_form, "tracking": tracking}.get(submitted or "")
    if chosen is not None and chosen.validate_on_submit():
        try:
            if chosen is progress:
                service.add_progress_note(
                    session=db(),
                    action=item,
                    author=current_user,
                    note=progress.note.data or "",
                    rag=progress.rag.data or None,
                    noted_on=progress.noted_on.data,
                )
                message = "Progress note added."
            elif chosen is due_form:
                service.move_due_date(
                    session=db(),
                    action=item,
                    user=current_user,
                    due=None if due_form.remove.data else due_form.due.data,
                )
                message = "Due date changed; the earlier date is kept in the history."
            else:
                service.update_tracking(
                    session=db(),
                    action=item,
                    partnership_id=current_user.partnership_id,
                    lead=_as_stored(tracking.lead.data, item.lead),
                    success_measure=_as_stored(tracking.success_measure.data, item.success_measure),
                    owner=tracking.owner.data or "",
                )
                message = "Lead, success measure and owner saved."
        except ServiceError as error:
            show_service_error(chosen, error)
        else:
            flash(message, "success")
            return redirect(url_for("partnership.action", review_id=review.id, ref=item.ref))
    rows = service.tracker_rows(
        db(),
        current_user.partnership_id,
        service.TrackerFilters(review=review.id),
        uk_today(),
    )
    row = next(r for r in rows if r.action.id == item.id)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "partnership/action.html",
        review=review,
        row=row,
        progress=progress,
        due_form=due_form,
        tracking=tracking,
        may_edit=may("actions.track"),
        statuses=ACTION_STATUSES,
        strengths=ACTION_STRENGTHS,
        title=f"Action {item.ref}",
    ), status


@bp.app_context_processor
def _partnership_link() -> dict[str, Any]:
    """Whether the main menu shows the partnership's view to the signed-in user."""

    def sees_partnership_view() -> bool:
        return bool(current_user.is_authenticated) and partnership_may(
            current_user, PARTNERSHIP_VIEW
        )

    return {"sees_partnership_view": sees_partnership_view}


# --- recurring patterns ---------------------------------------------------------------------

# The chart and the page's first list show the patterns that span two or more reviews.
MULTI_REVIEW_SHOWN = 25


def _keys(value: str | None) -> list[str]:
    return [k for k in (value or "").split(",") if k]


@bp.route("/recurring")
def recurring() -> str:
    patterns, reviews = recurring_service.partnership_patterns(db(), current_user.partnership_id)
    multi = [p for p in patterns if len(p.reviews) > 1]
    single = [p for p in patterns if len(p.reviews) == 1]
    years, rows = chart_rows(multi[:MULTI_REVIEW_SHOWN])
    return render_template(
        "partnership/recurring.html",
        multi=multi,
        single=single,
        reviews=reviews,
        chart=Markup(timeline_svg(multi[:MULTI_REVIEW_SHOWN])),  # noqa: S704 - every string escaped in timeline_svg
        years=years,
        chart_rows=rows,
        may_curate=partnership_may(current_user, PARTNERSHIP_CURATE),
        levels=SYSTEM_LEVELS,
        title="Recurring patterns",
    )


@bp.route("/recurring/decisions", methods=["POST"])
def decide_pattern() -> ResponseReturnValue:
    form = PatternDecisionForm()
    if not form.validate_on_submit():
        flash("The decision was not saved: the form had expired. Try again.", "error")
        return redirect(url_for("partnership.recurring"))
    factors = _keys(form.factors.data)
    apart = _keys(form.apart.data)
    if form.kind.data == "split":
        # The ticked factors leave the pattern; the rest stay together.
        chosen = request.form.getlist("move")
        apart = [k for k in factors if k not in chosen]
        factors = chosen
    elif form.kind.data == "merge":
        factors = factors + _keys(request.form.get("with"))
    try:
        recurring_service.record_decision(
            session=db(),
            partnership_id=current_user.partnership_id,
            curator=current_user,
            kind=form.kind.data or "",
            factors=factors,
            apart=apart,
            label=form.label.data or "",
        )
    except ServiceError as error:
        flash(f"The decision was not saved: {error.message}.", "error")
        return redirect(url_for("partnership.recurring"))
    flash("Decision saved: the patterns below follow it.", "success")
    return redirect(url_for("partnership.recurring"))


# --- thematic review ------------------------------------------------------------------------

BRIEFING_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _chosen_reviews() -> list[int]:
    return sorted({int(v) for v in request.args.getlist("reviews") if v.isdigit()})


@bp.route("/thematic")
def thematic() -> str:
    chosen = _chosen_reviews()
    view = (
        thematic_service.thematic_view(db(), current_user.partnership_id, chosen)
        if chosen
        else None
    )
    return render_template(
        "partnership/thematic.html",
        all_reviews=service.partnership_review_list(db(), current_user.partnership_id),
        chosen=chosen,
        view=view,
        query={"reviews": chosen},
        title="Thematic review",
    )


@bp.route("/thematic.<fmt>")
def thematic_briefing(fmt: str) -> Response:
    if fmt not in BRIEFING_TYPES:
        abort(404)
    chosen = _chosen_reviews()
    if not chosen:
        abort(400, "Choose the reviews for the briefing")
    view = thematic_service.thematic_view(db(), current_user.partnership_id, chosen)
    document = thematic_service.briefing(view, current_user.partnership.name)
    body = to_pdf(document) if fmt == "pdf" else thematic_service.briefing_docx(document)
    return Response(
        body,
        mimetype=BRIEFING_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="thematic-review.{fmt}"'},
    )
