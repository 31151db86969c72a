"""The report: narrative sections, generated versions, comparison, approval and publication."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reviews/<int:review_id>")

from app import report_generation  # noqa: E402, F401 - registers the job kind
from app.reports import views  # noqa: E402, F401 - registers the routes
