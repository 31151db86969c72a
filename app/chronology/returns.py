"""Chronology returns: which agencies were asked for their chronology, when it is due, and
whether it came back and was signed off (Chronolator tracks the same)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.chronology import bp
from app.db import db
from app.forms import DATE_PARTS, read_day_month_year
from app.policy import review_access
from app.services import reviews as review_service
from app.services.errors import ServiceError
from models import utcnow

FIELDS = {
    "requested": ("return_requested_on", "Requested on"),
    "due": ("return_due_on", "Due by"),
    "received": ("return_received_on", "Received on"),
    "signed_off": ("return_signed_off_on", "Signed off on"),
}


@bp.route("/chronology/returns", methods=["GET", "POST"])
def returns(review_id: int) -> ResponseReturnValue:
    review = review_access().review
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {}
    bad: dict[str, tuple[str, ...]] = {}
    editing = request.values.get("agency", "")
    if request.method == "POST":
        agency = next((a for a in review.agencies if a.ref == editing), None)
        dates: dict[str, date | None] = {}
        for name, (column, label) in FIELDS.items():
            day, month, year = (request.form.get(f"{name}-{part}", "") for part in DATE_PARTS)
            dates[column], error, bad[name] = read_day_month_year(day, month, year, label)
            if error:
                errors[name] = error
        typed = request.form.to_dict()
        if agency is not None and not errors:
            try:
                version = request.form.get("version", type=int)
                review_service.update_return(
                    session=db(),
                    review_agency=agency,
                    expected_version=version,
                    dates=dates,
                    signed_off_by=request.form.get("signed_off_by", ""),
                )
            except ServiceError as error:
                errors[error.field or "requested"] = error.message
            else:
                flash(f"Chronology return for {agency.name} saved.", "success")
                return redirect(url_for("chronology.returns", review_id=review_id))
    today = utcnow().date()
    return render_template(
        "chronology/returns.html",
        review=review,
        today=today,
        fields=FIELDS,
        errors=errors,
        bad=bad,
        typed=typed,
        editing=editing,
        title="Chronology returns",
    ), (422 if errors else 200)
