"""The partnership's public page: published reports, readable without signing in."""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/p")

from app.public import views  # noqa: E402, F401 - registers the routes on bp
