"""Learning workshops, the participants' side: join with a code (no account), then view the
workshop's pseudonymised material, add notes, propose factors and vote. Nothing else."""

from flask import Blueprint

bp = Blueprint("participate", __name__)

from app.participate import views  # noqa: E402, F401 - registers the routes on bp
