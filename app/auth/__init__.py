"""Signing in (password, then a second factor where needed), signing out, invitations and
forgotten passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import recovery, sso, views  # noqa: E402, F401 - registers the routes on bp
