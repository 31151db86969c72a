"""The facilitator's board: what the room sent (notes, proposals, votes) and what still waits,
and letting a note or proposal through to the room wall, taking it off again, or bringing
back one set aside. Accepting them into the review is ``into_review``.

Everything on the board is as the room may see it: presenter mode shows it on the projected
screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.services.errors import ServiceError
from app.services.workshops.participants import participant_count, vote_counts
from app.services.workshops.snapshot import RoomView, room_view
from app.services.workshops.wall import author, is_on_wall, room_text
from models import Participant, Proposal, Workshop, WorkshopNote, utcnow

# How the board names each moderation status (the database keeps the short words).
STATUS_LABELS = {"pending": "waiting", "accepted": "accepted", "rejected": "set aside"}


def note_item(note: WorkshopNote, view: RoomView) -> dict[str, Any]:
    """A note as the room may see it (through the workshop's ``RoomView``)."""
    return {
        "id": note.id,
        "node": note.node,
        "node_label": view.label(note.node),
        "prompt": note.prompt,
        "text": room_text(note, view),
        "status": note.status,
        "status_label": STATUS_LABELS.get(note.status, note.status),
        "shown": is_on_wall(note),
        "unsent": note.unsent,
        "by": author(note),
        "created_at": note.created_at.isoformat(),
    }


def proposal_item(proposal: Proposal, clean: Callable[[str], str]) -> dict[str, Any]:
    """A proposal as the room may see it (``clean`` is ``Anonymiser.for_room``), with the
    names of its type and level for people to read."""
    return {
        "id": proposal.id,
        "label": clean(proposal.label),
        "type": proposal.type,
        "type_label": FACTOR_TYPES.get(proposal.type, proposal.type),
        "level": proposal.level,
        "level_label": SYSTEM_LEVELS.get(proposal.level, proposal.level),
        "description": clean(proposal.description),
        "status": proposal.status,
        "status_label": STATUS_LABELS.get(proposal.status, proposal.status),
        "shown": is_on_wall(proposal),
        "factor": proposal.factor_ref,
        "by": author(proposal),
    }


def board(
    session: Session, workshop: Workshop, *, notes_after: int = 0, proposals_after: int = 0
) -> dict[str, Any]:
    """What the facilitator's board and presenter mode show: notes, proposals and votes.

    With ``notes_after`` / ``proposals_after`` (the cursors of an earlier answer) only newer
    notes and proposals are listed, so a board polling every two seconds stays cheap however
    much the room has said; vote counts are always whole. Everything in it is as the room
    may see it (presenter mode shows it on the projected screen)."""
    view = room_view(session, workshop)
    notes = list(
        session.scalars(
            select(WorkshopNote)
            .where(WorkshopNote.workshop_id == workshop.id, WorkshopNote.id > notes_after)
            .order_by(WorkshopNote.id)
            .options(selectinload(WorkshopNote.participant))
        )
    )
    proposals = list(
        session.scalars(
            select(Proposal)
            .where(Proposal.workshop_id == workshop.id, Proposal.id > proposals_after)
            .order_by(Proposal.id)
            .options(selectinload(Proposal.participant))
        )
    )
    counts = vote_counts(session, workshop)
    return {
        "status": workshop.status,
        "participants": participant_count(session, workshop),
        "notes": [note_item(n, view) for n in notes],
        "notes_cursor": notes[-1].id if notes else notes_after,
        "proposals": [proposal_item(p, view.clean) for p in proposals],
        "proposals_cursor": proposals[-1].id if proposals else proposals_after,
        "votes": [
            {"node": ref, "label": view.label(ref), "count": count}
            for ref, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "vote_total": sum(counts.values()),
    }


def waiting(session: Session, workshop: Workshop) -> dict[str, int]:
    """What still waits for the facilitator: notes and proposals neither shown, accepted nor
    set aside, and participants with text typed but not sent."""

    def count(model: type[WorkshopNote] | type[Proposal]) -> int:
        return int(
            session.scalar(
                select(func.count(model.id)).where(
                    model.workshop_id == workshop.id,
                    model.status == "pending",
                    model.shown_at.is_(None),
                )
            )
            or 0
        )

    drafts = session.scalar(
        select(func.count(Participant.id)).where(
            Participant.workshop_id == workshop.id, Participant.draft_text != ""
        )
    )
    return {"notes": count(WorkshopNote), "proposals": count(Proposal), "drafts": int(drafts or 0)}


def summary(session: Session, workshop: Workshop) -> dict[str, Any]:
    data = board(session, workshop)
    statuses = Counter(n["status"] for n in data["notes"])
    proposals = Counter(p["status"] for p in data["proposals"])
    unsent = sum(1 for n in data["notes"] if n["unsent"] and n["status"] == "pending")
    return {
        **data,
        "note_statuses": dict(statuses),
        "proposal_statuses": dict(proposals),
        "unsent": unsent,
    }


def _check_item(workshop: Workshop, item: WorkshopNote | Proposal) -> None:
    if item.workshop_id != workshop.id:
        raise ServiceError("That is not from this workshop")


def show_note(
    *, session: Session, workshop: Workshop, note: WorkshopNote, text: str | None = None
) -> WorkshopNote:
    """Let a note through to the projector and the room wall, masked as the room sees
    everything; ``text`` is the facilitator's edit for the room (a name or a detail taken
    out). A note set aside comes back when shown."""
    _check_item(workshop, note)
    if note.status == "accepted" and note.shown_at is not None:
        raise ServiceError("That note is already on the room wall")
    view = room_view(session, workshop)
    if text is not None:
        edited = text.strip()
        if not edited:
            raise ServiceError("Write the note as the room should see it", "text")
        if len(edited) > 2000:
            raise ServiceError("Keep a note under 2,000 characters", "text")
        note.room_text = view.clean(edited)
    elif note.room_text is None:
        # Masked once, when shown: the wall, polled by everyone, reads it as stored.
        note.room_text = view.clean(note.text)
    if note.status == "rejected":
        note.status = "pending"
    note.shown_at = utcnow()
    session.flush()
    return note


def hide_note(*, session: Session, workshop: Workshop, note: WorkshopNote) -> None:
    """Take a note off the room wall again (the undo of showing it)."""
    _check_item(workshop, note)
    note.shown_at = None
    session.flush()


def restore_note(*, session: Session, workshop: Workshop, note: WorkshopNote) -> None:
    """Bring back a note that was set aside: it waits for the facilitator again."""
    _check_item(workshop, note)
    if note.status != "rejected":
        raise ServiceError("That note was not set aside")
    note.status = "pending"
    session.flush()


def show_proposal(*, session: Session, workshop: Workshop, proposal: Proposal) -> None:
    """Let a proposal through to the room wall (a proposal set aside comes back)."""
    _check_item(workshop, proposal)
    if proposal.status == "rejected":
        proposal.status = "pending"
    proposal.shown_at = utcnow()
    session.flush()


def hide_proposal(*, session: Session, workshop: Workshop, proposal: Proposal) -> None:
    _check_item(workshop, proposal)
    proposal.shown_at = None
    session.flush()


def restore_proposal(*, session: Session, workshop: Workshop, proposal: Proposal) -> None:
    _check_item(workshop, proposal)
    if proposal.status != "rejected":
        raise ServiceError("That proposal was not set aside")
    proposal.status = "pending"
    session.flush()
