"""Actions: what the partnership agrees to do about a finding, from proposal to evidence of
impact (a moved due date is kept), as bundle items, and the overdue ones across reviews."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.dates import uk_today
from analysis.findings import ACTION_STRENGTHS, all_weak, is_overdue, status_change_problem
from app.services.chronology import claim_ref, release_ref
from app.services.errors import ServiceError
from app.services.findings.findings import finding_by_ref
from app.services.findings.values import (
    clean_text,
    drop_empty,
    parse_date,
    refuse_unknown_fields,
)
from app.services.reviews import agency_by_ref, check_version
from models import Action, ActionDueChange, Finding, Review

ACTION_FIELDS = (
    "finding",
    "description",
    "owner_agency",
    "due",
    "status",
    "strength",
    "impact_evidence",
    "dropped_reason",
)


def action_by_ref(session: Session, review: Review, ref: str) -> Action | None:
    return session.scalar(select(Action).where(Action.review_id == review.id, Action.ref == ref))


def review_actions(session: Session, review: Review) -> list[Action]:
    return list(
        session.scalars(
            select(Action)
            .where(Action.review_id == review.id)
            .order_by(Action.id)
            .options(selectinload(Action.finding))
        )
    )


def _apply_action(session: Session, review: Review, action: Action, values: dict[str, Any]) -> None:
    refuse_unknown_fields(values, ACTION_FIELDS)
    if "finding" in values:
        finding = finding_by_ref(session, review, values["finding"] or "")
        if finding is None:
            raise ServiceError(
                f"There is no finding '{values['finding']}' in this review", "finding"
            )
        action.finding = finding
    if "description" in values:
        description = clean_text(values["description"]).strip()
        if not description:
            raise ServiceError("Describe the action", "description")
        action.description = description
    if "owner_agency" in values:
        ref = values["owner_agency"]
        agency = agency_by_ref(session, review, ref) if ref else None
        if ref and agency is None:
            raise ServiceError(f"There is no agency '{ref}' in this review", "owner_agency")
        action.owner_agency = agency
    if "due" in values:
        due = parse_date(values["due"], "due")
        if action.id is not None and due != action.due:
            # A moved due date is kept, so an action never leaves the overdue list unseen.
            session.add(
                ActionDueChange(
                    action_id=action.id, review_id=review.id, old_due=action.due, new_due=due
                )
            )
        action.due = due
    if "strength" in values:
        strength = values["strength"] or None
        if strength is not None and strength not in ACTION_STRENGTHS:
            raise ServiceError("Choose a strength from the list", "strength")
        action.strength = strength
    if "impact_evidence" in values:
        action.impact_evidence = clean_text(values["impact_evidence"])
    if "dropped_reason" in values:
        action.dropped_reason = clean_text(values["dropped_reason"]).strip()
    if "status" in values:
        status = values["status"] or "proposed"
        problem = status_change_problem(action.status or "proposed", status)
        if problem:
            raise ServiceError(problem, "status")
        action.status = status
    if action.status == "dropped" and not action.dropped_reason:
        raise ServiceError("Say why the action was dropped", "dropped_reason")
    if action.status == "evidenced" and not action.impact_evidence.strip():
        raise ServiceError("Give the evidence that the action made a difference", "impact_evidence")


def create_action(
    *, session: Session, review: Review, ref: str | None = None, **values: Any
) -> Action:
    if not values.get("finding"):
        raise ServiceError("Choose the finding the action answers", "finding")
    if not (values.get("description") or "").strip():
        raise ServiceError("Describe the action", "description")
    ref = claim_ref(session, review, "action", ref, "A")
    action = Action(
        review_id=review.id,
        ref=ref,
        description="",
        status="proposed",
        impact_evidence="",
        dropped_reason="",
    )
    # A new action may start at any status (an imported one may be long finished).
    status = values.pop("status", None) or "proposed"
    values["status"] = status
    action.status = "proposed" if status == "dropped" else status
    with session.no_autoflush:  # the action joins the session complete, or not at all
        _apply_action(session, review, action, values)
    session.add(action)
    session.flush()
    return action


def update_action(
    *, session: Session, action: Action, expected_version: int | None, **values: Any
) -> Action:
    check_version(action, expected_version)
    review = session.get_one(Review, action.review_id)
    with session.no_autoflush:  # one flush, so one new version
        _apply_action(session, review, action, values)
    session.flush()
    return action


def delete_action(*, session: Session, review: Review, action: Action) -> None:
    release_ref(session, review, action.ref)
    session.delete(action)
    session.flush()


def action_item(action: Action) -> dict[str, Any]:
    """The action as a bundle item (also the API resource)."""
    return drop_empty(
        {
            "ref": action.ref,
            "finding": action.finding.ref,
            "description": action.description,
            "owner_agency": action.owner_agency.ref if action.owner_agency else None,
            "due": action.due.isoformat() if action.due else None,
            "status": action.status,
            "strength": action.strength,
            "impact_evidence": action.impact_evidence,
            "dropped_reason": action.dropped_reason,
        }
    )


def overdue_actions(
    session: Session, review_ids: Iterable[int], today: date | None = None
) -> list[Action]:
    """Open actions past their due date in these reviews, the longest overdue first."""
    today = today or uk_today()
    ids = list(review_ids)
    if not ids:
        return []
    rows = session.scalars(
        select(Action)
        .where(Action.review_id.in_(ids), Action.due.is_not(None), Action.due < today)
        .order_by(Action.due, Action.id)
        .options(selectinload(Action.finding))
    )
    return [a for a in rows if is_overdue(a.due, a.status, today)]


def has_only_weak_actions(finding: Finding) -> bool:
    """The strength warning: every live (not dropped) action on the finding is weak."""
    return all_weak(a.strength for a in finding.actions if a.status != "dropped")
