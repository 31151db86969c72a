"""Findings: writing, changing and deleting them, the board's responses to their questions,
and a finding as a bundle item."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.dates import uk_today
from analysis.taxonomy import SCIE_PATTERNS
from app.services.chronology import claim_ref, release_ref
from app.services.errors import ServiceError
from app.services.findings.values import (
    clean_text,
    drop_empty,
    not_in_future,
    parse_date,
    refuse_unknown_fields,
)
from app.services.reviews import check_version
from models import BoardResponse, Factor, Finding, Review

FINDING_FIELDS = (
    "title",
    "scie_pattern",
    "issue",
    "evidence",
    "how_widespread",
    "why_it_matters",
    "questions_for_board",
    "factors",
    "board_responses",
)


def finding_by_ref(session: Session, review: Review, ref: str) -> Finding | None:
    return session.scalar(select(Finding).where(Finding.review_id == review.id, Finding.ref == ref))


def review_findings(session: Session, review: Review) -> list[Finding]:
    """The review's findings in the order they were written (the report numbers them so)."""
    return list(
        session.scalars(
            select(Finding)
            .where(Finding.review_id == review.id)
            .order_by(Finding.id)
            .options(
                selectinload(Finding.factors),
                selectinload(Finding.board_responses),
                selectinload(Finding.actions),
            )
        )
    )


def factors_by_ref(session: Session, review: Review, refs: Iterable[str]) -> list[Factor]:
    """The factors ``refs`` name, in their order; a clear error for one the review lacks."""
    wanted = list(dict.fromkeys(r for r in refs if r))
    found = {
        f.ref: f
        for f in session.scalars(
            select(Factor).where(Factor.review_id == review.id, Factor.ref.in_(wanted))
        )
    }
    missing = [r for r in wanted if r not in found]
    if missing:
        raise ServiceError(f"There is no factor '{missing[0]}' in this review", "factors")
    return [found[r] for r in wanted]


def factor_labels(session: Session, review: Review) -> dict[str, str]:
    """Every factor's label by its ref (the findings page names a suggestion's factors)."""
    rows = session.execute(select(Factor.ref, Factor.label).where(Factor.review_id == review.id))
    return {ref: label for ref, label in rows}


def _questions(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [" ".join(clean_text(q).split()) for q in values or [] if q and q.strip()]


def _responses(finding: Finding, items: Sequence[dict[str, Any]]) -> list[BoardResponse]:
    responses = []
    for index, item in enumerate(items, start=1):
        question = " ".join(clean_text(item.get("question")).split())
        text = clean_text(item.get("response")).strip()
        if question not in finding.questions_for_board:
            raise ServiceError(
                f"Response {index}: the finding asks no question '{question[:60]}'",
                "board_responses",
            )
        if not text:
            raise ServiceError(f"Response {index}: write the board's response", "board_responses")
        responses.append(
            BoardResponse(
                review_id=finding.review_id,
                question=question,
                response=text,
                responded_on=not_in_future(
                    parse_date(item.get("responded_on"), "board_responses"), "board_responses"
                ),
            )
        )
    return responses


def _apply_finding(
    session: Session, review: Review, finding: Finding, values: dict[str, Any]
) -> None:
    refuse_unknown_fields(values, FINDING_FIELDS)
    if "title" in values:
        title = " ".join(clean_text(values["title"]).split())
        if not title:
            raise ServiceError("Give the finding a title", "title")
        finding.title = title[:300]
    if "scie_pattern" in values:
        pattern = values["scie_pattern"] or None
        if pattern is not None and pattern not in SCIE_PATTERNS:
            raise ServiceError("Choose a SCIE pattern from the list", "scie_pattern")
        finding.scie_pattern = pattern
    for key in ("issue", "evidence", "how_widespread", "why_it_matters"):
        if key in values:
            setattr(finding, key, clean_text(values[key]))
    if "questions_for_board" in values:
        finding.questions_for_board = _questions(values["questions_for_board"])
    if "factors" in values:
        finding.factors = factors_by_ref(session, review, values["factors"] or [])
    if "board_responses" in values:
        finding.board_responses = _responses(finding, values["board_responses"] or [])


def create_finding(
    *, session: Session, review: Review, ref: str | None = None, **values: Any
) -> Finding:
    if not " ".join((values.get("title") or "").split()):
        raise ServiceError("Give the finding a title", "title")
    ref = claim_ref(session, review, "finding", ref, "FN")
    finding = Finding(review_id=review.id, ref=ref, title="", questions_for_board=[])
    with session.no_autoflush:  # the finding joins the session complete, or not at all
        _apply_finding(session, review, finding, values)
    session.add(finding)
    session.flush()
    return finding


def update_finding(
    *, session: Session, finding: Finding, expected_version: int | None, **values: Any
) -> Finding:
    check_version(finding, expected_version)
    review = session.get_one(Review, finding.review_id)
    with session.no_autoflush:  # one flush, so one new version
        _apply_finding(session, review, finding, values)
    # A changed question leaves its old answer unmatched: keep only answers to live questions.
    finding.board_responses = [
        r for r in finding.board_responses if r.question in finding.questions_for_board
    ]
    session.flush()
    return finding


def delete_finding(*, session: Session, review: Review, finding: Finding) -> None:
    """Remove a finding, its actions and the board's responses."""
    for action in finding.actions:
        release_ref(session, review, action.ref)
    release_ref(session, review, finding.ref)
    session.delete(finding)
    session.flush()


def record_board_response(
    *,
    session: Session,
    finding: Finding,
    question: str,
    response: str,
    responded_on: date | None = None,
) -> BoardResponse:
    """The board's response to one of the finding's questions (replacing an earlier one)."""
    question = " ".join(clean_text(question).split())
    response = clean_text(response)
    if question not in finding.questions_for_board:
        raise ServiceError("Choose one of the finding's questions", "question")
    if not (response or "").strip():
        raise ServiceError("Write the board's response", "response")
    existing = next((r for r in finding.board_responses if r.question == question), None)
    if existing is None:
        existing = BoardResponse(review_id=finding.review_id, question=question, response="")
        finding.board_responses.append(existing)
    existing.response = response.strip()
    existing.responded_on = not_in_future(responded_on, "responded_on") or uk_today()
    session.flush()
    return existing


def finding_item(finding: Finding) -> dict[str, Any]:
    """The finding as a bundle item (also the API resource)."""
    return drop_empty(
        {
            "ref": finding.ref,
            "title": finding.title,
            "scie_pattern": finding.scie_pattern,
            "issue": finding.issue,
            "evidence": finding.evidence,
            "how_widespread": finding.how_widespread,
            "why_it_matters": finding.why_it_matters,
            "questions_for_board": list(finding.questions_for_board or []),
            "factors": [f.ref for f in finding.factors],
            "board_responses": [
                drop_empty(
                    {
                        "question": r.question,
                        "response": r.response,
                        "responded_on": r.responded_on.isoformat() if r.responded_on else None,
                    }
                )
                for r in finding.board_responses
            ],
        }
    )
