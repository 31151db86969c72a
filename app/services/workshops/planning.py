"""A workshop's plan and its life: planning it (with a join code no open workshop uses) and
changing the plan, listing a review's workshops and the votes they recorded, and closing one
(votes recorded, unsent drafts kept as notes, every participant's token revoked).
"""

from __future__ import annotations

import html
import secrets
from datetime import date
from typing import Any

import segno
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis.dates import uk_today
from analysis.taxonomy import LOCAL_RATIONALITY_PROMPTS
from app.services.chronology import kpe_by_ref
from app.services.errors import ServiceError
from app.services.reviews import check_version
from app.services.workshops.participants import participant_count, vote_counts
from app.services.workshops.snapshot import build_snapshot, snapshot_nodes
from models import Participant, Review, User, Workshop, WorkshopNote, utcnow

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read out across a room is typed right first time.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6
DEFAULT_VOTES = 3
MAX_VOTES = 20
GRAPH_VIEWS: dict[str, str] = {
    "accimap": "The whole graph (AcciMap)",
    "kpe": "A graph for each key practice episode",
}
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


def new_join_code(session: Session) -> str:
    """A code no open workshop uses."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        taken = session.scalar(
            select(Workshop.id).where(Workshop.join_code == code, Workshop.status == "open")
        )
        if taken is None:
            return code


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


def workshops_of(session: Session, review: Review) -> list[Workshop]:
    return list(
        session.scalars(
            select(Workshop)
            .where(Workshop.review_id == review.id)
            .order_by(Workshop.held_on.desc(), Workshop.id.desc())
        )
    )


def factor_votes(session: Session, review: Review, ref: str) -> list[tuple[Workshop, int]]:
    """Votes a factor received at the review's workshops (recorded totals)."""
    workshops = session.scalars(
        select(Workshop).where(Workshop.review_id == review.id).order_by(Workshop.held_on)
    )
    return [(w, int(w.vote_totals[ref])) for w in workshops if w.vote_totals.get(ref)]


def record_vote_totals(*, session: Session, workshop: Workshop) -> dict[str, int]:
    totals = vote_counts(session, workshop)
    workshop.vote_totals = dict(sorted(totals.items()))
    session.flush()
    return totals


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
