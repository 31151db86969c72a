"""Chronology pages. The policy has checked access; agency representatives are further limited
here to their own agency's events."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from analysis.chronology.importing import export_csv, export_xlsx, template_bytes
from analysis.chronology.knowledge import PersonFacts, who_knew_what
from analysis.chronology.merge import EventFacts, MergeSide, conflicts, suggest_merges
from analysis.taxonomy import LINK_RELATIONS, SOURCE_KINDS
from app.chronology import bp
from app.chronology.forms import CommentForm, EventForm, KpeForm
from app.chronology.queries import EventFilters, all_events, page_of_events
from app.chronology.timeline import timeline_svg
from app.db import db
from app.forms import edit_status, save_versioned, select_choices, show_service_error
from app.policy import may, own_agency_ref, review_access
from app.services import chronology as chrono
from app.services import factors as factor_service
from app.services.errors import ServiceError
from app.services.public_report import suggested_narrative
from app.templating import plural_of
from models import Account, Event, EventComment, EventVersion, Factor, KeyPracticeEpisode

PER_PAGE = 50


# --- helpers --------------------------------------------------------------------------------


def _review() -> Any:
    return review_access().review


def _check_agency_scope(agency_ref: str | None) -> None:
    own = own_agency_ref()
    if own is not None and agency_ref != own:
        abort(403, "Agency representatives change only their own agency's events")


def _event_or_404(ref: str) -> Event:
    event = chrono.event_by_ref(db(), _review(), ref)
    if event is None:
        abort(404)
    return event


def _fill_choices(form: EventForm) -> None:
    review = _review()
    own = own_agency_ref()
    agencies = [(a.ref, a.name) for a in review.agencies if own is None or a.ref == own]
    form.agency.choices = select_choices(
        ([("", "No agency (family context)")] if own is None else []) + agencies
    )
    form.people.choices = select_choices((p.ref, f"{p.pseudonym} ({p.ref})") for p in review.people)
    kpes = db().scalars(
        select(KeyPracticeEpisode)
        .where(KeyPracticeEpisode.review_id == review.id)
        .order_by(KeyPracticeEpisode.id)
    )
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
        "people": form.people.data or [],
        "appraisal": form.appraisal.data,
        "kpe": form.kpe.data or None,
    }


def _filter_context(filters: EventFilters) -> dict[str, Any]:
    review = _review()
    kpes = (
        db()
        .scalars(
            select(KeyPracticeEpisode)
            .where(KeyPracticeEpisode.review_id == review.id)
            .order_by(KeyPracticeEpisode.id)
        )
        .all()
    )
    return {
        "filters": filters,
        "kpes": kpes,
        "appraisals": chrono.APPRAISALS,
        "sources": SOURCE_KINDS,
    }


# --- the table ------------------------------------------------------------------------------


@bp.route("/chronology")
def table(review_id: int) -> str:
    review = _review()
    filters = EventFilters.from_args(request.args)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    events, total = page_of_events(db(), review, filters, page, PER_PAGE)
    hidden_by_hindsight = 0
    if filters.known_at:
        unfiltered = EventFilters(**{**filters.__dict__, "known_at": None, "errors": []})
        hidden_by_hindsight = page_of_events(db(), review, unfiltered, 1, 1)[1] - total
    return render_template(
        "chronology/table.html",
        review=review,
        events=events,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PER_PAGE)),
        hidden_by_hindsight=hidden_by_hindsight,
        title="Chronology",
        **_filter_context(filters),
    )


@bp.route("/chronology/assign", methods=["POST"])
def bulk_assign(review_id: int) -> Response:
    refs = request.form.getlist("refs")
    kpe_ref = request.form.get("kpe") or None
    back = request.form.get("back") or url_for("chronology.table", review_id=review_id)
    if not refs:
        flash("Tick the events to assign first.", "error")
    else:
        try:
            changed = chrono.assign_kpe(session=db(), review=_review(), refs=refs, kpe_ref=kpe_ref)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(
                f"{plural_of(changed, 'event')} assigned to {kpe_ref or 'no episode'}.", "success"
            )
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("chronology.table", review_id=review_id)
    return redirect(back)


EXPORT_HEADER = [
    "ref", "date", "date_precision", "end_date", "when", "agency", "source", "source_detail",
    "description", "people", "appraisal", "kpe",
]  # fmt: skip


@bp.route("/chronology.<fmt>")
def export(review_id: int, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    review = _review()
    filters = EventFilters.from_args(request.args)
    rows = [
        [
            e.ref,
            e.date,
            e.date_precision,
            e.end_date or "",
            chrono.when_of(e).display(),
            e.agency.name if e.agency else "",
            e.source,
            e.source_detail,
            e.description,
            "; ".join(p.pseudonym for p in e.people),
            e.appraisal,
            e.kpe.ref if e.kpe else "",
        ]
        for e in all_events(db(), review, filters)
    ]
    if fmt == "csv":
        body, mimetype = export_csv(EXPORT_HEADER, rows), "text/csv"
    else:
        body = export_xlsx(EXPORT_HEADER, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="chronology-{review.id}.{fmt}"'
    return response


TEMPLATE_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@bp.route("/chronology/template.<fmt>")
def template(review_id: int, fmt: str) -> Response:
    if fmt not in TEMPLATE_TYPES:
        abort(404)
    review = _review()
    body = template_bytes(fmt, [a.name for a in review.agencies])
    response = Response(body, mimetype=TEMPLATE_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="chronology-template.{fmt}"'
    return response


@bp.route("/chronology/deleted")
def deleted(review_id: int) -> str:
    review = _review()
    events = (
        db()
        .scalars(
            select(Event)
            .where(
                Event.review_id == review.id,
                Event.deleted_at.is_not(None),
                Event.merged_into_id.is_(None),
            )
            .order_by(Event.deleted_at.desc())
        )
        .all()
    )
    return render_template(
        "chronology/deleted.html", review=review, events=events, title="Deleted events"
    )


# --- one event ------------------------------------------------------------------------------


@bp.route("/events/new", methods=["GET", "POST"])
def new_event(review_id: int) -> Any:
    review = _review()
    form = EventForm()
    _fill_choices(form)
    if request.method == "GET" and own_agency_ref():
        form.agency.data = own_agency_ref()
    if form.validate_on_submit():
        try:
            _check_agency_scope(form.agency.data or None)
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
    status = 422 if request.method == "POST" else 200
    return render_template(
        "chronology/event_form.html",
        form=form,
        review=review,
        event=None,
        theirs=None,
        title="Add an event",
    ), status


def _diff(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    keys = [k for k in dict.fromkeys([*before, *after]) if k != "ref"]
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


@bp.route("/events/<ref>")
def event(review_id: int, ref: str) -> str:
    review = _review()
    item = _event_or_404(ref)
    versions = (
        db()
        .scalars(
            select(EventVersion).where(EventVersion.event_id == item.id).order_by(EventVersion.id)
        )
        .all()
    )
    history = []
    previous: dict[str, Any] = {}
    for version in versions:
        history.append({"version": version, "changes": _diff(previous, version.snapshot)})
        previous = version.snapshot
    history.reverse()
    comments = (
        db()
        .scalars(
            select(EventComment).where(EventComment.event_id == item.id).order_by(EventComment.id)
        )
        .all()
    )
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
    factors = (
        db().scalars(select(Factor).where(Factor.review_id == review.id).order_by(Factor.id)).all()
    )
    speaking = (
        db()
        .scalars(
            select(Account).where(
                Account.review_id == review.id, Account.events.any(Event.id == item.id)
            )
        )
        .all()
    )
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
        factor_titles={f.ref: f.label for f in factors},
        factor_choices=[(f.ref, f.label) for f in factors],
        relations=LINK_RELATIONS,
        speaking=speaking,
        title=f"Event {item.ref}",
    )


def _may_edit(item: Event) -> bool:
    own = own_agency_ref()
    agency_ref = item.agency.ref if item.agency else None
    return may("events.edit") and (own is None or own == agency_ref)


@bp.route("/events/<ref>/edit", methods=["GET", "POST"])
def edit_event(review_id: int, ref: str) -> Any:
    review = _review()
    item = _event_or_404(ref)
    _check_agency_scope(item.agency.ref if item.agency else None)
    if item.deleted_at is not None:
        abort(409, "This event is deleted: restore it first")
    form = EventForm(formdata=None if request.method == "GET" else request.form)
    _fill_choices(form)
    theirs = None
    if request.method == "GET":
        form.date.data = item.date
        form.date_precision.data = item.date_precision
        form.end_date.data = item.end_date or ""
        form.agency.data = item.agency.ref if item.agency else ""
        form.source.data = item.source
        form.source_detail.data = item.source_detail
        form.description.data = item.description
        form.people.data = [p.ref for p in item.people]
        form.appraisal.data = item.appraisal
        form.kpe.data = item.kpe.ref if item.kpe else ""
        form.version.data = str(item.version)
    elif form.validate_on_submit():
        _check_agency_scope(form.agency.data or None)
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
    status = edit_status(request.method, theirs)
    return render_template(
        "chronology/event_form.html",
        form=form,
        review=review,
        event=item,
        theirs=theirs,
        theirs_when=chrono.when_of(item).display(),
        appraisals=chrono.APPRAISALS,
        title=f"Edit event {item.ref}",
    ), status


@bp.route("/events/<ref>/delete", methods=["POST"])
def delete_event(review_id: int, ref: str) -> Response:
    item = _event_or_404(ref)
    _check_agency_scope(item.agency.ref if item.agency else None)
    chrono.delete_event(session=db(), event=item)
    flash(
        f"Event {item.ref} deleted. You can restore it from its page or the deleted events list.",
        "success",
    )
    return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref))


@bp.route("/events/<ref>/restore", methods=["POST"])
def restore_event(review_id: int, ref: str) -> Response:
    item = _event_or_404(ref)
    _check_agency_scope(item.agency.ref if item.agency else None)
    try:
        chrono.restore_event(session=db(), event=item)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"Event {item.ref} restored.", "success")
    return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref))


@bp.route("/events/<ref>/comments", methods=["POST"])
def comment(review_id: int, ref: str) -> Response:
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
def unmerge(review_id: int, ref: str) -> Response:
    item = _event_or_404(ref)
    other = request.form.get("other", "")
    try:
        chrono.unmerge_event(session=db(), keep=item, ref=other)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"Merge undone: {other} is an event of its own again.", "success")
    return redirect(url_for("chronology.event", review_id=review_id, ref=item.ref))


# --- merging --------------------------------------------------------------------------------


def _facts(events: list[Event]) -> list[EventFacts]:
    return [
        EventFacts(
            ref=e.ref,
            agency=e.agency.ref if e.agency else None,
            earliest=e.sort_start,
            latest=e.sort_end,
            description=e.description,
            people=frozenset(p.ref for p in e.people),
        )
        for e in events
    ]


@bp.route("/merges", methods=["GET", "POST"])
def merges(review_id: int) -> Any:
    review = _review()
    if request.method == "POST":
        keep = chrono.event_by_ref(db(), review, request.form.get("keep", ""))
        other = chrono.event_by_ref(db(), review, request.form.get("other", ""))
        try:
            if keep is None or other is None:
                raise ServiceError("Choose two events of this review to merge")
            chrono.merge_events(session=db(), keep=keep, other=other)
        except ServiceError as error:
            flash(error.message, "error")
            return redirect(url_for("chronology.merges", review_id=review_id))
        flash(f"{other.ref} merged into {keep.ref}: both agencies' accounts are kept.", "success")
        return redirect(url_for("chronology.event", review_id=review_id, ref=keep.ref))
    events = all_events(db(), review)
    by_ref = {e.ref: e for e in events}
    suggestions = [
        {"suggestion": s, "first": by_ref[s.first], "second": by_ref[s.second]}
        for s in suggest_merges(_facts(events), limit=100)
    ]
    return render_template(
        "chronology/merges.html", review=review, suggestions=suggestions, title="Likely duplicates"
    )


# --- KPEs -----------------------------------------------------------------------------------


@bp.route("/kpes", methods=["GET", "POST"])
def kpes(review_id: int) -> Any:
    review = _review()
    form = KpeForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            kpe = chrono.create_kpe(
                session=db(),
                review=review,
                title=form.title.data or "",
                summary=form.summary.data or "",
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Key practice episode {kpe.ref} created.", "success")
            return redirect(url_for("chronology.kpe", review_id=review_id, ref=kpe.ref))
    episodes = (
        db()
        .scalars(
            select(KeyPracticeEpisode)
            .where(KeyPracticeEpisode.review_id == review.id)
            .order_by(KeyPracticeEpisode.id)
        )
        .all()
    )
    counts = {k.id: 0 for k in episodes}
    for kpe_id in db().scalars(
        select(Event.kpe_id).where(
            Event.review_id == review.id, Event.deleted_at.is_(None), Event.kpe_id.is_not(None)
        )
    ):
        counts[kpe_id] = counts.get(kpe_id, 0) + 1
    status = 422 if request.method == "POST" else 200
    return render_template(
        "chronology/kpes.html",
        review=review,
        episodes=episodes,
        counts=counts,
        form=form,
        voice=factor_service.voice_of_kpes(db(), review),
        title="Key practice episodes",
    ), status


@bp.route("/kpes/<ref>")
def kpe(review_id: int, ref: str) -> str:
    review = _review()
    episode = chrono.kpe_by_ref(db(), review, ref)
    if episode is None:
        abort(404)
    events = all_events(db(), review, EventFilters(kpe=ref))
    return render_template(
        "chronology/kpe.html",
        review=review,
        kpe=episode,
        events=events,
        has_voice=factor_service.voice_of_kpes(db(), review).get(episode.ref, False),
        title=episode.title,
    )


@bp.route("/kpes/<ref>/edit", methods=["GET", "POST"])
def edit_kpe(review_id: int, ref: str) -> Any:
    review = _review()
    episode = chrono.kpe_by_ref(db(), review, ref)
    if episode is None:
        abort(404)
    form = KpeForm(obj=episode if request.method == "GET" else None)
    suggestion = suggested_narrative(db(), review, episode)
    if request.method == "GET":
        form.version.data = str(episode.version)
        if not episode.narrative.strip():
            form.narrative.data = suggestion  # a first draft for the panel to rewrite
    elif request.form.get("delete"):
        chrono.delete_kpe(session=db(), review=review, kpe=episode)
        flash(
            f"Key practice episode {ref} removed; its events are still in the chronology.",
            "success",
        )
        return redirect(url_for("chronology.kpes", review_id=review_id))
    elif form.validate_on_submit():
        try:
            chrono.update_kpe(
                session=db(),
                kpe=episode,
                expected_version=int(form.version.data or 0),
                title=form.title.data,
                summary=form.summary.data,
                narrative=form.narrative.data,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash("Key practice episode saved.", "success")
            return redirect(url_for("chronology.kpe", review_id=review_id, ref=ref))
    status = 200 if request.method == "GET" else 422
    return render_template(
        "chronology/kpe_form.html",
        review=review,
        kpe=episode,
        form=form,
        suggestion=suggestion,
        title=f"Edit {episode.ref}",
    ), status


# --- timeline and who knew what -------------------------------------------------------------


@bp.route("/timeline")
def timeline(review_id: int) -> str:
    review = _review()
    filters = EventFilters.from_args(request.args)
    events = all_events(db(), review, filters)
    svg = timeline_svg(review, events)
    return render_template(
        "chronology/timeline.html",
        review=review,
        svg=svg,
        count=len(events),
        title="Timeline",
        **_filter_context(filters),
    )


@bp.route("/who-knew-what")
def who_knew(review_id: int) -> str:
    review = _review()
    events = all_events(db(), review)
    people = [PersonFacts(ref=p.ref, pseudonym=p.pseudonym, role=p.role) for p in review.people]
    knowledge = who_knew_what(_facts(events), people)
    agencies = {a.ref: a.name for a in review.agencies}
    return render_template(
        "chronology/who_knew.html",
        review=review,
        knowledge=knowledge,
        agencies=agencies,
        now=datetime.now(UTC),
        title="Who knew what, when",
    )
