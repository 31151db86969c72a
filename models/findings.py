"""Findings, the board's responses to their questions, actions, "you said, we did" feedback,
the report's narrative sections and its generated versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Audited, Base, utcnow
from models.factors import Factor
from models.review import Agency, ReviewAgency
from models.user import User

finding_factors = Table(
    "finding_factors",
    Base.metadata,
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    Column("factor_id", ForeignKey("factors.id", ondelete="CASCADE"), primary_key=True),
)


class Finding(Audited, Base):
    """A systemic pattern the case shows, with the questions it puts to the board."""

    __tablename__ = "findings"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset(
        {
            "title",
            "issue",
            "evidence",
            "how_widespread",
            "why_it_matters",
        }
    )
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    scie_pattern: Mapped[str | None] = mapped_column(String(40))
    issue: Mapped[str] = mapped_column(Text, default="")
    # "How we know": the evidence from the case and beyond.
    evidence: Mapped[str] = mapped_column(Text, default="")
    how_widespread: Mapped[str] = mapped_column(Text, default="")
    why_it_matters: Mapped[str] = mapped_column(Text, default="")
    questions_for_board: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    factors: Mapped[list[Factor]] = relationship(secondary=finding_factors, order_by=Factor.id)
    board_responses: Mapped[list[BoardResponse]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="BoardResponse.id"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="Action.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options


class BoardResponse(Audited, Base):
    """The safeguarding board's answer to one of a finding's questions."""

    __tablename__ = "board_responses"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"response"})

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text)
    responded_on: Mapped[date | None]

    finding: Mapped[Finding] = relationship(back_populates="board_responses")


class Action(Audited, Base):
    """What an agency will do about a finding, how strong a change it is, and where it got to."""

    __tablename__ = "actions"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset(
        {
            "description",
            "impact_evidence",
            "dropped_reason",
            "lead",
            "success_measure",
        }
    )
    __table_args__ = (UniqueConstraint("review_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(64))
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    owner_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_agencies.id", ondelete="SET NULL")
    )
    # An owner from the partnership's directory that does not take part in the review.
    owner_directory_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL")
    )
    # The named person who leads the action (a role and name, e.g. "Head of Service, Jo Bright").
    lead: Mapped[str] = mapped_column(String(200), default="")
    success_measure: Mapped[str] = mapped_column(Text, default="")
    rag: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    due: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    strength: Mapped[str | None] = mapped_column(String(10))
    impact_evidence: Mapped[str] = mapped_column(Text, default="")
    dropped_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    finding: Mapped[Finding] = relationship(back_populates="actions")
    owner_agency: Mapped[ReviewAgency | None] = relationship(lazy="joined")
    owner_directory_agency: Mapped[Agency | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class FeedbackRecord(Audited, Base):
    """ "You said, we did": what was fed back to the family or practitioners, to whom and when."""

    __tablename__ = "feedback_records"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset({"recipients", "you_said", "we_did"})

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    recipients: Mapped[str] = mapped_column(String(300))
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    fed_back_on: Mapped[date]
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    finding: Mapped[Finding | None] = relationship()


class ReportNarrative(Audited, Base):
    """The report's narrative sections, written in Markdown by the panel (one row per review)."""

    __tablename__ = "report_narratives"
    # Free text may hold a name: kept in the audit log encrypted with the review's key.
    __audit_restricted__ = frozenset(
        {
            "introduction",
            "systems_method",
            "childs_experience",
            "good_practice",
            "conclusion",
            "glossary",
            "executive_summary",
        }
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True
    )
    introduction: Mapped[str] = mapped_column(Text, default="")
    systems_method: Mapped[str] = mapped_column(Text, default="")
    childs_experience: Mapped[str] = mapped_column(Text, default="")
    good_practice: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    glossary: Mapped[str] = mapped_column(Text, default="")
    # The public edition's opening: written by the panel (a summary is drawn up when blank).
    executive_summary: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ReportVersion(Audited, Base):
    """One generation of the report in every format, with its anonymisation scan, approval
    and publication."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("review_id", "number"),)
    # The rendered outputs are large: the audit log records that they changed, not their bytes.
    __audit_redact__ = frozenset(
        {"markdown", "html", "pdf", "docx", "public_markdown", "public_html", "public_pdf"}
        | {"public_docx"}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    scan_hits: Mapped[list[Any]] = mapped_column(JSON, default=list)
    render_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    # Withdrawal takes a published version off the public page for good: it keeps its record
    # of publication, and cannot be published again (a new version goes through the gate).
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    # The number is taken when generation is asked for; the files follow from a background
    # job: "generating", then "ready" (or "failed", with the job's error).
    status: Mapped[str] = mapped_column(String(20), default="ready", server_default="ready")
    # The public edition (what publication publishes and the scan reads), and what the
    # restricted edition holds that it leaves out, in words, for the publish screen.
    public_markdown: Mapped[str] = mapped_column(Text, default="", server_default="")
    public_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    public_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    public_docx: Mapped[bytes | None] = mapped_column(LargeBinary)
    left_out: Mapped[list[Any]] = mapped_column(JSON, default=list)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_published(self) -> bool:
        """Whether the version is on the public page now (published and not withdrawn)."""
        return self.published_at is not None and self.withdrawn_at is None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_ready(self) -> bool:
        """Whether its files (both editions, every format) have been made."""
        return self.status == "ready"
