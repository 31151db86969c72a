"""Chronology pages. The policy has checked access; agency representatives are further limited
here to their own agency's events."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.chronology.dates.when import age_at, day_first, when_from_bundle
from analysis.chronology.importing.exports import export_csv, export_xlsx, template_bytes
from analysis.chronology.knowledge import PersonFacts, who_knew_what
from analysis.chronology.merge import EventFacts, MergeSide, conflicts
from analysis.taxonomy import LINK_RELATIONS, SOURCE_KINDS
from app.chronology import bp
from app.chronology.forms import CommentForm, EventForm, KpeForm
from app.chronology.timeline import timeline_view
from app.db import db
from app.event_queries import EventFilters, all_events, end_of_day, page_of_events
from app.forms import edit_status, save_versioned, select_choices, show_service_error
from app.pickers import factor_picker, is_picker_search, person_picker
from app.policy import check_agency_scope, current_review, may, own_agency_ref
from app.reader import already_read, reader_text
from app.security import MAX_DATABASE_ID
from app.services import chronology as chrono
from app.services import duplicates as duplicate_service
from app.services import factors as factor_service
from app.services import review_cache
from app.services.errors import ServiceError
from app.services.reports import suggested_narrative
from app.templating import plural_of
from models import Account, Event, EventComment, EventVersion, Factor, KeyPracticeEpisode

PER_PAGE = 50
# Likely-duplicate groups shown a page at a time (each draws its events side by side).
GROUPS_PER_PAGE = 20


# --- helpers --------------------------------------------------------------------------------


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
        "outcome": form.outcome.data or "",
        "people": form.people.data or [],
        "appraisal": form.appraisal.data,
        "kpe": form.kpe.data or None,
    }


def _filter_context(filters: EventFilters) -> dict[str, Any]:
    review = current_review()
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
    review = current_review()
    filters = EventFilters.from_args(request.args).as_read_by(db(), review, reader_text())
    try:
        page = min(max(1, int(request.args.get("page", "1"))), MAX_DATABASE_ID // PER_PAGE)
    except ValueError:
        page = 1
    events, total = page_of_events(db(), review, filters, page, PER_PAGE)
    # The child's age at each event, from the (restricted) date of birth in the register.
    child = next((p for p in review.people if p.role == "child" and p.date_of_birth), None)
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
        known_at_end=end_of_day(filters.known_at) if filters.known_at else None,
        child=child,
        ages={e.ref: age_at(child.date_of_birth, chrono.when_of(e)) for e in events}
        if child is not None and child.date_of_birth is not None
        else {},
        title="Chronology",
        **_filter_context(filters),
    )


@bp.route("/chronology/assign", methods=["POST"])
def bulk_assign(review_id: int) -> WerkzeugResponse:
    refs = request.form.getlist("refs")
    kpe_ref = request.form.get("kpe") or None
    back = request.form.get("back") or url_for("chronology.table", review_id=review_id)
    if not refs:
        flash("Tick the events to assign first.", "error")
    else:
        try:
            changed = chrono.assign_kpe(
                session=db(), review=current_review(), refs=refs, kpe_ref=kpe_ref
            )
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
    "description", "outcome", "people", "appraisal", "kpe",
]  # fmt: skip


@bp.route("/chronology.<fmt>")
def export(review_id: int, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    review = current_review()
    filters = EventFilters.from_args(request.args).as_read_by(db(), review, reader_text())
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
            e.outcome,
            "; ".join(p.pseudonym for p in e.people),
            e.appraisal,
            e.kpe.ref if e.kpe else "",
        ]
        for e in all_events(db(), review, filters)
    ]
    # The reader's view of every cell: an export says only what its reader may read.
    change = reader_text()
    rows = [[change(c) if isinstance(c, str) else c for c in row] for row in rows]
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
    review = current_review()
    body = template_bytes(fmt, [a.name for a in review.agencies])
    response = Response(body, mimetype=TEMPLATE_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="chronology-template.{fmt}"'
    return response


@bp.route("/chronology/deleted")
def deleted(review_id: int) -> str:
    review = current_review()
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


HISTORY_ACTIONS = {
    "create": "Added",
    "update": "Changed",
    "delete": "Deleted",
    "restore": "Restored",
    "merge": "Merged",
    "unmerge": "Merge undone",
}
_FIELD_WORDS = {
    "agency": "Agency",
    "source": "Source",
    "source_detail": "Source detail",
    "description": "What happened",
    "outcome": "Outcome",
    "appraisal": "Appraisal",
    "kpe": "Key practice episode",
}


def _when_words(item: dict[str, Any]) -> str:
    if not item.get("date"):
        return "(none)"
    try:
        return when_from_bundle(
            item["date"], item.get("date_precision", "day"), item.get("end_date")
        ).display()
    except ValueError:
        return str(item["date"])


def _diff(
    before: dict[str, Any], after: dict[str, Any], names: dict[str, dict[str, str]]
) -> list[tuple[str, str, str]]:
    """What changed between two snapshots, in words: (field, before, after) with dates shown
    the UK way, and refs as agency names, pseudonyms, KPE titles and labels."""

    def shown(name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "(none)"
        if name == "people":
            return ", ".join(names["people"].get(ref, ref) for ref in value)
        # ``value`` is a snapshot's JSON value (Any): in these fields, a ref or a code.
        label: str
        if name in ("agency", "kpe"):
            label = names[name].get(value, value)
            return label
        if name == "source":
            label = SOURCE_KINDS.get(value, value)
            return label
        if name == "appraisal":
            label = chrono.APPRAISALS.get(value, value)
            return label
        if name == "merged_from":
            return ", ".join(
                f"{e.get('ref')} ({names['agency'].get(e.get('agency') or '', 'no agency')})"
                for e in value
            )
        return str(value)

    changes = []
    if _when_words(before) != _when_words(after):
        changes.append(("When", _when_words(before), _when_words(after)))
    labels = {**_FIELD_WORDS, "people": "People involved", "merged_from": "Merged accounts"}
    for key, label in labels.items():
        if before.get(key) != after.get(key):
            changes.append((label, shown(key, before.get(key)), shown(key, after.get(key))))
    return changes


@bp.route("/events/<ref>")
def event(review_id: int, ref: str) -> str:
    review = current_review()
    item = _event_or_404(ref)
    versions = (
        db()
        .scalars(
            select(EventVersion).where(EventVersion.event_id == item.id).order_by(EventVersion.id)
        )
        .all()
    )
    names = {
        "people": {p.ref: p.pseudonym for p in review.people},
        "agency": {a.ref: a.name for a in review.agencies},
        "kpe": {
            k.ref: f"{k.ref}: {k.title}"
            for k in db().scalars(
                select(KeyPracticeEpisode).where(KeyPracticeEpisode.review_id == review.id)
            )
        },
    }
    history = []
    previous: dict[str, Any] = {}
    for version in versions:
        history.append(
            {
                "version": version,
                "action": HISTORY_ACTIONS.get(version.action, version.action.capitalize()),
                "changes": _diff(previous, version.snapshot, names),
            }
        )
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
    # Only the factors linked to it are named; others are found with a picker.
    linked = {lk.source for lk in why}
    factor_titles = {
        f.ref: f.label
        for f in db().scalars(
            select(Factor).where(Factor.review_id == review.id, Factor.ref.in_(list(linked)))
        )
    }
    has_factors = db().scalar(select(Factor.id).where(Factor.review_id == review.id).limit(1))
    chosen_factor = request.form.getlist("source") if request.method == "POST" else []
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
        factor_titles=factor_titles,
        why_factor=factor_picker(db(), review, "source", chosen_factor)
        if has_factors is not None
        else None,
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


# --- merging --------------------------------------------------------------------------------


def _facts(events: list[Event]) -> list[EventFacts]:
    return [
        EventFacts(
            ref=e.ref,
            agency=e.agency.ref if e.agency else None,
            earliest=chrono.when_of(e).earliest(),
            latest=e.sort_end,
            description=e.description,
            people=frozenset(p.ref for p in e.people),
        )
        for e in events
    ]


@bp.route("/merges", methods=["GET", "POST"])
def merges(review_id: int) -> ResponseReturnValue:
    """Likely duplicates as groups; merge one by hand, choosing each field."""
    review = current_review()
    if request.method == "POST":
        refs = request.form.getlist("refs") or [request.form.get("other", "")]
        keep = chrono.event_by_ref(db(), review, request.form.get("keep", ""))
        take = {
            field: request.form[f"take-{field}"]
            for field in duplicate_service.CHOOSABLE
            if request.form.get(f"take-{field}")
        }
        try:
            if keep is None:
                raise ServiceError("Choose the event to keep")
            duplicate_service.merge(session=db(), review=review, keep=keep, refs=refs, take=take)
        except ServiceError as error:
            flash(error.message, "error")
            return redirect(url_for("chronology.merges", review_id=review_id))
        merged = [r for r in refs if r != keep.ref]
        flash(
            f"{', '.join(merged)} merged into {keep.ref}: each agency's account is kept.",
            "success",
        )
        return redirect(url_for("chronology.event", review_id=review_id, ref=keep.ref))
    # Worked out once per change to the review (a dismissal is a change too); only the events
    # suggested are read per request.
    found = review_cache.cached(
        db(),
        review.id,
        "duplicate_groups",
        lambda: tuple(duplicate_service.suggestions(db(), review)),
    )
    # Best first, a page of groups at a time: each group shows its events side by side.
    pages = max(1, math.ceil(len(found) / GROUPS_PER_PAGE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), pages)
    except ValueError:
        page = 1
    first = (page - 1) * GROUPS_PER_PAGE
    total = len(found)
    found = found[first : first + GROUPS_PER_PAGE]
    wanted = {ref for group in found for ref in group.refs}
    by_ref = {
        e.ref: e
        for e in db().scalars(
            select(Event).where(Event.review_id == review.id, Event.ref.in_(wanted))
        )
    }
    groups = [
        {"group": g, "events": [by_ref[r] for r in g.refs]}
        for g in found
        if all(r in by_ref for r in g.refs)
    ]
    return render_template(
        "chronology/merges.html",
        review=review,
        groups=groups,
        page=page,
        pages=pages,
        total=total,
        first=first,
        choosable=duplicate_service.CHOOSABLE_LABELS,
        sources=SOURCE_KINDS,
        appraisals=chrono.APPRAISALS,
        title="Likely duplicates",
    )


@bp.route("/merges/dismissals", methods=["POST"])
def dismiss_duplicates(review_id: int) -> WerkzeugResponse:
    """Remember that a suggested group is not one happening."""
    refs = request.form.getlist("refs")
    try:
        duplicate_service.dismiss(
            session=db(), review=current_review(), refs=refs, user_id=current_user.id
        )
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"{' and '.join(refs)} will not be suggested as duplicates again.", "success")
    return redirect(url_for("chronology.merges", review_id=review_id))


# --- KPEs -----------------------------------------------------------------------------------


@bp.route("/kpes", methods=["GET", "POST"])
def kpes(review_id: int) -> ResponseReturnValue:
    review = current_review()
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
    counts: dict[int | None, int] = {k.id: 0 for k in episodes}  # None never comes: see the query
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
    review = current_review()
    episode = chrono.kpe_by_ref(db(), review, ref)
    if episode is None:
        abort(404)
    # The first page of its events; the chronology table, filtered to it, pages through all.
    events, total = page_of_events(db(), review, EventFilters(kpe=ref), 1, PER_PAGE)
    return render_template(
        "chronology/kpe.html",
        review=review,
        kpe=episode,
        events=events,
        total=total,
        has_voice=factor_service.voice_of_kpes(db(), review).get(episode.ref, False),
        appraisals=chrono.APPRAISALS,
        title=episode.title,
    )


@bp.route("/kpes/<ref>/edit", methods=["GET", "POST"])
def edit_kpe(review_id: int, ref: str) -> ResponseReturnValue:
    review = current_review()
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
    review = current_review()
    filters = EventFilters.from_args(request.args).as_read_by(db(), review, reader_text())
    view = timeline_view(db(), review, filters, reader_text())
    return render_template(
        "chronology/timeline.html",
        review=review,
        svg=already_read(view.svg),
        count=view.count,
        period=view.period,
        whole_period={k: v for k, v in filters.as_args().items() if k not in ("from", "to")},
        title="Timeline",
        **_filter_context(filters),
    )


@bp.route("/who-knew-what")
def who_knew(review_id: int) -> str:
    review = current_review()
    people = [PersonFacts(ref=p.ref, pseudonym=p.pseudonym, role=p.role) for p in review.people]

    def compute() -> tuple[Any, dict[str, str]]:
        events = all_events(db(), review)
        # Each contact is shown at its own precision ("Sep 2022", never "1 Sep 2022").
        dates = {e.ref: chrono.when_of(e).display() for e in events}
        return who_knew_what(_facts(events), people), dates

    # Worked out once per change to the review (pseudonyms only: the same for every reader).
    knowledge, dates = review_cache.cached(db(), review.id, "who_knew", compute)
    agencies = {a.ref: a.name for a in review.agencies}
    return render_template(
        "chronology/who_knew.html",
        review=review,
        knowledge=knowledge,
        agencies=agencies,
        dates=dates,
        now=datetime.now(UTC),
        title="Who knew what, when",
    )
