"""A background job: heavy work (report rendering, large imports) done off the request
thread, with its progress and result kept so the page or script that started it can follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

JOB_STATUSES = ("queued", "running", "finished", "failed")


class Job(Base):
    """One run of a job ``kind`` for a user, usually on one review.

    Not audited itself: the work a job does writes its own audit entries.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'finished', 'failed')", name="status_known"
        ),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    # What the job was asked to do (ids, options), and what it produced (ids, numbers, links).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def is_done(self) -> bool:
        """Whether the job has ended, well or badly."""
        return self.status in ("finished", "failed")
