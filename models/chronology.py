"""The chronology: events, key practice episodes, their history and comments, and imports.

Events, KPEs (and, later, factors, findings, actions and good-practice entries) share one ref
namespace per review; ``ItemRef`` enforces it with a unique constraint, so two writers can
never hand out the same ref.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.review import Person, ReviewAgency
from models.user import User


class ItemRef(Base):
    """A ref taken in a review's shared namespace, and what kind of item holds it."""

    __tablename__ = "item_refs"
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(30))


class KeyPracticeEpisode(Audited, Base):
    __tablename__ = "kpes"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"title", "summary", "narrative"})
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The panel's narrative analysis of the episode, for the public edition of the report
    # (which carries no event's own text): what happened, why, and what it shows.
    narrative: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options


event_people = Table(
    "event_people",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)


class Event(Audited, Base):
    """One entry of the chronology: what happened, when (at its precision), and who knew."""

    __tablename__ = "events"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"source_detail", "description", "outcome"})
    __table_args__ = (
        UniqueConstraint("review_id", "ref"),
        Index("ix_events_review_id_sort_start", "review_id", "sort_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    # The date as the bundle writes it (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM) with
    # its precision; sort_start is the stated start (When.stated_start: the order, and the
    # "as known at" rule) and sort_end the latest it could have been (When.latest).
    date: Mapped[str] = mapped_column(String(16))
    date_precision: Mapped[str] = mapped_column(String(16))
    end_date: Mapped[str | None] = mapped_column(String(16))
    sort_start: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    sort_end: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_agencies.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(30), default="agency_record")
    source_detail: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text)
    # What the agency did or decided about it (Chronolator's "Action/Outcome" column).
    outcome: Mapped[str] = mapped_column(Text, default="", server_default="")
    appraisal: Mapped[str] = mapped_column(String(20), default="not_appraised")
    kpe_id: Mapped[int | None] = mapped_column(
        ForeignKey("kpes.id", ondelete="SET NULL"), index=True
    )
    merged_from: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Set on an event merged into another: it is hidden, and restored if the merge is undone.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The chronology import that brought the event in, so the import can be undone as a unit.
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("chronology_imports.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    agency: Mapped[ReviewAgency | None] = relationship(lazy="joined")
    kpe: Mapped[KeyPracticeEpisode | None] = relationship(lazy="joined")
    people: Mapped[list[Person]] = relationship(secondary=event_people, order_by=Person.id)
    added_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class EventVersion(Base):
    """A snapshot of an event after each change, for its history and readable diffs."""

    __tablename__ = "event_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(320))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventComment(Audited, Base):
    __tablename__ = "event_comments"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"text"})

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class ChronologyImport(Base):
    """An uploaded chronology file: its preview until confirmed, then a record of it."""

    __tablename__ = "chronology_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    default_agency: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="preview")
    preview: Mapped[dict[str, Any]] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    # The uploaded file, kept while the preview is open so a changed column mapping or a row
    # fixed in place re-reads it; dropped once the import is confirmed.
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The user's choices in the preview: {"mapping": {header: field}, "fixes": {row: {..}},
    # "left_out": [rows]}.
    choices: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Set when the import was undone (its events soft-deleted); cleared when restored.
    undone_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class DuplicateDismissal(Base):
    """A duplicate suggestion the user said is not one happening: its refs, never offered again."""

    __tablename__ = "duplicate_dismissals"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    refs: Mapped[list[str]] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
