"""The chronology: events and key practice episodes, their history, comments and merges."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from analysis.chronology.dates import DateParseError, When, parse_when, when_from_bundle
from analysis.taxonomy import SOURCE_KINDS
from app.services.errors import ServiceError
from app.services.reviews import check_ref, check_version
from models import (
    Event,
    EventComment,
    EventVersion,
    ItemRef,
    KeyPracticeEpisode,
    Person,
    Review,
    ReviewAgency,
    audit,
    event_people,
    utcnow,
)
from models.audit.chain import session_actor
from models.base import table_of

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
_REF_NUMBER = re.compile(r"^([A-Za-z]+)(\d+)$")
# Refs per IN (...) list: well under SQLite's limit on bound parameters.
_IN_CHUNK = 5_000


# --- refs -----------------------------------------------------------------------------------


def claim_refs(
    session: Session, review: Review, kind: str, wanted: Sequence[str | None], prefix: str
) -> list[str]:
    """Take each wanted ref (or, for None, the next free ``prefix``N) in the review's shared
    namespace, in one pass: one read of the refs that could clash, one write.

    Only the wanted refs, and (when one is to be numbered) the refs starting with ``prefix``,
    are read: claiming a factor's ref in a review of 40,000 events reads a few rows, not all."""
    given = [ref for ref in wanted if ref is not None]
    for given_ref in given:
        check_ref(given_ref)
    by_ref = select(ItemRef.ref, ItemRef.kind).where(ItemRef.review_id == review.id)
    taken: dict[str, str] = {}
    for start in range(0, len(given), _IN_CHUNK):
        chunk = given[start : start + _IN_CHUNK]
        taken.update((r.ref, r.kind) for r in session.execute(by_ref.where(ItemRef.ref.in_(chunk))))
    if len(given) < len(wanted):
        taken.update(
            (r.ref, r.kind) for r in session.execute(by_ref.where(ItemRef.ref.startswith(prefix)))
        )
    numbers = [
        int(m.group(2)) for r in taken if (m := _REF_NUMBER.match(r)) and m.group(1) == prefix
    ]
    next_number = max(numbers, default=0) + 1
    refs: list[str] = []
    for ref in wanted:
        if ref is not None:
            if ref in taken:
                message = f"The ref '{ref}' is already used in this review (by a {taken[ref]})"
                raise ServiceError(message, "ref")
        else:
            while f"{prefix}{next_number}" in taken:
                next_number += 1
            ref = f"{prefix}{next_number}"
        taken[ref] = kind
        refs.append(ref)
    if refs:  # in bulk: an import claims tens of thousands at once
        session.connection().execute(
            insert(table_of(ItemRef)),
            [{"review_id": review.id, "ref": ref, "kind": kind} for ref in refs],
        )
    return refs


def claim_ref(session: Session, review: Review, kind: str, ref: str | None, prefix: str) -> str:
    """Take ``ref`` (or the next free ``prefix``N) in the review's shared namespace."""
    return claim_refs(session, review, kind, [ref], prefix)[0]


def used_refs(session: Session, review: Review) -> frozenset[str]:
    return frozenset(session.scalars(select(ItemRef.ref).where(ItemRef.review_id == review.id)))


def release_ref(session: Session, review: Review, ref: str) -> None:
    row = session.scalar(select(ItemRef).where(ItemRef.review_id == review.id, ItemRef.ref == ref))
    if row is not None:
        session.delete(row)


# --- KPEs -----------------------------------------------------------------------------------


def kpe_by_ref(session: Session, review: Review, ref: str) -> KeyPracticeEpisode | None:
    return session.scalar(
        select(KeyPracticeEpisode).where(
            KeyPracticeEpisode.review_id == review.id, KeyPracticeEpisode.ref == ref
        )
    )


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


# --- events ---------------------------------------------------------------------------------


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


class _ReviewItems:
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


def _apply(items: _ReviewItems, event: Event, values: dict[str, Any]) -> None:
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
    items = _ReviewItems(session, review)
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
            _apply(items, event, {"source": None, "appraisal": None, **values})
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


