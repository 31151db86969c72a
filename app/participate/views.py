"""Participant pages. A participant holds a cookie scoped to ``/w/<workshop_id>/`` (so the
browser sends it nowhere else); the policy accepts it on these routes only, for that workshop
only, and refuses it everywhere else. Pages show only the workshop's snapshot."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.db import db
from app.extensions import limiter
from app.forms import show_service_error
from app.participate import bp
from app.participate.forms import JoinForm, NoteForm, ProposalForm, UpvoteForm, VoteForm
from app.policy import current_participant, participant_cookie_name
from app.services import workshops as service
from app.services.errors import ServiceError

_DRAFT_KEY = "note_draft"


def _join_rate_limit() -> str:
    return str(current_app.config["WORKSHOP_JOIN_RATE_LIMIT"])


def _home(workshop_id: int) -> WerkzeugResponse:
    return redirect(url_for("participate.home", workshop_id=workshop_id))


def _cookie_path(workshop_id: int) -> str:
    return f"/w/{workshop_id}/"


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<code>", methods=["GET", "POST"], endpoint="join_code")
@limiter.limit(_join_rate_limit, methods=["POST"])
def join(code: str | None = None) -> ResponseReturnValue:
    form = JoinForm()
    if request.method == "GET" and code:
        form.code.data = service.normalise_code(code)
    if form.validate_on_submit():
        try:
            participant, token = service.join_workshop(
                session=db(), code=form.code.data or "", name=form.name.data or ""
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            response = make_response(_home(participant.workshop_id))
            response.set_cookie(
                participant_cookie_name(),
                token,
                path=_cookie_path(participant.workshop_id),
                httponly=True,
                secure=current_app.config["SESSION_COOKIE_SECURE"],
                samesite="Strict",
            )
            return response
    status = 422 if request.method == "POST" else 200
    return render_template("participate/join.html", form=form, title="Join a workshop"), status


def _room() -> service.RoomView:
    """The participant's workshop as the room may see it (pseudonyms, details masked)."""
    return service.room_view(db(), current_participant().workshop)


def _page(template: str, **context: Any) -> str:
    participant = current_participant()
    workshop = _room()
    spent = service.votes_of(db(), participant)
    return render_template(
        template,
        participant=participant,
        workshop=workshop,
        nodes=service.snapshot_nodes(workshop),
        my_votes=spent,
        votes_left=max(workshop.votes_per_participant - len(spent), 0),
        prompts=service.NOTE_PROMPTS,
        factor_types=FACTOR_TYPES,
        levels=SYSTEM_LEVELS,
        **context,
    )


@bp.route("/w/<int:workshop_id>/")
def home(workshop_id: int) -> str:
    """One episode at a time (a short page on a phone): its events and the factors known by
    its end, then the votes on latent conditions."""
    workshop = _room()
    kpes = workshop.snapshot.get("kpes", [])
    chosen = request.args.get("episode", "")
    episode = next((k for k in kpes if k["ref"] == chosen), kpes[0] if kpes else None)
    nodes = service.snapshot_nodes(workshop)
    if episode is not None:
        events = [nodes[ref] for ref in episode["events"] if ref in nodes]
        allowed = service.episode_factor_refs(workshop, episode)
        factors = [f for f in workshop.snapshot.get("factors", []) if f["ref"] in allowed]
    else:
        events = [n for n in nodes.values() if n["kind"] == "event"]
        factors = list(workshop.snapshot.get("factors", []))
    return _page(
        "participate/home.html",
        vote_form=VoteForm(),
        kpes=kpes,
        episode=episode,
        events=events,
        factors=factors,
        latent=[f for f in workshop.snapshot.get("factors", []) if f["type"] == "latent_condition"],
        title=workshop.title,
    )


@bp.route("/w/<int:workshop_id>/nodes/<ref>")
def node(workshop_id: int, ref: str) -> str:
    found = service.snapshot_nodes(_room()).get(ref)
    if found is None:
        abort(404)
    form = NoteForm(node=ref)
    draft = session.pop(_DRAFT_KEY, None)
    if isinstance(draft, dict) and draft.get("node") == ref:
        # Back from a note that could not be added (post, redirect, get): what was typed, and
        # why it was refused.
        form.text.data = draft.get("text", "")
        form.prompt.data = draft.get("prompt") or form.prompt.data
        for name, messages in (draft.get("errors") or {}).items():
            if name in form:
                form[name].errors = list(messages)
    return _page(
        "participate/node.html", node=found, form=form, vote_form=VoteForm(), title=found["label"]
    )


