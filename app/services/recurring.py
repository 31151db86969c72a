"""Recurring patterns across a partnership's reviews: gathers the factors, the actions agreed
against them and the curators' decisions, and asks ``analysis.recurring`` to group them.

Factor labels are pseudonymised (each with its own review's register) before they are
grouped, so a pattern's label and factors are fit for every partnership viewer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.recurring import ActionIn, DecisionIn, FactorIn, Pattern, group_factors
from app.services.errors import ServiceError
from app.services.partnership import SharedLearning, partnership_review_list
from models import Action, Factor, Finding, PatternDecision, Review, User
from models.tracking import PATTERN_DECISIONS

GROUPED_TYPES = ("active_failure", "latent_condition")


def seen_on(review: Review) -> date:
    """When a review saw its factors: the incident's date, else the end of the period under
    review, else the day the review was created."""
    return review.incident_known_on or review.period_end or review.created_at.date()


def factor_key(review_id: int, ref: str) -> str:
    return f"{review_id}:{ref}"


def gather(
    session: Session, partnership_id: int, review_ids: Sequence[int] | None = None
) -> tuple[list[FactorIn], list[ActionIn], dict[int, Review]]:
    """The partnership's factors (pseudonymised) and actions, as the grouping takes them."""
    reviews = {r.id: r for r in partnership_review_list(session, partnership_id)}
    if review_ids is not None:
        reviews = {i: r for i, r in reviews.items() if i in set(review_ids)}
    if not reviews:
        return [], [], {}
    shared = SharedLearning(session)
    factors = [
        FactorIn(
            key=factor_key(f.review_id, f.ref),
            review=str(f.review_id),
            ref=f.ref,
            label=shared.text(reviews[f.review_id], f.label),
            description=shared.text(reviews[f.review_id], f.description),
            type=f.type,
            level=f.level,
            scie_pattern=f.scie_pattern,
            seips_component=f.seips_component,
            category=f.contributory_category,
            seen_on=seen_on(reviews[f.review_id]),
        )
        for f in session.scalars(
            select(Factor)
            .where(Factor.review_id.in_(list(reviews)), Factor.type.in_(GROUPED_TYPES))
            .order_by(Factor.review_id, Factor.id)
        )
    ]
    actions = [
        ActionIn(
            review=str(a.review_id),
            ref=a.ref,
            factor_keys=tuple(factor_key(f.review_id, f.ref) for f in a.finding.factors),
            agreed_on=seen_on(reviews[a.review_id]),
            status=a.status,
        )
        for a in session.scalars(
            select(Action)
            .where(Action.review_id.in_(list(reviews)))
            .options(selectinload(Action.finding).selectinload(Finding.factors))
            .order_by(Action.id)
        )
    ]
    return factors, actions, reviews


def decisions_of(session: Session, partnership_id: int) -> list[DecisionIn]:
    return [
        DecisionIn(kind=d.kind, factors=tuple(d.factors), apart=tuple(d.apart), label=d.label)
        for d in session.scalars(
            select(PatternDecision)
            .where(PatternDecision.partnership_id == partnership_id)
            .order_by(PatternDecision.id)
        )
    ]


def partnership_patterns(
    session: Session, partnership_id: int, review_ids: Sequence[int] | None = None
) -> tuple[list[Pattern], dict[int, Review]]:
    """The patterns of the partnership's reviews (or of ``review_ids`` only), most reviews
    first, with the curators' decisions applied."""
    factors, actions, reviews = gather(session, partnership_id, review_ids)
    return group_factors(factors, actions, decisions_of(session, partnership_id)), reviews


def record_decision(
    *,
    session: Session,
    partnership_id: int,
    curator: User,
    kind: str,
    factors: Sequence[str],
    apart: Sequence[str] = (),
    label: str = "",
) -> PatternDecision:
    """Keep a curator's decision; every later grouping replays it (audited)."""
    if kind not in PATTERN_DECISIONS:
        raise ServiceError("Choose confirm, split, merge or rename", "kind")
    label = " ".join(label.split())
    if len(label) > 300:
        raise ServiceError("A label is 300 characters or fewer", "label")
    known = {factor_key(r, ref) for r, ref in _factor_refs(session, partnership_id)}
    chosen = [k for k in dict.fromkeys(factors) if k]
    others = [k for k in dict.fromkeys(apart) if k and k not in chosen]
    unknown = [k for k in (*chosen, *others) if k not in known]
    if unknown:
        raise ServiceError("Some of those factors are not in the partnership's reviews", "factors")
    if not chosen:
        raise ServiceError("Choose the factors the decision is about", "factors")
    if kind == "split" and not others:
        raise ServiceError("Choose the factors that belong to another pattern", "factors")
    if kind == "rename" and not label:
        raise ServiceError("Give the pattern its new label", "label")
    if kind == "merge" and len(chosen) < 2:
        raise ServiceError("Choose a pattern to merge with", "factors")
    decision = PatternDecision(
        partnership_id=partnership_id,
        kind=kind,
        factors=chosen,
        apart=others,
        label=label,
        decided_by_id=curator.id,
    )
    session.add(decision)
    session.flush()
    return decision


def _factor_refs(session: Session, partnership_id: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Factor.review_id, Factor.ref)
        .join(Review, Review.id == Factor.review_id)
        .where(Review.partnership_id == partnership_id)
    )
    return [(review_id, ref) for review_id, ref in rows]


def pattern_item(pattern: Pattern) -> dict[str, Any]:
    """A pattern as the API gives it."""
    return {
        "key": pattern.key,
        "label": pattern.label,
        "reviews": [int(r) for r in pattern.reviews],
        "factors": [
            {
                "review": int(f.review),
                "ref": f.ref,
                "label": f.label,
                "type": f.type,
                "level": f.level,
            }
            for f in pattern.factors
        ],
        "first_seen": pattern.first_seen.isoformat() if pattern.first_seen else None,
        "last_seen": pattern.last_seen.isoformat() if pattern.last_seen else None,
        "levels": pattern.levels,
        "actions": [{"review": int(a.review), "ref": a.ref} for a in pattern.actions],
        "stubborn": pattern.stubborn,
        "panel_themes": [{"key": t.key, "title": t.title} for t in pattern.panel_themes],
        "curated": pattern.curated,
    }
