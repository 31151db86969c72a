"""Likely duplicates: the suggested groups a page at a time, merging one by hand (choosing
each field) and dismissing a suggestion."""

from __future__ import annotations

import math

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.taxonomy import SOURCE_KINDS
from app.chronology import bp
from app.db import db
from app.policy import current_review
from app.services import chronology as chrono
from app.services import duplicates as duplicate_service
from app.services import review_cache
from app.services.errors import ServiceError

# Likely-duplicate groups shown a page at a time (each draws its events side by side).
GROUPS_PER_PAGE = 20


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
    by_ref = chrono.events_by_ref(db(), review, wanted)
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
