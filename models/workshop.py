"""Learning workshops: a facilitator's plan, the participants who join with a code, and what
the room says (notes on nodes, proposed factors, votes), moderated back into the review.

Participants are not users: each holds a token scoped to one workshop, kept here only as its
SHA-256 (like API tokens), and revoked when the workshop closes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.user import User

WORKSHOP_STATUSES = ("open", "closed")
MODERATION_STATUSES = ("pending", "accepted", "rejected")


class Workshop(Audited, Base):
    """A practitioner learning event run from the review's graph."""

    __tablename__ = "workshops"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"title", "agenda"})
    __table_args__ = (
        # A join code names one open workshop; closed workshops may share old codes.
        Index(
            "uq_workshops_open_join_code",
            "join_code",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date]
    # Refs of the chosen key practice episodes; empty means the whole review.
    kpes: Mapped[list[str]] = mapped_column(JSON, default=list)
    graph_views: Mapped[list[str]] = mapped_column(JSON, default=list)
    agenda: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    votes_per_participant: Mapped[int] = mapped_column(default=3)
    join_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_at: Mapped[datetime | None]
    # The pseudonymised material as it stood when the workshop was created: what participants
    # see, so later edits to the review never leak into (or shift under) a running event.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Votes per node ref, as recorded by the facilitator (or on closing).
    vote_totals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The learning-event group account that accepted notes go into.
    account_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    facilitator: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class Participant(Audited, Base):
    """Someone in the room, known by the display name they gave: not a user account."""

    __tablename__ = "workshop_participants"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"display_name", "draft_text"})
    __audit_redact__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # A note being typed and not yet sent (saved as the participant types): on closing it
    # becomes an "unsent" note for the facilitator instead of being lost.
    draft_node: Mapped[str | None] = mapped_column(String(64))
    draft_text: Mapped[str] = mapped_column(Text, default="")

    workshop: Mapped[Workshop] = relationship(lazy="joined")


class WorkshopNote(Audited, Base):
    """What a participant said about one node: what made it likely, or what helped."""

    __tablename__ = "workshop_notes"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"text", "room_text"})

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="SET NULL")
    )
    node: Mapped[str] = mapped_column(String(64))
    prompt: Mapped[str] = mapped_column(String(20), default="made_likely")
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the facilitator let it through to the projector and the room wall (None: waiting).
    shown_at: Mapped[datetime | None]
    # The note as the room sees it (masked; edited by the facilitator before showing).
    room_text: Mapped[str | None] = mapped_column(Text)
    # Typed but not sent when the workshop closed: kept for the facilitator to decide on.
    unsent: Mapped[bool] = mapped_column(default=False)

    participant: Mapped[Participant | None] = relationship(lazy="joined")


class Proposal(Audited, Base):
    """A new factor proposed from the room; accepted ones become factors of the review."""

    __tablename__ = "workshop_proposals"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"label", "description"})

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="SET NULL")
    )
    label: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    factor_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    shown_at: Mapped[datetime | None]

    participant: Mapped[Participant | None] = relationship(lazy="joined")


class Vote(Audited, Base):
    """One of a participant's votes, spent on a latent condition (several may go on one)."""

    __tablename__ = "workshop_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="CASCADE"), index=True
    )
    node: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Upvote(Audited, Base):
    """A participant's "+1" on a note or a proposal the room can see (one each at most)."""

    __tablename__ = "workshop_upvotes"
    __table_args__ = (
        UniqueConstraint("participant_id", "note_id"),
        UniqueConstraint("participant_id", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="CASCADE")
    )
    note_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_notes.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_proposals.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
