"""Accounts, contributing factors with their evidence, links between items, and the
partnership's library of latent conditions (so recurrence across reviews can be counted)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.chronology import Event
from models.review import Person

account_events = Table(
    "account_events",
    Base.metadata,
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)


class Account(Audited, Base):
    """What a practitioner, manager, family member, child or learning-event group said."""

    __tablename__ = "accounts"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"contributor_role", "narrative"})
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    contributor_kind: Mapped[str] = mapped_column(String(30))
    contributor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # When the contributor is not in the people register: a role, e.g. "Duty social worker".
    contributor_role: Mapped[str] = mapped_column(String(200), default="")
    taken_on: Mapped[date | None]
    consent_to_quote: Mapped[bool] = mapped_column(default=False)
    narrative: Mapped[str] = mapped_column(Text, default="")
    prompts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    contributor: Mapped[Person | None] = relationship(lazy="joined")
    events: Mapped[list[Event]] = relationship(secondary=account_events, order_by=Event.sort_start)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options


class PartnershipCondition(Audited, Base):
    """A latent condition in the partnership's library, shared by its reviews' factors."""

    __tablename__ = "partnership_conditions"
    __table_args__ = (UniqueConstraint("partnership_id", "label_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    label_key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Factor(Audited, Base):
    """A contributing factor: active failure, latent condition, protective factor or context."""

    __tablename__ = "factors"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"label", "description"})
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(30))
    scie_pattern: Mapped[str | None] = mapped_column(String(40))
    seips_component: Mapped[str | None] = mapped_column(String(40))
    contributory_category: Mapped[str | None] = mapped_column(String(40))
    condition_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership_conditions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    condition: Mapped[PartnershipCondition | None] = relationship(lazy="joined")
    evidence: Mapped[list[FactorEvidence]] = relationship(
        back_populates="factor", cascade="all, delete-orphan", order_by="FactorEvidence.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class FactorEvidence(Audited, Base):
    """One piece of evidence a factor rests on: its kind of source, and the event or account."""

    __tablename__ = "factor_evidence"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"note"})

    id: Mapped[int] = mapped_column(primary_key=True)
    factor_id: Mapped[int] = mapped_column(ForeignKey("factors.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(30))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    factor: Mapped[Factor] = relationship(back_populates="evidence")
    event: Mapped[Event | None] = relationship(lazy="joined")
    account: Mapped[Account | None] = relationship(lazy="joined")


class Link(Audited, Base):
    """A directed link between two items of a review, named by their refs."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(64))
    relation: Mapped[str] = mapped_column(String(30))
    confidence: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
