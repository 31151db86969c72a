"""Pickers: choosing events, factors or people of a big review in a form without one control
per item.

A picker shows the items already chosen (ticked check boxes, or radio buttons for one item)
and a search box. With JavaScript (static/js/picker.js) the search box is a combobox over the
API's search endpoints (``POST .../events/search``, ``.../factors/search``,
``.../people/search``: the typed text travels in a request body, never in a URL); without
it, the form's "Search" button posts the form back with ``picker=<field name>``: the view then
shows the same form, nothing saved, with up to PICKER_RESULTS matching items to tick. The views
read only the chosen and the found items, so the form costs the same at 50 and at 50,000.

The labels shown here and those the API's search answers carry come from the same functions
below (``factor_label``, ``person_label``; events are labelled by picker.js from the event
resource the way ``event_label`` does), and every search runs on the text as the reader reads
it: a reader who reads pseudonyms finds nothing by a real name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request, url_for
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from analysis.taxonomy import FACTOR_TYPES
from app.event_queries import EventFilters, filtered, ordered
from app.policy import may
from app.reader import as_written, reader_text, reads_pseudonyms
from app.services.chronology import when_of
from models import Event, Factor, Person, Review

PICKER_RESULTS = 20


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Kind:
    """What a picker chooses: its words and the API endpoint its typeahead asks."""

    noun: str
    plural: str
    prompt: str
    search_endpoint: str


KINDS = {
    "event": Kind(
        "event",
        "events",
        "Find an event to add: its ref (E12) or words from it",
        "api.events_search",
    ),
    "factor": Kind(
        "factor",
        "factors",
        "Find a factor to add: its ref (F3) or words from its label",
        "api.factors_search",
    ),
    "person": Kind(
        "person",
        "people",
        "Find a person: their ref (P2), pseudonym or role",
        "api.people_search",
    ),
}


@dataclass(frozen=True)
class Picker:
    """What the picker macro draws for one field."""

    name: str
    chosen: list[Choice]
    found: list[Choice]
    query: str
    search_url: str
    searched: bool
    kind: str = "event"
    # Extra fields the typeahead sends with its search (a factor picker's "type").
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> Kind:
        return KINDS[self.kind]

    @property
    def filters_json(self) -> str:
        return json.dumps(self.filters)


def _ref_first(ref: Any, text: str) -> Any:
    """An ordering that puts the record whose ref is ``text`` first: someone who types "E1"
    wants E1 before events that only contain "e1" (an earlier one may, in a file name)."""
    return case((func.lower(ref) == text.casefold(), 0), else_=1)


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- events ----------------------------------------------------------------------------------


def event_label(event: Event) -> str:
    return f"{event.ref} · {when_of(event).display()} · {event.description[:70]}"


def events_by_refs(session: Session, review: Review, refs: Iterable[str]) -> list[Choice]:
    """The live events among ``refs``, in the order given (unknown refs are left out)."""
    wanted = list(dict.fromkeys(r for r in refs if r))
    if not wanted:
        return []
    rows = session.scalars(
        select(Event).where(
            Event.review_id == review.id, Event.deleted_at.is_(None), Event.ref.in_(wanted)
        )
    )
    by_ref = {e.ref: Choice(e.ref, event_label(e)) for e in rows}
    return [by_ref[ref] for ref in wanted if ref in by_ref]


def search_events(session: Session, review: Review, text: str) -> list[Choice]:
    """Up to PICKER_RESULTS live events whose ref is ``text`` or whose words, as the reader
    reads them, contain it."""
    text = text.strip()
    if not text:
        return []
    filters = EventFilters(text=text).as_read_by(session, review, reader_text())
    statement = filtered(review, filters).order_by(_ref_first(Event.ref, text))
    statement = ordered(statement).limit(PICKER_RESULTS)
    return [Choice(e.ref, event_label(e)) for e in session.scalars(statement).unique()]


# --- factors ---------------------------------------------------------------------------------


def factor_label(factor: Factor) -> str:
    return f"{factor.ref} · {FACTOR_TYPES.get(factor.type, factor.type)} · {factor.label}"


def factors_by_refs(
    session: Session, review: Review, refs: Iterable[str], types: Sequence[str] | None = None
) -> list[Factor]:
    """The factors among ``refs`` (of ``types`` when given), in the order given."""
    wanted = list(dict.fromkeys(r for r in refs if r))
    if not wanted:
        return []
    statement = select(Factor).where(Factor.review_id == review.id, Factor.ref.in_(wanted))
    if types:
        statement = statement.where(Factor.type.in_(list(types)))
    by_ref = {f.ref: f for f in session.scalars(statement)}
    return [by_ref[ref] for ref in wanted if ref in by_ref]


def search_factors(
    session: Session,
    review: Review,
    text: str,
    *,
    types: Sequence[str] | None = None,
    limit: int = PICKER_RESULTS,
    change: Callable[[str], str] | None = None,
) -> list[Factor]:
    """Up to ``limit`` factors (of ``types`` when given) whose ref is ``text`` or whose label,
    as the reader reads it, contains it; in the order they were added."""
    text = text.strip()
    if not text or limit <= 0:
        return []
    change = change or reader_text()
    statement = select(Factor).where(Factor.review_id == review.id)
    if types:
        statement = statement.where(Factor.type.in_(list(types)))
    if change is as_written:
        statement = statement.where(
            or_(
                func.lower(Factor.ref) == text.casefold(),
                func.lower(Factor.label).like(_like(text), escape="\\"),
            )
        )
    else:  # search the labels as this reader reads them: no match by a hidden real name
        ids_statement = select(Factor.id, Factor.ref, Factor.label).where(
            Factor.review_id == review.id
        )
        if types:
            ids_statement = ids_statement.where(Factor.type.in_(list(types)))
        needle = text.casefold()
        ids = [
            factor_id
            for factor_id, ref, label in session.execute(ids_statement)
            if ref.casefold() == needle or needle in change(label or "").casefold()
        ]
        statement = statement.where(Factor.id.in_(ids))
    statement = statement.order_by(_ref_first(Factor.ref, text), Factor.id)
    return list(session.scalars(statement.limit(limit)))


# --- people ----------------------------------------------------------------------------------


def person_label(person: Person) -> str:
    """A person as every picker and search answer names them: by pseudonym, never real name."""
    return f"{person.pseudonym} ({person.ref})"


def people_by_refs(session: Session, review: Review, refs: Iterable[str]) -> list[Person]:
    wanted = list(dict.fromkeys(r for r in refs if r))
    if not wanted:
        return []
    rows = session.scalars(
        select(Person).where(Person.review_id == review.id, Person.ref.in_(wanted))
    )
    by_ref = {p.ref: p for p in rows}
    return [by_ref[ref] for ref in wanted if ref in by_ref]


def search_people(
    session: Session, review: Review, text: str, *, limit: int = PICKER_RESULTS
) -> list[Person]:
    """Up to ``limit`` people of the register whose ref is ``text`` or whose pseudonym or role
    contains it. A real name finds someone only for a reader who may read real names."""
    text = text.strip()
    if not text or limit <= 0:
        return []
    pattern = _like(text)
    matches = [
        func.lower(Person.ref) == text.casefold(),
        func.lower(Person.pseudonym).like(pattern, escape="\\"),
        func.lower(Person.role).like(pattern, escape="\\"),
    ]
    if not reads_pseudonyms() and may("people.real_names"):
        matches.append(func.lower(Person.real_name).like(pattern, escape="\\"))
    statement = (
        select(Person)
        .where(Person.review_id == review.id, or_(*matches))
        .order_by(_ref_first(Person.ref, text), Person.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


# --- the pickers -----------------------------------------------------------------------------


def is_picker_search() -> bool:
    """Whether the form was posted by a picker's Search button (show results, save nothing)."""
    return request.method == "POST" and bool(request.form.get("picker"))


