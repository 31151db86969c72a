"""Importing a chronology file: upload, preview (columns, rows fixed in place), confirm, undo."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from analysis.chronology.importing.model import FIELD_LABELS, FIELDS
from app.chronology import bp
from app.chronology.forms import ImportForm
from app.db import db
from app.forms import select_choices
from app.policy import own_agency_ref, review_access
from app.services.chronology_import import (
    FIXABLE,
    confirm_import,
    imports_of,
    restore_import,
    start_import,
    undo_import,
    update_import,
)
from app.services.errors import ServiceError
from app.templating import plural_of
from models import ChronologyImport


def _record_or_404(import_id: int) -> ChronologyImport:
    record = db().get(ChronologyImport, import_id)
    if record is None or record.review_id != review_access().review.id:
        abort(404)
    return record


def _undoable_or_403(import_id: int) -> ChronologyImport:
    """An import to undo or restore: agency representatives only their own."""
    record = _record_or_404(import_id)
    mine = record.user_id == current_user.id
    if record.status == "confirmed" and own_agency_ref() is not None and not mine:
        abort(403, "Agency representatives undo only the imports they made")
    return record


@bp.route("/chronology/import", methods=["GET", "POST"])
def import_upload(review_id: int) -> ResponseReturnValue:
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
    review = review_access().review
    return render_template(
        "chronology/import_preview.html",
        review=review,
        record=record,
        preview=record.preview,
        field_choices=[("", "Leave this column out"), *((f, FIELD_LABELS[f]) for f in FIELDS)],
        field_labels=FIELD_LABELS,
        people={p.ref: p for p in review.people},
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


def _preview_redirect(review_id: int, import_id: int, anchor: str = "") -> Response:
    url = url_for("chronology.import_preview", review_id=review_id, import_id=import_id)
    return redirect(url + anchor)


@bp.route("/chronology/imports/<int:import_id>/columns", methods=["POST"])
def import_columns(review_id: int, import_id: int) -> Response:
    """The user's column mapping: the preview reads the file again at once."""
    record = _record_or_404(import_id)
    mapping: dict[str, str | None] = {}
    for index, column in enumerate(record.preview.get("columns", [])):
        key = f"column-{index}"
        if key in request.form:
            mapping[column["header"]] = request.form[key] or None
    try:
        update_import(
            session=db(),
            review=review_access().review,
            record=record,
            mapping=mapping,
            remember=bool(request.form.get("remember")),
        )
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash("The file was read again with your columns.", "success")
    return _preview_redirect(review_id, import_id, "#columns")


@bp.route("/chronology/imports/<int:import_id>/rows", methods=["POST"])
def import_fix_row(review_id: int, import_id: int) -> Response:
    """Fix a row's date, agency or text in place, leave it out, or put it back."""
    record = _record_or_404(import_id)
    number = request.form.get("row", type=int)
    if number is None:
        abort(400, "Say which row")
    left_out = set(record.preview.get("left_out", []))
    action = request.form.get("action", "fix")
    values: dict[str, Any] = {}
    if action == "leave_out":
        values["left_out"] = sorted(left_out | {number})
        message = f"Row {number} will be left out."
    elif action == "put_back":
        values["left_out"] = sorted(left_out - {number})
        message = f"Row {number} is back in the import."
    else:
        cells = {name: request.form.get(name, "") for name in FIXABLE if name in request.form}
        values["fixes"] = {number: cells}
        message = f"Row {number} was read again with your changes: it is ready to import."
    try:
        update_import(session=db(), review=review_access().review, record=record, **values)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        still = [e["message"] for e in record.preview.get("errors", []) if e.get("row") == number]
        if action == "fix" and still:
            flash(f"Row {number} still has a problem: {still[0]}", "error")
        else:
            flash(message, "success")
    return _preview_redirect(review_id, import_id, "#rows-with-problems")


@bp.route("/chronology/imports")
def imports(review_id: int) -> str:
    """The review's confirmed imports, each of which can be undone (and restored) as a unit."""
    review = review_access().review
    return render_template(
        "chronology/imports.html",
        review=review,
        records=imports_of(db(), review),
        title="Imported chronologies",
    )


@bp.route("/chronology/imports/<int:import_id>/undo", methods=["POST"])
def import_undo(review_id: int, import_id: int) -> Response:
    record = _undoable_or_403(import_id)
    try:
        count = undo_import(session=db(), review=review_access().review, record=record)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(
            f"Import of {record.filename} undone: {plural_of(count, 'event')} taken out of the "
            "chronology. You can restore them here.",
            "success",
        )
    return redirect(url_for("chronology.imports", review_id=review_id))


@bp.route("/chronology/imports/<int:import_id>/restore", methods=["POST"])
def import_restore(review_id: int, import_id: int) -> Response:
    record = _undoable_or_403(import_id)
    try:
        count = restore_import(session=db(), review=review_access().review, record=record)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"{plural_of(count, 'event')} from {record.filename} restored.", "success")
    return redirect(url_for("chronology.imports", review_id=review_id))
