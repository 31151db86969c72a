"""Events of the chronology: their values and checks, adding, changing, deleting and
restoring them (each change a version in their history), comments and merges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from analysis.chronology.dates import DateParseError, When, parse_when, when_from_bundle
from analysis.taxonomy import SOURCE_KINDS
from app.services.chronology.kpes import kpe_by_ref
from app.services.chronology.refs import claim_refs
from app.services.errors import ServiceError
from app.services.reviews import check_version
from models import (
    Event,
    EventComment,
    EventVersion,
    KeyPracticeEpisode,
    Person,
    Review,
    ReviewAgency,
    audit,
    utcnow,
)
from models.audit.chain import session_actor

APPRAISALS = {
    "not_appraised": "Not appraised",
    "good_practice": "Good practice",
    "problematic": "Problematic",
    "neutral": "Neutral",
}
EVENT_FIELDS = (
    "when",
    "agency",
    "source",
    "source_detail",
    "description",
    "outcome",
    "people",
    "appraisal",
    "kpe",
)


def event_by_ref(session: Session, review: Review, ref: str) -> Event | None:
    return session.scalar(select(Event).where(Event.review_id == review.id, Event.ref == ref))


def event_item(event: Event) -> dict[str, Any]:
    """The event as a bundle item (also the API resource and the history snapshot)."""
    item: dict[str, Any] = {
        "ref": event.ref,
        "date": event.date,
        "date_precision": event.date_precision,
    }
    if event.end_date:
        item["end_date"] = event.end_date
    if event.agency is not None:
        item["agency"] = event.agency.ref
    item["source"] = event.source
    item["description"] = event.description
    if event.outcome:
        item["outcome"] = event.outcome
    if event.people:
        item["people"] = [p.ref for p in event.people]
    item["appraisal"] = event.appraisal
    if event.kpe is not None:
        item["kpe"] = event.kpe.ref
    if event.merged_from:
        item["merged_from"] = list(event.merged_from)
    if event.source_detail:
        item["source_detail"] = event.source_detail
    return item


def when_of(event: Event) -> When:
    return When(event.date, event.date_precision, event.end_date)


def when_of_entry(entry: dict[str, Any]) -> When | None:
    """The date of a merged agency entry, if it has a readable one."""
    if not entry.get("date"):
        return None
    try:
        return when_from_bundle(entry["date"], entry.get("date_precision", "day"), None)
    except DateParseError:
        return None


def to_when(value: Any, precision: str | None = None, end: str | None = None) -> When:
    """A When from a When, or from text the way a person types it."""
    if isinstance(value, When):
        return value
    try:
        return parse_when(str(value or ""), precision or None, end or None)
    except DateParseError as error:
        raise ServiceError(str(error), "date") from error


class ReviewItems:
    """The review's agencies, people and KPEs by ref, read once per operation."""

    def __init__(self, session: Session, review: Review) -> None:
        self.review = review
        # Queried, not read from review.agencies: an import adds agencies in the same session.
        self.agencies = {
            a.ref: a
            for a in session.scalars(
                select(ReviewAgency).where(ReviewAgency.review_id == review.id)
            )
        }
        self.people = {
            p.ref: p for p in session.scalars(select(Person).where(Person.review_id == review.id))
        }
        self.kpes = {
            k.ref: k
            for k in session.scalars(
                select(KeyPracticeEpisode).where(KeyPracticeEpisode.review_id == review.id)
            )
        }

    def people_for(self, refs: Iterable[str]) -> list[Person]:
        people = []
        for ref in dict.fromkeys(r.strip() for r in refs if r and r.strip()):
            if ref not in self.people:
                raise ServiceError(f"There is no person '{ref}' in this review", "people")
            people.append(self.people[ref])
        return people


