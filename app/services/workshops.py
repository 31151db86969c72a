"""Learning workshops: planning, joining with a code, what the room says (notes, proposed
factors, votes), moderation back into the review, and closing.

Participants see only the workshop's snapshot: the chosen part of the review's graph, taken
when the workshop was created, with every real name in it replaced by its pseudonym.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import cached_property
from typing import Any

import segno
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from analysis.chronology.knowledge import as_known_at
from analysis.chronology.merge import EventFacts
from analysis.dates import uk_date, uk_today
from analysis.taxonomy import FACTOR_TYPES, LOCAL_RATIONALITY_PROMPTS, SYSTEM_LEVELS
from analysis.wordcloud import word_cloud
from app.passwords import new_participant_token
from app.services import factors as factor_service
from app.services.anonymity import Anonymiser, agency_label, anonymiser_for, hit_rows
from app.services.chronology import event_by_ref, kpe_by_ref, when_of
from app.services.errors import ServiceError
from app.services.graph import event_title
from app.services.reviews import check_version
from models import (
    Account,
    Event,
    Factor,
    KeyPracticeEpisode,
    Link,
    Participant,
    Proposal,
    Review,
    Upvote,
    User,
    Vote,
    Workshop,
    WorkshopNote,
    utcnow,
)

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read out across a room is typed right first time.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6
DEFAULT_VOTES = 3
MAX_VOTES = 20
NOTE_PROMPTS: dict[str, str] = {
    "made_likely": "What made this likely?",
    "helped": "What helped?",
}
GRAPH_VIEWS: dict[str, str] = {
    "accimap": "The whole graph (AcciMap)",
    "kpe": "A graph for each key practice episode",
}
# The order in which presenter mode reveals the graph.
REVEAL_STEPS: tuple[tuple[str, str], ...] = (
    ("events", "Events"),
    ("active_failure", "Active failures"),
    ("latent_condition", "Latent conditions"),
    ("protective", "Protective factors"),
)
WORKSHOP_FIELDS = (
    "title",
    "held_on",
    "kpes",
    "graph_views",
    "agenda",
    "questions",
    "votes_per_participant",
)


def join_qr_svg(url: str, *, label: str) -> str:
    """A QR code for ``url`` (the join link with its code) as inline SVG, drawn by segno;
    ``label`` is its accessible name."""
    svg: str = segno.make_qr(url, error="m").svg_inline(scale=4, title=label, omitsize=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)


def default_questions() -> list[str]:
    return list(LOCAL_RATIONALITY_PROMPTS.values())


# --- pseudonymised snapshot -----------------------------------------------------------------


def _upstream(links: Iterable[tuple[str, str]], targets: Iterable[str]) -> set[str]:
    """Every ref with a path of links (source, target) into one of ``targets`` (the targets
    included)."""
    into: dict[str, list[str]] = {}
    for source, target in links:
        into.setdefault(target, []).append(source)
    seen = set(targets)
    queue = deque(seen)
    while queue:
        for source in into.get(queue.popleft(), []):
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return seen


def build_snapshot(session: Session, review: Review, kpe_refs: Sequence[str]) -> dict[str, Any]:
    """The workshop's material: chosen KPEs, their events (and the chronology up to the last
    of them, never after: no hindsight), the factors linked into them and the links, with every
    text pseudonymised."""
    # Stored with pseudonyms; what the scanner would still find is masked when shown
    # (``RoomView``) and listed for the facilitator (``room_warnings``).
    clean = anonymiser_for(session, review).pseudonymise_places

    all_kpes = list(
        session.scalars(
            select(KeyPracticeEpisode)
            .where(KeyPracticeEpisode.review_id == review.id)
            .order_by(KeyPracticeEpisode.id)
        )
    )
    chosen = [k for k in all_kpes if not kpe_refs or k.ref in kpe_refs]
    events = list(
        session.scalars(
            select(Event)
            .where(
                Event.review_id == review.id,
                Event.deleted_at.is_(None),
                Event.merged_into_id.is_(None),
            )
            .order_by(Event.sort_start, Event.id)
        )
    )
    factors = list(
        session.scalars(
            select(Factor)
            .where(Factor.review_id == review.id)
            .options(selectinload(Factor.evidence))
        )
    )
    links = list(session.scalars(select(Link).where(Link.review_id == review.id)))
    chosen_refs = {k.ref for k in chosen}
    kpe_events = [e for e in events if e.kpe is not None and e.kpe.ref in chosen_refs]
    if kpe_refs:
        horizon = max((e.sort_start for e in kpe_events), default=None)
        events = [e for e in events if horizon is not None and e.sort_start <= horizon]
        keep = _upstream(((lk.source, lk.target) for lk in links), {e.ref for e in kpe_events})
        # Protective factors mitigate: they point at events too, so they are upstream already.
        factors = [f for f in factors if f.ref in keep]
    node_refs = {e.ref for e in events} | {f.ref for f in factors}
    return {
        "kpes": [
            {
                "ref": k.ref,
                "title": clean(k.title),
                "summary": clean(k.summary),
                "events": [e.ref for e in kpe_events if e.kpe is not None and e.kpe.ref == k.ref],
            }
            for k in chosen
        ],
        "events": [
            {
                "ref": e.ref,
                "date": e.date,
                "when": when_of(e).display(),
                "earliest": e.sort_start.isoformat(),
                "latest": e.sort_end.isoformat(),
                "agency": agency_label(e.agency),
                "title": clean(event_title(e.description)),
                "description": clean(e.description),
                "appraisal": e.appraisal,
                "kpe": e.kpe.ref if e.kpe else None,
            }
            for e in events
        ],
        "factors": [
            {
                "ref": f.ref,
                "label": clean(f.label),
                "type": f.type,
                "level": f.level,
                "description": clean(f.description),
                # The events the factor's evidence cites: what dates it (no hindsight).
                "evidence_events": sorted(
                    {ev.event.ref for ev in f.evidence if ev.event is not None}
                ),
            }
            for f in sorted(factors, key=lambda f: f.id)
        ],
        "links": [
            {"source": lk.source, "target": lk.target, "relation": lk.relation}
            for lk in sorted(links, key=lambda lk: lk.id)
            if lk.source in node_refs and lk.target in node_refs
        ],
    }


def snapshot_nodes(workshop: Workshop | RoomView) -> dict[str, dict[str, Any]]:
    """The workshop's nodes by ref: events (kind "event") and factors (kind "factor")."""
    nodes: dict[str, dict[str, Any]] = {}
    for event in workshop.snapshot.get("events", []):
        nodes[event["ref"]] = {**event, "kind": "event", "label": event["title"]}
    for factor in workshop.snapshot.get("factors", []):
        nodes[factor["ref"]] = {**factor, "kind": "factor"}
    return nodes


