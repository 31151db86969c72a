"""The facilitator's pages: plan a workshop, its record, presenter mode, the live board with
moderation, closing, and the facilitator pack and participant handout. The policy has checked
access (and that the workshop belongs to the review in the URL)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.db import db
from app.forms import edit_status, save_versioned, select_choices, show_service_error
from app.policy import current_review
from app.services import review_cache
from app.services import workshops as service
from app.services.anonymity import hit_rows
from app.services.errors import ServiceError
from app.services.workshop_outputs import (
    HandoutNotAnonymousError,
    facilitator_pack,
    participant_handout,
    reveal_svg,
)
from app.templating import plural_of
from app.workshops import bp
from app.workshops.forms import AcceptNoteForm, WorkshopForm
from models import Proposal, Workshop, WorkshopNote


def _graph_cache() -> Path:
    return Path(current_app.instance_path) / "graph-cache"


def _workshop(workshop_id: int) -> Workshop:
    workshop = db().get(Workshop, workshop_id)
    if workshop is None or workshop.review_id != current_review().id:
        abort(404)
    return workshop


def _form(workshop: Workshop | None = None) -> WorkshopForm:
    form = WorkshopForm(formdata=None if request.method == "GET" else request.form)
    kpes = service.kpes_of(db(), current_review())
    form.kpes.choices = select_choices((k.ref, f"{k.ref}: {k.title}") for k in kpes)
    if request.method == "GET":
        if workshop is None:
            form.graph_views.data = list(service.GRAPH_VIEWS)
            form.questions.data = "\n".join(service.default_questions())
            form.votes_per_participant.data = service.DEFAULT_VOTES
        else:
            form.title.data = workshop.title
            form.held_on.data = workshop.held_on
            form.kpes.data = list(workshop.kpes)
            form.graph_views.data = list(workshop.graph_views)
            form.agenda.data = workshop.agenda
            form.questions.data = "\n".join(workshop.questions)
            form.votes_per_participant.data = workshop.votes_per_participant
            form.version.data = str(workshop.version)
    return form


def _values(form: WorkshopForm) -> dict[str, Any]:
    return {
        "title": form.title.data or "",
        "held_on": form.held_on.data,
        "kpes": form.kpes.data or [],
        "graph_views": form.graph_views.data or [],
        "agenda": form.agenda.data or "",
        "questions": form.questions.data or "",
        "votes_per_participant": form.votes_per_participant.data,
    }


@bp.route("")
def workshops(review_id: int) -> str:
    review = current_review()
    return render_template(
        "workshops/workshops.html",
        review=review,
        workshops=service.workshops_of(db(), review),
        title="Learning workshops",
    )


@bp.route("/new", methods=["GET", "POST"])
def new_workshop(review_id: int) -> ResponseReturnValue:
    review = current_review()
    form = _form()
    if request.method == "POST" and form.validate_on_submit():
        try:
            workshop = service.create_workshop(
                session=db(), review=review, facilitator=current_user, **_values(form)
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(f"Workshop planned. The join code is {workshop.join_code}.", "success")
            return redirect(
                url_for("workshops.workshop", review_id=review.id, workshop_id=workshop.id)
            )
    return render_template(
        "workshops/workshop_form.html",
        review=review,
        form=form,
        workshop=None,
        title="Plan a learning workshop",
    ), (422 if request.method == "POST" else 200)


@bp.route("/<int:workshop_id>")
def workshop(review_id: int, workshop_id: int) -> str:
    item = _workshop(workshop_id)
    return render_template(
        "workshops/workshop.html",
        review=current_review(),
        workshop=item,
        summary=service.summary(db(), item),
        nodes=_room_nodes(item),
        room_warnings=_room_warnings(item),
        graph_views=service.GRAPH_VIEWS,
        join_qr=service.join_qr_svg(
            url_for("participate.join_code", code=item.join_code, _external=True),
            label=f"QR code to join with code {item.join_code}",
        )
        if item.is_open
        else "",
        title=item.title,
    )


def _room_nodes(workshop: Workshop) -> dict[str, dict[str, Any]]:
    """The snapshot's nodes as the room sees them, cleaned once per change to the review (a
    snapshot may hold the whole chronology)."""
    return review_cache.cached(
        db(),
        workshop.review_id,
        "room_nodes",
        lambda: service.snapshot_nodes(service.room_view(db(), workshop)),
        workshop.id,
    )


def _room_warnings(workshop: Workshop) -> list[dict[str, str]]:
    return review_cache.cached(
        db(),
        workshop.review_id,
        "room_warnings",
        lambda: service.room_warnings(db(), workshop),
        workshop.id,
    )


def _room_node(view: Any, ref: str) -> dict[str, Any]:
    """One node of the snapshot as the room sees it (only its own texts cleaned)."""
    raw = service.snapshot_nodes(view.workshop).get(ref, {})
    cleaned: dict[str, Any] = {
        key: view.clean(raw[key]) for key in ("label", "title", "description") if key in raw
    }
    return {**raw, **cleaned}


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
def edit_workshop(review_id: int, workshop_id: int) -> ResponseReturnValue:
    review = current_review()
    item = _workshop(workshop_id)
    form = _form(item)
    theirs = None
    if request.method == "POST" and form.validate_on_submit():
        saved, theirs = save_versioned(
            form,
            lambda version: service.update_workshop(
                session=db(), workshop=item, expected_version=version, **_values(form)
            ),
            item,
        )
        if saved:
            flash("Workshop saved.", "success")
            return redirect(url_for("workshops.workshop", review_id=review.id, workshop_id=item.id))
    return render_template(
        "workshops/workshop_form.html",
        review=review,
        form=form,
        workshop=item,
        theirs=theirs,
        room_warnings=_room_warnings(item),
        title=f"Edit {item.title}",
    ), edit_status(request.method, theirs)


@bp.route("/<int:workshop_id>/board")
def board(review_id: int, workshop_id: int) -> str:
    item = _workshop(workshop_id)
    return render_template(
        "workshops/board.html",
        review=current_review(),
        workshop=item,
        board=service.board(db(), item),
        prompts=service.NOTE_PROMPTS,
        factor_types=FACTOR_TYPES,
        levels=SYSTEM_LEVELS,
        title=f"Board: {item.title}",
    )


@bp.route("/<int:workshop_id>/present")
def presenter(review_id: int, workshop_id: int) -> str:
    # Projected to the room: everything on it as the room may see it.
    item = service.room_view(db(), _workshop(workshop_id))
    join_url = url_for("participate.join_code", code=item.join_code, _external=True)
    counts = service.room(db(), item)
    # Counted once here, not once per node of every slide (a slide may show hundreds).
    notes_on = Counter(note["node"] for note in counts["notes"])
    votes_on: Counter[str] = Counter()
    for vote in counts["votes"]:
        votes_on[vote["node"]] += vote["count"]
    return render_template(
        "workshops/presenter.html",
        review=current_review(),
        workshop=item,
        slides=review_cache.cached(
            db(), item.workshop.review_id, "slides", lambda: service.presenter_slides(item), item.id
        ),
        counts=counts,
        notes_on=notes_on,
        votes_on=votes_on,
        join_url=url_for("participate.join", _external=True),
        join_qr=service.join_qr_svg(join_url, label=f"QR code to join with code {item.join_code}"),
        title=f"Presenting: {item.title}",
    )


@bp.route("/<int:workshop_id>/graph/<kpe>/<int:step>.svg")
def graph_step(review_id: int, workshop_id: int, kpe: str, step: int) -> Response:
    item = _workshop(workshop_id)
    if not 0 <= step < len(service.REVEAL_STEPS):
        abort(404)
    view = service.room_view(db(), item)
    svg = reveal_svg(view, None if kpe == "all" else kpe, step, cache_dir=_graph_cache())
    if svg is None:
        abort(404)
    return Response(svg, mimetype="image/svg+xml")


def _back_to_board(workshop: Workshop) -> WerkzeugResponse:
    return redirect(
        url_for("workshops.board", review_id=workshop.review_id, workshop_id=workshop.id)
    )


def _note(workshop: Workshop, note_id: int) -> WorkshopNote:
    note = db().get(WorkshopNote, note_id)
    if note is None or note.workshop_id != workshop.id:
        abort(404)
    return note


@bp.route("/<int:workshop_id>/notes/<int:note_id>", methods=["POST"])
def moderate_note(review_id: int, workshop_id: int, note_id: int) -> WerkzeugResponse:
    """Show a note to the room, take it off the wall, set it aside, bring it back, or accept
    it into the review as the room saw it."""
    item = _workshop(workshop_id)
    note = _note(item, note_id)
    decision = request.form.get("decision", "")
    session = db()
    actions: dict[str, tuple[Any, str]] = {
        "show": (
            lambda: service.show_note(session=session, workshop=item, note=note),
            f"Note {note.id} on {note.node} is on the room wall.",
        ),
        "hide": (
            lambda: service.hide_note(session=session, workshop=item, note=note),
            f"Note {note.id} on {note.node} taken off the room wall.",
        ),
        "restore": (
            lambda: service.restore_note(session=session, workshop=item, note=note),
            f"Note {note.id} on {note.node} brought back: it waits for you again.",
        ),
        "reject": (
            lambda: service.moderate_note(session=session, workshop=item, note=note, accept=False),
            f"Note {note.id} on {note.node} set aside.",
        ),
        "accept": (
            lambda: service.moderate_note(session=session, workshop=item, note=note, accept=True),
            "",
        ),
    }
    if decision not in actions:
        abort(400)
    run, message = actions[decision]
    try:
        run()
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(
            message or f"Note on {note.node} accepted into account {item.account_ref}.", "success"
        )
    return _back_to_board(item)


@bp.route("/<int:workshop_id>/notes/<int:note_id>/show", methods=["GET", "POST"])
def show_note(review_id: int, workshop_id: int, note_id: int) -> ResponseReturnValue:
    """Edit a note for the room (a name, a detail taken out) and show it on the room wall."""
    item = _workshop(workshop_id)
    note = _note(item, note_id)
    view = service.room_view(db(), item)
    form = AcceptNoteForm(formdata=None if request.method == "GET" else request.form)
    form.text.label.text = "The note as the room will see it"
    if request.method == "GET":
        form.text.data = service.room_text(note, view)
    elif form.validate_on_submit():
        try:
            service.show_note(session=db(), workshop=item, note=note, text=form.text.data or "")
        except ServiceError as error:
            form.text.errors = [error.message]
        else:
            flash(f"Note {note.id} on {note.node} is on the room wall.", "success")
            return _back_to_board(item)
    return render_template(
        "workshops/show_note.html",
        review=current_review(),
        workshop=item,
        note=note,
        node=_room_node(view, note.node),
        prompts=service.NOTE_PROMPTS,
        form=form,
        title="Edit and show a note",
    ), (422 if request.method == "POST" else 200)


@bp.route("/<int:workshop_id>/notes/<int:note_id>/accept", methods=["GET", "POST"])
def accept_note(review_id: int, workshop_id: int, note_id: int) -> ResponseReturnValue:
    """Edit a note (names, phone numbers, anything the review should not hold) and accept it
    into the workshop's group account."""
    item = _workshop(workshop_id)
    note = db().get(WorkshopNote, note_id)
    if note is None or note.workshop_id != item.id:
        abort(404)
    view = service.room_view(db(), item)
    anonymiser = view.anonymiser
    form = AcceptNoteForm(formdata=None if request.method == "GET" else request.form)
    if request.method == "GET":
        # The box starts from the note as the room saw it, every detail masked: one click
        # never stores a phone number the room never saw. A detail comes back only if the
        # facilitator types it back in from "The note as typed".
        form.text.data = service.room_text(note, view)
    elif form.validate_on_submit():
        try:
            service.moderate_note(
                session=db(), workshop=item, note=note, accept=True, text=form.text.data or ""
            )
        except ServiceError as error:
            form.text.errors = [error.message]
        else:
            flash(f"Note on {note.node} accepted into account {item.account_ref}.", "success")
            return _back_to_board(item)
    as_typed = anonymiser.pseudonymise_places(note.text)
    # What the box masked (on first view) or what was typed back into it (after a POST).
    checked = as_typed if request.method == "GET" else form.text.data
    hits = hit_rows(anonymiser.room_hits(checked, "The note"))
    return render_template(
        "workshops/accept_note.html",
        review=current_review(),
        workshop=item,
        note=note,
        node=_room_node(view, note.node),
        prompts=service.NOTE_PROMPTS,
        form=form,
        room_warnings=hits,
        as_typed=as_typed,
        title="Edit and accept a note",
    ), (422 if request.method == "POST" else 200)


