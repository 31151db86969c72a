"""Findings, the board's responses, actions and "you said, we did" feedback."""

from flask import Blueprint

bp = Blueprint("findings", __name__, url_prefix="/reviews/<int:review_id>")

from app.findings import views  # noqa: E402, F401 - registers the routes on bp
