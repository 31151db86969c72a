"""Storing many checked events at once, in bulk (a bundle or a chronology import): a few
Core statements per call instead of several per event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, text
from sqlalchemy.orm import Session

from app.services.chronology.events import ReviewItems, apply_values, event_item
from app.services.errors import ServiceError
from models import (
    Event,
    EventVersion,
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
    items = ReviewItems(session, review)
    now = utcnow()
    values: list[dict[str, Any]] = []
    views: list[_EventView] = []
    for number, row in enumerate(rows, start=1):
        row = dict(row)
        view = _EventView(row.pop("ref"), row.pop("merged_from", None) or [])
        try:
            apply_values(items, view, {"source": None, "appraisal": None, **row})  # type: ignore[arg-type]
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
    """An event's values before it is stored, with the attributes ``apply_values`` sets and
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

    # Set by apply_values, from the row's values.
    date: str
    date_precision: str
    sort_start: datetime
    sort_end: datetime
    source: str
    description: str
    appraisal: str
