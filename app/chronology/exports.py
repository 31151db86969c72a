"""The chronology as a file: the filtered events as CSV or XLSX (in the reader's view), and
the blank templates agencies fill in for an import."""

from __future__ import annotations

from flask import Response, abort, request

from analysis.chronology.importing.exports import export_csv, export_xlsx, template_bytes
from app.chronology import bp
from app.db import db
from app.event_queries import EventFilters, all_events
from app.policy import current_review
from app.reader import reader_text
from app.services import chronology as chrono

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
