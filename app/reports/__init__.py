"""The report: narrative sections, generated versions, comparison, approval and publication."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reviews/<int:review_id>")

from app.reports import generation, views  # noqa: E402, F401 - registers the job and routes
