"""The JSON API under /api/v1. It speaks the bundle's vocabulary (field names and refs).

Authentication is a personal access token (``Authorization: Bearer …``) or the browser's
session (with a CSRF token on changes). Errors are ``{"message", "errors"}``; lists are
``{"items", "next_cursor"}``; creation answers 201 with the resource; updates need
``If-Match`` with the resource's ``ETag``.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import (  # noqa: E402, F401 - registers the routes on bp
    changes,
    chronology,
    chronology_imports,
    factors,
    findings,
    good_practice,
    graph,
    jobs,
    kpes,
    partnership,
    reports,
    views,
    workshops,
)
