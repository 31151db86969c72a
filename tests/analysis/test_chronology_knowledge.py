"""Who knew what, when: household adults known to one agency are flagged; hindsight is held
back by showing only what could have been known at a moment.

All people, agencies and happenings are fictional.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from analysis.chronology.knowledge import PersonFacts, as_known_at, who_knew_what
from analysis.chronology.merge import EventFacts

CHILD = PersonFacts("P1", "Child Q", "child")
MOTHER = PersonFacts("P2", "Mother", "parent")
PARTNER = PersonFacts("P3", "Mother's partner", "household_adult")
LODGER = PersonFacts("P4", "Lodger", "household_adult")
GRANDMOTHER = PersonFacts("P5", "Maternal grandmother", "relative")
HEALTH_VISITOR = PersonFacts("P6", "Health Visitor 1", "practitioner")
PEOPLE = [CHILD, MOTHER, PARTNER, LODGER, GRANDMOTHER, HEALTH_VISITOR]


def event(
    ref: str,
    agency: str | None,
    day: datetime,
    people: set[str],
    *,
    deleted: bool = False,
    latest: datetime | None = None,
) -> EventFacts:
    return EventFacts(
        ref=ref,
        agency=agency,
        earliest=day,
        latest=latest or day + timedelta(days=1, seconds=-1),
        description="Fictional entry.",
        people=frozenset(people),
        deleted=deleted,
    )


EVENTS = [
    event("E3", "health", datetime(2011, 3, 2), {"P1", "P2", "P4", "P6"}),
    event("E1", "police", datetime(2011, 1, 14), {"P1", "P2", "P3", "P4"}),
    event("E2", "police", datetime(2011, 2, 20), {"P3"}),
    event("E4", "health", datetime(2011, 1, 20), {"P1", "P2", "P6"}),
    event("E5", None, datetime(2011, 4, 1), {"P3", "P5"}),
    event("E6", "school", datetime(2011, 4, 2), {"P3"}, deleted=True),
]


def test_a_household_adult_seen_only_by_police_is_flagged() -> None:
    known = {item.person: item for item in who_knew_what(EVENTS, PEOPLE)}

    partner = known["P3"]
    assert partner.flagged
    assert partner.known_to_one_agency
    assert partner.agencies == {"police": ["E1", "E2"]}
    assert partner.first_contact == {"police": datetime(2011, 1, 14)}
    assert partner.last_contact == {"police": datetime(2011, 2, 20)}


def test_a_household_adult_seen_by_police_and_health_is_not_flagged() -> None:
    known = {item.person: item for item in who_knew_what(EVENTS, PEOPLE)}

    lodger = known["P4"]
    assert not lodger.flagged
    assert not lodger.known_to_one_agency
    assert lodger.agencies == {"police": ["E1"], "health": ["E3"]}


def test_entries_are_in_date_order_and_agencies_in_order_of_first_contact() -> None:
    known = {item.person: item for item in who_knew_what(EVENTS, PEOPLE)}

    mother = known["P2"]
    assert list(mother.agencies) == ["police", "health"]
    assert mother.agencies["health"] == ["E4", "E3"]
    assert mother.first_contact["health"] == datetime(2011, 1, 20)
    assert mother.last_contact["health"] == datetime(2011, 3, 2)


def test_practitioners_are_left_out() -> None:
    refs = [item.person for item in who_knew_what(EVENTS, PEOPLE)]

    assert "P6" not in refs
    assert len(refs) == len(PEOPLE) - 1


def test_entries_without_agency_and_deleted_entries_count_for_nothing() -> None:
    known = {item.person: item for item in who_knew_what(EVENTS, PEOPLE)}

    assert known["P3"].agencies == {"police": ["E1", "E2"]}
    grandmother = known["P5"]
    assert grandmother.agencies == {}
    assert not grandmother.known_to_one_agency
    assert not grandmother.flagged  # a relative, not a household adult


def test_a_household_adult_no_agency_met_is_flagged() -> None:
    unseen = PersonFacts("P7", "Father", "parent")

    known = who_knew_what(EVENTS, [*PEOPLE, unseen])

    father = next(item for item in known if item.person == "P7")
    assert father.flagged
    assert not father.known_to_one_agency


def test_a_child_known_to_one_agency_is_not_flagged() -> None:
    only_school = [event("E1", "school", datetime(2011, 1, 5), {"P1"})]

    [child] = who_knew_what(only_school, [CHILD])

    assert child.known_to_one_agency
    assert not child.flagged


def test_flagged_people_come_first_then_by_pseudonym() -> None:
    unseen = PersonFacts("P7", "Father", "parent")

    order = [item.pseudonym for item in who_knew_what(EVENTS, [*PEOPLE, unseen])]

    assert order == [
        "Father",
        "Mother's partner",
        "Child Q",
        "Lodger",
        "Maternal grandmother",
        "Mother",
    ]


def test_a_person_ref_used_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="P2"):
        who_knew_what(EVENTS, [MOTHER, PersonFacts("P2", "Aunt", "relative")])


def test_as_known_at_hides_later_entries() -> None:
    assert as_known_at(EVENTS, datetime(2011, 1, 31)) == ["E1", "E4"]
    assert as_known_at(EVENTS, datetime(2010, 12, 31)) == []


def test_as_known_at_includes_an_entry_starting_exactly_at_the_moment() -> None:
    assert as_known_at(EVENTS, datetime(2011, 2, 20)) == ["E1", "E4", "E2"]


def test_as_known_at_shows_an_imprecise_entry_from_its_earliest_possible_time() -> None:
    sometime_in_march = event(
        "E9", "gp", datetime(2011, 3, 1), {"P2"}, latest=datetime(2011, 3, 31, 23, 59, 59)
    )

    assert "E9" in as_known_at([sometime_in_march], datetime(2011, 3, 1, 9, 0))
    assert as_known_at([sometime_in_march], datetime(2011, 2, 28, 23, 59)) == []


def test_as_known_at_never_shows_deleted_entries() -> None:
    assert "E6" not in as_known_at(EVENTS, datetime(2012, 1, 1))
    assert as_known_at(EVENTS, datetime(2012, 1, 1)) == ["E1", "E4", "E2", "E3", "E5"]
