"""Reading the chronology: the filtered, paged event list used by the table, API and exports,
and its counts per agency and period that the timeline draws."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Integer, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from analysis.chronology.dates.parsing import parse_when
from app import searches
from app.reader import as_written
from models import Event, KeyPracticeEpisode, Person, Review, ReviewAgency


@dataclass
class EventFilters:
    """What the user asked to see. Empty values mean "no filter"."""

    agency: str = ""
    person: str = ""
    kpe: str = ""
    appraisal: str = ""
    source: str = ""
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    known_at: date | None = None
    errors: list[str] = field(default_factory=list)
    # For a reader who reads pseudonyms: the events whose text, as they read it, holds
    # ``text`` (a search by a real name must find nothing a made-up name would not).
    text_ids: frozenset[int] | None = None
    # The saved search (app.searches) that holds ``text``: pages carry it, never the words.
    search_token: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> EventFilters:
        text, token, ended = searches.text_of(args)
        filters = cls(
            agency=args.get("agency", ""),
            person=args.get("person", ""),
            kpe=args.get("kpe", ""),
            appraisal=args.get("appraisal", ""),
            source=args.get("source", ""),
            text=text,
            search_token=token,
        )
        if ended:
            filters.errors.append(ended)
        for name, key in (("date_from", "from"), ("date_to", "to"), ("known_at", "known_at")):
            value = args.get(key, "").strip()
            if value:
                try:
                    setattr(filters, name, parse_day(value))
                except ValueError:
                    filters.errors.append(
                        f"'{value}' is not a day: write it day first, for example 14/01/2011"
                    )
        return filters

    def as_read_by(
        self, session: Session, review: Review, change: Callable[[str], str]
    ) -> EventFilters:
        """These filters with the text search run on the events as ``change`` (the reader's
        view) gives them, when it changes anything; else unchanged (searched in SQL)."""
        if not self.text or change is as_written:
            return self
        rows = session.execute(
            select(
                Event.id, Event.ref, Event.description, Event.source_detail, Event.outcome
            ).where(Event.review_id == review.id, Event.deleted_at.is_(None))
        )
        needle = self.text.casefold()
        ids = frozenset(
            event_id
            for event_id, ref, *texts in rows
            if ref.casefold() == needle  # a picker's search finds an event by its ref
            or any(needle in change(text or "").casefold() for text in texts)
        )
        return replace(self, text_ids=ids)

    def as_args(self) -> dict[str, str]:
        values = {
            "agency": self.agency,
            "person": self.person,
            "kpe": self.kpe,
            "appraisal": self.appraisal,
            "source": self.source,
            # The words stay on the server: a page's links carry the saved search's token.
            searches.TOKEN_KEY: (self.search_token or searches.save(self.text) or "")
            if self.text
            else "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "known_at": self.known_at.isoformat() if self.known_at else "",
        }
        return {k: v for k, v in values.items() if v}


def parse_day(text: str) -> date:
    """A day as typed, day first (``14/01/2011``, ``14 Jan 2011``) or ISO (``2011-01-14``)."""
    when = parse_when(text)
    if when.precision != "day":
        raise ValueError(f"{text!r} is not a single day")
    return date.fromisoformat(when.date)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day``: "as known at" a day includes all of it."""
    return datetime.combine(day, time.max)