def apply_values(items: ReviewItems, event: Event, values: dict[str, Any]) -> None:
    if "when" in values:
        when: When = values["when"]
        event.date, event.date_precision, event.end_date = when.date, when.precision, when.end_date
        # Ordered by the date as stated ("c. 2025" sits with 2025), and "as known at" hides
        # what is stated after its moment; sort_end keeps the window's far end.
        event.sort_start, event.sort_end = when.stated_start(), when.latest()
    if "agency" in values:
        ref = values["agency"]
        if ref and ref not in items.agencies:
            raise ServiceError(f"There is no agency '{ref}' in this review", "agency")
        event.agency = items.agencies[ref] if ref else None
    if "source" in values:
        source = values["source"] or "agency_record"
        if source not in SOURCE_KINDS:
            raise ServiceError("Choose a source from the list", "source")
        event.source = source
    if "source_detail" in values:
        event.source_detail = (values["source_detail"] or "")[:300]
    if "description" in values:
        if not (values["description"] or "").strip():
            raise ServiceError("Describe what happened", "description")
        event.description = values["description"]
    if "outcome" in values:
        event.outcome = (values["outcome"] or "").strip()
    if "appraisal" in values:
        appraisal = values["appraisal"] or "not_appraised"
        if appraisal not in APPRAISALS:
            raise ServiceError("Choose an appraisal from the list", "appraisal")
        event.appraisal = appraisal
    if "kpe" in values:
        ref = values["kpe"]
        if ref and ref not in items.kpes:
            raise ServiceError(f"There is no key practice episode '{ref}' in this review", "kpe")
        event.kpe = items.kpes[ref] if ref else None
    if "people" in values:
        event.people = items.people_for(values["people"] or [])


def _snapshots(session: Session, events: Sequence[Event], action: str) -> None:
    session.flush()
    changed_by = session_actor(session).label
    session.add_all(
        EventVersion(
            event_id=event.id,
            version=event.version,
            action=action,
            snapshot=event_item(event),
            changed_by=changed_by,
        )
        for event in events
    )
    session.flush()


def _snapshot(session: Session, event: Event, action: str) -> None:
    _snapshots(session, [event], action)


def create_events(
    *,
    session: Session,
    review: Review,
    added_by_id: int | None,
    rows: Sequence[dict[str, Any]],
    refs_claimed: bool = False,
    import_id: int | None = None,
) -> list[Event]:
    """Add many events at once (an import, named by ``import_id``): each row's ``when`` is a
    When, its other values as in EVENT_FIELDS, with an optional ``ref``. All are checked
    before any is added.

    ``refs_claimed``: every row has a ``ref`` its caller already claimed (a bundle import
    claims all its refs once, then adds its events part by part)."""
    items = ReviewItems(session, review)
    events = []
    for number, values in enumerate(rows, start=1):
        values = dict(values)
        values.pop("ref", None)
        unknown = set(values) - set(EVENT_FIELDS)
        if unknown:
            raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
        if "when" not in values:
            raise ServiceError("Enter when it happened", "date")
        if not (values.get("description") or "").strip():
            raise ServiceError("Describe what happened", "description")
        event = Event(
            review_id=review.id, added_by_id=added_by_id, merged_from=[], import_id=import_id
        )
        try:
            apply_values(items, event, {"source": None, "appraisal": None, **values})
        except ServiceError as error:
            if len(rows) > 1:
                error.message = f"Event {number}: {error.message}"
            raise
        events.append(event)
    wanted = [r.get("ref") for r in rows]
    refs = (
        [str(r) for r in wanted]
        if refs_claimed
        else claim_refs(session, review, "event", wanted, "E")
    )
    for event, ref in zip(events, refs, strict=True):
        event.ref = ref
    session.add_all(events)
    _snapshots(session, events, "create")
    return events


def create_event(
    *,
    session: Session,
    review: Review,
    added_by_id: int | None,
    ref: str | None = None,
    **values: Any,
) -> Event:
    """Add an event; ``when`` is a When, the other values as in EVENT_FIELDS (refs for links)."""
    row = {**values, "ref": ref}
    return create_events(session=session, review=review, added_by_id=added_by_id, rows=[row])[0]


def update_event(
    *, session: Session, event: Event, expected_version: int | None, **values: Any
) -> Event:
    check_version(event, expected_version)
    if event.deleted_at is not None:
        raise ServiceError("This event is deleted: restore it before changing it")
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    review = session.get_one(Review, event.review_id)
    before_people = [p.ref for p in event.people]
    apply_values(ReviewItems(session, review), event, values)
    after_people = [p.ref for p in event.people]
    if before_people != after_people:
        # The link table is not an audited model: record the change to who was involved here.
        audit.record(
            session,
            "update",
            entity_type="events",
            entity_id=str(event.id),
            review_id=review.id,
            before={"people": before_people},
            after={"people": after_people},
        )
        # Write the row too, so its version moves on and a concurrent edit is detected.
        flag_modified(event, "merged_from")
    _snapshot(session, event, "update")
    return event


