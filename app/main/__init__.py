"""The dashboard: my reviews with their stage and statutory dates, and overdue actions."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from analysis.dates import statutory_dates
from app.db import db
from app.services.findings import overdue_actions
from models import Membership, Review

bp = Blueprint("main", __name__)


@bp.route("/")
def dashboard() -> str:
    rows = (
        db()
        .execute(
            select(Review, Membership.role)
            .join(Membership, Membership.review_id == Review.id)
            .where(Membership.user_id == current_user.id)
            .order_by(Review.created_at.desc())
        )
        .all()
    )
    reviews = [
        {"review": review, "role": role, **statutory_dates(review.incident_known_on)}
        for review, role in rows
    ]
    titles = {review.id: review.title for review, _role in rows}
    return render_template(
        "main/dashboard.html",
        reviews=reviews,
        overdue=overdue_actions(db(), titles),
        titles=titles,
        title="My reviews",
    )
