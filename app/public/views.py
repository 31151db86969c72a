"""Published reports, for anyone: no sign-in. A draft, or a report of another partnership,
is a 404 here whoever asks."""

from __future__ import annotations

from flask import abort, render_template
from werkzeug.wrappers import Response

from app.db import db
from app.public import bp
from app.reports.files import report_file
from app.services import reports as service
from models import Partnership, ReportVersion, Review


@bp.route("/<int:partnership_id>/reports")
def reports(partnership_id: int) -> str:
    partnership = db().get(Partnership, partnership_id)
    if partnership is None:
        abort(404)
    versions = service.published_reports(db(), partnership.id)
    reviews = {v.review_id: db().get(Review, v.review_id) for v in versions}
    return render_template(
        "public/reports.html",
        partnership=partnership,
        versions=versions,
        reviews=reviews,
        title=f"Published reviews: {partnership.name}",
    )


@bp.route("/<int:partnership_id>/reports/<int:report_id>.<fmt>")
def report(partnership_id: int, report_id: int, fmt: str) -> Response:
    version = db().get(ReportVersion, report_id)
    review = db().get(Review, version.review_id) if version is not None else None
    if (
        version is None
        or review is None
        or review.partnership_id != partnership_id
        or not version.is_published
    ):
        abort(404)
    return report_file(version, fmt, f"review-{review.id}-report-v{version.number}")