def delete_event(*, session: Session, event: Event) -> None:
    """Soft delete: the event disappears from the chronology and can be restored."""
    if event.deleted_at is None:
        event.deleted_at = utcnow()
        _snapshot(session, event, "delete")


def delete_events(*, session: Session, events: Sequence[Event]) -> list[Event]:
    """Soft-delete many events at once (an undone import); returns those that were live."""
    now = utcnow()
    live = [event for event in events if event.deleted_at is None]
    for event in live:
        event.deleted_at = now
    _snapshots(session, live, "delete")
    return live


def restore_events(*, session: Session, events: Sequence[Event]) -> list[Event]:
    """Bring back many soft-deleted events (a restored import), leaving merged-away ones."""
    back = [e for e in events if e.deleted_at is not None and e.merged_into_id is None]
    for event in back:
        event.deleted_at = None
    _snapshots(session, back, "restore")
    return back


def restore_event(*, session: Session, event: Event) -> None:
    if event.merged_into_id is not None:
        raise ServiceError("This event was merged into another: undo the merge instead")
    if event.deleted_at is not None:
        event.deleted_at = None
        _snapshot(session, event, "restore")


def assign_kpe(
    *, session: Session, review: Review, refs: Sequence[str], kpe_ref: str | None
) -> int:
    """Put the events ``refs`` into the KPE (or none); returns how many changed."""
    kpe = kpe_by_ref(session, review, kpe_ref) if kpe_ref else None
    if kpe_ref and kpe is None:
        raise ServiceError(f"There is no key practice episode '{kpe_ref}' in this review", "kpe")
    events = session.scalars(
        select(Event).where(
            Event.review_id == review.id, Event.ref.in_(list(refs)), Event.deleted_at.is_(None)
        )
    ).all()
    changed = 0
    for event in events:
        if event.kpe_id != (kpe.id if kpe else None):
            event.kpe = kpe
            _snapshot(session, event, "update")
            changed += 1
    return changed


def add_comment(*, session: Session, event: Event, user_id: int, text: str) -> EventComment:
    text = (text or "").strip()
    if not text:
        raise ServiceError("Write a comment first", "text")
    comment = EventComment(event_id=event.id, review_id=event.review_id, user_id=user_id, text=text)
    session.add(comment)
    session.flush()
    return comment


# --- merging --------------------------------------------------------------------------------


def merge_events(*, session: Session, keep: Event, other: Event) -> Event:
    """Merge ``other`` into ``keep``: both agencies' accounts stay, side by side."""
    if keep.id == other.id or keep.review_id != other.review_id:
        raise ServiceError("Choose two different events of this review to merge")
    if keep.deleted_at is not None or other.deleted_at is not None:
        raise ServiceError("A deleted event cannot be merged")
    entry: dict[str, Any] = {
        "ref": other.ref,
        "agency": other.agency.ref if other.agency else None,
        "date": other.date,
        "date_precision": other.date_precision,
        "description": other.description,
    }
    keep.merged_from = [
        *list(keep.merged_from or []),
        {k: v for k, v in entry.items() if v is not None},
    ]
    other.merged_into_id = keep.id
    other.deleted_at = utcnow()
    _snapshot(session, other, "merge")
    _snapshot(session, keep, "merge")
    return keep


def unmerge_event(*, session: Session, keep: Event, ref: str) -> Event:
    """Undo a merge: ``ref`` comes back as an event of its own."""
    review = session.get_one(Review, keep.review_id)
    other = event_by_ref(session, review, ref)
    if other is None or other.merged_into_id != keep.id:
        raise ServiceError(f"Event '{ref}' was not merged into {keep.ref}")
    keep.merged_from = [e for e in keep.merged_from or [] if e.get("ref") != ref]
    other.merged_into_id = None
    other.deleted_at = None
    _snapshot(session, other, "unmerge")
    _snapshot(session, keep, "unmerge")
    return other


def count_events(session: Session, review: Review) -> int:
    return int(
        session.scalar(
            select(func.count(Event.id)).where(
                Event.review_id == review.id, Event.deleted_at.is_(None)
            )
        )
        or 0
    )
