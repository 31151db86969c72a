"""Accounts, contributing factors and links: from "what happened" to "why it made sense"."""

from flask import Blueprint

bp = Blueprint("factors", __name__, url_prefix="/reviews/<int:review_id>")

from app.factors import graph_views, views  # noqa: E402, F401 - registers the routes on bp
