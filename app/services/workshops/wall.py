"""The room wall: what the projector and every participant's phone show of what the room
said. Only what the facilitator let through is on it, masked as the room sees everything,
with its upvotes, the notes clustered by node, a word cloud and the votes.

The wall is polled by everyone in the room every few seconds, so it is built from plain
columns and kept per workshop until what it shows changes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from analysis.wordcloud import word_cloud
from app.services.errors import ServiceError
from app.services.workshops.participants import check_open, vote_counts
from app.services.workshops.snapshot import RoomView, room_view
from models import Participant, Proposal, Upvote, Vote, Workshop, WorkshopNote

ANONYMOUS = "Anonymous"


def author(item: WorkshopNote | Proposal) -> str:
    """Who wrote a note or a proposal, as the room reads it: their chosen name, or
    "Anonymous" (the default)."""
    return (item.participant.display_name if item.participant else "") or ANONYMOUS


def room_text(note: WorkshopNote, view: RoomView) -> str:
    """A note as the room saw it (or would see it): the text masked when it was shown (the
    facilitator's edit, if any), else what was typed, masked through ``RoomView`` now."""
    return note.room_text if note.room_text is not None else view.clean(note.text)


def is_on_wall(item: WorkshopNote | Proposal) -> bool:
    return item.shown_at is not None and item.status != "rejected"


def _on_wall(model: type[WorkshopNote] | type[Proposal], workshop: Workshop | RoomView) -> Any:
    """The rows on the wall, as plain columns with the author's name: the wall is polled by
    everyone in the room, so it loads no objects (nor the workshop's snapshot with them)."""
    columns = (
        (
            WorkshopNote.id,
            WorkshopNote.node,
            WorkshopNote.prompt,
            WorkshopNote.room_text,
            WorkshopNote.text,
        )
        if model is WorkshopNote
        else (
            Proposal.id,
            Proposal.label,
            Proposal.type,
            Proposal.level,
            Proposal.description,
            Proposal.factor_ref,
            Proposal.status,
        )
    )
    return (
        select(*columns, Participant.display_name)
        .outerjoin(Participant, Participant.id == model.participant_id)
        .where(
            model.workshop_id == workshop.id,
            model.shown_at.is_not(None),
            model.status != "rejected",
        )
        .order_by(model.shown_at, model.id)
    )


def upvote_counts(
    session: Session, workshop: Workshop | RoomView
) -> tuple[dict[int, int], dict[int, int]]:
    """Upvotes per note id and per proposal id."""
    rows = session.execute(
        select(Upvote.note_id, Upvote.proposal_id, func.count(Upvote.id))
        .where(Upvote.workshop_id == workshop.id)
        .group_by(Upvote.note_id, Upvote.proposal_id)
    )
    notes: dict[int, int] = {}
    proposals: dict[int, int] = {}
    for note_id, proposal_id, count in rows:
        if note_id is not None:
            notes[note_id] = int(count)
        elif proposal_id is not None:
            proposals[proposal_id] = int(count)
    return notes, proposals


# The room wall as last built, per workshop, with the fingerprint it was built for: the wall is
# polled by everyone in the room every few seconds and changes far less often. Bounded (the
# oldest workshop goes first) and checked against the database on every read, so it is never
# stale; a worker that restarts simply builds it again.
_WALLS: OrderedDict[tuple[int, datetime], tuple[tuple[Any, ...], dict[str, Any]]] = OrderedDict()
_WALLS_LOCK = threading.Lock()
_WALLS_KEPT = 64
_WALL_MAX_AGE_S = 60.0


def _wall_fingerprint(session: Session, workshop: Workshop | RoomView) -> tuple[Any, ...]:
    """One query that changes whenever what the wall shows could: what is shown (and when),
    set aside or brought back, upvotes and votes given or taken back, the workshop's state."""

    def on_wall(model: type[WorkshopNote] | type[Proposal], column: Any) -> Any:
        return (
            select(column)
            .where(
                model.workshop_id == workshop.id,
                model.shown_at.is_not(None),
                model.status != "rejected",
            )
            .scalar_subquery()
        )

    def of(model: type[Upvote] | type[Vote], column: Any) -> Any:
        return select(column).where(model.workshop_id == workshop.id).scalar_subquery()

    row = session.execute(
        select(
            on_wall(WorkshopNote, func.count(WorkshopNote.id)),
            on_wall(WorkshopNote, func.max(WorkshopNote.shown_at)),
            on_wall(Proposal, func.count(Proposal.id)),
            on_wall(Proposal, func.max(Proposal.shown_at)),
            of(Upvote, func.count(Upvote.id)),
            of(Upvote, func.max(Upvote.id)),
            of(Vote, func.count(Vote.id)),
            of(Vote, func.max(Vote.id)),
        )
    ).one()
    return (workshop.status, workshop.version, *row)


def _wall(session: Session, workshop: Workshop | RoomView) -> dict[str, Any]:
    """The wall as everyone sees it (no one's own upvotes), rebuilt only when it changed."""
    fingerprint = _wall_fingerprint(session, workshop)
    key = (workshop.id, workshop.created_at)
    now = time.monotonic()
    with _WALLS_LOCK:
        kept = _WALLS.get(key)
    if kept is not None and kept[0] == fingerprint and now - kept[1]["built"] < _WALL_MAX_AGE_S:
        return kept[1]
    view = room_view(session, workshop)
    notes = session.execute(_on_wall(WorkshopNote, workshop)).all()
    proposals = session.execute(_on_wall(Proposal, workshop)).all()
    note_ups, proposal_ups = upvote_counts(session, workshop)
    note_items = [
        {
            "id": n.id,
            "node": n.node,
            "node_label": view.label(n.node),
            "prompt": n.prompt,
            "text": n.room_text if n.room_text is not None else view.clean(n.text),
            "by": n.display_name or ANONYMOUS,
            "upvotes": note_ups.get(n.id, 0),
        }
        for n in notes
    ]
    counts = vote_counts(session, workshop)
    wall = {
        "built": now,
        "status": workshop.status,
        "title": view.title,
        "notes": note_items,
        "proposals": [
            {
                "id": p.id,
                "label": view.clean(p.label),
                "type": p.type,
                "type_label": FACTOR_TYPES.get(p.type, p.type),
                "level": p.level,
                "level_label": SYSTEM_LEVELS.get(p.level, p.level),
                "description": view.clean(p.description),
                "status": p.status,
                "factor": p.factor_ref,
                "by": p.display_name or ANONYMOUS,
                "upvotes": proposal_ups.get(p.id, 0),
            }
            for p in proposals
        ],
        "words": [
            {"word": w.word, "count": w.count, "size": w.size}
            for w in word_cloud(item["text"] for item in note_items)
        ],
        "votes": [
            {"node": ref, "label": view.label(ref), "count": count}
            for ref, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "vote_total": sum(counts.values()),
    }
    with _WALLS_LOCK:
        _WALLS[key] = (fingerprint, wall)
        _WALLS.move_to_end(key)
        while len(_WALLS) > _WALLS_KEPT:
            _WALLS.popitem(last=False)
    return wall


def room(
    session: Session, workshop: Workshop | RoomView, *, participant: Participant | None = None
) -> dict[str, Any]:
    """What the projector and every participant's room wall show: the notes and proposals the
    facilitator let through (masked as the room sees everything), their upvotes, the notes
    clustered by node, a word cloud of the notes, and the votes on latent conditions. With
    ``participant``, which of them that participant has upvoted."""
    wall = _wall(session, workshop)
    mine_notes: set[int] = set()
    mine_proposals: set[int] = set()
    if participant is not None:
        for note_id, proposal_id in session.execute(
            select(Upvote.note_id, Upvote.proposal_id).where(
                Upvote.participant_id == participant.id
            )
        ):
            if note_id is not None:
                mine_notes.add(note_id)
            if proposal_id is not None:
                mine_proposals.add(proposal_id)
    notes = [{**n, "upvoted": n["id"] in mine_notes} for n in wall["notes"]]
    clusters: dict[str, dict[str, Any]] = {}
    for item in notes:
        cluster = clusters.setdefault(
            item["node"], {"node": item["node"], "label": item["node_label"], "notes": []}
        )
        cluster["notes"].append(item)
    for cluster in clusters.values():
        cluster["notes"].sort(key=lambda n: (-n["upvotes"], n["id"]))
    return {
        "status": wall["status"],
        "title": wall["title"],
        "notes": notes,
        "clusters": sorted(
            clusters.values(), key=lambda c: (-sum(n["upvotes"] for n in c["notes"]), c["node"])
        ),
        "proposals": [{**p, "upvoted": p["id"] in mine_proposals} for p in wall["proposals"]],
        "words": wall["words"],
        "votes": wall["votes"],
        "vote_total": wall["vote_total"],
    }


def toggle_upvote(
    *,
    session: Session,
    participant: Participant,
    note_id: int | None = None,
    proposal_id: int | None = None,
) -> bool:
    """Add the participant's upvote on a note or proposal on the room wall, or take it back
    if they had given one. Returns whether the upvote now stands."""
    workshop = participant.workshop
    check_open(workshop)
    item: WorkshopNote | Proposal | None = (
        session.get(WorkshopNote, note_id)
        if note_id is not None
        else session.get(Proposal, proposal_id)
        if proposal_id is not None
        else None
    )
    if item is None or item.workshop_id != workshop.id or not is_on_wall(item):
        raise ServiceError("That is not on the room wall")
    match = Upvote.note_id == note_id if note_id is not None else Upvote.proposal_id == proposal_id
    existing = session.scalar(select(Upvote).where(Upvote.participant_id == participant.id, match))
    if existing is not None:
        session.delete(existing)
        session.flush()
        return False
    session.add(
        Upvote(
            workshop_id=workshop.id,
            review_id=workshop.review_id,
            participant_id=participant.id,
            note_id=note_id,
            proposal_id=proposal_id,
        )
    )
    session.flush()
    return True
