"""Key practice episodes: the list (with how many events each holds), one episode with its
first page of events, and editing one (with a suggested narrative to start from)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.chronology import bp
from app.chronology.forms import KpeForm
from app.chronology.views import PER_PAGE
from app.db import db
from app.event_queries import EventFilters, page_of_events
from app.forms import show_service_error
from app.policy import current_review
from app.services import chronology as chrono
from app.services import factors as factor_service
from app.services.errors import ServiceError
from app.services.reports import suggested_narrative


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
    episodes = chrono.kpes_of(db(), review)
    counts = {k.id: 0 for k in episodes} | chrono.live_events_per_kpe(db(), review)
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
