"""Statutory clocks: working days in England (bank holidays skipped) from the day the
partnership became aware, each milestone done, due or overdue."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.milestones import intervals_from, overdue_first, review_milestones


def _due(known: date, today: date = date(2026, 1, 1), **done: date) -> dict[str, date | None]:
    return {m.key: m.due_on for m in review_milestones(known, done, today)}


def test_worked_example_from_monday_2_november_2026() -> None:
    due = _due(date(2026, 11, 2))
    assert due["panel_notification"] == date(2026, 11, 9)
    assert due["rapid_review"] == date(2026, 11, 23)


def test_easter_2026_bank_holidays_are_not_working_days() -> None:
    # Good Friday 3 April and Easter Monday 6 April 2026.
    due = _due(date(2026, 3, 31))
    assert due["panel_notification"] == date(2026, 4, 9)
    assert due["rapid_review"] == date(2026, 4, 23)


def test_christmas_2026_bank_holidays_are_not_working_days() -> None:
    # Christmas Day (Fri 25 Dec) and Boxing Day's substitute (Mon 28 Dec 2026).
    due = _due(date(2026, 12, 21))
    assert due["panel_notification"] == date(2026, 12, 30)
    assert due["rapid_review"] == date(2027, 1, 14)  # and New Year's Day


def test_rapid_review_not_recorded_by_its_due_date_is_overdue() -> None:
    milestones = review_milestones(date(2026, 11, 2), {}, today=date(2026, 11, 24))
    status = {m.key: m.status for m in milestones}
    assert status["rapid_review"] == "overdue"
    on_the_day = review_milestones(date(2026, 11, 2), {}, today=date(2026, 11, 23))
    assert {m.key: m.status for m in on_the_day}["rapid_review"] == "due"


def test_recorded_milestones_are_done_and_the_next_clock_runs_from_them() -> None:
    done = {"rapid_review": date(2026, 11, 20), "local_review_decision": date(2026, 12, 1)}
    milestones = {m.key: m for m in review_milestones(date(2026, 11, 2), done, date(2027, 1, 5))}
    assert milestones["rapid_review"].status == "done"
    assert milestones["rapid_review"].done_on == date(2026, 11, 20)
    assert milestones["review_completed"].due_on == date(2027, 6, 1)
    # The report reaches the Panel at least 7 working days before publication.
    assert milestones["report_to_panel"].due_on == date(2027, 5, 20)
    assert milestones["panel_notification"].status == "overdue"


def test_overdue_first() -> None:
    ordered = overdue_first(review_milestones(date(2026, 11, 2), {}, date(2026, 11, 24)))
    assert [m.status for m in ordered[:2]] == ["overdue", "overdue"]
    assert ordered[-1].status != "overdue"


def test_no_date_known_means_nothing_is_due_yet() -> None:
    milestones = review_milestones(None, {}, date(2026, 11, 24))
    assert {m.status for m in milestones} == {"not_started"}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"rapid_review_working_days": 10}, date(2026, 11, 16)),
        ({"rapid_review_working_days": -3}, date(2026, 11, 23)),
        ({"rapid_review_working_days": "ten"}, date(2026, 11, 23)),
    ],
)
def test_intervals_are_the_partnerships_settings(
    settings: dict[str, object], expected: date
) -> None:
    milestones = review_milestones(
        date(2026, 11, 2), {}, date(2026, 1, 1), intervals_from(settings)
    )
    assert {m.key: m.due_on for m in milestones}["rapid_review"] == expected


def test_no_due_date_falls_before_day_0_even_for_an_early_publication() -> None:
    known = date(2026, 3, 2)
    milestones = review_milestones(
        known, {}, date(2026, 3, 3), planned_publication=date(2026, 3, 4)
    )
    due = {m.key: m.due_on for m in milestones}
    assert all(d is None or d >= known for d in due.values())
    assert due["report_to_panel"] == known


def test_a_month_based_due_date_on_a_weekend_or_bank_holiday_moves_to_the_next_working_day() -> (
    None
):
    # Decision on Sat 27 Jun 2026 -> 6 months is Sun 27 Dec 2026; 28 Dec is the Boxing Day
    # substitute bank holiday, so Tue 29 Dec 2026.
    due = {
        m.key: m.due_on
        for m in review_milestones(
            date(2026, 5, 1), {"local_review_decision": date(2026, 6, 27)}, date(2026, 7, 1)
        )
    }
    assert due["review_completed"] == date(2026, 12, 29)
