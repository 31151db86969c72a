"""The dashboard: my reviews with their stage and statutory dates, and overdue actions; the
page that follows a background job."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from analysis.dates import statutory_dates
from app import jobs
from app.db import db
from app.services.dashboard import reviews_with_roles
from app.services.findings import overdue_actions
from models import Job

bp = Blueprint("main", __name__)


@bp.route("/")
def dashboard() -> str:
    rows = reviews_with_roles(db(), current_user.id)
    reviews = [
        {"review": review, "role": role, **statutory_dates(review.incident_known_on)}
        for review, role in rows
    ]
    titles = {review.id: review.title for review, _role in rows}
    return render_template(
        "main/dashboard.html",
        reviews=reviews,
        overdue=overdue_actions(db(), titles),
        titles=titles,
        title="My reviews",
    )


@bp.route("/jobs/<int:job_id>")
def job(job_id: int) -> ResponseReturnValue:
    """A background job's progress: 202 while it runs (the page polls the API and moves on by
    itself), then 303 to its result when it has one, or 200 with its outcome."""
    item: Job = g.job
    result = item.result or {}
    if item.status == "finished" and result.get("location"):
        return redirect(result["location"], code=303)
    kind = jobs.kind_of(item)
    page = render_template(
        "main/job.html",
        job=item,
        resource=jobs.job_resource(item),
        title=kind.title if kind else "Background job",
    )
    return page, (200 if item.is_done else 202)
