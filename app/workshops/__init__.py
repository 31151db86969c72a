"""Learning workshops, the facilitator's side: plan, present, run the board, moderate, close."""

from flask import Blueprint

bp = Blueprint("workshops", __name__, url_prefix="/reviews/<int:review_id>/workshops")

from app.workshops import views  # noqa: E402, F401 - registers the routes on bp