@bp.route("/w/<int:workshop_id>/notes", methods=["POST"])
def add_note(workshop_id: int) -> ResponseReturnValue:
    participant = current_participant()
    form = NoteForm()
    ref = form.node.data or ""
    found = service.snapshot_nodes(_room()).get(ref)
    if found is None:
        abort(404)
    if form.validate_on_submit():
        try:
            service.add_note(
                session=db(),
                participant=participant,
                node=ref,
                text=form.text.data or "",
                prompt=form.prompt.data or "made_likely",
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(
                "Thank you: your note is with the facilitator, who shows notes on the room wall.",
                "success",
            )
            return redirect(url_for("participate.node", workshop_id=workshop_id, ref=ref))
    session[_DRAFT_KEY] = {
        "node": ref,
        "text": (form.text.data or "")[:4000],
        "prompt": form.prompt.data or "",
        "errors": {name: list(messages) for name, messages in form.errors.items()},
    }
    return redirect(url_for("participate.node", workshop_id=workshop_id, ref=ref))


@bp.route("/w/<int:workshop_id>/propose", methods=["GET", "POST"])
def propose(workshop_id: int) -> ResponseReturnValue:
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            service.propose_factor(
                session=db(),
                participant=current_participant(),
                label=form.label.data or "",
                type=form.type.data or "",
                level=form.level.data or "",
                description=form.description.data or "",
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash("Thank you: your proposal is with the facilitator.", "success")
            return _home(workshop_id)
    status = 422 if request.method == "POST" else 200
    return _page("participate/propose.html", form=form, title="Propose a factor"), status


def _vote(workshop_id: int, *, spend: bool) -> WerkzeugResponse:
    form = VoteForm()
    if not form.validate_on_submit():
        abort(400)
    ref = form.node.data or ""
    try:
        if spend:
            service.cast_vote(session=db(), participant=current_participant(), node=ref)
        else:
            service.withdraw_vote(session=db(), participant=current_participant(), node=ref)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash("Vote counted." if spend else "Vote taken back.", "success")
    return _home(workshop_id)


@bp.route("/w/<int:workshop_id>/votes", methods=["POST"])
def vote(workshop_id: int) -> WerkzeugResponse:
    return _vote(workshop_id, spend=True)


@bp.route("/w/<int:workshop_id>/votes/withdraw", methods=["POST"])
def withdraw_vote(workshop_id: int) -> WerkzeugResponse:
    return _vote(workshop_id, spend=False)


@bp.route("/w/<int:workshop_id>/room")
def room(workshop_id: int) -> str:
    """The room wall: what the facilitator has shown to the room, with upvotes."""
    participant = current_participant()
    return _page(
        "participate/room.html",
        wall=service.room(db(), participant.workshop, participant=participant),
        vote_form=VoteForm(),
        title="The room wall",
    )


@bp.route("/w/<int:workshop_id>/room.json")
def room_data(workshop_id: int) -> Response:
    """The room wall for the participant's page to poll (the API's room, on the path the
    participant's cookie is sent to)."""
    participant = current_participant()
    return jsonify(service.room(db(), participant.workshop, participant=participant))


@bp.route("/w/<int:workshop_id>/draft", methods=["POST"])
def save_draft(workshop_id: int) -> Response:
    """Keep the note being typed (sent by the page as the participant types), so that closing
    the workshop does not lose it: the facilitator is offered it."""
    form = NoteForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    try:
        service.save_draft(
            session=db(),
            participant=current_participant(),
            node=form.node.data or "",
            text=form.text.data or "",
        )
    except ServiceError as error:
        return make_response(jsonify({"error": error.message}), 422)
    return make_response("", 204)


@bp.route("/w/<int:workshop_id>/upvote", methods=["POST"])
def upvote(workshop_id: int) -> WerkzeugResponse:
    """Give (or take back) an upvote on a note or a proposal on the room wall."""
    form = UpvoteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        item_id = int(form.item.data or "")
    except ValueError:
        abort(400)
    is_note = form.kind.data == "note"
    try:
        given = service.toggle_upvote(
            session=db(),
            participant=current_participant(),
            note_id=item_id if is_note else None,
            proposal_id=None if is_note else item_id,
        )
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash("Upvote counted." if given else "Upvote taken back.", "success")
    anchor = f"{form.kind.data}-{item_id}"
    return redirect(url_for("participate.room", workshop_id=workshop_id, _anchor=anchor))


@bp.route("/w/<int:workshop_id>/leave", methods=["POST"])
def leave(workshop_id: int) -> Response:
    service.leave_workshop(session=db(), participant=current_participant())
    response = make_response(redirect(url_for("participate.join")))
    response.delete_cookie(participant_cookie_name(), path=_cookie_path(workshop_id))
    return response
