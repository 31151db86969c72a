"""The chronology as a whole: the table (filtered and paged, with the child's age at each
event), assigning events to an episode in bulk, the deleted events, the timeline and who knew
what, when. The other chronology pages are in the blueprint's other modules: ``events``,
``kpes``, ``merges``, ``exports``, ``imports`` and ``returns``."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.chronology.dates.when import age_at
from analysis.chronology.knowledge import PersonFacts, who_knew_what
from analysis.chronology.merge import EventFacts
from analysis.taxonomy import SOURCE_KINDS
from app.chronology import bp
from app.chronology.timeline import timeline_view
from app.db import db
from app.event_queries import EventFilters, all_events, end_of_day, page_of_events
from app.policy import current_review
from app.reader import already_read, reader_text
from app.security import MAX_DATABASE_ID
from app.services import chronology as chrono
from app.services import review_cache
from app.services.errors import ServiceError
from app.templating import plural_of
from models import Event

PER_PAGE = 50


def _filter_context(filters: EventFilters) -> dict[str, Any]:
    review = current_review()
    return {
        "filters": filters,
        "kpes": chrono.kpes_of(db(), review),
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


@bp.route("/chronology/deleted")
def deleted(review_id: int) -> str:
    review = current_review()
    return render_template(
        "chronology/deleted.html",
        review=review,
        events=chrono.deleted_events(db(), review),
        title="Deleted events",
    )


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


def _facts(events: list[Event]) -> list[EventFacts]:
    """The events as the plain facts that who knew what is worked out from."""
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
