"""The chronology pages: table, events, KPEs, timeline, who knew what, imports and merges."""

from flask import Blueprint

bp = Blueprint("chronology", __name__, url_prefix="/reviews/<int:review_id>")

from app.chronology import (  # noqa: E402, F401 - registers the routes on bp
    events,
    exports,
    imports,
    kpes,
    merges,
    returns,
    views,
)
