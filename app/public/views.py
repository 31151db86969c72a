"""Published reports, for anyone: no sign-in. A draft, or a report of another partnership,
is a 404 here whoever asks."""

from __future__ import annotations

from flask import abort, render_template
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.db import db
from app.public import bp
from app.report_files import report_file
from app.services import reports as service
from models import Partnership, ReportVersion, Review

ARTICLE = '<article class="document">'


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


def _edition_html(version: ReportVersion) -> str:
    """What was published: the public edition (a version published before editions existed
    published its one report)."""
    return version.public_html or version.html


def _published(partnership_id: int, report_id: int) -> tuple[ReportVersion, Review]:
    version = db().get(ReportVersion, report_id)
    review = db().get(Review, version.review_id) if version is not None else None
    if (
        version is None
        or review is None
        or review.partnership_id != partnership_id
        or not version.is_published
    ):
        abort(404)
    return version, review


@bp.route("/<int:partnership_id>/reports/<int:report_id>")
def read(partnership_id: int, report_id: int) -> str:
    """The published report as a page of the site (its downloads are linked from it)."""
    version, review = _published(partnership_id, report_id)
    html = _edition_html(version)
    start = html.find(ARTICLE)
    end = html.rfind("</article>")
    if start < 0 or end < 0:
        abort(404)
    # The article was rendered by analysis.documents.to_html: text escaped, Markdown sanitised.
    article = Markup(html[start : end + len("</article>")])  # noqa: S704
    return render_template(
        "public/report.html",
        partnership_id=partnership_id,
        version=version,
        review=review,
        article=article,
        title=review.title,
    )


@bp.route("/<int:partnership_id>/reports/<int:report_id>.<fmt>")
def report(partnership_id: int, report_id: int, fmt: str) -> Response:
    version, review = _published(partnership_id, report_id)
    edition = "public" if version.public_pdf else "restricted"
    return report_file(
        version, fmt, f"review-{review.id}-report-v{version.number}", edition=edition
    )