@bp.route("/<int:workshop_id>/proposals/<int:proposal_id>", methods=["POST"])
def moderate_proposal(review_id: int, workshop_id: int, proposal_id: int) -> WerkzeugResponse:
    item = _workshop(workshop_id)
    proposal = db().get(Proposal, proposal_id)
    if proposal is None or proposal.workshop_id != item.id:
        abort(404)
    decision = request.form.get("decision", "")
    session = db()
    undo = {
        "show": (service.show_proposal, "is on the room wall"),
        "hide": (service.hide_proposal, "taken off the room wall"),
        "restore": (service.restore_proposal, "brought back: it waits for you again"),
    }
    try:
        if decision in undo:
            run, done = undo[decision]
            run(session=session, workshop=item, proposal=proposal)
            flash(f"Proposal {proposal.id} {done}.", "success")
            return _back_to_board(item)
        if decision not in ("accept", "reject"):
            abort(400)
        factor = service.moderate_proposal(
            session=session, workshop=item, proposal=proposal, accept=decision == "accept"
        )
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(
            f"Added as factor {factor.ref}: check it on the factors page."
            if factor
            else f"Proposal {proposal.id} set aside.",
            "success",
        )
    return _back_to_board(item)


@bp.route("/<int:workshop_id>/votes", methods=["POST"])
def record_votes(review_id: int, workshop_id: int) -> WerkzeugResponse:
    item = _workshop(workshop_id)
    totals = service.record_vote_totals(session=db(), workshop=item)
    flash(f"Vote totals recorded ({sum(totals.values())} votes).", "success")
    return _back_to_board(item)