# --- what the room sees ---------------------------------------------------------------------


class RoomView:
    """A workshop as participants and the projected screen see it: its title, agenda,
    questions and snapshot through ``Anonymiser.for_room`` (pseudonyms, "the school", every
    other identifying detail masked), whatever was typed into them and whenever a name joined
    the people register. Everything else is read from the workshop; nothing is written.
    With ``mask=False`` (the handout, which is refused rather than masked) details stay for
    the scanner to find."""

    def __init__(self, workshop: Workshop, anonymiser: Anonymiser, *, mask: bool = True) -> None:
        self.workshop = workshop
        self.anonymiser = anonymiser
        self.clean = anonymiser.for_room if mask else anonymiser.pseudonymise_places
        self._labels: dict[str, str] = {}

    # Each part is cleaned when first read: the board, polled every two seconds, reads only
    # the labels of the nodes it lists (``label``), not every event's description.
    @cached_property
    def title(self) -> str:
        return self.clean(self.workshop.title)

    @cached_property
    def agenda(self) -> str:
        return self.clean(self.workshop.agenda)

    @cached_property
    def questions(self) -> list[str]:
        return [self.clean(q) for q in self.workshop.questions]

    @cached_property
    def snapshot(self) -> dict[str, Any]:
        clean, snapshot = self.clean, self.workshop.snapshot or {}
        return {
            **snapshot,
            "kpes": [
                {**k, "title": clean(k["title"]), "summary": clean(k.get("summary", ""))}
                for k in snapshot.get("kpes", [])
            ],
            "events": [
                {**e, "title": clean(e["title"]), "description": clean(e.get("description", ""))}
                for e in snapshot.get("events", [])
            ],
            "factors": [
                {**f, "label": clean(f["label"]), "description": clean(f.get("description", ""))}
                for f in snapshot.get("factors", [])
            ],
        }

    @cached_property
    def _raw_nodes(self) -> dict[str, dict[str, Any]]:
        return snapshot_nodes(self.workshop)

    def label(self, ref: str) -> str:
        """The cleaned label of node ``ref`` (its ref when the snapshot has no such node)."""
        if ref not in self._labels:
            raw = self._raw_nodes.get(ref, {}).get("label", ref)
            self._labels[ref] = self.clean(raw)
        return self._labels[ref]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.workshop, name)


