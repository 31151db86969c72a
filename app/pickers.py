"""Pickers: choosing events of a big review in a form without one control per event.

A picker shows the events already chosen (ticked check boxes, or radio buttons for one event)
and a search box. With JavaScript (static/js/picker.js) the search box is a combobox over the
events API; without it, the form's "Search" button posts the form back with
``picker=<field name>``: the view then shows the same form, nothing saved, with up to
PICKER_RESULTS matching events to tick. The views read only the chosen and the found events,
so the form costs the same at 50 and at 50,000 events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.chronology.queries import EventFilters, filtered, ordered
from app.services.chronology import when_of
from models import Event, Review

PICKER_RESULTS = 20


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Picker:
    """What the picker macro draws for one field."""

    name: str
    chosen: list[Choice]
    found: list[Choice]
    query: str
    search_url: str
    searched: bool


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
    """Up to PICKER_RESULTS live events whose ref is ``text`` or whose words contain it."""
    text = text.strip()
    if not text:
        return []
    statement = ordered(filtered(review, EventFilters(text=text))).limit(PICKER_RESULTS)
    return [Choice(e.ref, event_label(e)) for e in session.scalars(statement).unique()]


def is_picker_search() -> bool:
    """Whether the form was posted by a picker's Search button (show results, save nothing)."""
    return request.method == "POST" and bool(request.form.get("picker"))


def event_picker(session: Session, review: Review, name: str, chosen: Iterable[str]) -> Picker:
    """The picker of field ``name``: the chosen events, and what its search found."""
    query = request.values.get(f"{name}-q", "") if request.values.get("picker") == name else ""
    chosen_choices = events_by_refs(session, review, chosen)
    taken = {c.value for c in chosen_choices}
    found = [c for c in search_events(session, review, query) if c.value not in taken]
    return Picker(
        name=name,
        chosen=chosen_choices,
        found=found,
        query=query,
        search_url=url_for("api.events", review_id=review.id),
        searched=bool(query.strip()),
    )
