"""Importing a chronology file: upload, preview, confirm."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.chronology import bp
from app.chronology.forms import ImportForm
from app.db import db
from app.forms import select_choices
from app.policy import own_agency_ref, review_access
from app.services.chronology_import import confirm_import, start_import
from app.services.errors import ServiceError
from app.templating import plural_of
from models import ChronologyImport


def _record_or_404(import_id: int) -> ChronologyImport:
    record = db().get(ChronologyImport, import_id)
    if record is None or record.review_id != review_access().review.id:
        abort(404)
    return record


@bp.route("/chronology/import", methods=["GET", "POST"])
def import_upload(review_id: int) -> Any:
    review = review_access().review
    form = ImportForm()
    form.agency.choices = select_choices(
        [("", "The file has an agency column"), *[(a.name, a.name) for a in review.agencies]]
    )
    if form.validate_on_submit():
        upload = form.file.data
        try:
            record = start_import(
                session=db(),
                review=review,
                user_id=current_user.id,
                filename=upload.filename or "upload",
                data=upload.read(),
                default_agency=form.agency.data or None,
            )
        except ServiceError as error:
            form.file.errors = [error.message]
        else:
            return redirect(
                url_for("chronology.import_preview", review_id=review_id, import_id=record.id)
            )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "chronology/import.html", review=review, form=form, title="Import a chronology"
    ), status


@bp.route("/chronology/imports/<int:import_id>")
def import_preview(review_id: int, import_id: int) -> str:
    record = _record_or_404(import_id)
    return render_template(
        "chronology/import_preview.html",
        review=review_access().review,
        record=record,
        preview=record.preview,
        title="Check the import",
    )


@bp.route("/chronology/imports/<int:import_id>/confirm", methods=["POST"])
def import_confirm(review_id: int, import_id: int) -> Response:
    record = _record_or_404(import_id)
    try:
        count = confirm_import(
            session=db(),
            review=review_access().review,
            record=record,
            added_by_id=current_user.id,
            skip_errors=bool(request.form.get("skip_errors")),
            only_agency=own_agency_ref(),
        )
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(
            url_for("chronology.import_preview", review_id=review_id, import_id=import_id)
        )
    flash(f"{plural_of(count, 'event')} imported from {record.filename}.", "success")
    return redirect(url_for("chronology.table", review_id=review_id))
