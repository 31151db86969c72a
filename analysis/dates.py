"""Working-day arithmetic for the statutory clocks (England's bank holidays) and the UK clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Working Together: the National Panel is notified within 5 working days of the incident
# becoming known; the rapid review is completed within 15 working days.
NOTIFICATION_WORKING_DAYS = 5
RAPID_REVIEW_WORKING_DAYS = 15


@lru_cache(maxsize=64)
def _england_bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and day not in _england_bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def subtract_working_days(end: date, days: int) -> date:
    """The date ``days`` working days before ``end`` (``end`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = end
    remaining = days
    while remaining:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def statutory_dates(incident_known_on: date | None) -> dict[str, date | None]:
    """Due dates for the Panel notification and the rapid review."""
    if incident_known_on is None:
        return {"notification_due": None, "rapid_review_due": None}
    return {
        "notification_due": add_working_days(incident_known_on, NOTIFICATION_WORKING_DAYS),
        "rapid_review_due": add_working_days(incident_known_on, RAPID_REVIEW_WORKING_DAYS),
    }


def uk_date(day: date | None) -> str:
    """A date the UK way: ``14 Jan 2011``."""
    return "" if day is None else f"{day.day} {day:%b %Y}"


# The app's clock reads the UK day and shows UK time (GMT or BST), whatever the server's zone.
UK_ZONE = ZoneInfo("Europe/London")


def uk_today(now: datetime | None = None) -> date:
    """Today's date in the UK. ``now`` (an aware moment) is for tests; default: the real now."""
    moment = now if now is not None else datetime.now(UTC)
    return moment.astimezone(UK_ZONE).date()


def uk_moment(moment: datetime) -> str:
    """A stored moment as a UK reader expects it: ``1 Jul 2026 09:30 BST``.

    A moment without a zone is a stored UTC timestamp (SQLite keeps no zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(UK_ZONE)
    return f"{uk_date(local.date())} {local:%H:%M} {local.tzname()}"
