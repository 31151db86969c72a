"""Likely duplicates as groups: a happening recorded by three agencies is one suggestion;
dismissed suggestions stay dismissed; one agency never appears twice in a group."""

from __future__ import annotations

from datetime import datetime

from analysis.chronology.dates import When, parse_when
from analysis.chronology.duplicates import duplicate_groups
from analysis.chronology.merge import EventFacts
from bench.duplicates import generate, recall_of


def fact(ref: str, agency: str, written: str, text: str, *people: str) -> EventFacts:
    when: When = parse_when(written)
    return EventFacts(ref, agency, when.earliest(), when.latest(), text, frozenset(people))


ED_VISIT = [
    fact("E1", "HOSP", "2024-01-21 23:40", "ED attendance: Child T with a bruised arm; "
         "mother says she fell", "P1", "P2"),
    fact("E2", "CSC", "2024-01-22 09:15", "Hospital rang: Child T seen in the emergency "
         "department overnight with bruising", "P1"),
    fact("E3", "POL", "2024-01-21 22:15", "Officers took Child T to the emergency department "
         "after a call to the home", "P1", "P3"),
    fact("E4", "HV", "21/01/2024", "Weight recorded at clinic; no concerns", "P1"),
    fact("E5", "CSC", "Jan 2024", "Letter sent about the housing repairs"),
]  # fmt: skip


def test_a_happening_recorded_by_three_agencies_is_one_group() -> None:
    groups = duplicate_groups(ED_VISIT)
    assert [set(g.refs) for g in groups] == [{"E1", "E2", "E3"}]
    group = groups[0]
    assert group.refs == ("E3", "E1", "E2")  # in date order
    assert "3 agencies" in group.reasons and "all involve P1" in group.reasons
    assert any("hospital attendance" in reason for reason in group.reasons)


def test_a_dismissed_suggestion_stays_dismissed() -> None:
    dismissed = [{"E1", "E2", "E3"}]
    assert duplicate_groups(ED_VISIT, dismissed=dismissed) == []
    # A partial dismissal keeps the pair it did not dismiss.
    partial = duplicate_groups(ED_VISIT, dismissed=[{"E2", "E3"}])
    assert all(not {"E2", "E3"} <= set(g.refs) for g in partial)


def test_one_agency_never_twice_in_a_group_and_deleted_entries_never_offered() -> None:
    same_agency = fact("E6", "POL", "2024-01-21 22:30", "Officers took Child T to the "
                       "emergency department after a call to the home", "P1")  # fmt: skip
    groups = duplicate_groups([*ED_VISIT, same_agency])
    assert groups
    for group in groups:
        agencies = [e.agency for e in [*ED_VISIT, same_agency] if e.ref in group.refs]
        assert len(agencies) == len(set(agencies))
    deleted = [*ED_VISIT[:2], EventFacts(**{**ED_VISIT[2].__dict__, "deleted": True})]
    assert [set(g.refs) for g in duplicate_groups(deleted)] == [{"E1", "E2"}]


def test_recall_on_planted_happenings_is_high() -> None:
    events, planted = generate(seed=3)
    events = [e for e in events if e.earliest < datetime(2020, 1, 1)]
    refs = {e.ref for e in events}
    planted = [group for group in planted if group <= refs]
    found = [frozenset(g.refs) for g in duplicate_groups(events, limit=10_000)]
    assert recall_of(found, planted) >= 0.9