def room_view(session: Session, workshop: Workshop | RoomView) -> RoomView:
    """The workshop as the room may see it (see ``RoomView``)."""
    if isinstance(workshop, RoomView):
        return workshop
    review = session.get_one(Review, workshop.review_id)
    return RoomView(workshop, anonymiser_for(session, review))


def room_warnings(session: Session, workshop: Workshop) -> list[dict[str, str]]:
    """For the facilitator: what the room would see masked, by where it was typed, so it can
    be fixed at its source (names are replaced by pseudonyms without a warning)."""
    review = session.get_one(Review, workshop.review_id)
    anonymiser = anonymiser_for(session, review)
    texts: list[tuple[str, str]] = [("Title", workshop.title), ("Agenda", workshop.agenda)]
    texts += [(f"Question {n}", q) for n, q in enumerate(workshop.questions, start=1)]
    for kpe in (workshop.snapshot or {}).get("kpes", []):
        texts += [
            (f"{kpe['ref']} title", kpe["title"]),
            (f"{kpe['ref']} summary", kpe.get("summary", "")),
        ]
    for event in (workshop.snapshot or {}).get("events", []):
        texts.append((f"Event {event['ref']}", event.get("description", "")))
    for factor in (workshop.snapshot or {}).get("factors", []):
        texts.append(
            (f"Factor {factor['ref']}", f"{factor['label']}\n{factor.get('description', '')}")
        )
    hits = [h for where, text in texts for h in anonymiser.room_hits(text, where)]
    return hit_rows(hits)


# --- planning -------------------------------------------------------------------------------


