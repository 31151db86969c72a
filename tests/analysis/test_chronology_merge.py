"""Merge suggestions pair one happening across agencies; conflicts show where entries differ.

All people, agencies and happenings are fictional.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from analysis.chronology.merge import (
    Conflict,
    EventFacts,
    MergeSide,
    conflicts,
    suggest_merges,
)

DAY = timedelta(days=1)


def on_day(
    ref: str,
    agency: str | None,
    day: datetime,
    description: str,
    people: set[str] | None = None,
    *,
    deleted: bool = False,
) -> EventFacts:
    """An entry known to the day: its window runs from midnight to the last second."""
    return EventFacts(
        ref=ref,
        agency=agency,
        earliest=day,
        latest=day + DAY - timedelta(seconds=1),
        description=description,
        people=frozenset(people or ()),
        deleted=deleted,
    )


CALL_OUT = on_day(
    "E1",
    "police",
    datetime(2011, 1, 14),
    "Police attended the family home after a 999 call reporting a domestic incident. "
    "Mother had a facial injury; Child Q was present and seen.",
    {"P1", "P2", "P3"},
)
EMERGENCY_DEPARTMENT = on_day(
    "E2",
    "hospital",
    datetime(2011, 1, 14),
    "Mother attended the emergency department with a facial injury after a domestic "
    "incident at the family home. Child Q present.",
    {"P2", "P3"},
)
HEALTH_VISIT = on_day(
    "E3",
    "health_visiting",
    datetime(2011, 1, 14),
    "Routine health visitor contact at clinic: weight and development checked.",
    {"P1"},
)


def test_a_planted_same_day_pair_from_two_agencies_is_suggested() -> None:
    suggestions = suggest_merges([HEALTH_VISIT, EMERGENCY_DEPARTMENT, CALL_OUT])

    assert len(suggestions) == 1
    best = suggestions[0]
    assert {best.first, best.second} == {"E1", "E2"}
    assert best.score >= 0.6
    assert "dates overlap (both 14 Jan 2011)" in best.reasons
    assert "both involve P2, P3" in best.reasons
    assert any(reason.startswith("similar wording (") for reason in best.reasons)


def test_entries_of_the_same_agency_are_never_paired() -> None:
    twin = on_day("E9", "police", CALL_OUT.earliest, CALL_OUT.description, set(CALL_OUT.people))

    suggestions = suggest_merges([CALL_OUT, twin], min_score=0.0)

    assert suggestions == []


def test_entries_whose_dates_do_not_overlap_are_never_paired() -> None:
    three_days_later = on_day(
        "E2",
        "hospital",
        CALL_OUT.earliest + 3 * DAY,
        CALL_OUT.description,
        set(CALL_OUT.people),
    )

    assert suggest_merges([CALL_OUT, three_days_later], min_score=0.0) == []


def test_entries_a_day_apart_are_still_compared_but_score_lower() -> None:
    next_day = on_day("E2", "hospital", CALL_OUT.earliest + DAY, CALL_OUT.description)
    same_day = on_day("E3", "school", CALL_OUT.earliest, CALL_OUT.description)

    scores = {
        suggestion.second: suggestion
        for suggestion in suggest_merges([CALL_OUT, next_day, same_day], min_score=0.0)
        if suggestion.first == "E1"
    }

    assert scores["E3"].score > scores["E2"].score
    assert "dates within a day (14 Jan 2011 and 15 Jan 2011)" in scores["E2"].reasons


def test_exact_times_an_hour_apart_on_one_day_count_as_the_same_day() -> None:
    def at(ref: str, agency: str, hour: int) -> EventFacts:
        moment = datetime(2011, 1, 14, hour, 0)
        return EventFacts(ref, agency, moment, moment, CALL_OUT.description, CALL_OUT.people)

    [suggestion] = suggest_merges([at("E1", "police", 22), at("E2", "hospital", 23)])

    assert suggestion.score > 0.95
    assert suggestion.reasons[0] == "same day (both 14 Jan 2011)"


def test_deleted_entries_and_entries_without_agency_are_skipped() -> None:
    deleted = on_day("E8", "hospital", CALL_OUT.earliest, CALL_OUT.description, deleted=True)
    no_agency = on_day("E9", None, CALL_OUT.earliest, CALL_OUT.description)

    assert suggest_merges([CALL_OUT, deleted, no_agency], min_score=0.0) == []


def test_suggestions_are_ordered_by_score_best_first() -> None:
    partly_alike = on_day(
        "E4",
        "school",
        datetime(2011, 1, 14),
        "Child Q arrived late at school; teacher told of a domestic incident at home.",
        {"P3"},
    )

    suggestions = suggest_merges(
        [partly_alike, HEALTH_VISIT, EMERGENCY_DEPARTMENT, CALL_OUT], min_score=0.0
    )

    scores = [suggestion.score for suggestion in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert {suggestions[0].first, suggestions[0].second} == {"E1", "E2"}
    unrelated = [s for s in suggestions if "E3" in (s.first, s.second)]
    assert all(s.score < suggestions[0].score for s in unrelated)


def test_min_score_and_limit_cut_the_list() -> None:
    events = [HEALTH_VISIT, EMERGENCY_DEPARTMENT, CALL_OUT]

    assert len(suggest_merges(events, min_score=0.0)) == 3
    assert len(suggest_merges(events, min_score=0.0, limit=2)) == 2
    assert suggest_merges(events, min_score=1.0) == []


def test_a_month_wide_entry_scores_lower_than_a_same_day_one() -> None:
    sometime_in_january = EventFacts(
        ref="E5",
        agency="gp",
        earliest=datetime(2011, 1, 1),
        latest=datetime(2011, 1, 31, 23, 59, 59),
        description=EMERGENCY_DEPARTMENT.description,
        people=EMERGENCY_DEPARTMENT.people,
    )

    by_pair = {
        frozenset((s.first, s.second)): s
        for s in suggest_merges([CALL_OUT, EMERGENCY_DEPARTMENT, sometime_in_january])
    }

    assert by_pair[frozenset(("E1", "E2"))].score > by_pair[frozenset(("E1", "E5"))].score
    assert "dates overlap (1 Jan 2011 to 31 Jan 2011 and 14 Jan 2011)" in (
        by_pair[frozenset(("E1", "E5"))].reasons
    )


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        suggest_merges([CALL_OUT], limit=-1)
    with pytest.raises(ValueError, match="min_score"):
        suggest_merges([CALL_OUT], min_score=1.5)


def test_an_entry_ending_before_it_starts_is_refused() -> None:
    backwards = EventFacts(
        "E7", "police", datetime(2011, 2, 1), datetime(2011, 1, 1), "x", frozenset({"P1"})
    )

    with pytest.raises(ValueError, match="E7"):
        suggest_merges([backwards])


def test_five_thousand_entries_are_handled_without_same_agency_pairs() -> None:
    events = generated_chronology(5000, seed=20110114)

    suggestions = suggest_merges(events)

    agency_of = {event.ref: event.agency for event in events}
    assert suggestions
    assert len(suggestions) <= 200
    assert all(agency_of[s.first] != agency_of[s.second] for s in suggestions)


GENERATED_WORDS = """
    visit home child mother father partner seen concern referral school police injury bruise
    attended missed appointment strategy meeting assessment plan housing debt alcohol argument
    neighbour report telephone letter