@bp.route("/<int:workshop_id>/close", methods=["GET", "POST"])
def close_workshop(review_id: int, workshop_id: int) -> ResponseReturnValue:
    """Confirm closing (saying what still waits for the facilitator), then close: every
    participant's access ends and whatever they were typing is kept as an unsent note."""
    item = _workshop(workshop_id)
    if request.method == "GET":
        if not item.is_open:
            return redirect(
                url_for("workshops.workshop", review_id=item.review_id, workshop_id=item.id)
            )
        return render_template(
            "workshops/close.html",
            review=current_review(),
            workshop=item,
            waiting=service.waiting(db(), item),
            title=f"Close {item.title}",
        )
    try:
        kept = service.close_workshop(session=db(), workshop=item)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        message = "Workshop closed: every participant's access has ended."
        if kept:
            message += (
                f" {plural_of(kept, 'note')} that participants had not sent "
                f"{'was' if kept == 1 else 'were'} kept: {'it waits' if kept == 1 else 'they wait'}"
                " for you on the board."
            )
        flash(message, "success")
    return redirect(url_for("workshops.workshop", review_id=item.review_id, workshop_id=item.id))


@bp.route("/<int:workshop_id>/pack.pdf")
def pack(review_id: int, workshop_id: int) -> Response:
    item = _workshop(workshop_id)
    pdf = facilitator_pack(db(), item, cache_dir=_graph_cache())
    return _pdf(pdf, f"workshop-{item.id}-facilitator-pack.pdf")


@bp.route("/<int:workshop_id>/handout.pdf")
def handout(review_id: int, workshop_id: int) -> ResponseReturnValue:
    item = _workshop(workshop_id)
    try:
        pdf = participant_handout(db(), item)
    except HandoutNotAnonymousError as error:
        return render_template(
            "workshops/handout_refused.html",
            review=current_review(),
            workshop=item,
            hits=error.hits,
            title="The handout is not anonymous yet",
        ), 409
    return _pdf(pdf, f"workshop-{item.id}-handout.pdf")


def _pdf(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
