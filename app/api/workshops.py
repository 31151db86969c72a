"""API for learning workshops: facilitators plan and close them (with their own token or
session); participants join with the code and then post notes, proposals and votes with the
participant token the join gave them (``Authorization: Bearer lrw_…``)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.api import bp
from app.api.helpers import ApiError, validated_body
from app.db import db
from app.extensions import limiter
from app.policy import current_participant, review_access
from app.security import MAX_DATABASE_ID
from app.services import workshops as service
from models import Workshop, WorkshopNote

_REF = {"type": "string", "minLength": 1, "maxLength": 64}
WORKSHOP_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "date": {"type": "string", "format": "date"},
        "kpes": {"type": "array", "items": _REF},
        "graph_views": {"type": "array", "items": {"enum": list(service.GRAPH_VIEWS)}},
        "agenda": {"type": "string"},
        "questions": {"type": "array", "items": {"type": "string", "maxLength": 500}},
        "votes_per_participant": {"type": "integer", "minimum": 0, "maximum": service.MAX_VOTES},
    },
}
JOIN_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["code"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "minLength": 1, "maxLength": 20},
        "name": {"type": "string", "maxLength": 60},
    },
}
NOTE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["node", "text"],
    "additionalProperties": False,
    "properties": {
        "node": _REF,
        "text": {"type": "string", "minLength": 1, "maxLength": 2000},
        "prompt": {"enum": list(service.NOTE_PROMPTS)},
    },
}
PROPOSAL_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["label", "type", "level"],
    "additionalProperties": False,
    "properties": {
        "label": {"type": "string", "minLength": 1, "maxLength": 300},
        "type": {"enum": list(FACTOR_TYPES)},
        "level": {"enum": list(SYSTEM_LEVELS)},
        "description": {"type": "string"},
    },
}
VOTE_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["node"],
    "additionalProperties": False,
    "properties": {"node": _REF},
}
SHOW_INPUT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000}},
}
SCHEMAS = {
    "WorkshopInput": WORKSHOP_INPUT,
    "ShowNoteInput": SHOW_INPUT,
    "JoinInput": JOIN_INPUT,
    "NoteInput": NOTE_INPUT,
    "ProposalInput": PROPOSAL_INPUT,
    "VoteInput": VOTE_INPUT,
}


def _workshop_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "date" in values:
        values["held_on"] = values.pop("date")
    return values


def _join_rate_limit() -> str:
    return str(current_app.config["WORKSHOP_JOIN_RATE_LIMIT"])


def _workshop(workshop_id: int) -> Workshop:
    workshop = db().get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


@bp.route("/reviews/<int:review_id>/workshops", methods=["GET", "POST"])
def workshops(review_id: int) -> ResponseReturnValue:
    """The review's learning workshops.
    ---
    get:
      summary: List the review's workshops
      parameters: [ReviewId]
      responses:
        200: {description: 'items: workshops'}
    post:
      summary: Plan a workshop (every field optional)
      description: The date defaults to today, no kpes means the whole review, questions
        default to the local-rationality prompts. Answers with the workshop's id and join_code.
      parameters: [ReviewId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/WorkshopInput'}}}
      responses:
        201: {description: 'The workshop: id, join_code, …'}
        422: Invalid
    """
    review = review_access().review
    if request.method == "POST":
        data = validated_body(WORKSHOP_INPUT, empty_allowed=True)
        workshop = service.create_workshop(
            session=db(), review=review, facilitator=current_user, **_workshop_values(data)
        )
        return jsonify(service.workshop_item(workshop)), 201
    items = [service.workshop_item(w) for w in service.workshops_of(db(), review)]
    return jsonify({"items": items, "next_cursor": None})


@bp.route("/workshops/<int:workshop_id>", methods=["GET"])
def workshop(workshop_id: int) -> ResponseReturnValue:
    """One workshop, for the review's members who may see workshops.
    ---
    get:
      summary: Read a workshop
      parameters: [WorkshopId]
      responses:
        200: {description: The workshop}
        404: NotFound
    """
    return jsonify(service.workshop_item(_workshop(workshop_id)))


@bp.route("/workshops/<int:workshop_id>/board", methods=["GET"])
def workshop_board(workshop_id: int) -> ResponseReturnValue:
    """What the room has said so far: the facilitator's board (polled by board and presenter).
    ---
    get:
      summary: Notes, proposals and vote counts
      description: Pass the notes_cursor and proposals_cursor of the last answer as
        notes_after and proposals_after to get only what is new.
      parameters:
        - WorkshopId
        - {name: notes_after, in: query, schema: {type: integer}}
        - {name: proposals_after, in: query, schema: {type: integer}}
      responses:
        200: {description: 'notes, proposals, votes, participants and the cursors'}
    """
    try:
        notes_after = int(request.args.get("notes_after", 0))
        proposals_after = int(request.args.get("proposals_after", 0))
    except ValueError:
        raise ApiError(400, "notes_after and proposals_after are whole numbers") from None
    notes_after = max(0, min(notes_after, MAX_DATABASE_ID))
    proposals_after = max(0, min(proposals_after, MAX_DATABASE_ID))
    body = service.board(
        db(), _workshop(workshop_id), notes_after=notes_after, proposals_after=proposals_after
    )
    return jsonify(body)


@bp.route("/workshops/<int:workshop_id>/room", methods=["GET"])
def workshop_room(workshop_id: int) -> ResponseReturnValue:
    """The room wall: what the projector and every participant see (only what was shown).
    ---
    get:
      summary: Notes and proposals the facilitator let through, with upvotes
      description: Readable by the facilitator and with a participant token. Notes and
        proposals appear only once the facilitator has shown them, masked as the room sees
        everything; with a participant token, `upvoted` says which that participant upvoted.
      parameters: [WorkshopId]
      responses:
        200: {description: 'status, title, notes, clusters (notes by node), proposals,
          words (the word cloud), votes, vote_total'}
        401: Unauthorised
    """
    participant = g.get("participant")
    workshop = participant.workshop if participant is not None else _workshop(workshop_id)
    return jsonify(service.room(db(), workshop, participant=participant))


@bp.route("/workshops/<int:workshop_id>/notes/<int:note_id>/show", methods=["POST"])
def show_workshop_note(workshop_id: int, note_id: int) -> ResponseReturnValue:
    """Let a waiting note through to the projector and the room wall.
    ---
    post:
      summary: Show a note to the room (optionally edited first)
      description: With `text`, the room sees that edit (masked like everything the room
        sees) instead of what was typed.
      parameters:
        - WorkshopId
        - {name: note_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/ShowNoteInput'}}}
      responses:
        200: {description: The note as the board lists it}
        404: NotFound
        422: Invalid
    """
    workshop = _workshop(workshop_id)
    note = db().get(WorkshopNote, note_id)
    if note is None or note.workshop_id != workshop.id:
        abort(404)
    data = validated_body(SHOW_INPUT, empty_allowed=True)
    service.show_note(session=db(), workshop=workshop, note=note, text=data.get("text"))
    return jsonify(service.note_item(note, service.room_view(db(), workshop)))


@bp.route("/workshops/<int:workshop_id>/close", methods=["POST"])
def close_workshop(workshop_id: int) -> ResponseReturnValue:
    """Close a workshop: record the votes and revoke every participant's token.
    ---
    post:
      summary: Close a workshop
      parameters: [WorkshopId]
      responses:
        200: {description: The closed workshop}
        422: Invalid
    """
    workshop = _workshop(workshop_id)
    service.close_workshop(session=db(), workshop=workshop)
    return jsonify(service.workshop_item(workshop))


@bp.route("/workshops/join", methods=["POST"])
@limiter.limit(_join_rate_limit)
def join_workshop() -> ResponseReturnValue:
    """Join a running workshop with its code: no account needed.
    ---
    post:
      summary: Join a workshop
      description: Gives a participant token for that one workshop. Send it as
        Authorization Bearer; it stops working when the workshop closes. Rate limited.
      security: []
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/JoinInput'}}}
      responses:
        201: {description: 'token, workshop (its id), name'}
        422: Invalid
        429: {description: Too many attempts}
    """
    data = validated_body(JOIN_INPUT)
    participant, token = service.join_workshop(
        session=db(), code=data["code"], name=data.get("name", "")
    )
    body = {"token": token, "workshop": participant.workshop_id, "name": participant.display_name}
    return jsonify(body), 201


@bp.route("/workshops/<int:workshop_id>/material", methods=["GET"])
def workshop_material(workshop_id: int) -> ResponseReturnValue:
    """The workshop's pseudonymised material, for its participants.
    ---
    get:
      summary: KPEs, events, factors and links of the workshop, and the questions
      parameters: [WorkshopId]
      responses:
        200: {description: 'title, agenda, questions, kpes, events, factors, links,
          votes_left: pseudonyms only, and every other identifying detail masked'}
        401: Unauthorised
    """
    participant = current_participant()
    workshop = service.room_view(db(), participant.workshop)
    spent = len(service.votes_of(db(), participant))
    return jsonify(
        {
            "title": workshop.title,
            "agenda": workshop.agenda,
            "questions": list(workshop.questions),
            **workshop.snapshot,
            "votes_left": max(workshop.votes_per_participant - spent, 0),
        }
    )


@bp.route("/workshops/<int:workshop_id>/notes", methods=["GET", "POST"])
def workshop_notes(workshop_id: int) -> ResponseReturnValue:
    """Notes on nodes: what made this likely, what helped.
    ---
    get:
      summary: Your notes in this workshop
      parameters: [WorkshopId]
      responses:
        200: {description: 'items: your notes'}
    post:
      summary: Add a note on a node
      parameters: [WorkshopId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/NoteInput'}}}
      responses:
        201: {description: The note}
        401: Unauthorised
        422: Invalid
    """
    participant = current_participant()
    view = service.room_view(db(), participant.workshop)
    if request.method == "POST":
        data = validated_body(NOTE_INPUT)
        note = service.add_note(session=db(), participant=participant, **data)
        return jsonify(service.note_item(note, view)), 201
    notes = service.notes_of(db(), participant)
    items = [service.note_item(n, view) for n in notes]
    return jsonify({"items": items, "next_cursor": None})


@bp.route("/workshops/<int:workshop_id>/proposals", methods=["GET", "POST"])
def workshop_proposals(workshop_id: int) -> ResponseReturnValue:
    """New factors proposed from the room.
    ---
    get:
      summary: Your proposals in this workshop
      parameters: [WorkshopId]
      responses:
        200: {description: 'items: your proposals'}
    post:
      summary: Propose a factor
      parameters: [WorkshopId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/ProposalInput'}}}
      responses:
        201: {description: The proposal}
        422: Invalid
    """
    participant = current_participant()
    clean = service.room_view(db(), participant.workshop).anonymiser.for_room
    if request.method == "POST":
        data = validated_body(PROPOSAL_INPUT)
        proposal = service.propose_factor(session=db(), participant=participant, **data)
        return jsonify(service.proposal_item(proposal, clean)), 201
    items = [service.proposal_item(p, clean) for p in service.proposals_of(db(), participant)]
    return jsonify({"items": items, "next_cursor": None})


@bp.route("/workshops/<int:workshop_id>/votes", methods=["GET", "POST", "DELETE"])
def workshop_votes(workshop_id: int) -> ResponseReturnValue:
    """Votes on latent conditions (each participant has the workshop's number of votes).
    ---
    get:
      summary: Your votes and how many are left
      parameters: [WorkshopId]
      responses:
        200: {description: 'items: node refs voted on; votes_left'}
    post:
      summary: Spend a vote on a latent condition
      parameters: [WorkshopId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/VoteInput'}}}
      responses:
        201: {description: 'Your votes and votes_left'}
        422: Invalid
    delete:
      summary: Take back one vote from a node
      parameters: [WorkshopId]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/VoteInput'}}}
      responses:
        200: {description: 'Your votes and votes_left'}
        422: Invalid
    """
    participant = current_participant()
    status = 200
    if request.method == "POST":
        service.cast_vote(session=db(), participant=participant, **validated_body(VOTE_INPUT))
        status = 201
    elif request.method == "DELETE":
        service.withdraw_vote(session=db(), participant=participant, **validated_body(VOTE_INPUT))
    votes = service.votes_of(db(), participant)
    left = max(participant.workshop.votes_per_participant - len(votes), 0)
    return jsonify({"items": votes, "votes_left": left, "next_cursor": None}), status
