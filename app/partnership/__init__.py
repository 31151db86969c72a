"""The partnership's view over all its reviews: statutory clocks, one action tracker,
recurring patterns and thematic reviews, for the business manager, chairs and board members."""

from flask import Blueprint

bp = Blueprint("partnership", __name__, url_prefix="/partnership")

from app.partnership import views  # noqa: E402, F401 - registers the routes on bp
