"""The report's narrative sections (executive summary, introduction, method, the child's
experience, good practice, conclusion, glossary), written by the panel for both editions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.findings.values import clean_text, refuse_unknown_fields
from app.services.reviews import check_version
from models import ReportNarrative, Review

NARRATIVE_FIELDS = (
    "executive_summary",
    "introduction",
    "systems_method",
    "childs_experience",
    "good_practice",
    "conclusion",
    "glossary",
)


def narrative_of(session: Session, review: Review) -> ReportNarrative:
    """The review's narrative sections (an empty set, added, when none were written yet)."""
    narrative = session.scalar(
        select(ReportNarrative).where(ReportNarrative.review_id == review.id)
    )
    if narrative is None:
        narrative = ReportNarrative(review_id=review.id, **dict.fromkeys(NARRATIVE_FIELDS, ""))
        session.add(narrative)
        session.flush()
    return narrative


def update_narrative(
    *, session: Session, review: Review, expected_version: int | None, **values: Any
) -> ReportNarrative:
    refuse_unknown_fields(values, NARRATIVE_FIELDS)
    narrative = narrative_of(session, review)
    check_version(narrative, expected_version)
    for key, value in values.items():
        setattr(narrative, key, clean_text(value))
    session.flush()
    return narrative
