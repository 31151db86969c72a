"""Who knew what, when: each person in the case against the agencies that met them.

National reviews return again and again to adults in the household whom only one agency
knew (often the "invisible men": a partner police knew but health and children's services
never heard of). ``who_knew_what`` lays that out per person and flags those adults.
``as_known_at`` supports the hindsight guard: it shows only what could have been known at a
given moment, not what the review knows now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from analysis.chronology.merge import EventFacts

# Adults living in the child's home: those the panel must see were known across agencies.
HOUSEHOLD_ADULT_ROLES = frozenset({"parent", "carer", "household_adult"})
# Practitioners are the knowers, not the known.
EXCLUDED_ROLES = frozenset({"practitioner"})


@dataclass(frozen=True)
class PersonFacts:
    """Someone in the case: ref, the pseudonym used in outputs, and role (``"parent"``, …)."""

    ref: str
    pseudonym: str
    role: str


@dataclass(frozen=True)
class PersonKnowledge:
    """Which agencies met a person, in which entries, and from when to when.

    ``agencies`` maps agency ref to entry refs in date order (agencies in order of first
    contact); ``first_contact`` and ``last_contact`` give, per agency, the earliest possible
    time of its first and of its last entry about the person.
    """

    person: str
    pseudonym: str
    role: str
    agencies: dict[str, list[str]]
    first_contact: dict[str, datetime]
    last_contact: dict[str, datetime]
    known_to_one_agency: bool
    flagged: bool


def who_knew_what(
    events: Sequence[EventFacts], people: Sequence[PersonFacts]
) -> list[PersonKnowledge]:
    """For each person in the case, the agencies that knew them and through which entries.

    Takes the review's entries and people. Deleted entries and entries without an agency
    count for nothing; practitioners are left out; refs in entries that match no person are
    ignored. ``known_to_one_agency`` is true when exactly one agency met the person.
    ``flagged`` is true for adults in the household (parent, carer, household adult) whom
    fewer than two agencies knew, so the panel sees who was not known across agencies: an
    adult no agency met is flagged too.

    Returns one ``PersonKnowledge`` per person who is not a practitioner, flagged first, then
    by pseudonym. Raises ``ValueError`` when two people share a ref.
    """
    by_ref: dict[str, PersonFacts] = {}
    for person in people:
        if person.ref in by_ref:
            raise ValueError(f"person ref {person.ref!r} is used twice")
        by_ref[person.ref] = person
    seen_by: dict[str, dict[str, list[EventFacts]]] = {ref: {} for ref in by_ref}
    for event in _in_date_order(events):
        if event.agency is None:
            continue
        for ref in event.people:
            if ref in seen_by:
                seen_by[ref].setdefault(event.agency, []).append(event)
    known = [
        _knowledge(person, seen_by[person.ref])
        for person in by_ref.values()
        if person.role not in EXCLUDED_ROLES
    ]
    known.sort(key=lambda item: (not item.flagged, item.pseudonym.casefold(), item.person))
    return known


def as_known_at(events: Sequence[EventFacts], moment: datetime) -> list[str]:
    """Refs of the entries that could have been known by ``moment``, in date order.

    An entry is visible when its earliest possible time is on or before ``moment``: an entry
    dated only "March 2011" is visible from 1 March, because it may have happened then.
    Deleted entries are never visible. Takes the entries and the moment; raises ``TypeError``
    if timezone-aware and naive datetimes are mixed.
    """
    return [event.ref for event in _in_date_order(events) if event.earliest <= moment]


def _in_date_order(events: Sequence[EventFacts]) -> list[EventFacts]:
    """Entries not deleted, by earliest then latest possible time, then ref."""
    return sorted(
        (event for event in events if not event.deleted),
        key=lambda event: (event.earliest, event.latest, event.ref),
    )


def _knowledge(person: PersonFacts, seen_by: dict[str, list[EventFacts]]) -> PersonKnowledge:
    agency_count = len(seen_by)
    return PersonKnowledge(
        person=person.ref,
        pseudonym=person.pseudonym,
        role=person.role,
        agencies={agency: [event.ref for event in met] for agency, met in seen_by.items()},
        first_contact={agency: met[0].earliest for agency, met in seen_by.items()},
        last_contact={agency: met[-1].earliest for agency, met in seen_by.items()},
        known_to_one_agency=agency_count == 1,
        flagged=person.role in HOUSEHOLD_ADULT_ROLES and agency_count < 2,
    )
