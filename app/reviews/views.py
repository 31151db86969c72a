"""Review pages. The policy has already checked access; ``review_access()`` gives the review."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from analysis.bundle import BundleProblem
from analysis.chronology.importing.exports import export_csv
from analysis.chronology.people import has_practitioner_title
from analysis.dates import statutory_dates
from analysis.taxonomy import PERSON_ROLES
from app import bundle_import_job as import_job
from app.db import db
from app.forms import (
    SelectChoice,
    edit_status,
    save_versioned,
    select_choices,
    show_service_error,
)
from app.policy import (
    ROLES,
    may,
    may_change_chairs,
    may_change_register_entry,
    own_agency_ref,
    review_access,
)
from app.reviews import bp
from app.reviews.forms import (
    AgencyForm,
    AuditFilterForm,
    BundleUploadForm,
    MemberForm,
    PersonForm,
    ReviewForm,
)
from app.services import audit_trail, bundles
from app.services import reviews as review_service
from app.services.chronology_import import reread_import_preview
from app.services.errors import ServiceError
from app.services.findings import overdue_actions
from app.services.good_practice import review_balance
from models import AuditEntry, Membership, Person, audit
from models.audit.sealing import AuditReader


def _agency_choices() -> list[SelectChoice]:
    review = review_access().review
    return select_choices([("", "None"), *[(a.ref, a.name) for a in review.agencies]])


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review = review_service.create_review(
                session=db(), creator=current_user, **form.data_for_service()
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash("Review created. You are its chair.", "success")
            return redirect(url_for("reviews.overview", review_id=review.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("reviews/new.html", form=form, title="Create a review"), status


def _overview_page(
    member_form: MemberForm | None = None, agency_form: AgencyForm | None = None
) -> str:
    """The overview, with a submitted form (and its errors and input) where one failed."""
    access = review_access()
    review = access.review
    if member_form is None:
        member_form = MemberForm(formdata=None)
        _member_form_choices(member_form)
    return render_template(
        "reviews/overview.html",
        review=review,
        role=access.role,
        dates=statutory_dates(review.incident_known_on),
        balance=review_balance(db(), review),
        member_form=member_form,
        agency_form=agency_form or AgencyForm(formdata=None),
        overdue=overdue_actions(db(), [review.id]),
        person_changeable=person_changeable,
        may_change_chairs=may_change_chairs,
        title=review.title,
    )


@bp.route("/<int:review_id>")
def overview(review_id: int) -> str:
    return _overview_page()


@bp.route("/<int:review_id>/edit", methods=["GET", "POST"])
def edit(review_id: int) -> ResponseReturnValue:
    review = review_access().review
    form = ReviewForm(obj=review if request.method == "GET" else None)
    theirs = None
    if request.method == "GET":
        form.version.data = str(review.version)
    elif form.validate_on_submit():
        saved, theirs = save_versioned(
            form,
            lambda version: review_service.update_review(
                session=db(), review=review, expected_version=version, **form.data_for_service()
            ),
            review,
        )
        if saved:
            flash("Review details saved.", "success")
            return redirect(url_for("reviews.overview", review_id=review.id))
    status = edit_status(request.method, theirs)
    return render_template(
        "reviews/edit.html", form=form, review=review, theirs=theirs, title="Edit review details"
    ), status


CHAIRS_ONLY = "Only a chair of this review or a site administrator appoints or removes a chair"


def _member_form_choices(form: MemberForm) -> None:
    form.agency.choices = _agency_choices()
    if not may_change_chairs():
        form.role.choices = select_choices((k, v) for k, v in ROLES.items() if k != "chair")


def _check_chair_change(role: str | None) -> None:
    if role == "chair" and not may_change_chairs():
        abort(403, CHAIRS_ONLY)


@bp.route("/<int:review_id>/members", methods=["POST"])
def add_member(review_id: int) -> ResponseReturnValue:
    access = review_access()
    form = MemberForm()
    _member_form_choices(form)
    _check_chair_change(form.role.data)
    if form.validate_on_submit():
        try:
            membership = review_service.add_member(
                session=db(),
                review=access.review,
                email=form.email.data or "",
                role=form.role.data or "",
                agency_ref=form.agency.data or None,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(
                f"{membership.user.name} added as {membership.role.replace('_', ' ')}.", "success"
            )
            return redirect(url_for("reviews.overview", review_id=review_id) + "#members")
    return _overview_page(member_form=form), 422


@bp.route("/<int:review_id>/members/<int:membership_id>/remove", methods=["POST"])
def remove_member(review_id: int, membership_id: int) -> ResponseReturnValue:
    review = review_access().review
    membership = db().get(Membership, membership_id)
    if membership is None or membership.review_id != review.id:
        abort(404)
    _check_chair_change(membership.role)
    try:
        review_service.remove_member(session=db(), review=review, membership=membership)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("reviews.overview", review_id=review_id) + "#members")
    flash(f"{membership.user.name} removed from the review.", "success")
    return redirect(url_for("reviews.overview", review_id=review_id) + "#members")


@bp.route("/<int:review_id>/agencies", methods=["POST"])
def add_agency(review_id: int) -> ResponseReturnValue:
    access = review_access()
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = review_service.add_agency(
                session=db(),
                review=access.review,
                name=form.name.data or "",
                sector=form.sector.data or "",
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"{agency.name} added to the review.", "success")
            return redirect(url_for("reviews.overview", review_id=review_id) + "#agencies")
    return _overview_page(agency_form=form), 422


@bp.route("/<int:review_id>/agencies/<ref>/remove", methods=["POST"])
def remove_agency(review_id: int, ref: str) -> ResponseReturnValue:
    review = review_access().review
    agency = review_service.agency_by_ref(db(), review, ref)
    if agency is None:
        abort(404)
    try:
        review_service.remove_agency(session=db(), review_agency=agency)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"{agency.name} removed from the review.", "success")
    return redirect(url_for("reviews.overview", review_id=review_id) + "#agencies")


def _person_form_choices(form: PersonForm) -> None:
    """An agency representative's form offers only their agency's practitioners."""
    own = own_agency_ref()
    if own is None:
        form.agency.choices = _agency_choices()
        return
    review = review_access().review
    form.role.choices = select_choices({"practitioner": PERSON_ROLES["practitioner"]})
    form.agency.choices = select_choices((a.ref, a.name) for a in review.agencies if a.ref == own)


def _check_register_scope(role: str | None, agency_ref: str | None) -> None:
    if not may_change_register_entry(role, agency_ref or None):
        abort(403, "Agency representatives change only their own agency's practitioners")


def person_changeable(person: Person) -> bool:
    """For the overview: may the current user change this register entry?"""
    return may("people.edit") and may_change_register_entry(
        person.role, person.agency.ref if person.agency else None
    )


def _person_values(form: PersonForm, *, with_real_names: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "pseudonym": form.pseudonym.data,
        "role": form.role.data,
        "agency": form.agency.data or None,
    }
    if with_real_names:
        values["real_name"] = form.real_name.data
        values["aliases"] = (form.aliases.data or "").splitlines()
        values["date_of_birth"] = form.date_of_birth.data or None
    return values


@bp.route("/<int:review_id>/people/new", methods=["GET", "POST"])
def new_person(review_id: int) -> ResponseReturnValue:
    review = review_access().review
    form = PersonForm()
    _person_form_choices(form)
    with_real_names = may("people.real_names")
    # From a chronology import's preview: a name that matched nobody, and the way back. The
    # name is posted (never put in a URL) and only fills the form in.
    back = request.args.get("back", "")
    prefill = request.form.get("prefill_name") if request.method == "POST" else None
    if prefill is not None:
        form = PersonForm(formdata=None)
        _person_form_choices(form)
        if with_real_names:
            form.real_name.data = prefill.strip()[:200]
        # A name with a title (PC, DS, Dr…) is a practitioner, most likely of the agency whose
        # file named them.
        if has_practitioner_title(prefill):
            form.role.data = "practitioner"
            agency = request.form.get("prefill_agency", "")
            form.agency.data = next((a.ref for a in review.agencies if a.name == agency), "")
    elif form.validate_on_submit():
        _check_register_scope(form.role.data, form.agency.data)
        try:
            person = review_service.create_person(
                session=db(), review=review, **_person_values(form, with_real_names=with_real_names)
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"{person.pseudonym} added to the people register.", "success")
            if back.startswith(f"/reviews/{review_id}/chronology/imports/"):
                # The preview is read again, so the rows naming this person now link to them.
                reread_import_preview(db(), review, back)
                return redirect(back)
            return redirect(url_for("reviews.overview", review_id=review_id) + "#people")
    status = 422 if request.method == "POST" and prefill is None else 200
    return render_template(
        "reviews/person.html",
        form=form,
        review=review,
        person=None,
        with_real_names=with_real_names,
        title="Add a person",
    ), status


@bp.route("/<int:review_id>/people/<ref>/edit", methods=["GET", "POST"])
def edit_person(review_id: int, ref: str) -> ResponseReturnValue:
    review = review_access().review
    person = review_service.person_by_ref(db(), review, ref)
    if person is None:
        abort(404)
    _check_register_scope(person.role, person.agency.ref if person.agency else None)
    with_real_names = may("people.real_names")
    form = PersonForm(obj=person if request.method == "GET" else None)
    _person_form_choices(form)
    theirs = None
    if request.method == "GET":
        form.version.data = str(person.version)
        form.agency.data = person.agency.ref if person.agency else ""
        form.aliases.data = "\n".join(person.aliases or [])
        born = person.date_of_birth
        form.date_of_birth.data = f"{born:%d/%m/%Y}" if born and with_real_names else ""
        if with_real_names:
            review_service.record_real_name_view(session=db(), review=review, people=[person])
        else:
            form.real_name.data = ""
            form.aliases.data = ""
    elif form.validate_on_submit():
        _check_register_scope(form.role.data, form.agency.data)
        saved, theirs = save_versioned(
            form,
            lambda version: review_service.update_person(
                session=db(),
                person=person,
                expected_version=version,
                **_person_values(form, with_real_names=with_real_names),
            ),
            person,
        )
        if saved:
            flash(f"{person.pseudonym} saved.", "success")
            return redirect(url_for("reviews.overview", review_id=review_id) + "#people")
    status = 200 if request.method == "GET" else (409 if theirs else 422)
    return render_template(
        "reviews/person.html",
        form=form,
        review=review,
        person=person,
        theirs=theirs,
        with_real_names=with_real_names,
        title=f"Edit {person.pseudonym}",
    ), status


@bp.route("/<int:review_id>/people/real-names")
def real_names(review_id: int) -> str:
    review = review_access().review
    people = list(review.people)
    review_service.record_real_name_view(session=db(), review=review, people=people)
    return render_template(
        "reviews/real_names.html", review=review, people=people, title="People: real names"
    )


@bp.route("/<int:review_id>/export.json")
def export_bundle(review_id: int) -> Response:
    review = review_access().review
    audit.record(
        db(), "export_bundle", entity_type="reviews", entity_id=str(review.id), review_id=review.id
    )
    body = json.dumps(bundles.export_bundle(review), indent=1, ensure_ascii=False)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="review-{review.id}.json"'
    return response


@bp.route("/import", methods=["GET", "POST"])
def import_bundle() -> ResponseReturnValue:
    form = BundleUploadForm()
    problems: list[Any] = []
    if form.validate_on_submit():
        db().commit()  # reading a big bundle must not keep the write lock the sign-in took
        raw = form.bundle.data.read()
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problems = [BundleProblem("$", f"The file is not valid JSON: {error}")]
        else:
            try:
                if import_job.runs_in_background(data):
                    job = import_job.start_import(db(), raw, data, current_user)
                    flash("The bundle is being imported. You will be its chair.", "success")
                    return redirect(url_for("main.job", job_id=job.id), code=303)
                # Stored in parts, each committed, so other users' edits never wait long.
                review = bundles.import_bundle(
                    data, session=db(), importer=current_user, commit=db().commit
                )
            except bundles.BundleError as error:
                problems = error.problems
            else:
                flash("Review imported. You are its chair.", "success")
                return redirect(url_for("reviews.overview", review_id=review.id))
    status = 422 if (problems or form.errors) else 200
    return render_template(
        "reviews/import.html", form=form, problems=problems, title="Import a review bundle"
    ), status


def _audit_filter() -> tuple[AuditFilterForm, audit_trail.TrailFilter | None]:
    """The filter form filled from the query string, and the filter if it is valid."""
    review = review_access().review
    form = AuditFilterForm(formdata=request.args)
    people = audit_trail.people_in_trail(db(), review)
    form.person.choices = select_choices([("", "Everyone"), *[(str(i), n) for i, n in people]])
    form.kind.choices = select_choices([("", "Everything"), *audit_trail.KINDS.items()])
    if not form.validate():
        return form, None
    person = form.person.data
    return form, audit_trail.TrailFilter(
        person=int(person) if person else None,
        kind=form.kind.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("/<int:review_id>/audit")
def audit_log(review_id: int) -> tuple[str, int]:
    review = review_access().review
    form, wanted = _audit_filter()
    entries: list[AuditEntry] = []
    total = 0
    rows: dict[int, list[tuple[str, str, str]]] = {}
    if wanted is not None:
        entries, total = audit_trail.trail_page(db(), review, wanted)
        # Chairs and lead reviewers read real names; anyone else would see them marked.
        reader = AuditReader(db(), decrypt=may("people.real_names"))
        shown = [e.seq for e in entries if reader.has_restricted(e)]
        rows = {e.seq: audit_trail.describe_changes(*reader.values(e)) for e in entries}
        if shown and may("people.real_names"):
            audit.record(
                db(),
                "view_real_names",
                entity_type="audit_entries",
                review_id=review.id,
                after={"entries": shown},
            )
    return render_template(
        "reviews/audit.html",
        review=review,
        form=form,
        entries=entries,
        total=total,
        rows=rows,
        kind_of=audit_trail.kind_of,
        csv_query=request.query_string.decode(),
        title="Audit trail",
    ), (200 if wanted is not None else 422)


@bp.route("/<int:review_id>/audit.csv")
def audit_csv(review_id: int) -> Response:
    review = review_access().review
    _form, wanted = _audit_filter()
    if wanted is None:
        abort(422)
    audit.record(
        db(),
        "export_audit_trail",
        entity_type="reviews",
        entity_id=str(review.id),
        review_id=review.id,
        after={"filter": request.args.to_dict()},
    )
    body = export_csv(audit_trail.CSV_HEADER, audit_trail.csv_rows(db(), review, wanted))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="review-{review.id}-audit-trail.csv"'
    )
    return response