def filtered(review: Review, filters: EventFilters) -> Select[Event]:
    """The live (not deleted) events of ``review`` that pass ``filters``, unordered."""
    statement = select(Event).where(Event.review_id == review.id, Event.deleted_at.is_(None))
    if filters.agency == "none":
        statement = statement.where(Event.agency_id.is_(None))
    elif filters.agency:
        statement = statement.join(ReviewAgency, Event.agency_id == ReviewAgency.id).where(
            ReviewAgency.ref == filters.agency
        )
    if filters.person:
        statement = statement.where(Event.people.any(Person.ref == filters.person))
    if filters.kpe == "none":
        statement = statement.where(Event.kpe_id.is_(None))
    elif filters.kpe:
        statement = statement.where(Event.kpe.has(KeyPracticeEpisode.ref == filters.kpe))
    if filters.appraisal:
        statement = statement.where(Event.appraisal == filters.appraisal)
    if filters.source:
        statement = statement.where(Event.source == filters.source)
    if filters.text_ids is not None:
        statement = statement.where(Event.id.in_(filters.text_ids))
    elif filters.text:
        pattern = (
            "%"
            + filters.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        statement = statement.where(
            or_(
                # A picker's search finds an event by its ref, typed in either case.
                func.lower(Event.ref) == filters.text.lower(),
                func.lower(Event.description).like(pattern, escape="\\"),
                func.lower(Event.source_detail).like(pattern, escape="\\"),
                func.lower(Event.outcome).like(pattern, escape="\\"),
            )
        )
    if filters.date_from:
        statement = statement.where(Event.sort_end >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        statement = statement.where(Event.sort_start <= end_of_day(filters.date_to))
    if filters.known_at:
        # Hindsight guard (When.hindsight): only events whose stated date begins by the end of
        # that day; sort_start is the stated start.
        statement = statement.where(and_(Event.sort_start <= end_of_day(filters.known_at)))
    return statement


def ordered(statement: Select[Event]) -> Select[Event]:
    return statement.order_by(Event.sort_start, Event.sort_end, Event.id).options(
        selectinload(Event.people)
    )


def page_of_events(
    session: Session, review: Review, filters: EventFilters, page: int, per_page: int
) -> tuple[list[Event], int]:
    """One page of matching events in date order, and how many match in all."""
    statement = filtered(review, filters)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(ordered(statement).limit(per_page).offset((page - 1) * per_page))
    return list(rows.unique()), int(total)


def all_events(
    session: Session, review: Review, filters: EventFilters | None = None
) -> list[Event]:
    statement = ordered(filtered(review, filters or EventFilters()))
    return list(session.scalars(statement).unique())


def events_from(
    session: Session, review: Review, filters: EventFilters, offset: int, limit: int
) -> list[Event]:
    """Up to ``limit`` matching events in date order, from the ``offset``-th on (the API's
    pages, whose cursor is an offset)."""
    statement = ordered(filtered(review, filters)).limit(limit).offset(offset)
    return list(session.scalars(statement).unique())


# --- the timeline's counts ----------------------------------------------------------------------

#: How a period's key is written ("2023", "2023-01", "2023-01-14"): SQLite's strftime format
#: and PostgreSQL's to_char format.
PERIOD_FORMATS = {
    "year": ("%Y", "YYYY"),
    "month": ("%Y-%m", "YYYY-MM"),
    "day": ("%Y-%m-%d", "YYYY-MM-DD"),
}


def extent(
    session: Session, review: Review, filters: EventFilters
) -> tuple[int, datetime | None, datetime | None]:
    """How many events match ``filters``, the earliest start and the latest end among them."""
    matching = filtered(review, filters).subquery()
    count, start, end = session.execute(
        select(func.count(), func.min(matching.c.sort_start), func.max(matching.c.sort_end))
    ).one()
    return int(count), start, end


def counts_per_agency_and_period(
    session: Session, review: Review, filters: EventFilters, period: str
) -> Sequence[Row[Any]]:
    """The matching events counted per agency and ``period`` ("year", "month" or "day", keyed
    as in ``PERIOD_FORMATS``), in one statement: rows of ``agency_id``, ``period``, ``events``
    and ``problematic`` (how many of them are appraised so)."""
    matching = filtered(review, filters).subquery()
    sqlite_format, pg_format = PERIOD_FORMATS[period]
    column = matching.c.sort_start
    if session.get_bind().dialect.name == "postgresql":
        bucket = func.to_char(column, pg_format)
    else:
        bucket = func.strftime(sqlite_format, column)
    return session.execute(
        select(
            matching.c.agency_id,
            bucket.label("period"),
            func.count().label("events"),
            func.sum((matching.c.appraisal == "problematic").cast(Integer)).label("problematic"),
        ).group_by(matching.c.agency_id, bucket)
    ).all()


def kpe_spans(session: Session, review: Review, filters: EventFilters) -> Sequence[Row[Any]]:
    """Each key practice episode that holds matching events, with the span of those events:
    rows of ``ref``, ``title``, the earliest start and the latest end."""
    matching = filtered(review, filters).subquery()
    return session.execute(
        select(
            KeyPracticeEpisode.ref,
            KeyPracticeEpisode.title,
            func.min(matching.c.sort_start),
            func.max(matching.c.sort_end),
        )
        .join(matching, matching.c.kpe_id == KeyPracticeEpisode.id)
        .group_by(KeyPracticeEpisode.ref, KeyPracticeEpisode.title)
    ).all()
