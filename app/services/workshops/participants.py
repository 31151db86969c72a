"""What a participant does in a workshop: join with its code (no account), write notes on
the material, propose factors, spend their votes on latent conditions, keep a draft, leave.

Everything a participant sends waits for the facilitator (``moderation``) before the room
sees it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.passwords import new_participant_token
from app.services.errors import ServiceError
from app.services.workshops.snapshot import RoomView, snapshot_nodes
from models import Participant, Proposal, Vote, Workshop, WorkshopNote, utcnow

NOTE_PROMPTS: dict[str, str] = {
    "made_likely": "What made this likely?",
    "helped": "What helped?",
}


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).upper()


def open_workshop_by_code(session: Session, code: str) -> Workshop | None:
    return session.scalar(
        select(Workshop).where(
            Workshop.join_code == normalise_code(code), Workshop.status == "open"
        )
    )


def join_workshop(*, session: Session, code: str, name: str) -> tuple[Participant, str]:
    """Join the open workshop with ``code``, anonymous unless a ``name`` is given; return the
    participant and their token (shown once: only its hash is kept)."""
    display_name = " ".join((name or "").split())[:60]
    workshop = open_workshop_by_code(session, code)
    if workshop is None:
        # One answer for a wrong code and a closed workshop: codes cannot be probed.
        raise ServiceError("That code does not match a workshop that is running", "code")
    token, token_hash = new_participant_token()
    participant = Participant(
        workshop=workshop,
        review_id=workshop.review_id,
        display_name=display_name,
        token_hash=token_hash,
    )
    session.add(participant)
    session.flush()
    return participant, token


def participant_count(session: Session, workshop: Workshop) -> int:
    return int(
        session.scalar(
            select(func.count(Participant.id)).where(Participant.workshop_id == workshop.id)
        )
        or 0
    )


def check_node(workshop: Workshop, ref: str, field: str = "node") -> dict[str, Any]:
    node = snapshot_nodes(workshop).get(ref or "")
    if node is None:
        raise ServiceError(f"There is no node '{ref}' in this workshop's material", field)
    return node


def check_open(workshop: Workshop) -> None:
    if not workshop.is_open:
        raise ServiceError("This workshop has closed")


def add_note(
    *, session: Session, participant: Participant, node: str, text: str, prompt: str = "made_likely"
) -> WorkshopNote:
    workshop = participant.workshop
    check_open(workshop)
    check_node(workshop, node)
    if prompt not in NOTE_PROMPTS:
        raise ServiceError("Choose what the note answers", "prompt")
    body = (text or "").strip()
    if not body:
        raise ServiceError("Write the note", "text")
    if len(body) > 2000:
        raise ServiceError("Keep a note under 2,000 characters", "text")
    note = WorkshopNote(
        workshop_id=workshop.id,
        review_id=workshop.review_id,
        participant_id=participant.id,
        node=node,
        prompt=prompt,
        text=body,
        status="pending",
    )
    session.add(note)
    participant.draft_node, participant.draft_text = None, ""
    session.flush()
    return note


def propose_factor(
    *,
    session: Session,
    participant: Participant,
    label: str,
    type: str,
    level: str,
    description: str = "",
) -> Proposal:
    workshop = participant.workshop
    check_open(workshop)
    clean_label = " ".join((label or "").split())[:300]
    if not clean_label:
        raise ServiceError("Give the factor a short label", "label")
    if type not in FACTOR_TYPES:
        raise ServiceError("Choose the kind of factor from the list", "type")
    if level not in SYSTEM_LEVELS:
        raise ServiceError("Choose a system level from the list", "level")
    proposal = Proposal(
        workshop_id=workshop.id,
        review_id=workshop.review_id,
        participant_id=participant.id,
        label=clean_label,
        type=type,
        level=level,
        description=(description or "").strip(),
        status="pending",
    )
    session.add(proposal)
    session.flush()
    return proposal


def votes_of(session: Session, participant: Participant) -> list[str]:
    return list(
        session.scalars(
            select(Vote.node).where(Vote.participant_id == participant.id).order_by(Vote.id)
        )
    )


def cast_vote(*, session: Session, participant: Participant, node: str) -> Vote:
    """Spend one of the participant's votes on a latent condition."""
    workshop = participant.workshop
    check_open(workshop)
    found = check_node(workshop, node)
    if found.get("type") != "latent_condition":
        raise ServiceError("Votes go on latent conditions", "node")
    # Lock the participant's row so two quick taps cannot both spend the last vote.
    session.execute(
        select(Participant.id).where(Participant.id == participant.id).with_for_update()
    )
    spent = session.scalar(select(func.count(Vote.id)).where(Vote.participant_id == participant.id))
    if (spent or 0) >= workshop.votes_per_participant:
        raise ServiceError(
            f"You have spent all {workshop.votes_per_participant} of your votes", "node"
        )
    vote = Vote(
        workshop_id=workshop.id,
        review_id=workshop.review_id,
        participant_id=participant.id,
        node=node,
    )
    session.add(vote)
    session.flush()
    return vote


def withdraw_vote(*, session: Session, participant: Participant, node: str) -> None:
    check_open(participant.workshop)
    vote = session.scalar(
        select(Vote)
        .where(Vote.participant_id == participant.id, Vote.node == node)
        .order_by(Vote.id.desc())
        .limit(1)
    )
    if vote is None:
        raise ServiceError("You have no vote on that to take back", "node")
    session.delete(vote)
    session.flush()


def notes_of(session: Session, participant: Participant) -> list[WorkshopNote]:
    return list(
        session.scalars(
            select(WorkshopNote)
            .where(WorkshopNote.participant_id == participant.id)
            .order_by(WorkshopNote.id)
        )
    )


def proposals_of(session: Session, participant: Participant) -> list[Proposal]:
    return list(
        session.scalars(
            select(Proposal).where(Proposal.participant_id == participant.id).order_by(Proposal.id)
        )
    )


def vote_counts(session: Session, workshop: Workshop | RoomView) -> dict[str, int]:
    rows = session.execute(
        select(Vote.node, func.count(Vote.id))
        .where(Vote.workshop_id == workshop.id)
        .group_by(Vote.node)
    )
    return {node: int(count) for node, count in rows}


def save_draft(*, session: Session, participant: Participant, node: str, text: str) -> None:
    """Keep what a participant is typing (so closing the workshop does not lose it)."""
    check_open(participant.workshop)
    check_node(participant.workshop, node)
    text = (text or "")[:2000]
    last = session.scalar(
        select(WorkshopNote.text)
        .where(WorkshopNote.participant_id == participant.id, WorkshopNote.node == node)
        .order_by(WorkshopNote.id.desc())
        .limit(1)
    )
    if last is not None and last == text.strip():
        text = ""  # a save that arrived after the note was sent: it is a note, not a draft
    participant.draft_node = node if text else None
    participant.draft_text = text
    session.flush()


def leave_workshop(*, session: Session, participant: Participant) -> None:
    """A participant leaves: their token stops working now, not when the workshop closes
    (a copy of the cookie or bearer token left on a shared device opens nothing)."""
    if participant.revoked_at is None:
        participant.revoked_at = utcnow()
    session.flush()
