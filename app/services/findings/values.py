"""What a form, the API or a bundle sends for findings, actions, feedback and the report's
narrative, cleaned and checked the same way for all of them (and for the partnership's
milestones and progress notes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from analysis.dates import uk_today
from app.services.errors import ServiceError


def clean_text(value: Any) -> str:
    """Text as stored: NUL characters removed (PostgreSQL refuses them; no one types them)."""
    return str(value or "").replace("\x00", "")


def drop_empty(item: dict[str, Any]) -> dict[str, Any]:
    """A bundle item without its empty fields."""
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}


def parse_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError("Enter a real date, for example 2026-03-31", field) from None


def refuse_unknown_fields(values: dict[str, Any], allowed: Sequence[str]) -> None:
    """A clear error naming the fields ``values`` has beyond ``allowed``."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")


def not_in_future(day: date | None, field: str, today: date | None = None) -> date | None:
    """``day`` unchanged, or a clear error if it is after today: what has been done (a board's
    response, a milestone met, a progress note) cannot be dated in the future."""
    if day is not None and day > (today or uk_today()):
        raise ServiceError("The date cannot be in the future", field)
    return day