"""


def generated_chronology(count: int, *, seed: int) -> list[EventFacts]:
    """A fictional multi-agency chronology over about five years, some happenings recorded
    by two agencies in their own words."""
    rng = random.Random(seed)  # noqa: S311 - fictional test data, not a secret
    agencies = ["police", "hospital", "gp", "health_visiting", "school", "social_care"]
    people = [f"P{number}" for number in range(1, 9)]
    words = GENERATED_WORDS.split()
    start = datetime(2009, 1, 1)
    events = []
    while len(events) < count:
        day = start + DAY * rng.randrange(5 * 365)
        description = " ".join(rng.choices(words, k=12))
        involved = set(rng.sample(people, k=rng.randint(1, 3)))
        first, second = rng.sample(agencies, k=2)
        events.append(on_day(f"E{len(events) + 1}", first, day, description, involved))
        if rng.random() < 0.2:
            echo = " ".join(rng.sample(description.split(), k=8) + rng.choices(words, k=3))
            events.append(on_day(f"E{len(events) + 1}", second, day, echo, involved))
    return events[:count]


def side(date_display: str, day: datetime, description: str) -> MergeSide:
    return MergeSide("police", date_display, day, day + DAY - timedelta(seconds=1), description)


def test_conflicts_report_different_dates_and_details() -> None:
    police = side("14 Jan 2011", datetime(2011, 1, 14), "Child Q seen at home with Mother.")
    school = side("15 Jan 2011", datetime(2011, 1, 15), "Child Q not seen; Mother said asleep.")

    found = conflicts(police, school)

    assert found == [
        Conflict("date", "14 Jan 2011", "15 Jan 2011"),
        Conflict("details", police.description, school.description),
    ]


def test_entries_that_agree_have_no_conflicts() -> None:
    police = side("14 Jan 2011", datetime(2011, 1, 14), "Child Q seen at home with Mother.")
    same = side("14 Jan 2011", datetime(2011, 1, 14), "child q seen at home  with mother.")

    assert conflicts(police, same) == []


def test_a_small_wording_difference_is_not_a_conflict_but_a_negation_is() -> None:
    seen = side("14 Jan 2011", datetime(2011, 1, 14), "Child Q was seen at home by the HV.")
    also_seen = side("14 Jan 2011", datetime(2011, 1, 14), "Child Q was seen at home by HV.")
    not_seen = side("14 Jan 2011", datetime(2011, 1, 14), "Child Q not seen at home by HV.")

    assert conflicts(seen, also_seen) == []
    assert [conflict.field for conflict in conflicts(seen, not_seen)] == ["details"]


def test_the_same_day_at_another_precision_is_a_date_conflict() -> None:
    on_the_day = side("14 Jan 2011", datetime(2011, 1, 14), "Home visit.")
    in_january = MergeSide(
        "health_visiting",
        "Jan 2011",
        datetime(2011, 1, 1),
        datetime(2011, 1, 31, 23, 59, 59),
        "Home visit.",
    )

    assert conflicts(on_the_day, in_january) == [Conflict("date", "14 Jan 2011", "Jan 2011")]
