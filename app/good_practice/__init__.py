"""The good-practice register: what worked and why, across the partnership's reviews and its
other quality-assurance work, and the briefings and bulletins that spread it."""

from flask import Blueprint

bp = Blueprint("good_practice", __name__)

from app.good_practice import views  # noqa: E402, F401 - registers the routes on bp
