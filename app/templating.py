"""Template filters and globals: Markdown (sanitised), UK dates, taxonomy labels, permissions.

Real names in free text: every ``{{ }}`` value passes through the reader's view
(``app.reader.finalize``), so a member whose role may not read real names reads pseudonyms
everywhere on a page. ``markdown`` also pseudonymises the source before rendering (markup can
split a name: "Ker**ry**"). ``for_reader`` stays as a filter for text a template builds itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from markupsafe import Markup

from analysis.chronology.dates.when import When
from analysis.dates import uk_date, uk_moment
from analysis.markdown import render_markdown
from analysis.taxonomy import AGENCY_SECTORS, PERSON_ROLES, REVIEW_TYPES, STAGES
from analysis.wording import plural_of as plural_of
from app import policy, reader
from app.reader import for_reader

__all__ = ["for_reader", "init_app", "plural_of"]


def _markdown(text: str | None) -> Markup:
    # render_markdown sanitises with nh3 after rendering: its output is safe by construction.
    return reader.already_read(Markup(render_markdown(for_reader(text))))  # noqa: S704


def _uk_date(value: date | datetime | str | None) -> str:
    if isinstance(value, str):  # an ISO date kept in JSON (a good-practice share record)
        text = value
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0 and value.tzinfo is None:
            return uk_date(value.date())  # a date-only moment (a chronology window's start)
        return uk_moment(value)  # a stored timestamp, in UK time with its zone (GMT or BST)
    return uk_date(value)


def _when_display(event: Any) -> str:
    """An event's date the UK way at its precision ("14 Jan 2011", "c. 2007", "Jan-Jun 2007")."""
    return When(event.date, event.date_precision, event.end_date).display()


def _today() -> date:
    """Today's date (UTC), for statuses such as an overdue chronology return."""
    return datetime.now(UTC).date()


def _when_window(event: Any) -> str | None:
    """For an approximate date, the window it could lie in ("2024-2026" for "c. 2025")."""
    return When(event.date, event.date_precision, event.end_date).window_display()


def init_app(app: Flask) -> None:
    reader.init_app(app)
    app.jinja_env.filters["markdown"] = _markdown
    app.jinja_env.filters["for_reader"] = for_reader
    app.jinja_env.filters["plural"] = plural_of
    app.jinja_env.filters["uk_date"] = _uk_date
    app.jinja_env.globals.update(
        ROLES=policy.ROLES,
        REVIEW_TYPES=REVIEW_TYPES,
        STAGES=STAGES,
        PERSON_ROLES=PERSON_ROLES,
        AGENCY_SECTORS=AGENCY_SECTORS,
        may=policy.may,
        when_display=_when_display,
        when_window=_when_window,
        today=_today,
    )
