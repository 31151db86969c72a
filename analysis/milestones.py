"""The statutory clocks of a review: each milestone's due date, and whether it is done, due
or overdue.

Working Together (England): the Panel is notified within 5 working days of the partnership
becoming aware of a serious incident, and the rapid review is done within 15 working days;
the decision on a local review follows the rapid review, the review is completed within 6
months of that decision, and the final report reaches the Panel and the Secretary of State
at least 7 working days before it is published. The intervals are settings of the partnership
(guidance changes): ``DEFAULT_INTERVALS`` holds the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from analysis.dates import add_working_days, is_working_day, subtract_working_days

MILESTONE_LABELS: dict[str, str] = {
    "panel_notification": "Panel notified",
    "rapid_review": "Rapid review sent to the Panel",
    "local_review_decision": "Decision on a local review",
    "review_completed": "Review completed",
    "report_to_panel": "Report sent to the Panel and the Secretary of State",
    "publication": "Report published",
}
# Working days from the day the partnership became aware (day 0), calendar months after the
# decision, and working days before publication.
DEFAULT_INTERVALS: dict[str, int] = {
    "panel_notification_working_days": 5,
    "rapid_review_working_days": 15,
    "local_review_decision_working_days": 15,
    "review_completed_months": 6,
    "report_before_publication_working_days": 7,
}
STATUS_ORDER = {"overdue": 0, "due": 1, "done": 2, "not_started": 3}


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    due_on: date | None
    done_on: date | None
    status: str  # done, due, overdue, or not_started (no date to count from yet)


def add_months(day: date, months: int) -> date:
    """``day`` moved on by ``months`` calendar months (the last day of a shorter month)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(f"no such date: {year}-{month}")


def on_working_day(day: date) -> date:
    """``day``, or the next working day when it falls on a weekend or a bank holiday."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def intervals_from(settings: Mapping[str, object] | None) -> dict[str, int]:
    """The partnership's intervals: its settings where they are whole numbers ≥ 0, else the
    defaults."""
    merged = dict(DEFAULT_INTERVALS)
    for key, value in (settings or {}).items():
        if key in merged and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            merged[key] = value
    return merged


def _status(due_on: date | None, done_on: date | None, today: date) -> str:
    if done_on is not None:
        return "done"
    if due_on is None:
        return "not_started"
    return "overdue" if due_on < today else "due"


def review_milestones(
    incident_known_on: date | None,
    done: Mapping[str, date],
    today: date,
    intervals: Mapping[str, int] | None = None,
    planned_publication: date | None = None,
) -> list[Milestone]:
    """Every milestone of one review, in statutory order.

    ``done`` maps milestone keys to the day each was met. A milestone's due date counts from
    the one before it as recorded (the decision counts from the rapid review actually sent,
    the completion from the decision actually taken), or from its due date when it is not
    yet recorded. Publication is due on ``planned_publication``, else when the review is due
    to be completed; the report is due 7 working days before publication (as recorded, else
    as planned).
    """
    gaps = dict(intervals or DEFAULT_INTERVALS)
    due: dict[str, date | None] = {}
    known = incident_known_on
    due["panel_notification"] = (
        add_working_days(known, gaps["panel_notification_working_days"]) if known else None
    )
    due["rapid_review"] = (
        add_working_days(known, gaps["rapid_review_working_days"]) if known else None
    )
    rapid = done.get("rapid_review") or due["rapid_review"]
    due["local_review_decision"] = (
        add_working_days(rapid, gaps["local_review_decision_working_days"]) if rapid else None
    )
    decision = done.get("local_review_decision") or due["local_review_decision"]
    due["review_completed"] = (
        on_working_day(add_months(decision, gaps["review_completed_months"])) if decision else None
    )
    # Unless a date is planned, a report is expected out when the review is completed.
    planned_publication = planned_publication or due["review_completed"]
    publication = done.get("publication") or planned_publication
    due["report_to_panel"] = (
        subtract_working_days(publication, gaps["report_before_publication_working_days"])
        if publication
        else None
    )
    if due["report_to_panel"] and known and due["report_to_panel"] < known:
        due["report_to_panel"] = known  # never due before day 0 (an early publication)
    due["publication"] = planned_publication
    return [
        Milestone(key, label, due[key], done.get(key), _status(due[key], done.get(key), today))
        for key, label in MILESTONE_LABELS.items()
    ]


def overdue_first(milestones: list[Milestone]) -> list[Milestone]:
    """The same milestones, overdue ones first, then due, done and not started (stable)."""
    return sorted(milestones, key=lambda m: STATUS_ORDER[m.status])