def new_join_code(session: Session) -> str:
    """A code no open workshop uses."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        taken = session.scalar(
            select(Workshop.id).where(Workshop.join_code == code, Workshop.status == "open")
        )
        if taken is None:
            return code


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).upper()


def _apply(session: Session, review: Review, workshop: Workshop, values: dict[str, Any]) -> None:
    unknown = set(values) - set(WORKSHOP_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if "title" in values:
        workshop.title = " ".join((values["title"] or "").split())[:200] or "Learning event"
    if "held_on" in values:
        held_on = values["held_on"]
        if isinstance(held_on, str):
            try:
                held_on = date.fromisoformat(held_on) if held_on else None
            except ValueError:
                raise ServiceError("Enter a real date, for example 2026-12-03", "date") from None
        workshop.held_on = held_on or uk_today()
    if "kpes" in values:
        refs = list(dict.fromkeys(values["kpes"] or []))
        for ref in refs:
            if kpe_by_ref(session, review, ref) is None:
                raise ServiceError(f"There is no key practice episode '{ref}'", "kpes")
        workshop.kpes = refs
    if "graph_views" in values:
        views = list(dict.fromkeys(values["graph_views"] or []))
        for view in views:
            if view not in GRAPH_VIEWS:
                raise ServiceError(f"Unknown graph view '{view}'", "graph_views")
        workshop.graph_views = views
    if "agenda" in values:
        workshop.agenda = values["agenda"] or ""
    if "questions" in values:
        questions = values["questions"]
        if isinstance(questions, str):
            questions = questions.splitlines()
        cleaned = [" ".join(q.split()) for q in questions or [] if q and q.strip()]
        workshop.questions = cleaned or default_questions()
    if "votes_per_participant" in values:
        votes = values["votes_per_participant"]
        if votes in (None, ""):
            votes = DEFAULT_VOTES
        if not isinstance(votes, int) or not 0 <= votes <= MAX_VOTES:
            raise ServiceError(f"Votes per participant is a number from 0 to {MAX_VOTES}", "votes")
        workshop.votes_per_participant = votes


def create_workshop(
    *, session: Session, review: Review, facilitator: User | None, **values: Any
) -> Workshop:
    """Plan a workshop. Every field is optional: today, the whole review, the local-rationality
    prompts and three votes each."""
    workshop = Workshop(
        review_id=review.id,
        facilitator=facilitator,
        title="Learning event",
        held_on=uk_today(),
        kpes=[],
        graph_views=list(GRAPH_VIEWS),
        agenda="",
        questions=default_questions(),
        votes_per_participant=DEFAULT_VOTES,
        join_code=new_join_code(session),
        status="open",
        vote_totals={},
    )
    _apply(session, review, workshop, values)
    workshop.snapshot = build_snapshot(session, review, workshop.kpes)
    session.add(workshop)
    session.flush()
    return workshop


def update_workshop(
    *, session: Session, workshop: Workshop, expected_version: int | None, **values: Any
) -> Workshop:
    """Change the plan; a change of KPEs retakes the snapshot (only before anyone joined)."""
    check_version(workshop, expected_version)
    if not workshop.is_open:
        raise ServiceError("This workshop is closed: its record cannot change")
    review = session.get_one(Review, workshop.review_id)
    old_kpes = list(workshop.kpes)
    _apply(session, review, workshop, values)
    if workshop.kpes != old_kpes:
        if participant_count(session, workshop):
            raise ServiceError(
                "People have joined: the key practice episodes can no longer change", "kpes"
            )
        workshop.snapshot = build_snapshot(session, review, workshop.kpes)
    session.flush()
    return workshop


def workshop_item(workshop: Workshop) -> dict[str, Any]:
    return {
        "id": workshop.id,
        "title": workshop.title,
        "date": workshop.held_on.isoformat(),
        "kpes": list(workshop.kpes),
        "graph_views": list(workshop.graph_views),
        "agenda": workshop.agenda,
        "questions": list(workshop.questions),
        "votes_per_participant": workshop.votes_per_participant,
        "join_code": workshop.join_code if workshop.is_open else None,
        "status": workshop.status,
        "closed_at": workshop.closed_at.isoformat() if workshop.closed_at else None,
        "vote_totals": dict(workshop.vote_totals),
        "account": workshop.account_ref,
    }


# --- participants ---------------------------------------------------------------------------


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


def _check_node(workshop: Workshop, ref: str, field: str = "node") -> dict[str, Any]:
    node = snapshot_nodes(workshop).get(ref or "")
    if node is None:
        raise ServiceError(f"There is no node '{ref}' in this workshop's material", field)
    return node


def _check_open(workshop: Workshop) -> None:
    if not workshop.is_open:
        raise ServiceError("This workshop has closed")


def add_note(
    *, session: Session, participant: Participant, node: str, text: str, prompt: str = "made_likely"
) -> WorkshopNote:
    workshop = participant.workshop
    _check_open(workshop)
    _check_node(workshop, node)
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
    _check_open(workshop)
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
    _check_open(workshop)
    found = _check_node(workshop, node)
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
    _check_open(participant.workshop)
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


# How the board names each moderation status (the database keeps the short words).
STATUS_LABELS = {"pending": "waiting", "accepted": "accepted", "rejected": "set aside"}
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


# --- the room wall: only what the facilitator let through -----------------------------------


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
    _check_open(workshop)
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


def save_draft(*, session: Session, participant: Participant, node: str, text: str) -> None:
    """Keep what a participant is typing (so closing the workshop does not lose it)."""
    _check_open(participant.workshop)
    _check_node(participant.workshop, node)
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


# --- back into the review -------------------------------------------------------------------


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


def record_vote_totals(*, session: Session, workshop: Workshop) -> dict[str, int]:
    totals = vote_counts(session, workshop)
    workshop.vote_totals = dict(sorted(totals.items()))
    session.flush()
    return totals


def leave_workshop(*, session: Session, participant: Participant) -> None:
    """A participant leaves: their token stops working now, not when the workshop closes
    (a copy of the cookie or bearer token left on a shared device opens nothing)."""
    if participant.revoked_at is None:
        participant.revoked_at = utcnow()
    session.flush()


def close_workshop(*, session: Session, workshop: Workshop) -> int:
    """Close: record the votes, keep every participant's unsent text as an "unsent" note
    waiting for the facilitator, revoke every participant's token, keep the record. Returns
    how many unsent notes were kept."""
    if not workshop.is_open:
        raise ServiceError("This workshop is already closed")
    record_vote_totals(session=session, workshop=workshop)
    drafts = list(
        session.scalars(
            select(Participant).where(
                Participant.workshop_id == workshop.id, Participant.draft_text != ""
            )
        )
    )
    nodes = snapshot_nodes(workshop)
    kept = 0
    for participant in drafts:
        text = participant.draft_text.strip()
        if text and participant.draft_node in nodes:
            kept += 1
            session.add(
                WorkshopNote(
                    workshop_id=workshop.id,
                    review_id=workshop.review_id,
                    participant_id=participant.id,
                    node=participant.draft_node,
                    prompt="made_likely",
                    text=text,
                    status="pending",
                    unsent=True,
                )
            )
        participant.draft_node, participant.draft_text = None, ""
    now = utcnow()
    session.execute(
        update(Participant)
        .where(Participant.workshop_id == workshop.id, Participant.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    workshop.status = "closed"
    workshop.closed_at = now
    session.flush()
    return kept


def factor_votes(session: Session, review: Review, ref: str) -> list[tuple[Workshop, int]]:
    """Votes a factor received at the review's workshops (recorded totals)."""
    workshops = session.scalars(
        select(Workshop).where(Workshop.review_id == review.id).order_by(Workshop.held_on)
    )
    return [(w, int(w.vote_totals[ref])) for w in workshops if w.vote_totals.get(ref)]