def _query(name: str) -> str:
    return request.values.get(f"{name}-q", "") if request.values.get("picker") == name else ""


def _picker(
    kind: str,
    review: Review,
    name: str,
    chosen: list[Choice],
    found: list[Choice],
    query: str,
    filters: dict[str, str] | None = None,
) -> Picker:
    taken = {c.value for c in chosen}
    return Picker(
        name=name,
        chosen=chosen,
        found=[c for c in found if c.value not in taken],
        query=query,
        search_url=url_for(KINDS[kind].search_endpoint, review_id=review.id),
        searched=bool(query.strip()),
        kind=kind,
        filters=filters or {},
    )


def event_picker(session: Session, review: Review, name: str, chosen: Iterable[str]) -> Picker:
    """The event picker of field ``name``: the chosen events, and what its search found."""
    query = _query(name)
    return _picker(
        "event",
        review,
        name,
        events_by_refs(session, review, chosen),
        search_events(session, review, query),
        query,
    )


def factor_picker(
    session: Session,
    review: Review,
    name: str,
    chosen: Iterable[str],
    *,
    factor_type: str | None = None,
) -> Picker:
    """The factor picker of field ``name`` (only factors of ``factor_type`` when given)."""
    query = _query(name)
    types = [factor_type] if factor_type else None
    return _picker(
        "factor",
        review,
        name,
        [Choice(f.ref, factor_label(f)) for f in factors_by_refs(session, review, chosen, types)],
        [
            Choice(f.ref, factor_label(f))
            for f in search_factors(session, review, query, types=types)
        ],
        query,
        {"type": factor_type} if factor_type else None,
    )


def person_picker(session: Session, review: Review, name: str, chosen: Iterable[str]) -> Picker:
    """The person picker of field ``name``: people labelled by pseudonym."""
    query = _query(name)
    return _picker(
        "person",
        review,
        name,
        [Choice(p.ref, person_label(p)) for p in people_by_refs(session, review, chosen)],
        [Choice(p.ref, person_label(p)) for p in search_people(session, review, query)],
        query,
    )
