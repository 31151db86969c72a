"""A thematic review: chosen reviews' patterns, findings and actions side by side, and the
board's briefing of them (Word or PDF, A4). Text is the partnership's shared learning,
pseudonymised with each review's register."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import docx
from docx.shared import Mm
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.dates import uk_date, uk_today
from analysis.documents import BulletList, Document, Paragraph, Section, Table, to_docx
from analysis.findings import ACTION_STATUSES, is_overdue
from analysis.recurring.model import Pattern
from analysis.wording import plural_of
from app.services.partnership import SharedLearning, owner_name
from app.services.recurring import partnership_patterns
from models import Action, Finding, Review


@dataclass(frozen=True)
class ReviewLearning:
    review: Review
    findings: tuple[str, ...]
    # ref, description, owner, due ("4 Nov 2026" or "No date"), status, "Overdue" or ""
    actions: tuple[tuple[str, str, str, str, str, str], ...]


@dataclass(frozen=True)
class ThematicView:
    reviews: tuple[Review, ...]
    patterns: tuple[Pattern, ...]  # patterns of two or more of the chosen reviews
    learning: tuple[ReviewLearning, ...]

    def cell(self, pattern: Pattern, review: Review) -> list[str]:
        """The pattern's factor labels from ``review``."""
        return [f.label for f in pattern.factors if f.review == str(review.id)]


def thematic_view(session: Session, partnership_id: int, review_ids: Sequence[int]) -> ThematicView:
    today = uk_today()
    patterns, reviews = partnership_patterns(session, partnership_id, review_ids)
    chosen = tuple(reviews[i] for i in sorted(reviews))
    shared = SharedLearning(session)
    learning = []
    for review in chosen:
        findings = session.scalars(
            select(Finding).where(Finding.review_id == review.id).order_by(Finding.id)
        )
        actions = session.scalars(
            select(Action)
            .where(Action.review_id == review.id)
            .options(selectinload(Action.finding))
            .order_by(Action.id)
        )
        learning.append(
            ReviewLearning(
                review=review,
                findings=tuple(shared.text(review, f.title) for f in findings),
                actions=tuple(
                    (
                        a.ref,
                        shared.text(review, a.description),
                        owner_name(a),
                        uk_date(a.due) or "No date",
                        ACTION_STATUSES.get(a.status, a.status),
                        "Overdue" if is_overdue(a.due, a.status, today) else "",
                    )
                    for a in actions
                ),
            )
        )
    return ThematicView(
        reviews=chosen,
        patterns=tuple(p for p in patterns if len(p.reviews) > 1),
        learning=tuple(learning),
    )


def briefing(view: ThematicView, partnership_name: str, today: date | None = None) -> Document:
    """The thematic review as a document for the board."""
    today = today or uk_today()
    titles = [r.title for r in view.reviews]
    overview = Section(
        "About this briefing",
        (
            Paragraph(
                f"A thematic look across {plural_of(len(titles), 'review')} of {partnership_name}, "
                f"prepared on {uk_date(today)}: the conditions they share, their findings and "
                "the actions agreed. Names are pseudonyms."
            ),
            BulletList(tuple(titles)),
        ),
    )
    rows = []
    for number, pattern in enumerate(view.patterns, start=1):
        themes = "; ".join(t.title for t in pattern.panel_themes) or "None matched"
        rows.append(
            (
                f"{number}. {pattern.label}" + (" (stubborn)" if pattern.stubborn else ""),
                str(len(pattern.reviews)),
                f"{uk_date(pattern.first_seen)} to {uk_date(pattern.last_seen)}",
                themes,
            )
        )
    patterns = Section(
        "Patterns across these reviews",
        (
            Table(("Pattern", "Reviews", "Seen", "National Panel theme"), tuple(rows))
            if rows
            else Paragraph("No pattern spans two or more of these reviews."),
        ),
    )
    side_by_side = Section(
        "Side by side",
        (
            Table(
                ("Pattern", *titles),
                tuple(
                    (p.label, *("; ".join(view.cell(p, r)) or "-" for r in view.reviews))
                    for p in view.patterns
                ),
            ),
        )
        if view.patterns
        else (Paragraph("Nothing to compare."),),
    )
    per_review = tuple(
        Section(
            item.review.title,
            (
                Paragraph("Findings"),
                BulletList(item.findings or ("None recorded",)),
                Table(("Action", "What", "Owner", "Due", "Status", "Overdue"), item.actions)
                if item.actions
                else Paragraph("No actions recorded."),
            ),
            level=2,
        )
        for item in view.learning
    )
    return Document(
        title="Thematic review briefing",
        subtitle=partnership_name,
        sections=(overview, patterns, side_by_side, Section("Findings and actions"), *per_review),
        contents=False,
    )


def briefing_docx(document: Document) -> bytes:
    """The briefing as Word, on A4 paper (the board prints it)."""
    word = docx.Document(io.BytesIO(to_docx(document)))
    for section in word.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
