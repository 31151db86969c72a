"""Turn a review's rows into the analysis' plain input (``analysis.graph.model.GraphInput``)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.factors import EvidenceFacts
from analysis.graph.model import (
    ActionNode,
    EventNode,
    FactorNode,
    FindingNode,
    GraphInput,
    KpeNode,
    LinkEdge,
    ReviewGraph,
    build_graph,
)
from models import Action, Event, Factor, Finding, KeyPracticeEpisode, Link, Review

TITLE_LENGTH = 80
_MARKUP = re.compile(r"[*_`#>\[\]]|\(https?://[^)]*\)")


def event_title(description: str) -> str:
    """A one-line title for an event: its description's first line without Markdown markup,
    cut at a word boundary."""
    first = next((line for line in description.splitlines() if line.strip()), "")
    text = " ".join(_MARKUP.sub("", first).split())
    if len(text) <= TITLE_LENGTH:
        return text
    return text[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def graph_input(session: Session, review: Review) -> GraphInput:
    """The review's live events, KPEs, factors, findings, actions and links as a
    ``GraphInput``."""
    events = session.scalars(
        select(Event)
        .where(Event.review_id == review.id, Event.deleted_at.is_(None))
        .order_by(Event.sort_start, Event.id)
    )
    kpes = session.scalars(
        select(KeyPracticeEpisode)
        .where(KeyPracticeEpisode.review_id == review.id)
        .order_by(KeyPracticeEpisode.id)
    )
    factors = session.scalars(
        select(Factor)
        .where(Factor.review_id == review.id)
        .order_by(Factor.id)
        .options(selectinload(Factor.evidence))
    )
    findings = session.scalars(
        select(Finding)
        .where(Finding.review_id == review.id)
        .order_by(Finding.id)
        .options(selectinload(Finding.factors))
    )
    actions = session.scalars(
        select(Action)
        .where(Action.review_id == review.id)
        .order_by(Action.id)
        .options(selectinload(Action.finding))
    )
    links = session.scalars(select(Link).where(Link.review_id == review.id).order_by(Link.id))
    return GraphInput(
        events=tuple(
            EventNode(
                ref=event.ref,
                title=event_title(event.description),
                date=event.date,
                agency=event.agency.name if event.agency else "",
                appraisal=event.appraisal,
                kpe=event.kpe.ref if event.kpe else None,
            )
            for event in events
        ),
        kpes=tuple(KpeNode(ref=kpe.ref, title=kpe.title) for kpe in kpes),
        factors=tuple(
            FactorNode(
                ref=factor.ref,
                label=factor.label,
                type=factor.type,
                level=factor.level,
                description=factor.description,
                scie_pattern=factor.scie_pattern,
                seips_component=factor.seips_component,
                contributory_category=factor.contributory_category,
                evidence=tuple(
                    EvidenceFacts(
                        source=e.source,
                        event=e.event.ref if e.event else None,
                        account=e.account.ref if e.account else None,
                    )
                    for e in factor.evidence
                ),
            )
            for factor in factors
        ),
        findings=tuple(
            FindingNode(
                ref=finding.ref,
                title=finding.title,
                factors=tuple(f.ref for f in finding.factors),
            )
            for finding in findings
        ),
        actions=tuple(
            ActionNode(
                ref=action.ref, title=event_title(action.description), finding=action.finding.ref
            )
            for action in actions
        ),
        links=tuple(
            LinkEdge(
                source=link.source,
                target=link.target,
                relation=link.relation,
                ref=link.ref,
                confidence=link.confidence,
            )
            for link in links
        ),
    )


def review_graph(session: Session, review: Review) -> ReviewGraph:
    """The review's built graph."""
    return build_graph(graph_input(session, review))
