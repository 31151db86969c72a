"""Key practice episodes: the review's chosen stretches of practice, each a group of events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.chronology.refs import claim_ref, release_ref
from app.services.errors import ServiceError
from app.services.reviews import check_version
from models import Event, KeyPracticeEpisode, Review


def kpe_by_ref(session: Session, review: Review, ref: str) -> KeyPracticeEpisode | None:
    return session.scalar(
        select(KeyPracticeEpisode).where(
            KeyPracticeEpisode.review_id == review.id, KeyPracticeEpisode.ref == ref
        )
    )


def kpes_of(session: Session, review: Review) -> list[KeyPracticeEpisode]:
    """The review's key practice episodes, in the order they were made."""
    return list(
        session.scalars(
            select(KeyPracticeEpisode)
            .where(KeyPracticeEpisode.review_id == review.id)
            .order_by(KeyPracticeEpisode.id)
        )
    )


def live_events_per_kpe(session: Session, review: Review) -> dict[int, int]:
    """How many live (not deleted) events each key practice episode holds, by the episode's id;
    an episode without any is left out."""
    counts: dict[int, int] = {}
    for kpe_id in session.scalars(
        select(Event.kpe_id).where(
            Event.review_id == review.id, Event.deleted_at.is_(None), Event.kpe_id.is_not(None)
        )
    ):
        if kpe_id is not None:  # never: the query leaves them out
            counts[kpe_id] = counts.get(kpe_id, 0) + 1
    return counts


def create_kpe(
    *,
    session: Session,
    review: Review,
    title: str,
    summary: str = "",
    narrative: str = "",
    ref: str | None = None,
) -> KeyPracticeEpisode:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("Enter a title for the key practice episode", "title")
    ref = claim_ref(session, review, "key practice episode", ref, "K")
    kpe = KeyPracticeEpisode(
        review_id=review.id, ref=ref, title=title[:200], summary=summary or "", narrative=narrative
    )
    session.add(kpe)
    session.flush()
    return kpe


def update_kpe(
    *, session: Session, kpe: KeyPracticeEpisode, expected_version: int | None, **values: Any
) -> KeyPracticeEpisode:
    check_version(kpe, expected_version)
    if "title" in values:
        title = " ".join((values["title"] or "").split())
        if not title:
            raise ServiceError("Enter a title for the key practice episode", "title")
        kpe.title = title[:200]
    if "summary" in values:
        kpe.summary = values["summary"] or ""
    if "narrative" in values and values["narrative"] is not None:
        kpe.narrative = values["narrative"]
    session.flush()
    return kpe


def delete_kpe(*, session: Session, review: Review, kpe: KeyPracticeEpisode) -> None:
    """Remove a KPE; its events stay in the chronology, unassigned."""
    for event in session.scalars(select(Event).where(Event.kpe_id == kpe.id)):
        event.kpe = None
    release_ref(session, review, kpe.ref)
    session.delete(kpe)
    session.flush()