def insert_events(
    *,
    session: Session,
    review: Review,
    added_by_id: int | None,
    rows: Sequence[dict[str, Any]],
    import_id: int | None = None,
) -> int:
    """Store many checked events at once, in bulk (a bundle import, or a chronology import
    named by ``import_id``): each row as for ``create_events`` with its ``ref`` already
    claimed, and optionally ``merged_from``.

    Writes what ``create_events`` writes (the events, who was involved, a "create" version
    of each and an audit entry each) with a few statements per call instead of several per
    event. Checks the values as ``create_events`` does; returns how many were stored."""
    items = _ReviewItems(session, review)
    now = utcnow()
    values: list[dict[str, Any]] = []
    views: list[_EventView] = []
    for number, row in enumerate(rows, start=1):
        row = dict(row)
        view = _EventView(row.pop("ref"), row.pop("merged_from", None) or [])
        try:
            _apply(items, view, {"source": None, "appraisal": None, **row})  # type: ignore[arg-type]
        except ServiceError as error:
            error.message = f"Event {number}: {error.message}"
            raise
        views.append(view)
        values.append(
            {
                "review_id": review.id,
                "ref": view.ref,
                "date": view.date,
                "date_precision": view.date_precision,
                "end_date": view.end_date,
                "sort_start": view.sort_start,
                "sort_end": view.sort_end,
                "agency_id": view.agency.id if view.agency else None,
                "source": view.source,
                "source_detail": view.source_detail,
                "description": view.description,
                "outcome": view.outcome,
                "import_id": import_id,
                "appraisal": view.appraisal,
                "kpe_id": view.kpe.id if view.kpe else None,
                "merged_from": view.merged_from,
                "merged_into_id": None,
                "added_by_id": added_by_id,
                "created_at": now,
                "deleted_at": None,
                "version": 1,
            }
        )
    if not values:
        return 0
    # Core statements on the session's connection: no ORM bookkeeping per row.
    connection = session.connection()
    events = table_of(Event)
    reserved = _reserved_ids(connection, events, len(values))
    ids: Sequence[int]
    if reserved is not None:
        ids = reserved
        # PostgreSQL: ids taken from the sequence first, so the rows go in as a plain
        # executemany (one statement parsed once) rather than as INSERT ... RETURNING pages,
        # whose thousands of placeholders the driver parses page by page.
        connection.execute(
            insert(events), [{"id": i, **value} for i, value in zip(ids, values, strict=True)]
        )
    else:
        ids = (
            connection.execute(
                insert(events).returning(events.c.id, sort_by_parameter_order=True), values
            )
            .scalars()
            .all()
        )
    people = [
        {"event_id": event_id, "person_id": person.id}
        for event_id, view in zip(ids, views, strict=True)
        for person in view.people
    ]
    if people:
        connection.execute(insert(event_people), people)
    changed_by = session_actor(session).label
    connection.execute(
        insert(table_of(EventVersion)),
        [
            {
                "event_id": event_id,
                "version": 1,
                "action": "create",
                "snapshot": event_item(view),  # type: ignore[arg-type]
                "changed_by": changed_by,
                "changed_at": now,
            }
            for event_id, view in zip(ids, views, strict=True)
        ],
    )
    audit.record_created(
        session,
        Event,
        review.id,
        (
            (str(event_id), {"id": event_id, **value})
            for event_id, value in zip(ids, values, strict=True)
        ),
    )
    return len(ids)


def _reserved_ids(connection: Connection, table: Table, count: int) -> list[int] | None:
    """``count`` new ids for ``table`` from its PostgreSQL sequence, in ascending order; None on
    a database without sequences (SQLite returns the ids of a bulk insert cheaply)."""
    if connection.dialect.name != "postgresql":
        return None
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
    ).scalar_one()
    taken = connection.execute(
        text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
        {"sequence": sequence, "count": count},
    )
    return sorted(int(i) for i in taken.scalars())


class _EventView:
    """An event's values before it is stored, with the attributes ``_apply`` sets and
    ``event_item`` reads (a plain object: no unit-of-work bookkeeping per attribute)."""

    def __init__(self, ref: str, merged_from: list[Any]) -> None:
        self.ref = ref
        self.merged_from = merged_from
        self.end_date: str | None = None
        self.agency: ReviewAgency | None = None
        self.kpe: KeyPracticeEpisode | None = None
        self.people: list[Person] = []
        self.source_detail = ""
        self.outcome = ""

    # Set by _apply, from the row's values.
    date: str
    date_precision: str
    sort_start: datetime
    sort_end: datetime
    source: str
    description: str
    appraisal: str


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
    _apply(_ReviewItems(session, review), event, values)
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
