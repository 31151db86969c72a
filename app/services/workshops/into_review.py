"""Back into the review: a note the facilitator accepts goes into the workshop's
learning-event group account (linked to the events its node stands for), and an accepted
proposal becomes a factor of the review through the normal checks.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from analysis.dates import uk_date
from app.services import factors as factor_service
from app.services.chronology import event_by_ref
from app.services.errors import ServiceError
from app.services.workshops.participants import NOTE_PROMPTS
from app.services.workshops.snapshot import room_view
from app.services.workshops.wall import room_text
from models import Account, Factor, Proposal, Review, Workshop, WorkshopNote


def _events_of_node(session: Session, review: Review, ref: str) -> list[str]:
    """The events a node stands for: itself, or the events a factor's links reach."""
    if event_by_ref(session, review, ref) is not None:
        return [ref]
    _into, out = factor_service.links_of(session, review, ref)
    return [lk.target for lk in out if event_by_ref(session, review, lk.target) is not None]


def group_account(session: Session, workshop: Workshop) -> Account:
    """The workshop's learning-event group account, created on first use."""
    review = session.get_one(Review, workshop.review_id)
    if workshop.account_ref:
        account = factor_service.account_by_ref(session, review, workshop.account_ref)
        if account is not None:
            return account
    account = factor_service.create_account(
        session=session,
        review=review,
        contributor_kind="learning_event_group",
        contributor_role=f"Participants at '{workshop.title}'",
        taken_on=workshop.held_on,
        narrative=f"What the room said at the learning event '{workshop.title}' "
        f"on {uk_date(workshop.held_on)}.\n",
    )
    workshop.account_ref = account.ref
    return account


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def note_as_markdown(note: WorkshopNote) -> str:
    """A note as an item of the group account's list, its own lines kept: a one-line note on
    the item's line; a longer one indented beneath it, its lists as lists and every other line
    break kept as a hard break."""
    head = f"- On {note.node} ({NOTE_PROMPTS[note.prompt].lower()}):"
    lines = [line.rstrip() for line in note.text.strip().splitlines()]
    if len(lines) <= 1:
        return f"{head} {note.text.strip()}"
    body: list[str] = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        is_item, next_is_item = bool(_LIST_ITEM.match(line)), bool(_LIST_ITEM.match(following))
        if not line:
            body.append("")
        elif is_item or not following:
            body.append(f"    {line}")
        else:
            body.append(f"    {line}  " if not next_is_item else f"    {line}")
        if line and following and is_item != next_is_item:
            body.append("")  # a list starts or ends: Markdown needs a blank line there
    return head + "\n\n" + "\n".join(body)


def moderate_note(
    *,
    session: Session,
    workshop: Workshop,
    note: WorkshopNote,
    accept: bool,
    text: str | None = None,
) -> None:
    """Accept a note into the group account (linked to the node's events) or reject it.

    ``text`` is the note as the facilitator edited it before accepting (the edit box starts
    from the masked text; a detail is back only if the facilitator typed it back): it
    replaces the note's text, so the change is in the audit log. Without ``text`` the note
    goes in as the room saw it, every detail the room had masked still masked."""
    if note.workshop_id != workshop.id:
        raise ServiceError("That note is not from this workshop")
    if note.status != "pending":
        raise ServiceError("That note has already been moderated")
    if not accept:
        note.status = "rejected"
        session.flush()
        return
    if text is not None:
        edited = text.strip()
        if not edited:
            raise ServiceError("Write the note as it should go into the review", "text")
        if len(edited) > 2000:
            raise ServiceError("Keep a note under 2,000 characters", "text")
        note.text = edited
    else:
        note.text = room_text(note, room_view(session, workshop))
    review = session.get_one(Review, workshop.review_id)
    account = group_account(session, workshop)
    events = [e.ref for e in account.events]
    events += [ref for ref in _events_of_node(session, review, note.node) if ref not in events]
    narrative = account.narrative.rstrip("\n") + "\n\n" + note_as_markdown(note) + "\n"
    factor_service.update_account(
        session=session, account=account, expected_version=None, narrative=narrative, events=events
    )
    note.status = "accepted"
    session.flush()


def moderate_proposal(
    *, session: Session, workshop: Workshop, proposal: Proposal, accept: bool
) -> Factor | None:
    """Accept a proposal as a factor of the review (through the normal checks) or reject it."""
    if proposal.workshop_id != workshop.id:
        raise ServiceError("That proposal is not from this workshop")
    if proposal.status != "pending":
        raise ServiceError("That proposal has already been moderated")
    if not accept:
        proposal.status = "rejected"
        session.flush()
        return None
    review = session.get_one(Review, workshop.review_id)
    account = group_account(session, workshop)
    factor = factor_service.create_factor(
        session=session,
        review=review,
        label=proposal.label,
        type=proposal.type,
        level=proposal.level,
        description=proposal.description,
        evidence=[
            {
                "source": "practitioner_account",
                "account": account.ref,
                "note": f"Proposed at the learning event '{workshop.title}'",
            }
        ],
    )
    proposal.status = "accepted"
    proposal.factor_ref = factor.ref
    session.flush()
    return factor
