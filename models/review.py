"""Reviews, who takes part in them (memberships), their agencies and their people register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.partnership import Partnership
from models.user import User


class Agency(Audited, Base):
    """An entry in a partnership's directory of agencies."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("partnership_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name folded for matching: lower case, runs of white space as one space.
    name_key: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(100), default="")


class Review(Audited, Base):
    __tablename__ = "reviews"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"title", "terms_of_reference"})

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(100))
    review_type: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(40), default="scoping")
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    # The day the partnership learned of the serious incident: statutory clocks run from it.
    incident_known_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    # When the review reached the "closed" stage (retention runs from it), and when its case
    # data was removed under the partnership's retention rule.
    closed_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]

    partnership: Mapped[Partnership] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Membership.id"
    )
    agencies: Mapped[list[ReviewAgency]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewAgency.id"
    )
    people: Mapped[list[Person]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Person.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options


class ReviewAgency(Audited, Base):
    """An agency taking part in one review, matched by name to the partnership's directory."""

    __tablename__ = "review_agencies"
    __table_args__ = (
        UniqueConstraint("review_id", "ref"),
        UniqueConstraint("review_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    # The column mapping saved from this agency's last chronology import: {header: field}.
    import_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The agency's chronology return: asked for, due, received, signed off (and by whom).
    return_requested_on: Mapped[date | None]
    return_due_on: Mapped[date | None]
    return_received_on: Mapped[date | None]
    return_signed_off_on: Mapped[date | None]
    return_signed_off_by: Mapped[str] = mapped_column(String(200), default="", server_default="")

    def return_status(self, today: date) -> str:
        """The chronology return in words: "Not requested", "Requested", "Overdue",
        "Received" or "Signed off"."""
        if self.return_signed_off_on is not None:
            return "Signed off"
        if self.return_received_on is not None:
            return "Received"
        if self.return_requested_on is None and self.return_due_on is None:
            return "Not requested"
        if self.return_due_on is not None and self.return_due_on < today:
            return "Overdue"
        return "Requested"

    review: Mapped[Review] = relationship(back_populates="agencies")
    agency: Mapped[Agency] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def name(self) -> str:
        return self.agency.name

    @property
    def sector(self) -> str:
        return self.agency.sector


class Membership(Audited, Base):
    """A user's role on one review; an agency representative is bound to one agency."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_agencies.id", ondelete="SET NULL")
    )

    review: Mapped[Review] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(lazy="joined")
    agency: Mapped[ReviewAgency | None] = relationship()


class Person(Audited, Base):
    """Someone in the case. ``real_name`` and ``aliases`` are restricted; the pseudonym is not."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("review_id", "ref"),)
    # Encrypted in the audit log with the review's key (names of columns this model may not
    # have yet are harmless: only existing columns are written).
    __audit_restricted__ = frozenset({"real_name", "aliases", "date_of_birth"})

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    pseudonym: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    real_name: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Restricted like the real name; the chronology shows the child's age at each event.
    date_of_birth: Mapped[date | None]
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_agencies.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    review: Mapped[Review] = relationship(back_populates="people")
    agency: Mapped[ReviewAgency | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
