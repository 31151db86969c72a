"""Review pages: create, overview, edit, members, agencies, people, bundle and audit trail."""

from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from app.reviews import views  # noqa: E402, F401 - registers the routes on bp
