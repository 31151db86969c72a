"""The partnership's tracking of its reviews: statutory milestones as recorded, an action's
progress notes and the history of its due date, and curators' decisions on recurring patterns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.user import User

MILESTONE_KEYS = (
    "panel_notification",
    "rapid_review",
    "local_review_decision",
    "review_completed",
    "report_to_panel",
    "publication",
)
RAG_VALUES = ("red", "amber", "green")
PATTERN_DECISIONS = ("confirm", "split", "merge", "rename")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReviewMilestone(Audited, Base):
    """The day a statutory milestone of a review was actually met, as recorded."""

    __tablename__ = "review_milestones"
    __table_args__ = (
        UniqueConstraint("review_id", "key"),
        CheckConstraint(_one_of("key", MILESTONE_KEYS), name="key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class ActionProgressNote(Audited, Base):
    """A dated note of how an action is going, with the RAG status it was given then."""

    __tablename__ = "action_progress_notes"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"note"})
    __table_args__ = (CheckConstraint("rag IS NULL OR " + _one_of("rag", RAG_VALUES), name="rag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    noted_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text)
    rag: Mapped[str | None] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class ActionDueChange(Audited, Base):
    """A change of an action's due date: kept, so a moved date never leaves without trace."""

    __tablename__ = "action_due_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    old_due: Mapped[date | None]
    new_due: Mapped[date | None]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by: Mapped[User | None] = relationship()


class PatternDecision(Audited, Base):
    """A curator's decision on the recurring patterns of a partnership: confirm a group of
    factors as one pattern (with its label), split factors apart, merge, or rename.

    ``factors`` holds factor keys ("<review id>:<ref>"); for a split, ``apart`` holds the
    keys that must not be grouped with ``factors``. The grouping replays every decision."""

    __tablename__ = "pattern_decisions"
    __table_args__ = (CheckConstraint(_one_of("kind", PATTERN_DECISIONS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    factors: Mapped[list[str]] = mapped_column(JSON, default=list)
    apart: Mapped[list[str]] = mapped_column(JSON, default=list)
    label: Mapped[str] = mapped_column(String(300), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "factors": self.factors,
            "apart": self.apart,
            "label": self.label,
        }