def workshops_of(session: Session, review: Review) -> list[Workshop]:
    return list(
        session.scalars(
            select(Workshop)
            .where(Workshop.review_id == review.id)
            .order_by(Workshop.held_on.desc(), Workshop.id.desc())
        )
    )


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


# --- presenter mode -------------------------------------------------------------------------


def _event_facts(event: dict[str, Any]) -> EventFacts:
    return EventFacts(
        ref=event["ref"],
        agency=event.get("agency") or None,
        earliest=datetime.fromisoformat(event["earliest"]),
        latest=datetime.fromisoformat(event["latest"]),
        description=event.get("description", ""),
        people=frozenset(),
    )


def _known_refs(events: Sequence[dict[str, Any]], moment: datetime) -> list[str]:
    """The one place the workshop asks the chronology's "as known at" rule (so a change to
    how approximate dates count reaches every slide, handout and pack at once)."""
    return as_known_at([_event_facts(e) for e in events], moment)


def known_at_kpe(workshop: Workshop | RoomView, kpe: dict[str, Any]) -> list[dict[str, Any]]:
    """The chronology as it could have been known at the episode's end: its events and what
    came before them, never what came after (the hindsight guard)."""
    events = workshop.snapshot.get("events", [])
    by_ref = {e["ref"]: e for e in events}
    own = [by_ref[ref] for ref in kpe.get("events", []) if ref in by_ref]
    if not own:
        return []
    moment = max(datetime.fromisoformat(e["earliest"]) for e in own)
    return [by_ref[ref] for ref in _known_refs(events, moment)]


def _dated_by(workshop: Workshop | RoomView) -> dict[str, set[str]]:
    """For each factor, the events that date it: those its evidence cites; failing those,
    the events it links to; failing those, what dates the factors it links to."""
    snapshot = workshop.snapshot
    event_refs = {e["ref"] for e in snapshot.get("events", [])}
    factors = {f["ref"]: f for f in snapshot.get("factors", [])}
    out: dict[str, list[str]] = {}
    for link in snapshot.get("links", []):
        out.setdefault(link["source"], []).append(link["target"])
    dated: dict[str, set[str]] = {}

    def dates_of(ref: str, seen: frozenset[str]) -> set[str]:
        if ref in dated:
            return dated[ref]
        factor = factors[ref]
        found = {e for e in factor.get("evidence_events", []) if e in event_refs}
        found = found or {t for t in out.get(ref, []) if t in event_refs}
        if not found:
            for target in out.get(ref, []):
                if target in factors and target not in seen:
                    found |= dates_of(target, seen | {ref})
        dated[ref] = found
        return found

    for ref in factors:
        dates_of(ref, frozenset({ref}))
    return dated


