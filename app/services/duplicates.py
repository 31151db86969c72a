"""Likely duplicates in a review's chronology: groups to check, dismissals remembered, and a
merge by hand in which the user chooses each field and the merged-away events' people,
factors, links and key practice episode move to the event kept.

The grouping itself is ``analysis.chronology.duplicates.duplicate_groups`` (pure, so the
speed work on the duplicates page can call it on whatever data it reads)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from analysis.chronology.duplicates import DuplicateGroup, duplicate_groups
from analysis.chronology.merge import EventFacts
from app.services import chronology as chrono
from app.services.errors import ServiceError
from app.services.reviews import check_version
from models import (
    DuplicateDismissal,
    Event,
    FactorEvidence,
    Link,
    Review,
    account_events,
    audit,
)

# The fields a merge lets the user take from any of the events merged.
CHOOSABLE = ("date", "agency", "description", "outcome", "source", "source_detail", "appraisal")
CHOOSABLE_LABELS = {
    "date": "When",
    "agency": "Agency",
    "description": "What happened",
    "outcome": "Outcome",
    "source": "Source",
    "source_detail": "Source detail",
    "appraisal": "Appraisal",
}


def event_facts(events: Sequence[Event]) -> list[EventFacts]:
    """Events as the analysis sees them, each date as the window it could lie in."""
    facts = []
    for event in events:
        when = chrono.when_of(event)
        facts.append(
            EventFacts(
                ref=event.ref,
                agency=event.agency.ref if event.agency else None,
                earliest=when.earliest(),
                latest=when.latest(),
                description=f"{event.description}\n{event.outcome}",
                people=frozenset(p.ref for p in event.people),
                deleted=event.deleted_at is not None,
            )
        )
    return facts


def dismissed(session: Session, review: Review) -> list[frozenset[str]]:
    rows = session.scalars(
        select(DuplicateDismissal.refs).where(DuplicateDismissal.review_id == review.id)
    )
    return [frozenset(refs) for refs in rows]


def live_events(session: Session, review: Review) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.review_id == review.id, Event.deleted_at.is_(None))
            .order_by(Event.sort_start, Event.id)
            .options(selectinload(Event.people))
        ).unique()
    )


def suggestions(
    session: Session, review: Review, events: Sequence[Event] | None = None
) -> list[DuplicateGroup]:
    """The review's likely duplicates as groups, best first, without dismissed ones."""
    live = live_events(session, review) if events is None else events
    return duplicate_groups(event_facts(live), dismissed=dismissed(session, review))


def dismiss(
    *, session: Session, review: Review, refs: Sequence[str], user_id: int | None
) -> DuplicateDismissal:
    """Remember that ``refs`` are not one happening: no suggestion joins any two of them."""
    wanted = sorted(dict.fromkeys(r for r in refs if r))
    if len(wanted) < 2:
        raise ServiceError("Name at least two events that are not the same happening", "refs")
    known = set(
        session.scalars(
            select(Event.ref).where(Event.review_id == review.id, Event.ref.in_(wanted))
        )
    )
    missing = [r for r in wanted if r not in known]
    if missing:
        raise ServiceError(f"There is no event '{missing[0]}' in this review", "refs")
    record = DuplicateDismissal(review_id=review.id, refs=wanted, user_id=user_id)
    session.add(record)
    session.flush()
    audit.record(
        session,
        "dismiss_duplicates",
        entity_type="duplicate_dismissals",
        entity_id=str(record.id),
        review_id=review.id,
        after={"refs": wanted},
    )
    return record


def _take(keep: Event, source: Event, field: str) -> dict[str, Any]:
    if field == "date":
        return {"when": chrono.when_of(source)}
    if field == "agency":
        return {"agency": source.agency.ref if source.agency else None}
    return {field: getattr(source, field)}


def merge(
    *,
    session: Session,
    review: Review,
    keep: Event,
    refs: Sequence[str],
    take: dict[str, str] | None = None,
    expected_version: int | None = None,
) -> Event:
    """Merge the events ``refs`` into ``keep``.

    ``take`` names, for any field of ``CHOOSABLE``, the ref of the event whose value the kept
    event gets (the police's time, social care's text); other fields stay as kept. People are
    joined; the kept event takes the first key practice episode if it has none; factor
    evidence, accounts and links that named a merged event now name the kept one. Each
    merged event keeps its own account in ``merged_from`` and is hidden everywhere (the
    merge can be undone from the kept event). Raises ``ServiceError`` for unknown, deleted or
    repeated refs, and ``StaleVersionError`` when ``keep`` changed since ``expected_version``.
    """
    check_version(keep, expected_version)
    wanted = [r for r in dict.fromkeys(refs) if r != keep.ref]
    if not wanted:
        raise ServiceError("Choose at least one other event to merge into this one", "refs")
    others: list[Event] = []
    for ref in wanted:
        other = chrono.event_by_ref(session, review, ref)
        if other is None or other.deleted_at is not None:
            raise ServiceError(f"There is no event '{ref}' to merge in this review", "refs")
        others.append(other)
    if keep.deleted_at is not None:
        raise ServiceError("A deleted event cannot be kept in a merge")
    by_ref = {e.ref: e for e in [keep, *others]}
    values: dict[str, Any] = {}
    for field, ref in (take or {}).items():
        if field not in CHOOSABLE:
            raise ServiceError(f"The field '{field}' cannot be chosen in a merge", "take")
        if ref not in by_ref:
            raise ServiceError(f"'{ref}' is not one of the events being merged", "take")
        if ref != keep.ref:
            values |= _take(keep, by_ref[ref], field)
    people = [p.ref for p in keep.people]
    for other in others:
        people += [p.ref for p in other.people if p.ref not in people]
    values["people"] = people
    if keep.kpe is None:
        kpe = next((o.kpe for o in others if o.kpe is not None), None)
        if kpe is not None:
            values["kpe"] = kpe.ref
    chrono.update_event(session=session, event=keep, expected_version=None, **values)
    other_ids = [o.id for o in others]
    for evidence in session.scalars(
        select(FactorEvidence).where(FactorEvidence.event_id.in_(other_ids))
    ):
        evidence.event_id = keep.id
    linked = session.execute(
        select(account_events.c.account_id, account_events.c.event_id).where(
            account_events.c.event_id.in_([keep.id, *other_ids])
        )
    ).all()
    accounts_of_keep = {row.account_id for row in linked if row.event_id == keep.id}
    for row in linked:
        if row.event_id != keep.id:
            session.execute(
                account_events.delete().where(
                    account_events.c.account_id == row.account_id,
                    account_events.c.event_id == row.event_id,
                )
            )
            if row.account_id not in accounts_of_keep:
                session.execute(
                    account_events.insert().values(account_id=row.account_id, event_id=keep.id)
                )
                accounts_of_keep.add(row.account_id)
    for link in session.scalars(
        select(Link).where(
            Link.review_id == review.id, or_(Link.source.in_(wanted), Link.target.in_(wanted))
        )
    ):
        if link.source in wanted:
            link.source = keep.ref
        if link.target in wanted:
            link.target = keep.ref
    for other in others:
        chrono.merge_events(session=session, keep=keep, other=other)
    audit.record(
        session,
        "merge_events",
        entity_type="events",
        entity_id=str(keep.id),
        review_id=review.id,
        after={"kept": keep.ref, "merged": wanted, "taken": dict(take or {})},
    )
    session.flush()
    return keep
