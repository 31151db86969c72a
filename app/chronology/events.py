"""One event's pages: adding one, its page (history, comments, merged accounts, why it
happened), editing, deleting and restoring it, commenting and undoing a merge. Agency
representatives change only their own agency's events."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.chronology.dates.when import day_first
from analysis.chronology.merge import MergeSide, conflicts
from analysis.taxonomy import LINK_RELATIONS, SOURCE_KINDS
from app.chronology import bp
from app.chronology.forms import CommentForm, EventForm
from app.chronology.history import history_in_words
from app.db import db
from app.forms import edit_status, save_versioned, select_choices, show_service_error
from app.pickers import factor_picker, is_picker_search, person_picker
from app.policy import check_agency_scope, current_review, may, own_agency_ref
from app.services import chronology as chrono
from app.services import factors as factor_service
from app.services.errors import ServiceError
from models import Event


def _event_or_404(ref: str) -> Event:
    event = chrono.event_by_ref(db(), current_review(), ref)
    if event is None:
        abort(404)
    return event


def _fill_choices(form: EventForm) -> None:
    review = current_review()
    own = own_agency_ref()
    agencies = [(a.ref, a.name) for a in review.agencies if own is None or a.ref == own]
    form.agency.choices = select_choices(
        ([("", "No agency (family context)")] if own is None else []) + agencies
    )
    form.people.choices = []  # a picker: only the chosen and found people are read
    kpes = chrono.kpes_of(db(), review)
    form.kpe.choices = select_choices(
        [("", "None"), *[(k.ref, f"{k.ref}: {k.title}") for k in kpes]]
    )


def _event_values(form: EventForm) -> dict[str, Any]:
    return {
        "when": chrono.to_when(form.date.data, form.date_precision.data, form.end_date.data),
        "agency": form.agency.data or None,
        "source": form.source.data,
        "source_detail": form.source_detail.data or "",
        "description": form.description.data or "",
        "outcome": form.outcome.data or "",
        "people": form.people.data or [],
        "appraisal": form.appraisal.data,
        "kpe": form.kpe.data or None,
    }


@bp.route("/events/new", methods=["GET", "POST"])
def new_event(review_id: int) -> ResponseReturnValue:
    review = current_review()
    form = EventForm()
    _fill_choices(form)
    if request.method == "GET" and own_agency_ref():
        form.agency.data = own_agency_ref()
    if not is_picker_search() and form.validate_on_submit():
        try:
            check_agency_scope(form.agency.data or None, "events")
            event = chrono.create_event(
                session=db(), review=review, added_by_id=current_user.id, **_event_values(form)
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Event {event.ref} added.", "success")
            if request.form.get("another"):
                return redirect(url_for("chronology.new_event", review_id=review_id))
            return redirect(url_for("chronology.event", review_id=review_id, ref=event.ref))
    status = 422 if request.method == "POST" and not is_picker_search() else 200
    return render_template(
        "chronology/event_form.html",
        form=form,
        review=review,
        event=None,
        theirs=None,
        people=person_picker(db(), review, "people", form.people.data or []),
        title="Add an event",
    ), status


@bp.route("/events/<ref>")
def event(review_id: int, ref: str) -> str:
    review = current_review()
    item = _event_or_404(ref)
    versions = chrono.versions_of(db(), item)
    names = {
        "people": {p.ref: p.pseudonym for p in review.people},
        "agency": {a.ref: a.name for a in review.agencies},
        "kpe": {k.ref: f"{k.ref}: {k.title}" for k in chrono.kpes_of(db(), review)},
    }
    history = history_in_words(versions, names)
    comments = chrono.comments_on(db(), item)
    when = chrono.when_of(item)
    own_side = MergeSide(
        agency=item.agency.name if item.agency else None,
        date_display=when.display(),
        earliest=when.earliest(),
        latest=when.latest(),
        description=item.description,
    )
    agencies = {a.ref: a.name for a in review.agencies}
    merged = []
    for entry in item.merged_from or []:
        entry_when = chrono.when_of_entry(entry)
        side = MergeSide(
            agency=agencies.get(entry.get("agency") or "", entry.get("agency")),
            date_display=entry_when.display() if entry_when else "",
            earliest=entry_when.earliest() if entry_when else when.earliest(),
            latest=entry_when.latest() if entry_when else when.latest(),
            description=entry.get("description", ""),
        )
        merged.append({"entry": entry, "side": side, "conflicts": conflicts(own_side, side)})
    merged_into = db().get(Event, item.merged_into_id) if item.merged_into_id else None
    why, _ = factor_service.links_of(db(), review, item.ref)
    # Only the factors linked to it are named; others are found with a picker.
    linked = {lk.source for lk in why}
    factor_titles = chrono.factor_labels(db(), review, linked)
    has_factors = chrono.has_factors(db(), review)
    chosen_factor = request.form.getlist("source") if request.method == "POST" else []
    speaking = chrono.accounts_about(db(), review, item)
    return render_template(
        "chronology/event.html",
        review=review,
        event=item,
        when=when,
        history=history,
        comments=comments,
        comment_form=CommentForm(formdata=None),
        merged=merged,
        own_side=own_side,
        merged_into=merged_into,
        may_edit=_may_edit(item),
        appraisals=chrono.APPRAISALS,
        sources=SOURCE_KINDS,
        why=why,
        factor_titles=factor_titles,
        why_factor=factor_picker(db(), review, "source", chosen_factor) if has_factors else None,
        relations=LINK_RELATIONS,
        speaking=speaking,
        title=f"Event {item.ref}",
    )


def _may_edit(item: Event) -> bool:
    own = own_agency_ref()
    agency_ref = item.agency.ref if item.agency else None
    return may("events.edit") and (own is None or own == agency_ref)


@bp.route("/events/<ref>/edit", methods=["GET", "POST"])
def edit_event(review_id: int, ref: str) -> ResponseReturnValue:
    review = current_review()
    item = _event_or_404(ref)
    check_agency_scope(item.agency.ref if item.agency else None, "events")
    if item.deleted_at is not None:
        abort(409, "This event is deleted: restore it first")
    form = EventForm(formdata=None if request.method == "GET" else request.form)
    _fill_choices(form)
    theirs = None
    if request.method == "GET":
        form.date.data = day_first(item.date)
        form.date_precision.data = item.date_precision
        form.end_date.data = day_first(item.end_date) if item.end_date else ""
        form.agency.data = item.agency.ref if item.agency else ""
        form.source.data = item.source
        form.source_detail.data = item.source_detail
        form.description.data = item.description
        form.outcome.data = item.outcome
        form.people.data = [p.ref for p in item.people]
        form.appraisal.data = item.appraisal
        form.kpe.data = item.kpe.ref if item.kpe else ""
        form.version.data = str(item.version)
    elif not is_picker_search() and form.validate_on_submit():
        check_agency_scope(form.agency.data or None, "events")
        saved, theirs = save_versioned(
            form,
            lambda version: chrono.update_event(
                session=db(), event=item, expected_version=version, **_event_values(form)
            ),
            item,
        )
        if saved:
            flash(f"Event {item.ref} saved.", "success")
            return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref))
    status = 200 if is_picker_search() else edit_status(request.method, theirs)
    return render_template(
        "chronology/event_form.html",
        form=form,
        review=review,
        event=item,
        people=person_picker(db(), review, "people", form.people.data or []),
        theirs=theirs,
        theirs_when=chrono.when_of(item).display(),
        appraisals=chrono.APPRAISALS,
        title=f"Edit event {item.ref}",
    ), status


@bp.route("/events/<ref>/delete", methods=["POST"])
def delete_event(review_id: int, ref: str) -> WerkzeugResponse:
    item = _event_or_404(ref)
    check_agency_scope(item.agency.ref if item.agency else None, "events")
    chrono.delete_event(session=db(), event=item)
    flash(
        f"Event {item.ref} deleted. You can restore it from its page or the deleted events list.",
        "success",
    )
    return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref))


@bp.route("/events/<ref>/restore", methods=["POST"])
def restore_event(review_id: int, ref: str) -> WerkzeugResponse:
    item = _event_or_404(ref)
    check_agency_scope(item.agency.ref if item.agency else None, "events")
    try:
        chrono.restore_event(session=db(), event=item)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"Event {item.ref} restored.", "success")
    return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref))


@bp.route("/events/<ref>/comments", methods=["POST"])
def comment(review_id: int, ref: str) -> WerkzeugResponse:
    item = _event_or_404(ref)
    form = CommentForm()
    if form.validate_on_submit():
        chrono.add_comment(
            session=db(), event=item, user_id=current_user.id, text=form.text.data or ""
        )
        flash("Comment added.", "success")
    else:
        flash("Write a comment first.", "error")
    return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref) + "#comments")


@bp.route("/events/<ref>/unmerge", methods=["POST"])
def unmerge(review_id: int, ref: str) -> WerkzeugResponse:
    item = _event_or_404(ref)
    other = request.form.get("other", "")
    try:
        chrono.unmerge_event(session=db(), keep=item, ref=other)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"Merge undone: {other} is an event of its own again.", "success")
    return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref))