def episode_factor_refs(workshop: Workshop | RoomView, kpe: dict[str, Any]) -> set[str]:
    """The factors an episode's material may show: those with a path of links into its own
    events and evidenced by events that could be known at its end (a protective factor seen
    months later stays out of an earlier episode)."""
    known = {e["ref"] for e in known_at_kpe(workshop, kpe)}
    links = workshop.snapshot.get("links", [])
    related = _upstream(((lk["source"], lk["target"]) for lk in links), set(kpe["events"]))
    return {ref for ref, events in _dated_by(workshop).items() if ref in related and events & known}


def reveal_nodes(
    workshop: Workshop | RoomView, kpe: dict[str, Any] | None, step: int
) -> list[dict[str, Any]]:
    """The nodes shown at ``step`` of the graph reveal (0: events, 1: + active failures,
    2: + latent conditions, 3: + protective factors), for one KPE (its own events and the
    factors known by its end) or the whole workshop."""
    nodes = snapshot_nodes(workshop)
    events = set(kpe["events"]) if kpe else {e["ref"] for e in workshop.snapshot.get("events", [])}
    related = episode_factor_refs(workshop, kpe) if kpe else set(nodes)
    shown_types = {kind for kind, _label in REVEAL_STEPS[1 : step + 1]}
    return [
        node
        for ref, node in nodes.items()
        if (node["kind"] == "event" and ref in events)
        or (node["kind"] == "factor" and node["type"] in shown_types and ref in related)
    ]


def stage(workshop: Workshop | RoomView, kpe: dict[str, Any] | None, step: int) -> dict[str, Any]:
    """A graph slide zoomed to what it discusses: the episode's events and the factors of the
    type this step reveals, each factor with the refs it links to, by system level (top
    first); the types revealed before are named, not drawn."""
    nodes = reveal_nodes(workshop, kpe, step)
    kind = REVEAL_STEPS[step][0]
    links: dict[str, list[str]] = {}
    for link in workshop.snapshot.get("links", []):
        links.setdefault(link["source"], []).append(link["target"])
    shown = {n["ref"] for n in nodes}
    focus = [n for n in nodes if n["kind"] == "factor" and n["type"] == kind]
    rows = [
        {
            "level": level,
            "label": label,
            "nodes": [
                {**n, "targets": [t for t in links.get(n["ref"], []) if t in shown]}
                for n in focus
                if n["level"] == level
            ],
        }
        for level, label in SYSTEM_LEVELS.items()
    ]
    earlier = [n for n in nodes if n["kind"] == "factor" and n["type"] != kind]
    events = [n for n in nodes if n["kind"] == "event"]
    if focus:
        # The slide is about the factors: the events they reach, by ref and date only.
        reached = {t for n in focus for t in links.get(n["ref"], [])}
        events = [n for n in events if n["ref"] in reached]
    return {
        "rows": [row for row in rows if row["nodes"]],
        "events": events,
        "compact_events": bool(focus),
        "earlier": earlier,
    }


def presenter_slides(workshop: Workshop | RoomView) -> list[dict[str, Any]]:
    """The presentation: the agenda, then for each KPE the chronology as known at the time, the
    questions, and the graph revealed step by step."""
    slides: list[dict[str, Any]] = [{"kind": "title"}]
    kpes: list[dict[str, Any] | None] = list(workshop.snapshot.get("kpes", [])) or [None]
    for kpe in kpes:
        if kpe is not None:
            slides.append({"kind": "chronology", "kpe": kpe, "events": known_at_kpe(workshop, kpe)})
        slides.append({"kind": "questions", "kpe": kpe})
        for step, (_kind, label) in enumerate(REVEAL_STEPS):
            slides.append(
                {
                    "kind": "graph",
                    "kpe": kpe,
                    "step": step,
                    "label": label,
                    "nodes": reveal_nodes(workshop, kpe, step),
                    "stage": stage(workshop, kpe, step),
                }
            )
    return slides
