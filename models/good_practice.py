"""The appreciative-inquiry register: good practice worth recognising and repeating.

The register is partnership-wide. An entry may belong to a review (then its ref is in the
review's shared ref namespace and it may link the review's events and protective factors) or
come from other quality-assurance work (a case audit, a practice observation, supervision,
feedback from a child or family), when ``review_id`` is empty.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.chronology import Event
from models.factors import Account, Factor
from models.review import Agency, Review
from models.user import User

good_practice_events = Table(
    "good_practice_events",
    Base.metadata,
    Column(
        "good_practice_id", ForeignKey("good_practice.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)

good_practice_factors = Table(
    "good_practice_factors",
    Base.metadata,
    Column(
        "good_practice_id", ForeignKey("good_practice.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("factor_id", ForeignKey("factors.id", ondelete="CASCADE"), primary_key=True),
)


class GoodPractice(Audited, Base):
    """One entry of the register: the story, what made it work, and where it was shared."""

    __tablename__ = "good_practice"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"title", "story", "what_made_it_work"})
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    ref: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    story: Mapped[str] = mapped_column(Text)
    what_made_it_work: Mapped[str] = mapped_column(Text, default="")
    # The partnership directory's agency (a review's agencies are matched to it by name).
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL"), index=True
    )
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(30), default="other")
    # The account whose "what went well" answer the entry came from, if any.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    consent_to_share: Mapped[bool] = mapped_column(default=False)
    four_d: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    share_status: Mapped[str] = mapped_column(String(20), default="draft")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    # Each time it was shared: [{"where": "Learning circle", "on": "2025-06-12"}, ...]
    shared: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    review: Mapped[Review | None] = relationship()
    agency: Mapped[Agency | None] = relationship(lazy="joined")
    account: Mapped[Account | None] = relationship()
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list[Event]] = relationship(
        secondary=good_practice_events, order_by=Event.sort_start
    )
    factors: Mapped[list[Factor]] = relationship(
        secondary=good_practice_factors, order_by=Factor.id
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options
